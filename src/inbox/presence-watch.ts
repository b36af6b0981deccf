import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { logger } from '../common/logging/logger.js';
import { MembersService, readTeamSettings } from '../teams/index.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';

const GRACE = 'inbox.presence-grace';

interface GraceJob {
  memberId: string;
}

/**
 * A member whose devices have all gone (a closed laptop, a phone in a pocket, a dead network) for longer than the
 * team's grace period goes offline, so that chats are not offered to nobody. The member's sockets, on every hub
 * process (socket.io's adapter asks the others), are the truth; a reconnect within the grace keeps them on.
 */
@Injectable()
export class PresenceWatch implements OnModuleInit, ResumableWork {
  readonly name = 'presence checks';

  private namespace: Namespace | null = null;
  private memberRoom: (memberId: string) => string = (id) => id;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    private readonly members: MembersService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<GraceJob>(GRACE, (job) => this.check(job.memberId));
  }

  attach(namespace: Namespace, memberRoom: (memberId: string) => string): void {
    this.namespace = namespace;
    this.memberRoom = memberRoom;
  }

  /** One of the member's sockets went: look again once the grace has passed. */
  async disconnected(memberId: string, teamId: string): Promise<void> {
    const team = await this.db.team.findUnique({ where: { id: teamId }, select: { settings: true } });
    const graceMs = readTeamSettings(team?.settings).presenceGraceSeconds * 1000;
    await this.jobs.add<GraceJob>(GRACE, { memberId }, { jobId: `grace-${memberId}-${this.clock.now().getTime()}`, delayMs: graceMs });
  }

  /** After a restart every socket is gone: members who are on get their grace to come back. */
  async resume(): Promise<number> {
    const members = await this.db.member.findMany({ where: { status: { in: ['online', 'break'] } }, select: { id: true, teamId: true } });
    for (const member of members) await this.disconnected(member.id, member.teamId);
    return members.length;
  }

  private async check(memberId: string): Promise<void> {
    if (!this.namespace) return;
    const sockets = await this.namespace.in(this.memberRoom(memberId)).fetchSockets();
    if (sockets.length > 0) return;
    const member = await this.db.member.findUnique({ where: { id: memberId } });
    if (!member || member.status === 'offline') return;
    const change = { teamId: member.teamId, memberId, from: { status: [member.status] }, to: 'offline' as const, reason: 'disconnected' };
    if (await this.members.switchPresence(change)) logger.info({ memberId }, 'member offline: no device connected for the grace period');
  }
}
