import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { logger } from '../common/logging/logger.js';
import { MembersService, TeamEvents, isOpen, nextChange, readTeamSettings } from '../teams/index.js';
import { OffersService } from './offers.service.js';

const BOUNDARY = 'routing.hours-boundary';

interface BoundaryJob {
  teamId: string;
  /** When the boundary is, by the clock of the process that set the timer. */
  dueAt: number;
}

/**
 * Business hours at work: at each opening and closing a delayed job brings the team to the state its hours say.
 * At closing, members who are on are switched off (reason `closed`); at opening those members come back on and
 * the waiting queue is offered, oldest first. The job recomputes everything from the hours and the member rows,
 * so running it twice, late, or after a restart gives the same result.
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
    const withHours = teams.filter((team) => readTeamSettings(team.settings).businessHours);
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

  /** Brings the team's members and queue to what its hours say now, and sets the timer for the next change. */
  async apply(teamId: string): Promise<void> {
    const team = await this.db.team.findUnique({ where: { id: teamId } });
    if (!team) return;
    const hours = readTeamSettings(team.settings).businessHours;
    const now = this.clock.now();
    const open = isOpen(hours, team.timeZone, now);
    if (hours?.switchMembers) await (open ? this.switchOn(teamId) : this.switchOff(teamId));
    if (open) await this.offers.offerWaiting(teamId);
    const next = nextChange(hours, team.timeZone, now);
    if (next) {
      await this.jobs.add<BoundaryJob>(BOUNDARY, { teamId, dueAt: next.getTime() }, { jobId: `hours-${teamId}-${next.getTime()}`, delayMs: next.getTime() - now.getTime() });
    }
  }

  /** Only those the closing switched off: a member who signed off by hand stays off. */
  private async switchOn(teamId: string): Promise<void> {
    const members = await this.db.member.findMany({ where: { teamId, status: 'offline', statusReason: 'closed' }, select: { id: true } });
    for (const member of members) {
      await this.members.switchPresence({ teamId, memberId: member.id, from: { status: ['offline'], reason: 'closed' }, to: 'online', reason: 'opened' });
    }
    if (members.length > 0) logger.info({ teamId, members: members.length }, 'team opened: members switched on');
  }

  /** Chats already held stay with their agents to the end; only new offers stop. */
  private async switchOff(teamId: string): Promise<void> {
    const members = await this.db.member.findMany({ where: { teamId, status: { in: ['online', 'break'] } }, select: { id: true } });
    for (const member of members) {
      await this.members.switchPresence({ teamId, memberId: member.id, from: { status: ['online', 'break'] }, to: 'offline', reason: 'closed' });
    }
    if (members.length > 0) logger.info({ teamId, members: members.length }, 'team closed: members switched off');
  }
}
