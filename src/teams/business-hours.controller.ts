import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Answers } from '../common/http/answers.js';
import { AuthGuard, CurrentMember, RequireRole } from './auth.guard.js';
import type { AuthMember } from './auth.guard.js';
import { TeamsService } from './teams.service.js';
import { hoursPreviewBody, openingPreviewView } from './teams.schema.js';

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

  /**
   * The same for hours being edited, before they are saved (the week editor's preview): 400 with the field for hours
   * that cannot be read, as saving them would answer. Nothing is stored.
   */
  @Answers(openingPreviewView)
  @Post('preview')
  @RequireRole('administrator')
  @HttpCode(200)
  previewDraft(@CurrentMember() member: AuthMember, @ValidBody(hoursPreviewBody) body: z.output<typeof hoursPreviewBody>) {
    return this.teams.openingPreview(member.teamId, body);
  }
}
