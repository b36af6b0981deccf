import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { EventLog } from '../common/events/event-log.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { TicketEvents } from './ticket.events.js';
import { TicketNews } from './ticket-news.service.js';
import { UNSOLVED, isUnsolved } from './ticket-status.js';
import type { TicketRow } from './ticket.views.js';
import { loggedTicketEvent } from './ticket-log.js';

const REMINDER = 'tickets.reminder';
const OVERDUE = 'tickets.overdue';

/** A job names the ticket and the time it was set for: a ticket whose time moved since has another job. */
interface TimerJob {
  ticketId: string;
  at: string;
}

type Timed = Pick<TicketRow, 'id' | 'status' | 'dueAt' | 'remindAt'> & { remindedFor?: Date | null; overdueFor?: Date | null };

/**
 * A ticket's two moments, as delayed jobs on the hub's clock: the reminder (its assignee or group is told) and the due
 * time (an unsolved ticket becomes overdue, `ticket.overdue`). The row is the truth: each job claims its moment on
 * the row (`reminded_for`, `overdue_for`) before acting, so a job run twice, a restart that schedules it again, or a
 * due time moved and moved back acts once per ticket and time. The claim comes before the telling: a failure in
 * between loses one reminder rather than repeating it.
 */
@Injectable()
export class TicketTimers implements OnModuleInit, ResumableWork {
  readonly name = 'ticket timers';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    private readonly events: TicketEvents,
    private readonly news: TicketNews,
    private readonly eventLog: EventLog,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<TimerJob>(REMINDER, (job) => this.remind(job), { concurrency: 2 });
    this.jobs.register<TimerJob>(OVERDUE, (job) => this.overdue(job), { concurrency: 2 });
  }

  /** After a ticket's commit: its moments still to come (or come and not yet acted on) get their jobs. */
  async schedule(ticket: Timed): Promise<void> {
    if (!isUnsolved(ticket.status)) return;
    const now = this.clock.now().getTime();
    const add = (name: string, at: Date) =>
      this.jobs.add<TimerJob>(name, { ticketId: ticket.id, at: at.toISOString() }, { jobId: `${name}-${ticket.id}-${at.getTime()}`, delayMs: Math.max(0, at.getTime() - now), attempts: 5 });
    if (ticket.remindAt && ticket.remindedFor?.getTime() !== ticket.remindAt.getTime()) await add(REMINDER, ticket.remindAt);
    if (ticket.dueAt && ticket.overdueFor?.getTime() !== ticket.dueAt.getTime()) await add(OVERDUE, ticket.dueAt);
  }

  /** After a restart or a lost job store: every unsolved ticket with a moment not yet acted on. */
  async resume(): Promise<number> {
    const tickets = await this.db.ticket.findMany({
      where: { status: { in: [...UNSOLVED] }, OR: [{ remindAt: { not: null } }, { dueAt: { not: null } }] },
      select: { id: true, status: true, dueAt: true, remindAt: true, remindedFor: true, overdueFor: true },
    });
    let pending = 0;
    for (const ticket of tickets) {
      const reminder = ticket.remindAt && ticket.remindedFor?.getTime() !== ticket.remindAt.getTime();
      const due = ticket.dueAt && ticket.overdueFor?.getTime() !== ticket.dueAt.getTime();
      if (!reminder && !due) continue;
      await this.schedule(ticket);
      pending++;
    }
    return pending;
  }

  private async remind(job: TimerJob): Promise<void> {
    const at = new Date(job.at);
    const claimed = await this.db.ticket.updateMany({
      where: { id: job.ticketId, remindAt: at, status: { in: [...UNSOLVED] }, OR: [{ remindedFor: null }, { remindedFor: { not: at } }] },
      data: { remindedFor: at },
    });
    if (claimed.count === 0) return;
    const ticket = await this.db.ticket.findUniqueOrThrow({ where: { id: job.ticketId } });
    await this.db.ticketActivity.create({ data: { ticketId: ticket.id, kind: 'reminded', data: { at: job.at }, createdAt: this.clock.now() } });
    if (ticket.dueAt) await this.news.remind(ticket.teamId, { ...ticket, dueAt: ticket.dueAt });
  }

  private async overdue(job: TimerJob): Promise<void> {
    const at = new Date(job.at);
    // The claim, its history line and its logged event in one transaction: rules and webhooks hear of it once.
    const claimed = await this.db.$transaction(async (tx: Tx) => {
      const { count } = await tx.ticket.updateMany({
        where: { id: job.ticketId, dueAt: at, status: { in: [...UNSOLVED] }, OR: [{ overdueFor: null }, { overdueFor: { not: at } }] },
        data: { overdueFor: at },
      });
      if (count === 0) return null;
      const ticket = await tx.ticket.findUniqueOrThrow({ where: { id: job.ticketId } });
      const now = this.clock.now();
      await tx.ticketActivity.create({ data: { ticketId: ticket.id, kind: 'overdue', data: { dueAt: job.at }, createdAt: now } });
      return { ticket, logged: await this.eventLog.append(tx, [loggedTicketEvent(ticket.teamId, 'ticket.overdue', ticket, now)]) };
    });
    if (!claimed) return;
    const { ticket } = claimed;
    await this.eventLog.dispatch(claimed.logged);
    this.events.emit('ticket.overdue', { teamId: ticket.teamId, ticketId: ticket.id, dueAt: job.at });
    // Its lists move it to "overdue" without a reload.
    this.news.changed(ticket.teamId, ticket);
  }
}
