/** DI token of the {@link JobQueue}. */
export const JOB_QUEUE = Symbol('JobQueue');

/** How one job is enqueued. */
export interface JobOptions {
  /**
   * De-duplication key, unique per job name: adding a jobId that is already waiting, delayed or
   * running is a no-op; once that job has completed or failed for good the id may be used again.
   * Use the entity id so that enqueuing twice is harmless. Any string works (adapters escape it).
   */
  jobId?: string;
  /** Earliest start, counted from the add() call. Default 0. */
  delayMs?: number;
  /** Total tries including the first. Default 1 (no retry). */
  attempts?: number;
  /** Wait before retry n+1 is `backoffMs * 2^(n-1)`. Default {@link DEFAULT_BACKOFF_MS}. */
  backoffMs?: number;
}

/** What a handler learns about the job it runs. */
export interface JobContext {
  /** The jobId given to add(), or an id the queue made up when none was given. */
  id: string;
  /** 1-based: 1 on the first try, 2 on the first retry, ... */
  attempt: number;
}

/**
 * Runs one job. Throwing (or rejecting) schedules a retry while attempts remain; after the last
 * attempt the failure is logged and the job dropped. Handlers may run more than once for the same
 * job (retries, a process dying mid-job), so they reload the row, check its state and act.
 */
export type JobHandler<T> = (data: T, job: JobContext) => Promise<void>;

export interface RegisterOptions {
  /** Jobs of this name running at once in this process. Default {@link DEFAULT_CONCURRENCY}. */
  concurrency?: number;
}

/**
 * The port behind every delayed or background piece of work: BullMQ on Redis when `REDIS_URL`
 * is set, an in-process runner otherwise. The database row is the truth; a job only says
 * "look at it now". Job data must be plain JSON (ids, not entities): it goes through
 * `JSON.stringify` on both adapters, so Dates turn into strings and class instances into objects.
 */
export interface JobQueue {
  /**
   * Registers the handler of a job name; call before start(). Names may not contain ':' (BullMQ
   * uses it as its key separator).
   */
  register<T>(name: string, handler: JobHandler<T>, options?: RegisterOptions): void;
  /**
   * Enqueues a job of a registered name; a jobId already waiting, delayed or running makes this
   * a no-op. Jobs added before start() run once started.
   */
  add<T>(name: string, data: T, options?: JobOptions): Promise<void>;
  /**
   * Watches for the loss of the jobs the queue holds while the hub runs (Redis restarted without persistence, or
   * flushed), and then runs `rebuild`, which schedules every pending piece of work again from the database rows.
   * Called before the start's own rebuild reads its rows, so that a loss from then on is caught. The in-process runner
   * loses nothing while it runs and ignores it. Several hubs may find a loss at once and a rebuild may meet jobs still
   * there or running, so `rebuild` must be idempotent: jobIds dedupe, handlers claim their rows.
   */
  watchForLoss(rebuild: () => Promise<void>): Promise<void>;
  /** Starts running jobs. */
  start(): Promise<void>;
  /**
   * Stops taking jobs and waits for the running ones, while add() keeps working: what is added now waits, in Redis
   * for BullMQ, in this process for the in-process runner (lost at exit; the row is the truth and the next start
   * takes it up). A stopping hub pauses first, lets the last follow-up work enqueue, and then stops.
   */
  pause(): Promise<void>;
  /**
   * Stops taking jobs and waits for the running ones. Pending jobs stay pending: in Redis for
   * BullMQ; the in-process runner loses them, which is fine because the database row is the
   * truth and boot re-enqueues from it.
   */
  stop(): Promise<void>;
  /**
   * Resolves once no job is due or running: nothing waiting and nothing active; delayed jobs
   * (and retries sitting out their backoff) whose time has not come yet do not count. Meant for
   * tests ("drain the queue, then assert") and graceful shutdown. It waits for jobs that handlers
   * enqueue as well; it never resolves while due jobs wait for a start() that does not come.
   */
  idle(): Promise<void>;
  /**
   * How many jobs of each registered name wait, and for how long: read by the metrics at each scrape. Cheap (a few
   * Redis reads per name on BullMQ).
   */
  depth(): Promise<JobQueueDepth[]>;
}

/** One job name's backlog. */
export interface JobQueueDepth {
  name: string;
  /** Due and waiting for a free worker (before start(), every due job). */
  waiting: number;
  /** Waiting for their time: a delay, or a retry's backoff. */
  delayed: number;
  /** Running now in this process (in-process) or in any worker (BullMQ). */
  active: number;
  /** Seconds since the longest-waiting due job came due (0 when none waits). */
  oldestWaitingSeconds: number;
}

/** The part of a logger the adapters use; Nest's `Logger` fits. */
export interface JobLogger {
  warn(message: string): void;
  error(message: string, stack?: string): void;
}

/**
 * Handlers mostly wait on the database or a provider's API, so a few in parallel per process is
 * cheap, and more would only crowd the connection pool.
 */
export const DEFAULT_CONCURRENCY = 4;
/** First retry after 1 s, then 2 s, 4 s, ...: long enough for a provider's brief hiccup. */
export const DEFAULT_BACKOFF_MS = 1_000;

export interface ResolvedJobOptions {
  delayMs: number;
  attempts: number;
  backoffMs: number;
}

/** Applies the defaults and rejects values that can only be programming errors. */
export function resolveJobOptions(options: JobOptions = {}): ResolvedJobOptions {
  const { delayMs = 0, attempts = 1, backoffMs = DEFAULT_BACKOFF_MS } = options;
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`delayMs must be >= 0, got ${delayMs}`);
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be an integer >= 1, got ${attempts}`);
  if (!Number.isFinite(backoffMs) || backoffMs < 0) throw new RangeError(`backoffMs must be >= 0, got ${backoffMs}`);
  return { delayMs, attempts, backoffMs };
}

export function resolveConcurrency(options: RegisterOptions = {}): number {
  const { concurrency = DEFAULT_CONCURRENCY } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  }
  return concurrency;
}

/** Both adapters refuse the same names, so a name that works in tests works on Redis too. */
export function assertJobName(name: string): void {
  if (name.length === 0 || name.includes(':')) {
    throw new Error(`job name must be non-empty and free of ':', got "${name}"`);
  }
}

/** Wait before the retry that follows failed attempt `attempt` (1-based). */
export function backoffDelay(backoffMs: number, attempt: number): number {
  return backoffMs * 2 ** (attempt - 1);
}
