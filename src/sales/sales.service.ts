import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DATABASE } from '../common/database/database.js';
import type { Db, Prisma } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import type { Page } from '../common/http/validation.js';
import { csvLine, UTF8_BOM } from '../common/text/csv.js';
import { hasRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { CLOCK } from '../common/clock.js';
import { reportDays } from '../common/report-days.js';
import type { Clock } from '../common/clock.js';
import { SalesFiguresService } from './sales-figures.service.js';
import type { z } from 'zod';
import type { ReportQuery, SalesQuery, salesReportView } from './sales.schema.js';
import { toSaleView } from './sales.views.js';
import type { SaleView, SalesFigure } from './sales.views.js';

/** One line of the report: a member's (or the unattributed) sales of one day in one currency. */
/** The report's type is its view's (sales.schema.ts): the route sends it as it is. */
export type SalesReport = z.output<typeof salesReportView>;
export type SalesReportRow = SalesReport['rows'][number];

@Injectable()
export class SalesService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly figures: SalesFiguresService,
  ) {}

  /** An agent sees the sales credited to them; supervisors and administrators the team's, credited or not. */
  async list(member: AuthMember, query: SalesQuery): Promise<Page<SaleView>> {
    const supervising = hasRole(member, 'supervisor');
    if (!supervising && query.memberId && query.memberId !== member.id) {
      throw new DomainError('forbidden', 'forbidden', 'Only a supervisor or above may see another member’s sales.');
    }
    if (!supervising && query.attributed === false) {
      throw new DomainError('forbidden', 'forbidden', 'Only a supervisor or above may see unattributed sales.');
    }
    const credited: Prisma.SaleWhereInput['memberId'] = !supervising
      ? member.id
      : query.attributed === false
        ? null
        : (query.memberId ?? (query.attributed === true ? { not: null } : undefined));
    const where: Prisma.SaleWhereInput = {
      teamId: member.teamId,
      ...(credited !== undefined ? { memberId: credited } : {}),
      ...(query.reversed !== undefined ? { status: query.reversed ? { in: ['refunded', 'cancelled'] } : 'completed' } : {}),
      ...(query.from || query.to ? { occurredAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } } : {}),
      ...(query.cursor ? { id: { lt: query.cursor } } : {}),
    };
    const rows = await this.db.sale.findMany({ where, orderBy: { id: 'desc' }, take: query.limit + 1 });
    const items = rows.slice(0, query.limit).map(toSaleView);
    return { items, nextCursor: rows.length > query.limit ? items[items.length - 1].id : null };
  }

  /** The credited member opened the sale: it is no longer new. Only they can: a supervisor's look is not theirs. */
  async markSeen(member: AuthMember, id: string): Promise<SaleView> {
    const sale = await this.db.sale.findFirst({ where: { id, teamId: member.teamId } });
    if (!sale) throw notFound('The sale');
    if (sale.memberId !== member.id) throw new DomainError('forbidden', 'not_your_sale', 'Only the member credited with this sale can mark it seen.');
    await this.db.sale.updateMany({ where: { id, seenAt: null }, data: { seenAt: this.clock.now() } });
    return toSaleView(await this.db.sale.findUniqueOrThrow({ where: { id } }));
  }

  /** Each member's panel figure: an agent their own, supervisors everyone's (or one member's). */
  async panel(member: AuthMember, memberId?: string): Promise<{ items: SalesFigure[] }> {
    if (!hasRole(member, 'supervisor')) {
      if (memberId && memberId !== member.id) throw new DomainError('forbidden', 'forbidden', 'Only a supervisor or above may see another member’s figure.');
      return { items: await this.figures.figures(member.teamId, [member.id]) };
    }
    const members = await this.db.member.findMany({ where: { teamId: member.teamId, ...(memberId ? { id: memberId } : {}) }, select: { id: true }, orderBy: { name: 'asc' } });
    if (memberId && members.length === 0) throw notFound('The member');
    return { items: await this.figures.figures(member.teamId, members.map((m) => m.id)) };
  }

  /**
   * Sales per day (the team's days) and member, credited and unattributed, refunded and cancelled ones left out.
   * Default: the last 30 days up to today.
   */
  async report(member: AuthMember, query: ReportQuery): Promise<SalesReport> {
    const team = await this.db.team.findUnique({ where: { id: member.teamId }, select: { timeZone: true } });
    if (!team) throw notFound('The team');
    const zone = team.timeZone;
    const { from, to, period } = reportDays(zone, query, this.clock.now());
    const sales = await this.db.sale.findMany({
      where: { teamId: member.teamId, status: 'completed', occurredAt: period },
      select: { memberId: true, amount: true, currency: true, occurredAt: true },
    });
    const names = new Map((await this.db.member.findMany({ where: { teamId: member.teamId }, select: { id: true, name: true } })).map((m) => [m.id, m.name]));
    const rows = new Map<string, SalesReportRow>();
    const totals: SalesReport['totals'] = { attributed: { count: 0, amounts: {} }, unattributed: { count: 0, amounts: {} } };
    for (const sale of sales) {
      const date = DateTime.fromJSDate(sale.occurredAt, { zone }).toISODate()!;
      const key = `${date}|${sale.memberId ?? ''}|${sale.currency}`;
      const row = rows.get(key) ?? { date, memberId: sale.memberId, memberName: sale.memberId ? (names.get(sale.memberId) ?? null) : null, attributed: sale.memberId !== null, count: 0, amount: 0, currency: sale.currency };
      row.count += 1;
      row.amount += sale.amount;
      rows.set(key, row);
      const total = sale.memberId ? totals.attributed : totals.unattributed;
      total.count += 1;
      total.amounts[sale.currency] = (total.amounts[sale.currency] ?? 0) + sale.amount;
    }
    const sorted = [...rows.values()].sort(
      (a, b) => a.date.localeCompare(b.date) || Number(b.attributed) - Number(a.attributed) || (a.memberName ?? '').localeCompare(b.memberName ?? '') || a.currency.localeCompare(b.currency),
    );
    return { from: from.toISODate()!, to: to.toISODate()!, timeZone: zone, rows: sorted, totals };
  }
}

/** The report as CSV (RFC 4180, a BOM so that spreadsheet programs read the Japanese names as UTF-8). */
export function reportCsv(report: SalesReport): string {
  const header = ['date', 'member_id', 'member_name', 'attributed', 'sales', 'amount', 'currency'];
  const lines = report.rows.map((row) => csvLine([row.date, row.memberId, row.memberName, row.attributed ? 'yes' : 'no', row.count, row.amount, row.currency]));
  return UTF8_BOM + csvLine(header) + lines.join('');
}
