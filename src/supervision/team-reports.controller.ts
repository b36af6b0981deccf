import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ValidQuery } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { csvStream } from '../common/text/csv.js';
import { reportQuery, teamReportView } from './supervision.schema.js';
import { GROUP_REPORT_COLUMNS, MEMBER_REPORT_COLUMNS, TeamReportsService, groupReportFields, memberReportFields } from './team-reports.service.js';
import type { GroupReport, MemberDayReport, TeamReport } from './team-reports.service.js';
import type { ReportBreakdown } from './supervision.schema.js';
import { SendsAnswer } from '../common/http/answers.js';

@ApiTags('supervision')
@ApiBearerAuth()
@Controller('api/reports')
@UseGuards(AuthGuard)
@RequireRole('supervisor')
export class TeamReportsController {
  constructor(private readonly reports: TeamReportsService) {}

  /** Per member and day, per day, category, channel and store; `format=csv` gives the rows of one `breakdown` to download. */
  @SendsAnswer({ 'application/json': teamReportView, 'text/csv': 'text' }, 'JSON, or with `format=csv` the rows of the `breakdown` asked (per member and day by default).')
  @Get('team')
  async team(@CurrentMember() member: AuthMember, @ValidQuery(reportQuery) query: z.output<typeof reportQuery>, @Res() reply: FastifyReply) {
    const report = await this.reports.report(member.teamId, query);
    if (query.format === 'json') return reply.send(report);
    const csv = reportCsv(report, query.breakdown);
    const name = query.breakdown === 'member' ? 'report' : `report-${query.breakdown}`;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}-${query.from}-${query.to}.csv"`)
      .send(csv);
  }
}

/** The CSV of one breakdown: the very rows the JSON answer holds, so a chart drawn from the JSON and the CSV agree. */
function reportCsv(report: TeamReport, breakdown: ReportBreakdown) {
  if (breakdown === 'member') {
    return csvStream(MEMBER_REPORT_COLUMNS, rowsOnce<MemberDayReport>(report.members), memberReportFields);
  }
  const groups = { day: report.days, category: report.categories, channel: report.channels, store: report.stores }[breakdown];
  return csvStream([breakdown, ...GROUP_REPORT_COLUMNS], rowsOnce<GroupReport>(groups), groupReportFields);
}

async function* rowsOnce<T>(rows: T[]): AsyncGenerator<T[]> {
  yield rows;
}
