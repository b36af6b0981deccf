import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { InvitationService } from './invitation.service.js';

/** The page a customer reaches from an email invitation: public, answered in the customer's language. */
@ApiExcludeController()
@Controller('invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationService) {}

  @Get(':token')
  async confirm(@Param('token') token: string, @Res() reply: FastifyReply) {
    const ok = await this.invitations.confirmByToken(token).then(
      () => true,
      () => false,
    );
    const text = ok ? 'ご登録ありがとうございます。今後のご案内をお送りします。' : 'このリンクは無効です。';
    return reply
      .status(ok ? 200 : 404)
      .header('content-type', 'text/html; charset=utf-8')
      .send(`<!doctype html><html lang="ja"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Tsunagi</title><p>${text}</p></html>`);
  }
}
