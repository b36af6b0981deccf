import { Controller, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentMember } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { RatingsService } from './ratings.service.js';
import { Answers } from '../common/http/answers.js';
import { inboxMessageView } from '../common/realtime/events/index.js';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/conversations')
@UseGuards(AuthGuard)
export class RatingsController {
  constructor(private readonly ratings: RatingsService) {}

  /** Sends the team's rating question on the conversation's channel; a lone 1-5 in reply is stored as the score. */
  @Answers(inboxMessageView, 'The question, sent to the customer.')
  @Post(':id/rating-request')
  ask(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.ratings.ask(member, id);
  }
}
