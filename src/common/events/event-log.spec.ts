import { describe, expect, it } from '@jest/globals';
import { LocalCacheInvalidation } from '../cache/cache-invalidation.js';
import { systemClock } from '../clock.js';
import type { Db } from '../database/database.js';
import { InProcessJobQueue } from '../jobs/index.js';
import { ResumableWorkRegistry } from '../start/resumable-work.js';
import { EventLog } from './event-log.js';

/** An event log over a database that answers the resume's read with `pending`, and a queue that records its adds. */
function eventLogWith(pending: { id: string; pending: string[] }[]) {
  const jobIds: string[] = [];
  const jobs = new InProcessJobQueue(undefined, systemClock);
  const add = jobs.add.bind(jobs);
  jobs.add = (name, data, options) => {
    if (name === 'event-log.deliver') jobIds.push(options?.jobId ?? '');
    return add(name, data, options);
  };
  let reads = 0;
  const db = { $queryRaw: async () => (reads++ === 0 ? pending : []) } as unknown as Db;
  return { log: new EventLog(db, jobs, new LocalCacheInvalidation(), new ResumableWorkRegistry(), systemClock), jobIds };
}

describe(EventLog.name, () => {
  it('hands an event over after its commit under one job id per consumer and event', async () => {
    const { log, jobIds } = eventLogWith([]);
    await log.dispatch([{ id: 'e-1', pending: ['webhooks', 'automation'] }]);
    expect(jobIds).toEqual(['webhooks-e-1', 'automation-e-1']);
  });

  // A job the killed process was running keeps its id in BullMQ until it is found stalled (up to a minute): a start
  // that adds the same id adds nothing, so it adds its own.
  it('resumes pending events under ids of its own start, which a later start does not share', async () => {
    const first = eventLogWith([{ id: 'e-2', pending: ['webhooks'] }]);
    expect(await first.log.resume()).toBe(1);
    const second = eventLogWith([{ id: 'e-2', pending: ['webhooks'] }]);
    await second.log.resume();
    expect(first.jobIds).toEqual([expect.stringMatching(/^webhooks-e-2-resumed-.+$/)]);
    expect(second.jobIds).toEqual([expect.stringMatching(/^webhooks-e-2-resumed-.+$/)]);
    expect(second.jobIds[0]).not.toBe(first.jobIds[0]);
  });
});
