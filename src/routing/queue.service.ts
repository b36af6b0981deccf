import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { openLoads } from './loads.js';

export interface QueueView {
  /** Oldest first: the order they are offered in. */
  waiting: Array<{
    conversationId: string;
    channel: { id: string; type: string };
    contact: { id: string; name: string };
    preview: string | null;
    createdAt: string;
    waitingSeconds: number;
    /** Offered to nobody's acceptance in time at least once. */
    missed: boolean;
    /** Members it is offered to right now. */
    offeredTo: string[];
  }>;
  members: Array<{ id: string; name: string; status: string; load: number; capacity: number; groupIds: string[] }>;
}

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
    const offers = await this.db.offer.findMany({ where: { conversationId: { in: waiting.map((c) => c.id) }, status: 'pending' }, select: { conversationId: true, memberId: true } });
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
      members: members.map((m) => ({ id: m.id, name: m.name, status: m.status, load: load.get(m.id) ?? 0, capacity: m.capacity, groupIds: m.groups.map((g) => g.groupId) })),
    };
  }
}
