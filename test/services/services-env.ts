import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TEST_ALLOWED_API_ORIGINS, TEST_PASSWORD_MEMORY_MIB, TEST_SECRET_KEY } from '../support/test-hub.js';

/**
 * The real services `npm run test:services` prepared, for one test file: a database of its own on the run's
 * PostgreSQL (so a file that needs an empty database gets one), and a Redis key prefix of its own.
 */
export async function servicesEnv(): Promise<Record<string, string>> {
  const { DATABASE_URL, REDIS_URL } = process.env;
  if (!DATABASE_URL || !REDIS_URL) {
    throw new Error('The service suite needs DATABASE_URL and REDIS_URL: run it with `npm run test:services`.');
  }
  const suffix = randomBytes(4).toString('hex');
  const url = new URL(DATABASE_URL);
  // Named after the run's database, which the run drops with everything that shares its name.
  const database = `${url.pathname.slice(1)}_${suffix}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${database}`;
  return {
    DATABASE_URL: url.toString(),
    REDIS_URL,
    HUB_SECRET_KEY: TEST_SECRET_KEY,
    HUB_ALLOWED_API_ORIGINS: TEST_ALLOWED_API_ORIGINS,
    HUB_PASSWORD_MEMORY_MIB: TEST_PASSWORD_MEMORY_MIB,
    HUB_REDIS_PREFIX: `${process.env.HUB_REDIS_PREFIX ?? 'tsunagi-test'}-${suffix}`,
  };
}
