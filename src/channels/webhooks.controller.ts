import { performance } from 'node:perf_hooks';
import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Inject } from '@nestjs/common';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { logger } from '../common/logging/logger.js';
import { HUB_METRICS } from '../common/metrics/hub-metrics.js';
import type { HubMetrics } from '../common/metrics/hub-metrics.js';
import type { WebhookRequest } from './channel-adapter.js';
import { ChannelInbound } from './inbound-port.js';
import { WebhookAdmissionService } from './webhook-admission.service.js';

/**
 * Every provider calls `/webhooks/<provider>/<channelId>[/<hook>]`. Order matters: verify the signature over
 * the raw body before anything is read or written, store, and only then answer 2xx.
 */
@ApiExcludeController()
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly admission: WebhookAdmissionService,
    private readonly inbound: ChannelInbound,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    @Inject(HUB_METRICS) private readonly metrics: HubMetrics,
  ) {}

  @Post(':route/:channelId')
  @HttpCode(200)
  receive(@Param('route') route: string, @Param('channelId') channelId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.handle(route, channelId, '', request, reply);
  }

  @Post(':route/:channelId/:hook')
  @HttpCode(200)
  receiveHook(
    @Param('route') route: string,
    @Param('channelId') channelId: string,
    @Param('hook') hook: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.handle(route, channelId, hook, request, reply);
  }

  /**
   * A provider checking that the URL is ours before it sends anything (Meta's `hub.challenge`): answered with
   * the challenge as plain text for the right verify token only.
   */
  @Get(':route/:channelId')
  async check(@Param('route') route: string, @Param('channelId') channelId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { channel, adapter } = await this.admission.target(route, channelId, '');
    if (!adapter.handshake) throw new DomainError('not_found', 'unknown_channel', 'No channel of this provider has this id.');
    const challenge = adapter.handshake(channel, this.call('', request));
    return reply.header('content-type', 'text/plain; charset=utf-8').send(challenge);
  }

  private call(hook: string, request: FastifyRequest): WebhookRequest {
    return {
      hook,
      url: this.config.publicUrl + request.url,
      headers: request.headers,
      query: request.query as Record<string, string | undefined>,
      rawBody: (request as FastifyRequest & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0),
      body: request.body,
    };
  }

  private async handle(route: string, channelId: string, hook: string, request: FastifyRequest, reply: FastifyReply) {
    const began = performance.now();
    // The route segment is the caller's to choose: only a provider the hub knows becomes a label.
    let provider = 'unknown';
    try {
      const answer = await this.store(route, channelId, hook, request, reply, (known) => (provider = known));
      this.metrics.webhookAnswered(provider, 'stored', (performance.now() - began) / 1000);
      return answer;
    } catch (error) {
      this.metrics.webhookAnswered(provider, error instanceof DomainError ? error.code : 'error', (performance.now() - began) / 1000);
      throw error;
    }
  }

  private async store(route: string, channelId: string, hook: string, request: FastifyRequest, reply: FastifyReply, knownProvider: (provider: string) => void) {
    const { channel, adapter } = await this.admission.target(route, channelId, hook);
    knownProvider(channel.provider);
    const call = this.call(hook, request);
    await adapter.verify(channel, call);
    if (!channel.active) {
      throw new DomainError('forbidden', 'channel_inactive', 'This channel is switched off in the hub; switch it on to receive messages.');
    }
    const events = await adapter.parse(channel, call);
    const outcomes = await this.inbound.target.ingest(channel, events);
    // Debug, not info: a line per webhook written synchronously cost a fifth of the hot path's CPU under load.
    logger.debug({ channelId, events: events.length, stored: outcomes.filter((o) => o.stored).length }, 'webhook stored');
    const response = adapter.webhookResponse?.(call);
    if (response) return reply.header('content-type', response.contentType).send(response.body);
    return reply.send({ received: events.length });
  }
}
