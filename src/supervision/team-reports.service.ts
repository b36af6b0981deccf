import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError } from '../common/errors/domain-error.js';
import { openMillisBetween, readTeamSettings } from '../teams/index.js';
import type { BusinessHours } from '../teams/index.js';
import { ConversationExportService } from './conversation-export.service.js';
import { formatAmounts, waitStartOf } from './conversation-export.service.js';
import type { memberDayReportView, teamReportView } from './supervision.schema.js';

/** The longest period one report covers. */
const MAX_REPORT_DAYS = 366;

/** The report's types are its views' (supervision.schema.ts): the route sends it as it is. */
export type MemberDayReport = z.output<typeof memberDayReportView>;
export type TeamReport = z.output<typeof teamReportView>;
export type GroupReport = TeamReport['channels'][number];
type TimeFigures = MemberDayReport['handleTime'];

export const MEMBER_REPORT_COLUMNS = [
  'day', 'member_id', 'member', 'offered', 'accepted', 'missed', 'conversations', 'handled', 'unhandled',
  'first_response_median_seconds', 'first_response_p90_seconds', 'handle_time_median_seconds', 'handle_time_p90_seconds',
  'ratings', 'rating_average', 'canned_reply_uses', 'sales', 'sales_amount',
];

export function memberReportFields(row: MemberDayReport): unknown[] {
  return [
    row.day, row.memberId, row.memberName, row.offered, row.accepted, row.missed, row.conversations, row.handled, row.unhandled,
    row.firstResponse.medianSeconds, row.firstResponse.p90Seconds, row.handleTime.medianSeconds, row.handleTime.p90Seconds,
    row.ratings.count, row.ratings.average, row.cannedReplyUses, row.sales.count, formatAmounts(row.sales.amounts),
  ];
}

/** The value below which `fraction` of the sorted values lie, interpolated between neighbours (PostgreSQL's percentile_cont). */
export function percentile(sorted: number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * fraction;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return Math.round(sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower));
}

/** A group's figures as the conversations stream by: counts and the times, not the rows. */
interface GroupTally {
  conversations: number;
  missed: number;
  handled: number;
  unhandled: number;
  firstResponses: number[];
  handleTimes: number[];
  scores: number[];
  cannedReplyUses: number;
  sales: MemberDayReport['sales'];
  productCards: GroupReport['productCards'];
  calls: GroupReport['calls'];
}

function tallyIn(map: Map<string, GroupTally>, key: string): GroupTally {
  let tally = map.get(key);
  if (!tally) {
    tally = { conversations: 0, missed: 0, handled: 0, unhandled: 0, firstResponses: [], handleTimes: [], scores: [], cannedReplyUses: 0, sales: { count: 0, amounts: [] }, productCards: { sent: 0, opened: 0, bought: 0 }, calls: { count: 0, seconds: 0 } };
    map.set(key, tally);
  }
  return tally;
}

function groupReport(key: string, tally: GroupTally): GroupReport {
  return {
    key,
    conversations: tally.conversations,
    missed: tally.missed,
    handled: tally.handled,
    unhandled: tally.unhandled,
    firstResponse: timeFigures(tally.firstResponses),
    handleTime: timeFigures(tally.handleTimes),
    ratings: ratingFigures(tally.scores),
    cannedReplyUses: tally.cannedReplyUses,
    sales: tally.sales,
    productCards: tally.productCards,
    calls: tally.calls,
  };
}

function groupsOf(map: Map<string, GroupTally>): GroupReport[] {
  return [...map].map(([key, tally]) => groupReport(key, tally)).sort((a, b) => a.key.localeCompare(b.key));
}

function addAmount(sales: MemberDayReport['sales'], currency: string, amount: number): void {
  const total = sales.amounts.find((entry) => entry.currency === currency);
  if (total) total.amount += amount;
  else sales.amounts.push({ currency, amount });
}

export const GROUP_REPORT_COLUMNS = [
  'conversations', 'missed', 'handled', 'unhandled', 'first_response_median_seconds', 'first_response_p90_seconds',
  'handle_time_median_seconds', 'handle_time_p90_seconds', 'ratings', 'rating_average', 'canned_reply_uses', 'sales', 'sales_amount',
  'product_cards_sent', 'product_cards_opened', 'product_cards_bought',
  'video_calls', 'video_call_minutes',
];

export function groupReportFields(row: GroupReport): unknown[] {
  return [
    row.key, row.conversations, row.missed, row.handled, row.unhandled, row.firstResponse.medianSeconds, row.firstResponse.p90Seconds,
    row.handleTime.medianSeconds, row.handleTime.p90Seconds, row.ratings.count, row.ratings.average, row.cannedReplyUses, row.sales.count,
    formatAmounts(row.sales.amounts), row.productCards.sent, row.productCards.opened, row.productCards.bought, row.calls.count, Math.round(row.calls.seconds / 6) / 10,
  ];
}

