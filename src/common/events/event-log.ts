import { v7 as uuidv7 } from 'uuid';
import { InvalidatedCache } from '../cache/invalidated-cache.js';
import type { CacheInvalidation } from '../cache/cache-invalidation.js';
import type { Clock } from '../clock.js';
import { Prisma } from '../database/database.js';
import type { Db, Tx } from '../database/database.js';
import type { JobQueue } from '../jobs/index.js';
import { logger } from '../logging/logger.js';
import type { ResumableWork, ResumableWorkRegistry } from '../start/resumable-work.js';

/** The types of the event log; what each carries in `data` is listed in the README ("Event log"). */
export const LOGGED_EVENT_TYPES = [
  'conversation.created',
  'message.created',
  'conversation.resolved',
  'contact.consent_changed',
  'sale.created',
  'sale.reversed',
  'offer.missed',
  'ticket.created',
  'ticket.updated',
  'ticket.solved',
  'ticket.overdue',
] as const;
export type LoggedEventType = (typeof LOGGED_EVENT_TYPES)[number];

/** One event as a consumer is handed it. */
export interface LoggedEvent {
  id: string;
  teamId: string;
  type: string;
  conversationId: string | null;
  data: Record<string, unknown>;
  occurredAt: Date;
}

/**
 * What reacts to logged events outside the change that caused them (automation rules, outgoing webhooks). `handle`
 * is called at least once per event the consumer was interested in when it was written, after its commit, in a job;
 * the events of one conversation in the order they were written (a later one waits until the earlier are handled).
 * It must be idempotent. `interestedTypes` says which types a team's setup listens to: an event nobody listens to
 * is not written at all, so it is read through a cache that the consumer refreshes with `EventLog.interestChanged`.
 */
export interface EventConsumer {
  readonly name: string;
  handle(event: LoggedEvent): Promise<void>;
  /**
   * Read through `db`: inside a producer's transaction it is that transaction, since the embedded database has one
   * connection and a read beside the transaction would wait for it to end.
   */
  interestedTypes(teamId: string, db: Tx): Promise<Set<string>>;
}

export interface NewLoggedEvent {
  teamId: string;
  type: LoggedEventType;
  conversationId?: string | null;
  data: Record<string, unknown>;
  occurredAt: Date;
}

/** An event written in a transaction, to hand to its consumers once that transaction committed (`dispatch`). */
export interface AppendedEvent {
  id: string;
  pending: string[];
}

const DELIVER = 'event-log.deliver';
const PRUNE = 'event-log.prune';
/** Handled events are kept a week, for a consumer's operator to look back at. */
const KEEP_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;
/** A failing consumer is retried for about an hour (1 s doubling); what is still pending then waits for the next start. */
const ATTEMPTS = 13;
const INTEREST_CACHE = { ttlMs: 10 * 60_000, maxEntries: 10_000 };
const RESUME_BATCH = 500;

interface DeliverJob {
  consumer: string;
  eventId: string;
}

/**
 * Whether the event is still logged, holding it (FOR SHARE) until `tx` ends: a consumer writing what it makes of the
 * event (a webhook delivery, a rule's run) in `tx` either commits before an erasure deletes the event, and the erasure
 * (which waits for the hold) deletes that too, or finds the event gone and writes nothing.
 */
export async function eventStillLogged(tx: Tx, eventId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM event_log WHERE id = ${eventId} FOR SHARE`;
  return rows.length > 0;
}

/**
 * Deletes the logged events of these conversations, of these messages (what the contact wrote in a group held by
 * another) and those naming the contact (its consent changes, its tickets), for an erasure, in its transaction;
 * answers their ids, so that what was made from them goes too.
 */
export async function eraseLoggedEvents(tx: Tx, erased: { teamId: string; contactId: string; conversationIds: string[]; messageIds: string[] }): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    DELETE FROM event_log
     WHERE team_id = ${erased.teamId}
       AND (conversation_id = ANY(${erased.conversationIds}::text[])
            OR data->>'contactId' = ${erased.contactId}
            OR data->>'messageId' = ANY(${erased.messageIds}::text[]))
    RETURNING id`;
  return rows.map((row) => row.id);
}

