import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { openLoads } from './loads.js';
import type { HeldChat, QueueView } from './queue.schema.js';

type HeldRow = {
  id: string;
  assignee_id: string;
  channel_id: string;
  channel_type: string;
  contact_id: string;
  contact_name: string;
  since: Date | null;
};

/** A bound on one read: a floor holds far fewer open chats; past it, the longest waits are the ones kept. */
const HELD_CHATS_MAX = 2000;

/** The waiting queue (接客待ち) as supervisors see it: who waits how long, and each member's load. */
@Injectable()
export class QueueService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async view(teamId: string): Promise<QueueView> {
    const now = this.clock.now().getTime();
    const [waiting, members, load] = await Promise.all([
      this.db.conversation.findMany({
        where: { teamId, status: 'waiting', assigneeId: null, contact: { blocked: false } },
        orderBy: { createdAt: 'asc' },
        take: 500,
        include: { channel: { select: { id: true, type: true } }, contact: { select: { id: true, name: true } } },
      }),
      // A deactivated member is no one's colleague on duty: they are not listed.
      this.db.member.findMany({ where: { teamId, deactivatedAt: null }, orderBy: { createdAt: 'asc' }, include: { groups: { select: { groupId: true } } } }),
      openLoads(this.db, teamId),
    ]);
    const [offers, pendingByMember, held] = await Promise.all([
      this.db.offer.findMany({ where: { conversationId: { in: waiting.map((c) => c.id) }, status: 'pending' }, select: { conversationId: true, memberId: true } }),
      this.db.offer.groupBy({ by: ['memberId'], where: { teamId, status: 'pending' }, _count: { _all: true } }),
      this.heldChats(teamId),
    ]);
    const pending = new Map(pendingByMember.map((row) => [row.memberId, row._count._all]));
    const chatsOf = new Map<string, HeldChat[]>();
    for (const row of held) {
      const chats = chatsOf.get(row.assignee_id) ?? [];
      chats.push({
        conversationId: row.id,
        channel: { id: row.channel_id, type: row.channel_type },
        contact: { id: row.contact_id, name: row.contact_name },
        awaitingReplySince: row.since?.toISOString() ?? null,
        awaitingReplySeconds: row.since ? Math.max(0, Math.floor((now - row.since.getTime()) / 1000)) : null,
      });
      chatsOf.set(row.assignee_id, chats);
    }
    return {
      waiting: waiting.map((c) => ({
        conversationId: c.id,
        channel: c.channel,
        contact: c.contact,
        preview: c.lastMessagePreview,
        createdAt: c.createdAt.toISOString(),
        waitingSeconds: Math.max(0, Math.floor((now - c.createdAt.getTime()) / 1000)),
        missed: c.missedAt !== null,
        offeredTo: offers.filter((o) => o.conversationId === c.id).map((o) => o.memberId),
      })),
      members: members.map((m) => ({
        id: m.id,
        name: m.name,
        status: m.status,
        load: load.get(m.id) ?? 0,
        capacity: m.capacity,
        groupIds: m.groups.map((g) => g.groupId),
        offersPending: pending.get(m.id) ?? 0,
        chats: chatsOf.get(m.id) ?? [],
      })),
    };
  }

  /**
   * Every open chat held in the team, with the customer's first message since the last answer: the wait a
   * supervisor sees growing. An answer is what the slow-reply timer counts as one (sent by an agent or the bot, not
   * a note, a draft or a failed send); a customer's message before any answer waits from itself.
   */
  private heldChats(teamId: string): Promise<HeldRow[]> {
    return this.db.$queryRaw<HeldRow[]>(Prisma.sql`
      SELECT cv.id, cv.assignee_id, ch.id AS channel_id, ch.type::text AS channel_type, ct.id AS contact_id, ct.name AS contact_name, w.since
      FROM conversations cv
      JOIN channels ch ON ch.id = cv.channel_id
      JOIN contacts ct ON ct.id = cv.contact_id
      LEFT JOIN LATERAL (
        SELECT min(m.created_at) AS since FROM messages m
        WHERE m.conversation_id = cv.id AND m.direction = 'in' AND m.kind IN ('text', 'media') AND NOT m.blocked
          AND m.seq > COALESCE((
            SELECT max(a.seq) FROM messages a
            WHERE a.conversation_id = cv.id AND a.direction = 'out' AND a.kind IN ('text', 'media') AND a.author_type IN ('member', 'bot')
              AND a.status NOT IN ('failed', 'pending_approval', 'rejected')
          ), 0)
      ) w ON true
      WHERE cv.team_id = ${teamId} AND cv.status = 'open' AND cv.assignee_id IS NOT NULL
      ORDER BY w.since NULLS LAST, cv.created_at
      LIMIT ${HELD_CHATS_MAX}`);
  }
}
