import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { notFound } from '../common/errors/domain-error.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import type { InboxMemberNotice, InboxStoredNotification } from '../common/realtime/events/index.js';

type Row = { id: string; type: string; payload: Prisma.JsonValue; createdAt: Date; readAt: Date | null };

function toView(row: Row): InboxStoredNotification {
  return { id: row.id, type: row.type, data: (row.payload ?? {}) as Record<string, unknown>, createdAt: row.createdAt.toISOString(), readAt: row.readAt?.toISOString() ?? null };
}

/** The members' bells: what the hub told each member, kept so that it outlives a reload, read or not. */
@Injectable()
export class NotificationsService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Keeps one notice for each member named, in one statement; the views are what their sockets are sent. */
  async keep(teamId: string, memberIds: string[], notice: InboxMemberNotice): Promise<{ memberId: string; view: InboxStoredNotification }[]> {
    if (memberIds.length === 0) return [];
    const { type, ...data } = notice;
    const rows = await this.db.notification.createManyAndReturn({
      data: memberIds.map((memberId) => ({ teamId, memberId, type, payload: data as Prisma.InputJsonObject })),
    });
    return rows.map((row) => ({ memberId: row.memberId, view: toView(row) }));
  }

  /** The member's latest notifications, newest first, and how many are unread. */
  async list(member: { id: string }, query: { limit: number; cursor?: string }): Promise<{ items: InboxStoredNotification[]; unread: number; nextCursor: string | null }> {
    const [rows, unread] = await Promise.all([
      this.db.notification.findMany({
        where: { memberId: member.id, ...(query.cursor ? { id: { lt: query.cursor } } : {}) },
        // uuid v7 ids grow with time: the id orders like the creation time and breaks its ties.
        orderBy: { id: 'desc' },
        take: query.limit + 1,
      }),
      this.db.notification.count({ where: { memberId: member.id, readAt: null } }),
    ]);
    const items = rows.slice(0, query.limit).map(toView);
    return { items, unread, nextCursor: rows.length > query.limit ? items[items.length - 1].id : null };
  }

  /** Marks one of the member's own notifications read (again: harmless); another member's is not found. */
  async markRead(member: { id: string }, id: string): Promise<InboxStoredNotification> {
    await this.db.notification.updateMany({ where: { id, memberId: member.id, readAt: null }, data: { readAt: this.clock.now() } });
    const row = await this.db.notification.findFirst({ where: { id, memberId: member.id } });
    if (!row) throw notFound('The notification');
    return toView(row);
  }
}
