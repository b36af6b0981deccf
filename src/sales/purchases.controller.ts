import { Controller, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { ApiKeyGuard, ApiKeyTeam } from './api-key.guard.js';
import { PurchasesService } from './purchases.service.js';
import { purchaseBody, purchaseView, reverseBody } from './sales.schema.js';
import { Answers, SendsAnswer } from '../common/http/answers.js';

/** The shop's server reports orders here with a team API key (administrators create them at /api/teams/current/api-keys). */
@ApiTags('sales')
@ApiBearerAuth()
@Controller('api/purchases')
@UseGuards(ApiKeyGuard)
export class PurchasesController {
  constructor(private readonly purchases: PurchasesService) {}

  /** 201 with the attribution; the same order id again: 200 with the first answer. */
  @SendsAnswer({ 'application/json': purchaseView }, 'Stored, with its attribution.', 201)
  @SendsAnswer({ 'application/json': purchaseView }, 'This order id was reported before: the first answer.', 200)
  @Post()
  async record(@ApiKeyTeam() teamId: string, @ValidBody(purchaseBody) body: z.output<typeof purchaseBody>, @Res() reply: FastifyReply) {
    const { created, answer } = await this.purchases.record(teamId, body);
    await reply.status(created ? 201 : 200).send(answer);
  }

  /** The order was refunded: its credit is taken back (it stays listed, marked refunded). */
  @Answers(purchaseView)
  @Post(':orderId/refund')
  @HttpCode(200)
  refund(@ApiKeyTeam() teamId: string, @Param('orderId') orderId: string, @ValidBody(reverseBody) _body: z.output<typeof reverseBody>) {
    return this.purchases.reverse(teamId, orderId, 'refunded');
  }

  /** The order was cancelled: its credit is taken back. */
  @Answers(purchaseView)
  @Post(':orderId/cancel')
  @HttpCode(200)
  cancel(@ApiKeyTeam() teamId: string, @Param('orderId') orderId: string, @ValidBody(reverseBody) _body: z.output<typeof reverseBody>) {
    return this.purchases.reverse(teamId, orderId, 'cancelled');
  }
}