/**
 * What a page of conversations adds to the groups, counted in the database: expired offers, canned replies used,
 * credited sales, product cards sent, opened and bought, video calls that ran and their seconds, the store set.
 */
type ConversationExtras = {
  id: string;
  store: string | null;
  missed: bigint;
  canned: bigint;
  sales: bigint;
  cardsSent: bigint;
  cardsOpened: bigint;
  cardsBought: bigint;
  calls: bigint;
  call_seconds: bigint;
};

function timeFigures(seconds: number[]): TimeFigures {
  const sorted = [...seconds].sort((a, b) => a - b);
  return { count: sorted.length, medianSeconds: percentile(sorted, 0.5), p90Seconds: percentile(sorted, 0.9) };
}

function ratingFigures(scores: number[]): { count: number; average: number | null } {
  return { count: scores.length, average: scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100 : null };
}

/**
 * Team reports over whole days in the team's time zone. A conversation counts on the day it started (so a day's
 * figures do not change as later days pass); offers and canned reply uses on the day they happened. First response:
 * from the customer's first message to the first agent reply; handle time: from that reply to resolution.
 */
@Injectable()
export class TeamReportsService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly exports: ConversationExportService,
  ) {}

  async report(teamId: string, days: { from: string; to: string }): Promise<TeamReport> {
    const team = await this.db.team.findUniqueOrThrow({ where: { id: teamId }, select: { timeZone: true, settings: true } });
    const settings = readTeamSettings(team.settings);
    const zone = team.timeZone;
    const start = DateTime.fromISO(days.from, { zone }).startOf('day');
    const end = DateTime.fromISO(days.to, { zone }).startOf('day').plus({ days: 1 });
    if (end <= start) throw new DomainError('invalid', 'invalid_request', 'The period ends before it starts.', [{ field: 'to', message: 'must be on or after from' }]);
    if (end.diff(start, 'days').days > MAX_REPORT_DAYS) {
      throw new DomainError('invalid', 'invalid_request', `A report covers at most ${MAX_REPORT_DAYS} days.`, [{ field: 'to', message: `must be within ${MAX_REPORT_DAYS} days of from` }]);
    }
    const period = { from: start.toJSDate(), to: end.toJSDate() };
    const dayOf = (at: Date) => DateTime.fromJSDate(at, { zone }).toISODate()!;
    const hours: BusinessHours | null = settings.reportTimesInBusinessHours ? settings.businessHours : null;
    const seconds = (from: Date, to: Date) => Math.round(openMillisBetween(hours, zone, from, to) / 1000);

    const members = await this.db.member.findMany({ where: { teamId }, select: { id: true, name: true } });
    const rows = new Map<string, MemberDayReport & { firstResponses: number[]; handleTimes: number[]; scores: number[] }>();
    const rowFor = (day: string, memberId: string) => {
      const key = `${day}|${memberId}`;
      let row = rows.get(key);
      if (!row) {
        const name = members.find((member) => member.id === memberId)?.name ?? '';
        row = {
          day, memberId, memberName: name, offered: 0, accepted: 0, missed: 0, conversations: 0, handled: 0, unhandled: 0,
          firstResponse: timeFigures([]), handleTime: timeFigures([]), ratings: ratingFigures([]), cannedReplyUses: 0, sales: { count: 0, amounts: [] },
          firstResponses: [], handleTimes: [], scores: [],
        };
        rows.set(key, row);
      }
      return row;
    };

    const offers = await this.db.offer.findMany({
      where: { teamId, createdAt: { gte: period.from, lt: period.to } },
      select: { memberId: true, status: true, createdAt: true },
    });
    for (const offer of offers) {
      const row = rowFor(dayOf(offer.createdAt), offer.memberId);
      row.offered++;
      if (offer.status === 'accepted') row.accepted++;
      if (offer.status === 'expired') row.missed++;
    }
    const uses = await this.db.cannedReplyUse.findMany({ where: { teamId, createdAt: { gte: period.from, lt: period.to } }, select: { memberId: true, createdAt: true } });
    for (const use of uses) rowFor(dayOf(use.createdAt), use.memberId).cannedReplyUses++;
    const sales = await this.db.sale.findMany({
      where: { teamId, status: 'completed', memberId: { not: null }, occurredAt: { gte: period.from, lt: period.to } },
      select: { memberId: true, occurredAt: true, amount: true, currency: true },
    });
    for (const sale of sales) {
      const row = rowFor(dayOf(sale.occurredAt), sale.memberId!);
      row.sales.count++;
      addAmount(row.sales, sale.currency, sale.amount);
    }

    const byDay = new Map<string, GroupTally>();
    const byCategory = new Map<string, GroupTally>();
    const byChannel = new Map<string, GroupTally>();
    const byStore = new Map<string, GroupTally>();
    const whole = new Map<string, GroupTally>();
    for await (const page of this.exports.conversations(teamId, period)) {
      const extras = new Map((await this.extras(page.map((conversation) => conversation.id))).map((row) => [row.id, row]));
      for (const conversation of page) {
        const extra = extras.get(conversation.id);
        const firstResponse = conversation.firstReplyAt ? seconds(waitStartOf(conversation), conversation.firstReplyAt) : null;
        const handleTime = conversation.firstReplyAt && conversation.resolvedAt ? seconds(conversation.firstReplyAt, conversation.resolvedAt) : null;
        const groups = [byDay, byCategory, byChannel, byStore, whole];
        const keys = [dayOf(conversation.createdAt), conversation.category ?? '', conversation.channel, extra?.store ?? '', ''];
        for (const tally of groups.map((group, index) => tallyIn(group, keys[index]))) {
          tally.conversations++;
          tally.missed += Number(extra?.missed ?? 0);
          if (conversation.handled === true) tally.handled++;
          if (conversation.handled === false) tally.unhandled++;
          if (firstResponse !== null) tally.firstResponses.push(firstResponse);
          if (handleTime !== null) tally.handleTimes.push(handleTime);
          if (conversation.rating !== null) tally.scores.push(conversation.rating);
          tally.cannedReplyUses += Number(extra?.canned ?? 0);
          tally.sales.count += Number(extra?.sales ?? 0);
          tally.productCards.sent += Number(extra?.cardsSent ?? 0);
          tally.productCards.opened += Number(extra?.cardsOpened ?? 0);
          tally.productCards.bought += Number(extra?.cardsBought ?? 0);
          tally.calls.count += Number(extra?.calls ?? 0);
          tally.calls.seconds += Number(extra?.call_seconds ?? 0);
          for (const { currency, amount } of conversation.sales) addAmount(tally.sales, currency, amount);
        }
        if (!conversation.assigneeId) continue;
        const row = rowFor(dayOf(conversation.createdAt), conversation.assigneeId);
        row.conversations++;
        if (conversation.handled === true) row.handled++;
        if (conversation.handled === false) row.unhandled++;
        if (firstResponse !== null) row.firstResponses.push(firstResponse);
        if (handleTime !== null) row.handleTimes.push(handleTime);
        if (conversation.rating !== null) row.scores.push(conversation.rating);
      }
    }

    return {
      from: days.from,
      to: days.to,
      timeZone: zone,
      businessHoursOnly: hours !== null,
      members: [...rows.values()]
        .sort((a, b) => a.day.localeCompare(b.day) || a.memberName.localeCompare(b.memberName))
        .map(({ firstResponses, handleTimes, scores, ...row }) => ({
          ...row,
          firstResponse: timeFigures(firstResponses),
          handleTime: timeFigures(handleTimes),
          ratings: ratingFigures(scores),
        })),
      team: groupReport('', tallyIn(whole, '')),
      days: groupsOf(byDay),
      categories: groupsOf(byCategory),
      channels: groupsOf(byChannel),
      stores: groupsOf(byStore),
    };
  }

  /** A page's conversations' counts from other tables, each counted in one grouped pass (the page is at most a thousand). */
  private extras(ids: string[]): Promise<ConversationExtras[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.$queryRaw<ConversationExtras[]>`
      SELECT cv.id, cs.store,
             (SELECT count(*) FROM offers o WHERE o.conversation_id = cv.id AND o.status = 'expired') AS missed,
             (SELECT count(*) FROM canned_reply_uses u JOIN messages m ON m.id = u.message_id WHERE m.conversation_id = cv.id) AS canned,
             (SELECT count(*) FROM sales s WHERE s.conversation_id = cv.id AND s.status = 'completed') AS sales,
             (SELECT count(*) FROM product_links l WHERE l.conversation_id = cv.id) AS "cardsSent",
             (SELECT count(*) FROM product_links l WHERE l.conversation_id = cv.id AND l.first_opened_at IS NOT NULL) AS "cardsOpened",
             (SELECT count(*) FROM product_links l JOIN products p ON p.id = l.product_id
               WHERE l.conversation_id = cv.id AND p.sku IS NOT NULL
                 AND EXISTS (SELECT 1 FROM sales s, jsonb_array_elements(s.items) item
                              WHERE s.conversation_id = cv.id AND s.status = 'completed' AND s.occurred_at >= l.created_at AND item->>'sku' = p.sku)) AS "cardsBought",
             (SELECT count(*) FROM calls c WHERE c.conversation_id = cv.id AND c.accepted_at IS NOT NULL) AS calls,
             (SELECT coalesce(round(sum(extract(epoch FROM c.ended_at - c.accepted_at))), 0)::bigint FROM calls c
               WHERE c.conversation_id = cv.id AND c.accepted_at IS NOT NULL AND c.ended_at IS NOT NULL) AS call_seconds
      FROM conversations cv
      LEFT JOIN conversation_stores cs ON cs.conversation_id = cv.id
      WHERE cv.id = ANY(${ids}::text[])`;
  }
}
