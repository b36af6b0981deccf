import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { DraftsService } from './drafts.service.js';
import { draftListView, rejectDraftBody } from './supervision.schema.js';
import { Answers } from '../common/http/answers.js';
import { inboxMessageView } from '../common/realtime/events/index.js';

@ApiTags('supervision')
@ApiBearerAuth()
@Controller('api')
@UseGuards(AuthGuard)
export class DraftsController {
  constructor(private readonly drafts: DraftsService) {}

  /** Supervisors: the team's drafts awaiting approval. Trainees: their own drafts and the decisions on them. */
  @Answers(draftListView)
  @Get('drafts')
  async list(@CurrentMember() member: AuthMember) {
    return { items: await this.drafts.list(member), nextCursor: null };
  }

  @Answers(inboxMessageView, 'The draft, approved and on its way.')
  @Post('messages/:id/approve')
  @HttpCode(200)
  @RequireRole('supervisor')
  approve(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.drafts.approve(member, id);
  }

  @Answers(inboxMessageView)
  @Post('messages/:id/reject')
  @HttpCode(200)
  @RequireRole('supervisor')
  reject(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(rejectDraftBody) body: z.output<typeof rejectDraftBody>) {
    return this.drafts.reject(member, id, body.feedback);
  }
}
