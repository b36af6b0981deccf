import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { CLOCK } from '../common/clock.js';
import { reportDays } from '../common/report-days.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { notFound } from '../common/errors/domain-error.js';
import { csvLine, UTF8_BOM } from '../common/text/csv.js';
import type { AuthMember } from '../teams/index.js';
import type { TicketReport, TicketReportQuery } from './tickets.schema.js';

/**
 * Tickets opened, solved and gone overdue per day of the team's time zone, read from the tickets' own history (a
 * ticket solved, reopened and solved again counts on both days; overdue counts the day its due time passed unsolved).
 * Its own route rather than a section of the team report: the reports module does not know tickets exist.
 */
@Injectable()
export class TicketReportService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async report(member: AuthMember, query: TicketReportQuery): Promise<TicketReport> {
    const team = await this.db.team.findUnique({ where: { id: member.teamId }, select: { timeZone: true } });
    if (!team) throw notFound('The team');
    const zone = team.timeZone;
    const { from, to, period } = reportDays(zone, query, this.clock.now());
    const [opened, activities] = await Promise.all([
      this.db.ticket.findMany({ where: { teamId: member.teamId, createdAt: period }, select: { createdAt: true } }),
      this.db.ticketActivity.findMany({ where: { ticket: { teamId: member.teamId }, kind: { in: ['status', 'overdue'] }, createdAt: period }, select: { kind: true, data: true, createdAt: true } }),
    ]);
    const rows = new Map<string, TicketReport['rows'][number]>();
    for (let day = from; day <= to; day = day.plus({ days: 1 })) rows.set(day.toISODate()!, { date: day.toISODate()!, opened: 0, solved: 0, overdue: 0 });
    const dayOf = (at: Date) => rows.get(DateTime.fromJSDate(at, { zone }).toISODate()!);
    for (const ticket of opened) dayOf(ticket.createdAt)!.opened++;
    for (const activity of activities) {
      const row = dayOf(activity.createdAt)!;
      if (activity.kind === 'overdue') row.overdue++;
      else if ((activity.data as { to?: string } | null)?.to === 'solved') row.solved++;
    }
    const list = [...rows.values()];
    const totals = list.reduce((sum, row) => ({ opened: sum.opened + row.opened, solved: sum.solved + row.solved, overdue: sum.overdue + row.overdue }), { opened: 0, solved: 0, overdue: 0 });
    return { from: from.toISODate()!, to: to.toISODate()!, timeZone: zone, rows: list, totals };
  }
}

/** The report as CSV (a BOM so that spreadsheet programs read it as UTF-8, as the other reports do). */
export function ticketReportCsv(report: TicketReport): string {
  return UTF8_BOM + csvLine(['date', 'opened', 'solved', 'overdue']) + report.rows.map((row) => csvLine([row.date, row.opened, row.solved, row.overdue])).join('');
}
