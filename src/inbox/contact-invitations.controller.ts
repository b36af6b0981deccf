import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { ConversationsService } from '../conversations/index.js';
import { AuthGuard, CurrentMember } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { invitationBody } from './inbox.schema.js';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/contacts')
@UseGuards(AuthGuard)
export class ContactInvitationsController {
  constructor(private readonly conversations: ConversationsService) {}

  /** Asks the customer to agree to messages; their state is `pending` until they answer YES. */
  @Post(':id/invitations')
  @HttpCode(202)
  invite(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(invitationBody) body: z.output<typeof invitationBody>) {
    return this.conversations.invite(member, id, body);
  }
}
