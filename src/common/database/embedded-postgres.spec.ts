import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.js';

async function query(connectionString: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres from an image', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  // Tests start hubs on disk from the image too: a restart must find its own data, never the image again.
  it('starts a new directory from the image, and opens an existing one as it is', async () => {
    const source = await startEmbeddedPostgres(null);
    await query(source.connectionString, 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$from the image$$)');
    await source.waitForNoConnections();
    const image = await source.dumpImage();
    await source.stop();

    const dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-image-'));
    dirs.push(dataDir);
    const first = await startEmbeddedPostgres(dataDir, image);
    expect(await query(first.connectionString, 'SELECT note FROM kept')).toEqual([{ note: 'from the image' }]);
    await query(first.connectionString, 'INSERT INTO kept VALUES ($$written after$$)');
    await first.waitForNoConnections();
    await first.stop();

    const again = await startEmbeddedPostgres(dataDir, image);
    expect(await query(again.connectionString, 'SELECT note FROM kept ORDER BY note')).toEqual([{ note: 'from the image' }, { note: 'written after' }]);
    await again.waitForNoConnections();
    await again.stop();
  });
});