/**
 * The durable log of the events outside reactions need. A producer appends in the transaction of its change (or
 * inside the change's one statement, `insertSql`), so a process dying after the commit loses no event; each row
 * names the consumers still to handle it, each is handed it in a job after the commit, and takes its name out when
 * done. At start (and when the job store lost its jobs) every row still pending is scheduled again.
 */
export class EventLog implements ResumableWork {
  readonly name = 'logged events';
  private readonly consumers = new Map<string, { consumer: EventConsumer; interest: InvalidatedCache<string[]> }>();
  /** This process's start, naming the jobs its resume adds. */
  private readonly startedAt = uuidv7();

  constructor(
    private readonly db: Db,
    private readonly jobs: JobQueue,
    private readonly invalidation: CacheInvalidation,
    resumable: ResumableWorkRegistry,
    private readonly clock: Clock,
  ) {
    resumable.register(this);
    jobs.register<DeliverJob>(DELIVER, (job) => this.deliver(job));
    jobs.register(PRUNE, () => this.prune(), { concurrency: 1 });
  }

  /** A consumer, by its unique name; call when its module starts. */
  register(consumer: EventConsumer): void {
    if (this.consumers.has(consumer.name)) throw new Error(`event consumer ${consumer.name} registered twice`);
    const interest = new InvalidatedCache<string[]>(this.invalidation, `event-interest-${consumer.name}`, INTEREST_CACHE);
    this.consumers.set(consumer.name, { consumer, interest });
  }

  /** After a change to what `consumer` listens to in `teamId` (a rule saved) is committed: every process reads it again. */
  interestChanged(consumer: string, teamId: string): Promise<void> {
    const entry = this.consumers.get(consumer);
    return entry ? entry.interest.changed(teamId) : Promise.resolve();
  }

  /** The consumers that listen to `type` in `teamId`: cached, so the hot path spends no statement on a team with none. */
  async consumersOf(teamId: string, type: LoggedEventType, db: Tx = this.db): Promise<string[]> {
    const names: string[] = [];
    for (const [name, { consumer, interest }] of this.consumers) {
      const types = await interest.get(teamId, async () => [...(await consumer.interestedTypes(teamId, db))]);
      if (types.includes(type)) names.push(name);
    }
    return names;
  }

  /** Writes the events someone listens to, in `tx`; hand the answer to `dispatch` after the commit. */
  async append(tx: Tx, events: NewLoggedEvent[]): Promise<AppendedEvent[]> {
    const rows: (NewLoggedEvent & { id: string; pending: string[] })[] = [];
    for (const event of events) {
      const pending = await this.consumersOf(event.teamId, event.type, tx);
      if (pending.length > 0) rows.push({ ...event, id: uuidv7(), pending });
    }
    if (rows.length === 0) return [];
    await tx.eventLog.createMany({
      data: rows.map((row) => ({
        id: row.id,
        teamId: row.teamId,
        type: row.type,
        conversationId: row.conversationId ?? null,
        data: row.data as Prisma.InputJsonObject,
        occurredAt: row.occurredAt,
        pending: row.pending,
      })),
    });
    return rows.map(({ id, pending }) => ({ id, pending }));
  }

  /** `append` in a transaction of its own, then `dispatch`: for a change that is itself one write already committed. */
  async record(events: NewLoggedEvent[]): Promise<void> {
    const appended = await this.db.$transaction((tx: Tx) => this.append(tx, events));
    await this.dispatch(appended);
  }

  /**
   * The INSERT of the events `select` yields (columns id, team_id, type, conversation_id, data, occurred_at, pending),
   * for a statement that writes its change and its events at once (the inbound message's).
   */
  insertSql(select: Prisma.Sql): Prisma.Sql {
    return Prisma.sql`INSERT INTO event_log (id, team_id, type, conversation_id, data, occurred_at, pending) ${select}`;
  }

  /** After the commit: each consumer's job. Never throws: a job not added now is added at the next start. */
  async dispatch(appended: AppendedEvent[], resumedBy?: string): Promise<void> {
    for (const { id, pending } of appended) {
      for (const consumer of pending) {
        await this.schedule(consumer, id, resumedBy).catch((error: unknown) => logger.warn({ err: error, eventId: id, consumer }, 'event job not added; taken up at the next start'));
      }
    }
  }

