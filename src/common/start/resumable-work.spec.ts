import { describe, expect, it } from '@jest/globals';
import { ResumableWorkRegistry } from './resumable-work.js';

describe(ResumableWorkRegistry.name, () => {
  it('takes up each registered work once, in the order they registered, and answers the count per name', async () => {
    const registry = new ResumableWorkRegistry();
    const calls: string[] = [];
    const work = (name: string, found: number) => ({
      name,
      resume: async () => {
        calls.push(name);
        return found;
      },
    });
    registry.register(work('pending deliveries', 2));
    registry.register(work('offer timers', 0));
    registry.register(work('unsent system mail', 1));

    await expect(registry.resumeAll()).resolves.toEqual({ 'pending deliveries': 2, 'offer timers': 0, 'unsent system mail': 1 });
    expect(calls).toEqual(['pending deliveries', 'offer timers', 'unsent system mail']);
  });

  // The next work must not start while one is still scheduling: the outbox's rows come before anything they wake.
  it('waits for one work to finish before the next starts', async () => {
    const registry = new ResumableWorkRegistry();
    const events: string[] = [];
    registry.register({
      name: 'slow',
      resume: async () => {
        events.push('slow started');
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push('slow done');
        return 1;
      },
    });
    registry.register({ name: 'next', resume: async () => (events.push('next started'), 0) });
    await registry.resumeAll();
    expect(events).toEqual(['slow started', 'slow done', 'next started']);
  });

  // Guards a rebuild after Redis lost its jobs running the steps after a message beside the process still doing them.
  it('leaves out the work a process holds itself when only jobs were lost', async () => {
    const registry = new ResumableWorkRegistry();
    const calls: string[] = [];
    registry.register({ name: 'pending deliveries', resume: async () => (calls.push('deliveries'), 0) });
    registry.register({ name: 'message follow-ups', heldBy: 'process', resume: async () => (calls.push('follow-ups'), 0) });
    await registry.resumeAll({ jobsOnly: true });
    expect(calls).toEqual(['deliveries']);
    await registry.resumeAll();
    expect(calls).toEqual(['deliveries', 'deliveries', 'follow-ups']);
  });
});
