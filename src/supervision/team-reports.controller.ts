import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ValidQuery } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { csvStream } from '../common/text/csv.js';
import { reportQuery, teamReportView } from './supervision.schema.js';
import { MEMBER_REPORT_COLUMNS, TeamReportsService, memberReportFields } from './team-reports.service.js';
import { SendsAnswer } from '../common/http/answers.js';

@ApiTags('supervision')
@ApiBearerAuth()
@Controller('api/reports')
@UseGuards(AuthGuard)
@RequireRole('supervisor')
export class TeamReportsController {
  constructor(private readonly reports: TeamReportsService) {}

  /** Per member and day, per category, per channel; `format=csv` gives the per-member rows to download. */
  @SendsAnswer({ 'application/json': teamReportView, 'text/csv': 'text' }, 'JSON, or with `format=csv` the per-member rows.')
  @Get('team')
  async team(@CurrentMember() member: AuthMember, @ValidQuery(reportQuery) query: z.output<typeof reportQuery>, @Res() reply: FastifyReply) {
    const report = await this.reports.report(member.teamId, query);
    if (query.format === 'json') return reply.send(report);
    async function* pages() {
      yield report.members;
    }
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="report-${query.from}-${query.to}.csv"`)
      .send(csvStream(MEMBER_REPORT_COLUMNS, pages(), memberReportFields));
  }
}
