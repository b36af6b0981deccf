import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Answers } from '../common/http/answers.js';
import { AuthGuard, CurrentMember } from './auth.guard.js';
import type { AuthMember } from './auth.guard.js';
import { TeamsService } from './teams.service.js';
import { openingPreviewView } from './teams.schema.js';

/**
 * The team's business hours as the hub reads them. The hours themselves are saved with the team's settings
 * (`PATCH /api/teams/current`, `settings.businessHours`); this says what they mean now.
 */
@ApiTags('teams')
@ApiBearerAuth()
@Controller('api/business-hours')
@UseGuards(AuthGuard)
export class BusinessHoursController {
  constructor(private readonly teams: TeamsService) {}

  /**
   * Open now or not, until when, and the next opening, by the hub's clock and with the national holidays the hours
   * name: what routing does at this moment. Read-only; any member may ask (agents see when they can go online).
   */
  @Answers(openingPreviewView)
  @Get('preview')
  preview(@CurrentMember() member: AuthMember) {
    return this.teams.openingPreview(member.teamId);
  }
}
