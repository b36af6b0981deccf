import { Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody, ValidQuery } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { ReportTargetsService } from './report-targets.service.js';
import { ReportTriggersService } from './report-triggers.service.js';
import { ReportsService } from './reports.service.js';
import { detectedStoreView, handoffBody, handoffView, reportListQuery, reportListView, reportTargetsBody, reportTargetsView, storeBody } from './reports.schema.js';
import { StoresService } from './stores.service.js';
import { Answers } from '../common/http/answers.js';
import { inboxReportView } from '../common/realtime/events/index.js';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/teams/current/report-targets')
@UseGuards(AuthGuard)
export class ReportTargetsController {
  constructor(private readonly targets: ReportTargetsService) {}

  /** Each purpose's LINE group, with its name and whether the bot is still in it. */
  @Answers(reportTargetsView)
  @Get()
  read(@CurrentMember() member: AuthMember) {
    return this.targets.read(member.teamId);
  }

  /** Administrators: replaces the mapping; 400 `invalid_report_target` names each group the bot is not in. */
  @Answers(reportTargetsView)
  @Put()
  @RequireRole('administrator')
  replace(@CurrentMember() member: AuthMember, @ValidBody(reportTargetsBody) body: z.output<typeof reportTargetsBody>) {
    return this.targets.replace(member.teamId, body);
  }
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/reports')
@UseGuards(AuthGuard)
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** Posts to LINE groups, oldest first, with their delivery status; `conversationId` narrows to one chat. */
  @Answers(reportListView)
  @Get()
  list(@CurrentMember() member: AuthMember, @ValidQuery(reportListQuery) query: z.output<typeof reportListQuery>) {
    return this.reports.list(member.teamId, query);
  }

  /** Sends a failed report again (409 `report_not_failed` for one that is pending or sent). */
  @Answers(inboxReportView, 'Queued again.')
  @Post(':id/retry')
  @HttpCode(202)
  retry(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.reports.retry(member.teamId, id);
  }
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/conversations')
@UseGuards(AuthGuard)
export class ConversationReportsController {
  constructor(
    private readonly triggers: ReportTriggersService,
    private readonly stores: StoresService,
  ) {}

  /** Asks colleagues in the call-center group to take over; 202 with the report (null when the team reports nowhere). */
  @Answers(handoffView)
  @Post(':id/handoff')
  @HttpCode(202)
  async handoff(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(handoffBody) body: z.output<typeof handoffBody>) {
    return { report: await this.triggers.requestHandoff(member, id, body.note) };
  }

  /** The store this chat is about (`{store}`) and what told it: `agent`, `page`, `access_log` or `unknown`. */
  @Answers(detectedStoreView)
  @Get(':id/store')
  store(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.stores.read(member, id);
  }

  @Answers(detectedStoreView)
  @Put(':id/store')
  setStore(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(storeBody) body: z.output<typeof storeBody>) {
    return this.stores.set(member, id, body.store);
  }
}
