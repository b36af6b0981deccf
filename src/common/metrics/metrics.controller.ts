import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SendsAnswer } from '../http/answers.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { HUB_CONFIG } from '../config/config.js';
import type { HubConfig } from '../config/config.js';
import { DomainError } from '../errors/domain-error.js';
import { clientLimitKey } from '../http/client-address.js';
import { RATE_LIMITER } from '../rate-limit/rate-limiter.js';
import type { RateLimit, RateLimiter } from '../rate-limit/rate-limiter.js';
import { HUB_METRICS } from './hub-metrics.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';

/** Prometheus scrapes every 15 s or so; a few scrapers, or a person with curl, stay far below this. */
const SCRAPES_PER_ADDRESS: RateLimit = { name: 'metrics.address', points: 120, perSeconds: 60, what: 'metrics scrapes from this address' };

/**
 * The hub's metrics for Prometheus. With `HUB_METRICS_TOKEN` set, a scraper must send it as a bearer token; without
 * it only this machine may scrape (the client address as `HUB_TRUST_PROXY` lets the hub judge it), so a hub put on
 * the internet with no settings shows its figures to nobody.
 */
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(HUB_METRICS) private readonly metrics: PrometheusMetrics,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  @SendsAnswer({ 'text/plain': 'text' }, 'Webhooks, ingest latency, outbox, job queues, sockets, offers, report posts, event-loop lag, database pool: see the README, "Metrics".')
  @Get()
  @Header('cache-control', 'no-store')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The hub's metrics in Prometheus's text format (answered from the moment the application is up, before ready too)" })
  @ApiResponse({ status: 401, description: '`metrics_token_required`: HUB_METRICS_TOKEN is set and the request did not carry it as `Authorization: Bearer <token>`.' })
  @ApiResponse({ status: 403, description: '`metrics_token_not_set`: without HUB_METRICS_TOKEN only loopback clients may scrape; set it to scrape from elsewhere.' })
  @ApiResponse({ status: 429, description: '`rate_limited`: more than 120 scrapes a minute from one client address.' })
  async scrape(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    await this.limiter.consume(SCRAPES_PER_ADDRESS, clientLimitKey(request.ip));
    this.admit(request);
    const { contentType, body } = await this.metrics.scrape();
    reply.header('content-type', contentType);
    return body;
  }

  private admit(request: FastifyRequest): void {
    const expected = this.config.metricsToken;
    if (expected === null) {
      if (isLoopback(request.ip)) return;
      throw new DomainError('forbidden', 'metrics_token_not_set', 'Metrics are served to this machine only; set HUB_METRICS_TOKEN to scrape them from elsewhere with that bearer token.');
    }
    const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    // Digests of equal length, so the comparison takes as long whatever the length of what was sent.
    const same = timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
    if (!same) throw new DomainError('unauthenticated', 'metrics_token_required', 'This route needs the metrics token: Authorization: Bearer <HUB_METRICS_TOKEN>.');
  }
}

function isLoopback(address: string): boolean {
  const bare = address.split('%')[0];
  return ipaddr.isValid(bare) && ipaddr.process(bare).range() === 'loopback';
}
