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
});
