import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestHub, startTestHub } from '../support/test-hub.js';

// Readiness follows the start's steps: a hub whose job workers have not started (held back here, as the outbox
// tests do) is not ready, and says what it waits for.
describe('Readiness of a whole hub', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({}, { startJobs: false });
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('answers 503 naming the pending work and the job workers until they are started, then 200', async () => {
    await hub.http.get('/health/live').expect(200, { status: 'live' });
    const before = await hub.http.get('/health/ready').expect(503);
    expect(before.body).toMatchObject({ status: 'not_ready', notReady: ['pending_work', 'job_workers'] });
    expect(before.headers['cache-control']).toBe('no-store');
    await hub.startJobs();
    const after = await hub.http.get('/health/ready').expect(200);
    expect(after.body).toEqual({
      status: 'ready',
      checks: { database: true, migrations: true, first_team: true, pending_work: true, job_workers: true },
      notReady: [],
    });
    // The name older scripts use means the same.
    await hub.http.get('/health').expect(200);
  });
});
