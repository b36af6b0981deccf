import { beforeAll, describe } from '@jest/globals';
import { itSendsQueuedRepliesOnceAfterRestart } from '../support/outbox-restart.scenario.js';
import { servicesEnv } from './services-env.js';

describe('Outbox on BullMQ and PostgreSQL', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await servicesEnv();
  });
  itSendsQueuedRepliesOnceAfterRestart(() => env);
});
