import { Controller, HttpCode, Inject, Options, Param, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { clientLimitKey } from '../common/http/client-address.js';
import { RATE_LIMITER } from '../common/rate-limit/rate-limiter.js';
import type { RateLimit, RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { ChannelsService, verifyWidgetOrigin, widgetEventBody } from '../channels/index.js';
import { ShopperEventsService } from './shopper-events.service.js';
import { Answers } from '../common/http/answers.js';
import { widgetEventAcceptedView } from './sales.schema.js';

/**
 * Per client address as well as per browser: over HTTP a script can make up a new visitor id for every request.
 * Generous, since a shop's visitors behind one office or mobile carrier share an address.
 */
const EVENTS_PER_ADDRESS: RateLimit = { name: 'shopper.events.address', points: 600, perSeconds: 60, what: 'shopper events from your network' };

/**
 * Shopper events from a page that talks HTTP rather than the widget's socket. No sign-in: the browser's visitor
 * id. The shop's pages are on another origin than the hub, so the route answers CORS (the channel's
 * `allowedOrigins` decide, as they do for the socket).
 */
@ApiTags('widget')
@Controller('api/widget')
export class WidgetEventsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly shopper: ShopperEventsService,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  @Answers(widgetEventAcceptedView)
  @Post(':channelId/events')
  @HttpCode(202)
  async event(
    @Param('channelId') channelId: string,
    @ValidBody(widgetEventBody) body: z.output<typeof widgetEventBody>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const channel = verifyWidgetOrigin(await this.channels.account(channelId), request.headers.origin);
    allowOrigin(reply, request.headers.origin);
    // `request.ip` is the socket's address unless the operator trusts a proxy (HUB_TRUST_PROXY).
    await this.limiter.consume(EVENTS_PER_ADDRESS, `${channel.teamId}:${clientLimitKey(request.ip)}`);
    const { visitorId, ...event } = body;
    await this.shopper.record(channel, visitorId, event);
    return { accepted: true };
  }

  /** The browser's preflight before a JSON post from the shop's page. */
  @Options(':channelId/events')
  @HttpCode(204)
  async preflight(@Param('channelId') channelId: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    verifyWidgetOrigin(await this.channels.account(channelId), request.headers.origin);
    allowOrigin(reply, request.headers.origin);
    reply.header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '600');
  }
}

function allowOrigin(reply: FastifyReply, origin: string | undefined): void {
  if (!origin) return;
  // No credentials: the visitor id travels in the body, never in a cookie of the hub's.
  reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
}
