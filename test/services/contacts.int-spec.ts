import { beforeAll, describe } from '@jest/globals';
import { itKeepsOnePersonOncePerTeam } from '../support/contact-dedup.scenario.js';
import { servicesEnv } from './services-env.js';

describe('Contacts on PostgreSQL', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await servicesEnv();
  });
  itKeepsOnePersonOncePerTeam(() => env);
});
