import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
type Message = Prisma.MessageGetPayload<object>;
import { notFound } from '../common/errors/domain-error.js';
import { decodeKeysetCursor, encodeKeysetCursor, keysetPages } from '../common/http/keyset-cursor.js';
import type { KeysetPosition } from '../common/http/keyset-cursor.js';
import type { Page } from '../common/http/validation.js';
import { inCategory } from './category-subtree.js';

/** Which of the team's conversations: started in [from, to), and the history's filters (see `conversationHistoryQuery`). */
export interface ConversationFilter {
  from?: Date;
  to?: Date;
  channelType?: string;
  memberId?: string;
  categoryId?: string;
  outcome?: string;
  handled?: boolean;
  rating?: number;
  store?: string;
}

/** One row per conversation: what the per-conversation export and the reports read. */
export interface ConversationRow {
  id: string;
  channel: string;
  channelName: string;
  contact: string;
  category: string | null;
  assignee: string | null;
  assigneeId: string | null;
  createdAt: Date;
  firstCustomerMessageAt: Date | null;
  firstReplyAt: Date | null;
  resolvedAt: Date | null;
  outcome: string | null;
  handled: boolean | null;
  rating: number | null;
  messagesIn: number;
  messagesOut: number;
  /** Sales credited through this conversation (not refunded or cancelled), per currency, in minor units. */
  sales: { currency: string; amount: number }[];
}

export const CONVERSATION_COLUMNS = [
  'id', 'channel', 'channel_name', 'contact', 'category', 'assignee', 'created_at', 'first_response_seconds', 'resolved_at',
  'outcome', 'handled', 'rating', 'messages_in', 'messages_out', 'sales',
];

export function conversationFields(row: ConversationRow): unknown[] {
  return [
    row.id, row.channel, row.channelName, row.contact, row.category, row.assignee, row.createdAt, firstResponseSeconds(row), row.resolvedAt,
    row.outcome, row.handled === null ? '' : row.handled ? 'handled' : 'unhandled', row.rating, row.messagesIn, row.messagesOut,
    formatAmounts(row.sales),
  ];
}

/** Amounts in minor units as a person reads them, per currency: `JPY 2800; USD 12.50`. */
export function formatAmounts(amounts: { currency: string; amount: number }[]): string {
  return amounts
    .map(({ currency, amount }) => {
      const digits = minorDigits(currency);
      return `${currency} ${(amount / 10 ** digits).toFixed(digits)}`;
    })
    .join('; ');
}

/** Digits after the point in a currency's major unit (JPY 0, USD 2), as ISO 4217 has them. */
function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

type ResponseTimes = Pick<ConversationRow, 'createdAt' | 'firstCustomerMessageAt' | 'firstReplyAt'>;

/** When the customer started waiting: their first message before the first reply, or the start of a chat the agent began. */
export function waitStartOf(row: ResponseTimes): Date {
  return row.firstCustomerMessageAt && row.firstReplyAt && row.firstCustomerMessageAt < row.firstReplyAt ? row.firstCustomerMessageAt : row.createdAt;
}

/** From the customer's first message to the first agent reply, in whole seconds. */
export function firstResponseSeconds(row: ResponseTimes): number | null {
  if (!row.firstReplyAt) return null;
  return Math.max(0, Math.round((row.firstReplyAt.getTime() - waitStartOf(row).getTime()) / 1000));
}

export const MESSAGE_LOG_COLUMNS = ['time', 'direction', 'kind', 'author_type', 'author', 'status', 'body'];

type RawRow = {
  id: string;
  channel: string;
  channel_name: string;
  contact: string;
  category: string | null;
  assignee: string | null;
  assignee_id: string | null;
  created_at: Date;
  first_in_at: Date | null;
  first_reply_at: Date | null;
  resolved_at: Date | null;
  outcome: string | null;
  handled: boolean | null;
  rating_score: number | null;
  messages_in: bigint;
  messages_out: bigint;
  sales: { currency: string; amount: number }[] | null;
};

/** What agents sent and customers could see: counted as messages out, and the first of them is the response. */
const REPLY = Prisma.sql`direction = 'out' AND kind IN ('text', 'media') AND status NOT IN ('failed', 'pending_approval', 'rejected')`;

@Injectable()
export class ConversationExportService {
  constructor(@Inject(DATABASE) private readonly db: Db) {}

  /** The team's conversations the filter picks, oldest first, a page at a time: never the whole period in memory. */
  conversations(teamId: string, filter: ConversationFilter, pageSize = 1000): AsyncGenerator<ConversationRow[]> {
    return keysetPages((after) => this.page(teamId, filter, pageSize, after, 'oldest'), pageSize, (row) => ({ at: row.created_at, id: row.id }), toConversationRow);
  }

  /** One page of the history: the same rows as the CSV, newest first. */
  async history(teamId: string, filter: ConversationFilter, page: { limit: number; cursor?: string }): Promise<Page<ConversationRow>> {
    const rows = await this.page(teamId, filter, page.limit + 1, page.cursor ? decodeKeysetCursor(page.cursor) : null, 'newest');
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return { items: items.map(toConversationRow), nextCursor: rows.length > page.limit ? encodeKeysetCursor({ at: last.created_at, id: last.id }) : null };
  }

