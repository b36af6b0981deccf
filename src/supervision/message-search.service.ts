import type { z } from 'zod';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { decodeKeysetCursor, encodeKeysetCursor, keysetPages } from '../common/http/keyset-cursor.js';
import type { KeysetPosition } from '../common/http/keyset-cursor.js';
import type { Page } from '../common/http/validation.js';
import { inCategory } from './category-subtree.js';
import type { messageHitView } from './supervision.schema.js';

export interface MessageSearch {
  q: string;
  from?: string;
  to?: string;
  channelType?: string;
  memberId?: string;
  categoryId?: string;
}

/** The route's view (the type is the zod view's). */
export type MessageHit = z.output<typeof messageHitView>;

type HitRow = {
  id: string;
  conversation_id: string;
  channel_type: string;
  contact_name: string;
  direction: 'in' | 'out';
  kind: 'text' | 'media' | 'note';
  author_type: string;
  author_id: string | null;
  author_name: string | null;
  body: string;
  created_at: Date;
};

/**
 * Search over what customers and agents wrote, scoped to one team. Japanese has no spaces between words, so the
 * text is indexed by its pairs of adjacent characters (`search_bigrams`, a GIN index): every pair of the query must
 * be in the message, which the index answers, and then the message must contain the query itself.
 */
@Injectable()
export class MessageSearchService {
  constructor(@Inject(DATABASE) private readonly db: Db) {}

  /**
   * A page of hits, newest first. The first page also answers `total`, how many messages match over all pages;
   * later pages answer null rather than count again (counting a frequent word reads every one of its messages).
   */
  async search(teamId: string, query: MessageSearch, page: { limit: number; cursor?: string }): Promise<Page<MessageHit> & { total: number | null }> {
    const [rows, total] = await Promise.all([
      this.page(teamId, query, page.limit + 1, page.cursor ? decodeKeysetCursor(page.cursor) : null),
      page.cursor ? null : this.count(teamId, query),
    ]);
    const items = rows.slice(0, page.limit);
    return {
      items: items.map(toHit),
      nextCursor: rows.length > page.limit ? encodeKeysetCursor({ at: items[items.length - 1].created_at, id: items[items.length - 1].id }) : null,
      total,
    };
  }

  /** Every hit, a page at a time (for the CSV export). */
  all(teamId: string, query: MessageSearch, pageSize = 1000): AsyncGenerator<MessageHit[]> {
    return keysetPages((after) => this.page(teamId, query, pageSize, after), pageSize, (row) => ({ at: row.created_at, id: row.id }), toHit);
  }

  private async count(teamId: string, query: MessageSearch): Promise<number> {
    // Counting a frequent word visits nearly every page of the table (one message in ten holds 予約), and those pages
    // are in the server's memory or the system's file cache far more often than on disk. PostgreSQL's default
    // prefetch (effective_io_concurrency 1) spends a system call on each page ahead of reading it anyway: a third of
    // the count's time, measured on 1,000,000 messages. Turned off for this statement only.
    // Only the join a filter needs: every message has its channel (a foreign key), so leaving it out changes no count.
    const [, [row]] = await this.db.$transaction([
      this.db.$executeRaw`SET LOCAL effective_io_concurrency = 0`,
      this.db.$queryRaw<[{ total: number }]>`
        SELECT count(*)::int AS total FROM messages m ${query.channelType ? Prisma.sql`JOIN channels ch ON ch.id = m.channel_id` : Prisma.empty}
        WHERE ${Prisma.join(matching(teamId, query, 'count'), ' AND ')}`,
    ]);
    return row.total;
  }

