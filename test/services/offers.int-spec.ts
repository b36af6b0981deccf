import { beforeAll, describe } from '@jest/globals';
import { itExpiresOffersOnceAcrossARestart } from '../support/offer-restart.scenario.js';
import { servicesEnv } from './services-env.js';

describe('Offer timers on BullMQ and PostgreSQL', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await servicesEnv();
  });
  itExpiresOffersOnceAcrossARestart(() => env);
});
