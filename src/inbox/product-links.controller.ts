import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isbot } from 'isbot';
import { clientLimitKey } from '../common/http/client-address.js';
import { notFound } from '../common/errors/domain-error.js';
import { RATE_LIMITER } from '../common/rate-limit/rate-limiter.js';
import type { RateLimit, RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { ProductLinksService } from '../conversations/index.js';

/** A person opens a few cards a minute; more from one network is someone walking tokens. */
const PRODUCT_LINKS_PER_ADDRESS: RateLimit = { name: 'product.link.address', points: 120, perSeconds: 60, what: 'product links opened from your network' };

/**
 * The link of a product card a customer was sent (`/p/<token>`): no sign-in, the token is the link. It leads only to
 * the product page saved with the card, never to an address in the request, so it cannot be turned into an open
 * redirect.
 */
@ApiTags('catalog')
@Controller('p')
export class ProductLinksController {
  constructor(
    private readonly links: ProductLinksService,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  /**
   * 302 to the product page, counted as an opening of the card (shown live in the agent's thread) unless the
   * client is a link-preview robot (LINE, WhatsApp and mail scanners fetch links to draw previews). 404 `not_found`
   * for a token this hub did not give, or a withdrawn card's.
   */
  @ApiResponse({ status: 302, description: 'To the product page; `Location` names it.', headers: { Location: { schema: { type: 'string' } } } })
  @Get(':token')
  async open(@Param('token') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.limiter.consume(PRODUCT_LINKS_PER_ADDRESS, clientLimitKey(request.ip));
    if (!/^[A-Za-z0-9_-]{12}$/.test(token)) throw notFound('The product link');
    const target = await this.links.open(token, { robot: isbot(request.headers['user-agent'] ?? '') });
    // No referrer: the shop's analytics need not learn the hub's address, and the token stays out of their logs.
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(target, 302);
  }
}
