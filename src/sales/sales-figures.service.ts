import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { notFound } from '../common/errors/domain-error.js';
import { readTeamSettings } from '../teams/index.js';
import { SalesEvents } from './sales.events.js';
import type { Amounts, SalesFigure } from './sales.views.js';

/**
 * The figure on an agent's panel: today's chats (conversations they first answered today), today's credited
 * sales (refunded and cancelled ones left out) and the window those sales are credited in. "Today" is the
 * team's day, in its time zone, by the hub's clock.
 */
@Injectable()
export class SalesFiguresService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: SalesEvents,
  ) {}

  async figures(teamId: string, memberIds: string[]): Promise<SalesFigure[]> {
    const team = await this.db.team.findUnique({ where: { id: teamId }, select: { timeZone: true, settings: true } });
    if (!team) throw notFound('The team');
    const settings = readTeamSettings(team.settings);
    const today = DateTime.fromJSDate(this.clock.now(), { zone: team.timeZone }).startOf('day');
    const range = { gte: today.toJSDate(), lt: today.plus({ days: 1 }).toJSDate() };
    const [touches, sales] = await Promise.all([
      this.db.saleTouch.groupBy({ by: ['memberId'], where: { teamId, memberId: { in: memberIds }, repliedAt: range }, _count: { _all: true } }),
      this.db.sale.groupBy({ by: ['memberId', 'currency'], where: { teamId, memberId: { in: memberIds }, status: 'completed', occurredAt: range }, _count: { _all: true }, _sum: { amount: true } }),
    ]);
    return memberIds.map((memberId) => {
      const mine = sales.filter((row) => row.memberId === memberId);
      const amounts: Amounts = Object.fromEntries(mine.map((row) => [row.currency, row._sum.amount ?? 0]));
      return {
        memberId,
        date: today.toISODate()!,
        timeZone: team.timeZone,
        chats: touches.find((row) => row.memberId === memberId)?._count._all ?? 0,
        sales: { count: mine.reduce((sum, row) => sum + row._count._all, 0), amounts },
        windowDays: settings.attributionWindowDays,
        model: settings.attributionModel,
      };
    });
  }

  /** Tells every device of the member their new figure. */
  async announce(teamId: string, memberId: string): Promise<void> {
    const [figure] = await this.figures(teamId, [memberId]);
    this.events.emit('sales.figure', { teamId, memberId, figure });
  }
}
