import { Controller, Delete, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { ContactErasureService, ContactMergeService, ConversationsService } from '../conversations/index.js';
import { AuthGuard, CurrentMember } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { invitationBody, invitationView, mergeView, undoneView } from './inbox.schema.js';
import { Answers } from '../common/http/answers.js';

const mergeBody = z.strictObject({ intoContactId: z.string().min(1).max(64) });

/** What agents do to contacts that reaches into conversations: invitations (a message goes out), merges, erasure. */
@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/contacts')
@UseGuards(AuthGuard)
export class ContactActionsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly merges: ContactMergeService,
    private readonly erasure: ContactErasureService,
  ) {}

  /** Administrators: forget this person (messages, files, addresses); an opt-out survives as a hash. */
  @Delete(':id')
  @HttpCode(204)
  async erase(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    await this.erasure.erase(member, id);
  }

  /** Supervisors: this contact (`:id`) is the same person as `intoContactId`, which stays. Undoable. */
  @Answers(mergeView)
  @Post(':id/merge')
  merge(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(mergeBody) body: z.output<typeof mergeBody>) {
    return this.merges.merge(member, id, body.intoContactId);
  }

  @Answers(undoneView)
  @Post('merges/:mergeId/undo')
  @HttpCode(200)
  async undoMerge(@CurrentMember() member: AuthMember, @Param('mergeId') mergeId: string) {
    await this.merges.undo(member, mergeId);
    return { undone: true };
  }

  /** Asks the customer to agree to messages; their state is `pending` until they answer YES. */
  @Answers(invitationView, 'The invitation is on its way in a new conversation.')
  @Post(':id/invitations')
  @HttpCode(202)
  invite(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(invitationBody) body: z.output<typeof invitationBody>) {
    return this.conversations.invite(member, id, body);
  }
}
