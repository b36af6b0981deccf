import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Db, Tx } from '../../src/common/database/database.js';
import { LoginThrottles } from '../../src/teams/login-throttle.repository.js';
import { TestHub, startTestHub } from '../support/test-hub.js';
import { servicesEnv } from './services-env.js';

// Only PostgreSQL runs two transactions at once; the embedded database takes one statement at a time.
describe('LoginThrottles on PostgreSQL', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub(await servicesEnv());
  });

  afterAll(() => hub?.stop());

  // Guards a false 429 on an account's first tries: a try whose transaction began before another try wrote its row
  // compared that row's next_try_at with its own start time (now()) and found itself "too early".
  it('lets a try whose transaction began before another try was written claim its failure', async () => {
    const db = hub.infra.db;
    const email = `early-${Date.now()}@example.com`;
    const waitMs = await db.$transaction(async (tx: Tx) => {
      // From here on now() is fixed in this transaction.
      await tx.$queryRaw`SELECT 1`;
      // Another connection's try, later, committed at once.
      await expect(new LoginThrottles(db).claim(email)).resolves.toBeNull();
      return new LoginThrottles(tx as unknown as Db).claim(email);
    });
    expect(waitMs).toBeNull();
  });
});
