import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { QueueService, queueView } from '../routing/index.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { Answers } from '../common/http/answers.js';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/queue')
@UseGuards(AuthGuard)
export class QueueController {
  constructor(private readonly queue: QueueService) {}

  /** The waiting queue with waiting times, and each member's load against their capacity (supervisors). */
  @Answers(queueView)
  @Get()
  @RequireRole('supervisor')
  view(@CurrentMember() member: AuthMember) {
    return this.queue.view(member.teamId);
  }
}
