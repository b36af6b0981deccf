import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { START_DEADLINE_MS, runHubExpectingFailure, startHubProcess } from '../support/hub-process.js';

// What a newcomer gets from `npm start`: no configuration at all, the embedded database under ./data.
describe('npm start', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsunagi-start-'));
    dirs.push(dir);
    return dir;
  };

  // Each start logs its steps, so a stalled one shows in the failure how far it got.
  const startHub = (env: Record<string, string>) => startHubProcess({ LOG_LEVEL: 'info', ...env });

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('starts with no configuration, prints where to go and how to log in, and keeps the data across a restart', async () => {
    const dataDir = await tempDir();
    const first = await startHub({ HUB_DATA_DIR: dataDir, PORT: '0' });
    expect(first.output()).toContain('/api/docs');
    expect(first.login.password).toBeTruthy();
    await request(first.url).get('/health').expect(200);
    const session = await request(first.url).post('/api/auth/login').send({ email: first.login.email, password: first.login.password }).expect(200);
    const auth = { Authorization: `Bearer ${session.body.accessToken}` };
    await request(first.url).post('/api/channels').set(auth).send({ type: 'webchat', provider: 'webchat', name: 'Kept', config: {} }).expect(201);

    // While it runs, a second hub on the same directory must refuse: two writers would lose data.
    const rival = await runHubExpectingFailure({ HUB_DATA_DIR: dataDir, PORT: '0' });
    expect(rival.code).toBe(1);
    expect(rival.stderr).toContain('in use by another hub process');

    expect(await first.stop()).toBe(0);

    const second = await startHub({ HUB_DATA_DIR: dataDir, PORT: '0' });
    try {
      expect(second.login).toEqual(first.login);
      const again = await request(second.url).post('/api/auth/login').send({ email: first.login.email, password: first.login.password }).expect(200);
      const channels = await request(second.url).get('/api/channels').set({ Authorization: `Bearer ${again.body.accessToken}` }).expect(200);
      expect(channels.body.items.map((c: { name: string }) => c.name)).toEqual(['Kept']);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 3 * START_DEADLINE_MS);

  it('creates the configured team and administrator instead of the demo', async () => {
    const dataDir = await tempDir();
    const hub = await startHub({ HUB_DATA_DIR: dataDir, PORT: '0', HUB_ADMIN_EMAIL: 'owner@clinic.example', HUB_ADMIN_PASSWORD: 'a long secret', HUB_TEAM_NAME: '駅前クリニック' });
    try {
      expect(hub.login).toEqual({ email: 'owner@clinic.example', password: null });
      const session = await request(hub.url).post('/api/auth/login').send({ email: 'owner@clinic.example', password: 'a long secret' }).expect(200);
      const team = await request(hub.url).get('/api/teams/current').set({ Authorization: `Bearer ${session.body.accessToken}` }).expect(200);
      expect(team.body.name).toBe('駅前クリニック');
    } finally {
      await hub.stop();
    }
  }, 2 * START_DEADLINE_MS);

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ HUB_SECRET_KEY: 'too-short' }, 'HUB_SECRET_KEY'],
    [{ DATABASE_URL: 'mysql://localhost/tsunagi' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ HUB_ADMIN_EMAIL: 'owner@example.com' }, 'HUB_ADMIN_PASSWORD'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
  ])('refuses to start on %p with one line naming %s', async (env, variable) => {
    const dataDir = await tempDir();
    const { code, stderr } = await runHubExpectingFailure({ HUB_DATA_DIR: dataDir, ...env });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable}\\b`));
  });
});
