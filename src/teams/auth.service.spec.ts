import { describe, expect, it } from '@jest/globals';
import type { Db } from '../common/database/database.js';
import type { JobHandler, JobOptions, JobQueue } from '../common/jobs/index.js';
import type { Mailer, SystemMail as Mail } from '../common/mail/mailer.js';
import type { RateLimiter } from '../common/rate-limit/rate-limiter.js';
import type { AccessTokens } from './access-tokens.js';
import { MovableClock } from '../../test/support/movable-clock.js';
import { AuthService } from './auth.service.js';
import type { MembersService } from './members.service.js';
import { PasswordGate, Passwords } from './passwords.js';
import type { TeamsService } from './teams.service.js';

const NOW = new Date('2026-12-06T09:00:00Z');
const MEMBER = { id: 'member-1', email: 'known@example.com', deactivatedAt: null };

/** A database that answers the member lookup and writes down every call, so a test sees what work a request did. */
function recordingDb(calls: string[], created: Array<{ expiresAt: Date }>): Db {
  const tx = {
    passwordReset: {
      updateMany: async () => ({ count: 0 }),
      create: async ({ data }: { data: { expiresAt: Date } }) => {
        created.push(data);
        return data;
      },
    },
  };
  return {
    member: {
      findUnique: async ({ where }: { where: { email: string } }) => {
        calls.push(`member.findUnique ${where.email}`);
        return where.email === MEMBER.email ? MEMBER : null;
      },
    },
    $transaction: async (work: (t: typeof tx) => Promise<unknown>) => {
      calls.push('$transaction');
      return work(tx);
    },
  } as unknown as Db;
}

function serviceWith() {
  const calls: string[] = [];
  const created: Array<{ expiresAt: Date }> = [];
  const mails: Mail[] = [];
  const added: Array<{ name: string; data: unknown; options?: JobOptions }> = [];
  const handlers = new Map<string, JobHandler<unknown>>();
  const jobs: JobQueue = {
    register: <T>(name: string, handler: JobHandler<T>) => void handlers.set(name, handler as JobHandler<unknown>),
    add: async (name, data, options) => void added.push({ name, data, options }),
    watchForLoss: async () => undefined,
    start: async () => undefined,
    pause: async () => undefined,
    stop: async () => undefined,
    idle: async () => undefined,
    depth: async () => [],
  };
  const mailer = { send: async (mail: Mail) => void mails.push(mail) } as unknown as Mailer;
  const limits = { consume: async () => undefined, release: async () => undefined } as unknown as RateLimiter;
  const service = new AuthService(
    recordingDb(calls, created),
    {} as AccessTokens,
    mailer,
    limits,
    new PasswordGate(),
    new Passwords(19),
    new MovableClock(NOW),
    jobs,
    Buffer.alloc(32, 1),
    {} as MembersService,
    {} as TeamsService,
  );
  service.onModuleInit();
  return { service, calls, created, mails, added, handlers };
}

describe(AuthService.name, () => {
  // Guards telling accounts apart by the answer's timing: a known address used to run a transaction, a code insert
  // and a mail before the 202, an unknown one a single SELECT.
  it('answers a reset request for a known and an unknown address after the same work: one job each, no lookup', async () => {
    const { service, calls, added } = serviceWith();
    await service.requestPasswordReset(' Known@Example.com ', '192.0.2.1');
    await service.requestPasswordReset('nobody@example.com', '192.0.2.1');
    expect(calls).toEqual([]);
    expect(added.map((job) => [job.name, job.data])).toEqual([
      [added[0].name, { email: 'known@example.com' }],
      [added[0].name, { email: 'nobody@example.com' }],
    ]);
    // A random id per request: two requests for one address are two jobs, not one swallowed by de-duplication.
    expect(added[0].options?.jobId).toEqual(expect.any(String));
    expect(added[0].options?.jobId).not.toBe(added[1].options?.jobId);
  });

  // Guards a code whose expiry follows the wall clock instead of the hub's clock (tests and replays disagree).
  it('in the job, mails a code to a known member that expires 15 minutes after the clock’s now, and nothing to an unknown one', async () => {
    const { service, created, mails, added, handlers } = serviceWith();
    await service.requestPasswordReset('known@example.com', '192.0.2.1');
    await service.requestPasswordReset('nobody@example.com', '192.0.2.1');
    const handler = handlers.get(added[0].name)!;
    for (const job of added) await handler(job.data, { id: job.options!.jobId!, attempt: 1 });
    expect(created.map((row) => row.expiresAt)).toEqual([new Date(NOW.getTime() + 15 * 60_000)]);
    expect(mails.map((mail) => mail.to)).toEqual(['known@example.com']);
    expect(mails[0].text).toMatch(/\b\d{6}\b/);
  });
});