  async resume(): Promise<number> {
    let count = 0;
    let after: string | undefined;
    for (;;) {
      // Through the partial index of pending rows.
      const rows = await this.db.$queryRaw<{ id: string; pending: string[] }[]>`
        SELECT id, pending FROM event_log WHERE cardinality(pending) > 0 ${after ? Prisma.sql`AND id > ${after}` : Prisma.empty}
        ORDER BY id LIMIT ${RESUME_BATCH}`;
      await this.dispatch(rows, this.startedAt);
      count += rows.length;
      if (rows.length < RESUME_BATCH) break;
      after = rows[rows.length - 1].id;
    }
    await this.jobs.add(PRUNE, {}, { jobId: `prune-${Math.floor(this.clock.now().getTime() / PRUNE_EVERY_MS)}`, delayMs: PRUNE_EVERY_MS });
    return count;
  }

  /**
   * `resumedBy`: the start that schedules it again. A job the dead process held (BullMQ's active job) keeps its id
   * until its lock expires and it is taken as stalled, up to a minute later; a job under another id runs now, and
   * the stalled one then finds the event handled.
   */
  private schedule(consumer: string, eventId: string, resumedBy?: string): Promise<void> {
    const jobId = resumedBy ? `${consumer}-${eventId}-resumed-${resumedBy}` : `${consumer}-${eventId}`;
    return this.jobs.add<DeliverJob>(DELIVER, { consumer, eventId }, { jobId, attempts: ATTEMPTS });
  }

  /**
   * One event for one consumer, after the earlier events of its conversation still pending for it: a later event
   * never reaches the consumer before an earlier one was handled (two jobs may hand the same earlier event at once;
   * handlers are idempotent).
   */
  async deliver({ consumer: name, eventId }: DeliverJob): Promise<void> {
    const entry = this.consumers.get(name);
    if (!entry) return;
    const event = await this.db.eventLog.findUnique({ where: { id: eventId } });
    if (!event || !event.pending.includes(name)) return;
    if (event.conversationId) {
      const earlier = await this.db.eventLog.findMany({
        where: { conversationId: event.conversationId, id: { lt: event.id }, pending: { has: name } },
        orderBy: { id: 'asc' },
      });
      for (const row of earlier) await this.handleOne(entry.consumer, row);
    }
    await this.handleOne(entry.consumer, event);
  }

  private async handleOne(consumer: EventConsumer, row: { id: string; teamId: string; type: string; conversationId: string | null; data: unknown; occurredAt: Date }): Promise<void> {
    await consumer.handle({ id: row.id, teamId: row.teamId, type: row.type, conversationId: row.conversationId, data: row.data as Record<string, unknown>, occurredAt: row.occurredAt });
    await this.db.$executeRaw`UPDATE event_log SET pending = array_remove(pending, ${consumer.name}) WHERE id = ${row.id}`;
  }

  /** The event as its consumers were or will be handed it (a dry run replays a past one). */
  async find(teamId: string, filter: { conversationId: string; type?: string }): Promise<LoggedEvent[]> {
    const rows = await this.db.eventLog.findMany({ where: { teamId, conversationId: filter.conversationId, ...(filter.type ? { type: filter.type } : {}) }, orderBy: { id: 'asc' } });
    return rows.map((row) => ({ id: row.id, teamId: row.teamId, type: row.type, conversationId: row.conversationId, data: row.data as Record<string, unknown>, occurredAt: row.occurredAt }));
  }

  async prune(): Promise<void> {
    const before = new Date(this.clock.now().getTime() - KEEP_MS);
    await this.db.$executeRaw`DELETE FROM event_log WHERE occurred_at < ${before} AND cardinality(pending) = 0`;
    await this.jobs.add(PRUNE, {}, { jobId: `prune-${Math.floor(this.clock.now().getTime() / PRUNE_EVERY_MS) + 1}`, delayMs: PRUNE_EVERY_MS });
  }
}