  private page(teamId: string, query: MessageSearch, limit: number, cursor: KeysetPosition | null): Promise<HitRow[]> {
    const conditions = matching(teamId, query, 'page');
    if (cursor) conditions.push(Prisma.sql`(m.created_at, m.id) < (${cursor.at}, ${cursor.id})`);
    return this.db.$queryRaw<HitRow[]>`
      SELECT m.id, m.conversation_id, ch.type::text AS channel_type, ct.name AS contact_name, m.direction::text AS direction,
             m.kind::text AS kind, m.author_type::text AS author_type, m.author_id, mb.name AS author_name, m.body, m.created_at
      FROM messages m
      JOIN conversations cv ON cv.id = m.conversation_id
      JOIN channels ch ON ch.id = m.channel_id
      JOIN contacts ct ON ct.id = cv.contact_id
      LEFT JOIN members mb ON mb.id = m.author_id AND m.author_type = 'member'
      WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY m.created_at DESC, m.id DESC
      LIMIT ${limit}`;
  }
}

/** What a message must be to be a hit: conditions on `m` (messages) and `ch` (its channel), for a count or a page. */
function matching(teamId: string, query: MessageSearch, purpose: 'count' | 'page'): Prisma.Sql[] {
  const needle = query.q.toLowerCase();
  const conditions = [
    Prisma.sql`m.team_id = ${teamId}`,
    Prisma.sql`m.kind IN ('text', 'media', 'note')`,
    Prisma.sql`m.blocked = false`,
    Prisma.sql`m.unsent_at IS NULL`,
  ];
  const characters = [...needle].length;
  // A one-character query has no pair to look up: the team's messages are read through the (team, time) index.
  if (characters >= 2) conditions.push(Prisma.sql`search_bigrams(m.body) @@ search_bigram_query(${needle}::text)`);
  // A longer query needs the text itself: its pairs can be apart in a message. A two-character query is its own only
  // pair, so the index's answer is already exact: the count, which takes every hit from the index, leaves the text
  // test out (lowering and scanning 100,000 bodies was a third of counting a frequent word). A page keeps it: it
  // reads the team's newest messages one by one until it has enough, and the text test is the cheap one that turns
  // most of them away before their pairs are computed.
  if (characters !== 2 || purpose === 'page') conditions.push(Prisma.sql`strpos(lower(m.body), ${needle}) > 0`);
  if (query.from) conditions.push(Prisma.sql`m.created_at >= ${new Date(query.from)}`);
  if (query.to) conditions.push(Prisma.sql`m.created_at < ${new Date(query.to)}`);
  if (query.channelType) conditions.push(Prisma.sql`ch.type::text = ${query.channelType}`);
  // A member's messages: those they wrote, and those in the chats they hold. The count takes the chats as an array,
  // so that PostgreSQL intersects the word's hits with the member's messages in the indexes (members' messages by
  // author, a partial index that the `author_type` test selects, and the chats') and reads only the pages of what is
  // left: with 1,000,000 messages and a word in one in ten, 3,000 pages instead of 36,000. A page keeps the subquery,
  // which PostgreSQL hashes: it reads the newest messages one by one, and would compare each with the array's items.
  if (query.memberId) {
    const wrote = Prisma.sql`(m.author_type = 'member' AND m.author_id = ${query.memberId})`;
    const chats = Prisma.sql`SELECT id FROM conversations WHERE team_id = ${teamId} AND assignee_id = ${query.memberId}`;
    conditions.push(purpose === 'count' ? Prisma.sql`(${wrote} OR m.conversation_id = ANY (ARRAY(${chats})))` : Prisma.sql`(${wrote} OR m.conversation_id IN (${chats}))`);
  }
  // Through the conversation, as the member filter goes: the count keeps to the one table when no filter asks for more.
  if (query.categoryId) {
    conditions.push(Prisma.sql`m.conversation_id IN (SELECT id FROM conversations WHERE team_id = ${teamId} AND ${inCategory(Prisma.sql`category_id`, teamId, query.categoryId)})`);
  }
  return conditions;
}

function toHit(row: HitRow): MessageHit {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    channelType: row.channel_type,
    contactName: row.contact_name,
    direction: row.direction,
    kind: row.kind,
    author: { type: row.author_type, id: row.author_id, name: row.author_name },
    body: row.body,
    createdAt: row.created_at.toISOString(),
  };
}
