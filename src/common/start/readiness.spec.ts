import { describe, expect, it } from '@jest/globals';
import { HubReadiness, READINESS_STEPS } from './readiness.js';

describe(HubReadiness.name, () => {
  it('reports ready only when every step is done, and stopping from the moment the stop begins', async () => {
    const readiness = new HubReadiness();
    readiness.probeDatabaseWith(async () => undefined);
    for (const step of READINESS_STEPS.slice(0, -1)) readiness.markDone(step);
    expect(await readiness.report()).toMatchObject({ status: 'not_ready', notReady: ['job_workers'] });
    readiness.markDone('job_workers');
    expect(await readiness.report()).toMatchObject({ status: 'ready', notReady: [] });
    readiness.probeDatabaseWith(async () => {
      throw new Error('connection refused');
    });
    expect(await readiness.report()).toMatchObject({ status: 'not_ready', notReady: ['database'] });
    readiness.beginStop();
    expect((await readiness.report()).status).toBe('stopping');
  });

  it('asks the database once for many checks at a time, so a stranger calling the public route cannot multiply queries', async () => {
    const readiness = new HubReadiness();
    let probes = 0;
    readiness.probeDatabaseWith(async () => {
      probes += 1;
    });
    for (const step of READINESS_STEPS) readiness.markDone(step);
    const reports = await Promise.all(Array.from({ length: 100 }, () => readiness.report()));
    expect(reports.every((report) => report.status === 'ready')).toBe(true);
    await readiness.report();
    expect(probes).toBe(1);
  });
});
