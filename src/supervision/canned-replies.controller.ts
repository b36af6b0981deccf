import { Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody, ValidQuery } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { CannedRepliesService } from './canned-replies.service.js';
import { cannedReplyListView, cannedReplyView, createCannedReplyBody, expandQuery, updateCannedReplyBody } from './supervision.schema.js';
import { Answers } from '../common/http/answers.js';

@ApiTags('supervision')
@ApiBearerAuth()
@Controller('api/canned-replies')
@UseGuards(AuthGuard)
export class CannedRepliesController {
  constructor(private readonly replies: CannedRepliesService) {}

  /** The team's replies and the member's personal ones, with how often each was sent. */
  @Answers(cannedReplyListView)
  @Get()
  async list(@CurrentMember() member: AuthMember) {
    return { items: await this.replies.list(member), nextCursor: null };
  }

  /** `:7` typed in the composer: the reply with the agent's and the conversation's placeholders filled. */
  @Answers(cannedReplyView, 'The reply with its placeholders filled for the conversation.')
  @Get('expand')
  expand(@CurrentMember() member: AuthMember, @ValidQuery(expandQuery) query: z.output<typeof expandQuery>) {
    return this.replies.expand(member, query.code, query.conversationId);
  }

  @Answers(cannedReplyView)
  @Post()
  create(@CurrentMember() member: AuthMember, @ValidBody(createCannedReplyBody) body: z.output<typeof createCannedReplyBody>) {
    return this.replies.create(member, body);
  }

  @Answers(cannedReplyView)
  @Patch(':id')
  update(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(updateCannedReplyBody) body: z.output<typeof updateCannedReplyBody>) {
    return this.replies.update(member, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    await this.replies.remove(member, id);
  }
}