  /** One conversation's messages (notes included: the export is for staff), oldest first. */
  async *messageLog(teamId: string, conversationId: string, pageSize = 1000): AsyncGenerator<unknown[][]> {
    const conversation = await this.db.conversation.findFirst({ where: { id: conversationId, teamId }, select: { id: true } });
    if (!conversation) throw notFound('The conversation');
    let after: bigint | null = null;
    for (;;) {
      const rows: Message[] = await this.db.message.findMany({
        where: { conversationId, blocked: false, ...(after !== null ? { seq: { gt: after } } : {}) },
        orderBy: { seq: 'asc' },
        take: pageSize,
      });
      const authors = await this.db.member.findMany({ where: { id: { in: rows.flatMap((row) => (row.authorId ? [row.authorId] : [])) } }, select: { id: true, name: true } });
      if (rows.length > 0) {
        yield rows.map((row) => [
          row.createdAt,
          row.direction,
          row.kind,
          row.authorType,
          authors.find((author) => author.id === row.authorId)?.name ?? '',
          row.status,
          row.unsentAt ? '' : row.body,
        ]);
      }
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].seq;
    }
  }

  private page(teamId: string, filter: ConversationFilter, limit: number, after: KeysetPosition | null, order: 'oldest' | 'newest'): Promise<RawRow[]> {
    const conditions = [Prisma.sql`cv.team_id = ${teamId}`];
    if (filter.from) conditions.push(Prisma.sql`cv.created_at >= ${filter.from}`);
    if (filter.to) conditions.push(Prisma.sql`cv.created_at < ${filter.to}`);
    if (filter.channelType) conditions.push(Prisma.sql`ch.type::text = ${filter.channelType}`);
    if (filter.memberId) conditions.push(Prisma.sql`cv.assignee_id = ${filter.memberId}`);
    if (filter.categoryId) conditions.push(inCategory(Prisma.sql`cv.category_id`, teamId, filter.categoryId));
    if (filter.outcome) conditions.push(Prisma.sql`cv.outcome = ${filter.outcome}`);
    if (filter.handled !== undefined) conditions.push(Prisma.sql`cv.handled = ${filter.handled}`);
    if (filter.rating !== undefined) conditions.push(Prisma.sql`cv.rating_score = ${filter.rating}`);
    // The reports module keeps each conversation's store (an agent's choice, or detection at resolution) in its table.
    if (filter.store) conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM conversation_stores cs WHERE cs.conversation_id = cv.id AND cs.store = ${filter.store})`);
    if (after) conditions.push(order === 'oldest' ? Prisma.sql`(cv.created_at, cv.id) > (${after.at}, ${after.id})` : Prisma.sql`(cv.created_at, cv.id) < (${after.at}, ${after.id})`);
    return this.db.$queryRaw<RawRow[]>`
      SELECT cv.id, ch.type::text AS channel, ch.name AS channel_name, ct.name AS contact,
             concat_ws(' > ', c3.name, c2.name, c1.name) AS category, mb.name AS assignee, cv.assignee_id, cv.created_at,
             s.first_in_at, s.first_reply_at, cv.resolved_at, cv.outcome, cv.handled, cv.rating_score, s.messages_in, s.messages_out, sa.sales
      FROM conversations cv
      JOIN channels ch ON ch.id = cv.channel_id
      JOIN contacts ct ON ct.id = cv.contact_id
      LEFT JOIN members mb ON mb.id = cv.assignee_id
      LEFT JOIN categories c1 ON c1.id = cv.category_id
      LEFT JOIN categories c2 ON c2.id = c1.parent_id
      LEFT JOIN categories c3 ON c3.id = c2.parent_id
      LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE direction = 'in' AND kind IN ('text', 'media')) AS messages_in,
               count(*) FILTER (WHERE ${REPLY}) AS messages_out,
               min(created_at) FILTER (WHERE direction = 'in' AND kind IN ('text', 'media')) AS first_in_at,
               min(created_at) FILTER (WHERE ${REPLY} AND author_type = 'member') AS first_reply_at
        FROM messages WHERE conversation_id = cv.id
      ) s ON true
      LEFT JOIN LATERAL (
        SELECT json_agg(json_build_object('currency', currency, 'amount', total) ORDER BY currency) AS sales
        FROM (SELECT currency, sum(amount)::int AS total FROM sales WHERE conversation_id = cv.id AND status = 'completed' GROUP BY currency) credited
      ) sa ON true
      WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY ${order === 'oldest' ? Prisma.sql`cv.created_at, cv.id` : Prisma.sql`cv.created_at DESC, cv.id DESC`}
      LIMIT ${limit}`;
  }
}

function toConversationRow(row: RawRow): ConversationRow {
  return {
    id: row.id,
    channel: row.channel,
    channelName: row.channel_name,
    contact: row.contact,
    category: row.category || null,
    assignee: row.assignee,
    assigneeId: row.assignee_id,
    createdAt: row.created_at,
    firstCustomerMessageAt: row.first_in_at,
    firstReplyAt: row.first_reply_at,
    resolvedAt: row.resolved_at,
    outcome: row.outcome,
    handled: row.handled,
    rating: row.rating_score,
    messagesIn: Number(row.messages_in),
    messagesOut: Number(row.messages_out),
    sales: row.sales ?? [],
  };
}
