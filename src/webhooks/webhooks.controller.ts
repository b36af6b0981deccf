import { Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { Answers } from '../common/http/answers.js';
import { ValidBody, ValidQuery } from '../common/http/zod-params.js';
import { RATE_LIMITER } from '../common/rate-limit/rate-limiter.js';
import type { RateLimit, RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import {
  createEndpointBody,
  createdEndpointView,
  deliveriesQuery,
  deliveryDetailView,
  deliveryListView,
  endpointListView,
  endpointView,
  replayedView,
  replayFailedBody,
  secretView,
  updateEndpointBody,
} from './webhooks.schema.js';

/** Pings and replays make the hub post to a URL a member chose: a team may not turn the hub into a request pump. */
const SENDS_PER_TEAM: RateLimit = { name: 'webhooks.send.team', points: 30, perSeconds: 60, what: 'webhook pings and replays for your team' };

/** Outgoing webhooks: administrators subscribe URLs to the team's events and read each endpoint's delivery log. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('api/webhooks/endpoints')
@UseGuards(AuthGuard)
@RequireRole('administrator')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  @Answers(endpointListView)
  @Get()
  async list(@CurrentMember() member: AuthMember) {
    return { items: await this.endpoints.list(member.teamId) };
  }

  /** The answer alone shows the signing secret (`whsec_...`). 400 `webhook_url_not_allowed` for a private address. */
  @Answers(createdEndpointView, 'The endpoint, with its signing secret (shown this once).')
  @Post()
  create(@CurrentMember() member: AuthMember, @ValidBody(createEndpointBody) body: z.output<typeof createEndpointBody>) {
    return this.endpoints.create(member.teamId, body);
  }

  @Answers(endpointView)
  @Get(':id')
  get(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.endpoints.get(member.teamId, id);
  }

  /** `enabled: true` on an endpoint that was switched off sends what waited for it. */
  @Answers(endpointView)
  @Patch(':id')
  update(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(updateEndpointBody) body: z.output<typeof updateEndpointBody>) {
    return this.endpoints.update(member.teamId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    await this.endpoints.remove(member.teamId, id);
  }

  /** A new signing secret, shown in this answer alone; the old one signs beside it for 24 hours more. */
  @Answers(secretView)
  @Post(':id/rotate-secret')
  @HttpCode(200)
  rotate(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.endpoints.rotateSecret(member.teamId, id);
  }

  /** Posts a `webhook.ping` event at once (even while switched off) and answers the delivery with its attempt. */
  @Answers(deliveryDetailView)
  @Post(':id/ping')
  @HttpCode(200)
  async ping(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    await this.limiter.consume(SENDS_PER_TEAM, member.teamId);
    return this.endpoints.ping(member.teamId, id);
  }

  /** The delivery log, newest first: each delivery with its state and last attempt (status, answer or error). */
  @Answers(deliveryListView)
  @Get(':id/deliveries')
  deliveries(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidQuery(deliveriesQuery) query: z.output<typeof deliveriesQuery>) {
    return this.endpoints.deliveries(member.teamId, id, query);
  }

  @Answers(deliveryDetailView)
  @Get(':id/deliveries/:deliveryId')
  delivery(@CurrentMember() member: AuthMember, @Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    return this.endpoints.delivery(member.teamId, id, deliveryId);
  }

  /** Sends the delivery again now, with the same `webhook-id`, and a fresh 3-day retry window. */
  @Answers(deliveryDetailView)
  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(202)
  async replay(@CurrentMember() member: AuthMember, @Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    await this.limiter.consume(SENDS_PER_TEAM, member.teamId);
    return this.endpoints.replay(member.teamId, id, deliveryId);
  }

  /** Sends again every delivery that failed for good among the events since `since`. */
  @Answers(replayedView)
  @Post(':id/replay')
  @HttpCode(202)
  async replayFailed(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(replayFailedBody) body: z.output<typeof replayFailedBody>) {
    await this.limiter.consume(SENDS_PER_TEAM, member.teamId);
    return this.endpoints.replayFailed(member.teamId, id, body.since);
  }
}
