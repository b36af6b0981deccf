import { z } from 'zod';
import { logger } from '../logging/logger.js';
import { sharedRead } from '../shared-read.js';
import type { SharedRead } from '../shared-read.js';

/**
 * What a hub must have done before it takes traffic, in the order it does them. `database` is also asked again at
 * every readiness check (a hub that lost its database is not ready, though it once was).
 */
export const READINESS_STEPS = ['database', 'migrations', 'first_team', 'pending_work', 'job_workers'] as const;
export type ReadinessStep = (typeof READINESS_STEPS)[number];

/** What the readiness probes answer, 200 or 503 alike. */
export const readinessView = z
  .object({
    status: z.enum(['ready', 'not_ready', 'stopping']),
    /** Each step and whether it holds; `database` is the answer of this very check once the database is open. */
    checks: z.record(z.enum(READINESS_STEPS), z.boolean()),
    /** The steps that do not hold, for the 503's body and the operator reading it. */
    notReady: z.array(z.enum(READINESS_STEPS)),
  })
  .meta({ id: 'Readiness' });
export type ReadinessReport = z.output<typeof readinessView>;

/**
 * Whether this process should be sent traffic: not ready (a step not done yet, or the database not answering), ready,
 * or stopping (a signal came; never ready again). Shared by the front door, which answers before the application exists, and the health route.
 */
export class HubReadiness {
  private readonly done = new Set<ReadinessStep>();
  private stopping = false;
  /**
   * The database's latest answer, shared by every check while it is asked and for a second after: the routes are
   * public and probed by balancers every few seconds, so however many checks come at once, the database is asked at
   * most once a second.
   */
  private databaseAnswer: SharedRead<boolean> | null = null;
  private readonly startedAt = performance.now();

  /** Logged at info with the time since the process began starting, so a start that stalls shows where. */
  markDone(step: ReadinessStep): void {
    this.done.add(step);
    logger.info({ step, ms: Math.round(performance.now() - this.startedAt) }, 'start: step done');
  }

  /** How to ask the database at each check once it is open (`SELECT 1`). */
  probeDatabaseWith(probe: () => Promise<unknown>): void {
    this.databaseAnswer = sharedRead(() => answersWithin(probe, PROBE_TIMEOUT_MS), PROBE_REUSE_MS);
  }

  beginStop(): void {
    this.stopping = true;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  async report(): Promise<ReadinessReport> {
    const checks = Object.fromEntries(READINESS_STEPS.map((step) => [step, this.done.has(step)])) as Record<ReadinessStep, boolean>;
    if (checks.database && this.databaseAnswer) checks.database = await this.databaseAnswer.get();
    const notReady = READINESS_STEPS.filter((step) => !checks[step]);
    const status = this.stopping ? 'stopping' : notReady.length > 0 ? 'not_ready' : 'ready';
    return { status, checks, notReady };
  }
}

export const READINESS = Symbol('HubReadiness');

/** What `/health/ready` (and `/health`, its older name) answers: 200 when ready, else 503, with the report as body. */
export async function readinessAnswer(readiness: HubReadiness): Promise<{ statusCode: 200 | 503; body: ReadinessReport }> {
  const report = await readiness.report();
  return { statusCode: report.status === 'ready' ? 200 : 503, body: report };
}

/** A balancer's check times out after a few seconds; a database that takes longer than this is as good as down. */
const PROBE_TIMEOUT_MS = 2_000;
const PROBE_REUSE_MS = 1_000;

async function answersWithin(probe: () => Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([probe().then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}
