import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../errors/domain-error.js';
import { TransactionGate } from './transaction-gate.js';

/** A piece of work that runs until the test lets it finish. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => done, finish };
}

describe(TransactionGate.name, () => {
  it('runs as many at once as it has permits, the rest in the order they came', async () => {
    const gate = new TransactionGate({ permits: 1, maxQueued: 5, maxWaitMs: 10_000 });
    const first = held();
    const order: number[] = [];
    const runs = [gate.run(first.work), ...[1, 2, 3].map((n) => gate.run(async () => void order.push(n)))];
    await Promise.resolve();
    expect(order).toEqual([]);

    first.finish();
    await Promise.all(runs);

    expect(order).toEqual([1, 2, 3]);
  });

  it('refuses at once with 503 ingest_busy and a retry time when its queue is full', async () => {
    const gate = new TransactionGate({ permits: 1, maxQueued: 1, maxWaitMs: 4_000 });
    const first = held();
    const running = gate.run(first.work);
    const queued = gate.run(async () => 'stored');

    const refused = await gate.run(async () => 'never').catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ kind: 'unavailable', code: 'ingest_busy', retryAfterSeconds: 4 });
    first.finish();
    await running;
    expect(await queued).toBe('stored');
  });

  it('refuses a caller that waited longer than it may, and lets the queue move on', async () => {
    const gate = new TransactionGate({ permits: 1, maxQueued: 5, maxWaitMs: 50 });
    const first = held();
    const running = gate.run(first.work);

    await expect(gate.run(async () => 'late')).rejects.toMatchObject({ code: 'ingest_busy' });
    first.finish();
    await running;
    expect(await gate.run(async () => 'next')).toBe('next');
  });

  it("turns Prisma's timeout for a connection to start the transaction on into the same refusal", async () => {
    const gate = new TransactionGate({ permits: 1, maxQueued: 5, maxWaitMs: 1_000 });
    const timeout = Object.assign(new Error('Unable to start a transaction in the given time.'), { code: 'P2028' });

    await expect(gate.run(() => Promise.reject(timeout))).rejects.toMatchObject({ kind: 'unavailable', code: 'ingest_busy' });
    await expect(gate.run(() => Promise.reject(new Error('other')))).rejects.toThrow('other');
  });
});
