import { beforeAll, describe } from '@jest/globals';
import { itStoresRedeliveredWebhooksOnce } from '../support/redelivery.scenario.js';
import { servicesEnv } from './services-env.js';

describe('Redelivered webhooks on PostgreSQL', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await servicesEnv();
  });
  itStoresRedeliveredWebhooksOnce(() => env);
});
