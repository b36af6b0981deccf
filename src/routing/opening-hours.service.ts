import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { logger } from '../common/logging/logger.js';
import { GroupsService, MembersService, TeamEvents, isOpen, memberOnShift, memberSwitchedByShift, nextShiftEdge, readTeamSettings } from '../teams/index.js';
import type { TeamShifts } from '../teams/index.js';
import { OffersService } from './offers.service.js';

const BOUNDARY = 'routing.hours-boundary';

interface BoundaryJob {
  teamId: string;
  /** When the boundary is, by the clock of the process that set the timer. */
  dueAt: number;
}

/**
 * Business hours at work: at each opening and closing (the team's, or a group's shift) a delayed job brings the team
 * to the state its hours say. Each member follows their own shift (README, "Shifts per group"): off it, a member who
 * is on is switched off (reason `closed`); on it, a member the closing switched off comes back on; and while the team
 * is open the waiting queue is offered, oldest first. The job recomputes everything from the hours and the member
 * rows, and each switch is a conditional update, so running it twice, late, on two processes or after a restart
 * gives the same result.
 */
@Injectable()
export class OpeningHoursService implements OnModuleInit, ResumableWork {
  readonly name = 'business hours';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly teamEvents: TeamEvents,
    private readonly offers: OffersService,
    private readonly members: MembersService,
    private readonly groups: GroupsService,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<BoundaryJob>(BOUNDARY, (job) => this.boundary(job));
    // New hours take effect at once: a team that closes now is closed now.
    this.teamEvents.on('team.updated', ({ teamId }) => this.apply(teamId));
  }

  /** At start: every team with hours is brought to its state and its next boundary timer set. */
  async resume(): Promise<number> {
    const teams = await this.db.team.findMany({ select: { id: true, settings: true } });
    const groupShifts = await this.db.memberGroup.findMany({ where: { businessHours: { not: Prisma.DbNull } }, select: { teamId: true }, distinct: ['teamId'] });
    const withShifts = new Set(groupShifts.map((g) => g.teamId));
    const withHours = teams.filter((team) => readTeamSettings(team.settings).businessHours || withShifts.has(team.id));
    for (const team of withHours) await this.apply(team.id);
    return withHours.length;
  }

  private async boundary(job: BoundaryJob): Promise<void> {
    const early = job.dueAt - this.clock.now().getTime();
    if (early > 0) {
      // A timer that fires before its time (rounding, another process's clock) would see the old state.
      await this.jobs.add<BoundaryJob>(BOUNDARY, job, { jobId: `hours-${job.teamId}-${job.dueAt}-again`, delayMs: early });
      return;
    }
    await this.apply(job.teamId);
  }

  /** Brings the team's members and queue to what its hours and shifts say now, and sets the timer for the next change. */
  async apply(teamId: string): Promise<void> {
    const team = await this.db.team.findUnique({ where: { id: teamId }, select: { id: true } });
    if (!team) return;
    const shifts = await this.groups.shifts(teamId);
    const now = this.clock.now();
    await this.switchByShift(teamId, shifts, now);
    if (isOpen(shifts.team.hours, shifts.team.timeZone, now)) await this.offers.offerWaiting(teamId);
    const next = nextShiftEdge(shifts.team, shifts.groups.map((g) => g.hours), now);
    if (next) {
      await this.jobs.add<BoundaryJob>(BOUNDARY, { teamId, dueAt: next.getTime() }, { jobId: `hours-${teamId}-${next.getTime()}`, delayMs: next.getTime() - now.getTime() });
    }
  }

  /**
   * On shift: only those a closing switched off come on (a member who signed off by hand stays off). Off shift: a
   * member who is on goes off; the chats they hold stay with them to the end, only new offers stop.
   */
  private async switchByShift(teamId: string, shifts: TeamShifts, now: Date): Promise<void> {
    const members = await this.db.member.findMany({
      where: { teamId, deactivatedAt: null, OR: [{ status: { in: ['online', 'break'] } }, { status: 'offline', statusReason: 'closed' }] },
      select: { id: true, status: true },
    });
    let on = 0;
    let off = 0;
    for (const member of members) {
      const groupsHours = shifts.groups.filter((g) => g.memberIds.includes(member.id)).map((g) => g.hours);
      if (!memberSwitchedByShift(shifts.team, groupsHours)) continue;
      const onShift = memberOnShift(shifts.team, groupsHours, now);
      if (onShift && member.status === 'offline') {
        if (await this.members.switchPresence({ teamId, memberId: member.id, from: { status: ['offline'], reason: 'closed' }, to: 'online', reason: 'opened' })) on++;
      } else if (!onShift && member.status !== 'offline') {
        if (await this.members.switchPresence({ teamId, memberId: member.id, from: { status: ['online', 'break'] }, to: 'offline', reason: 'closed' })) off++;
      }
    }
    if (on + off > 0) logger.info({ teamId, on, off }, 'shifts changed: members switched');
  }
}
