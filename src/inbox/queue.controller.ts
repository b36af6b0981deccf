import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { QueueService } from '../routing/index.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/queue')
@UseGuards(AuthGuard)
export class QueueController {
  constructor(private readonly queue: QueueService) {}

  /** The waiting queue with waiting times, and each member's load against their capacity (supervisors). */
  @Get()
  @RequireRole('supervisor')
  view(@CurrentMember() member: AuthMember) {
    return this.queue.view(member.teamId);
  }
}
