import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/common/config/config.js';
import { createHub, Hub, HubOptions } from '../../src/hub.js';
import { TeamsService } from '../../src/teams/index.js';
import { testDatabaseImage } from './database-image.js';
import { createHubDatabase } from './test-database.js';

export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
/**
 * Hubs in tests hash passwords at OWASP's floor (19 MiB, 2 passes) instead of the default 64 MiB and 3 passes:
 * a seventh of the work per sign-up and sign-in, which the suite does hundreds of times.
 */
export const TEST_PASSWORD_MEMORY_MIB = '19';
/** The provider fakes listen on 127.0.0.1: allowed the way an operator allows a private system. */
export const TEST_ALLOWED_API_ORIGINS = 'http://127.0.0.1:*';

export interface TestHub extends Hub {
  dataDir: string;
  http: ReturnType<typeof request>;
  /** Stops the hub and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * A hub on a random port with a database of its own: a clone of the migrated template on the tests' PostgreSQL when
 * one answers, else the embedded database started from an image of the migrated schema, in memory unless
 * `memoryDatabase: false`. A data directory kept across a restart, or `embedded: true`, always means the embedded one.
 */
export type TestHubOptions = HubOptions & {
  /** Keep the embedded database under this directory (and keep the directory at stop): a restart finds it again. */
  dataDir?: string;
  /** Run on the embedded database even where the tests' PostgreSQL answers (see `test-database.ts`). */
  embedded?: boolean;
};

export async function startTestHub(env: Record<string, string> = {}, options: TestHubOptions = {}): Promise<TestHub> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'tsunagi-test-')));
  const memoryDatabase = options.memoryDatabase ?? true;
  // A hub that keeps its data directory across a restart, or asks for it, tests the embedded database itself.
  const ownDatabase = env.DATABASE_URL || options.dataDir || !memoryDatabase || options.embedded ? null : await createHubDatabase();
  const config = loadConfig({ HUB_SECRET_KEY: TEST_SECRET_KEY, PORT: '0', HOST: '127.0.0.1', HUB_DATA_DIR: dataDir, NODE_ENV: 'test', HUB_ALLOWED_API_ORIGINS: TEST_ALLOWED_API_ORIGINS, HUB_PASSWORD_MEMORY_MIB: TEST_PASSWORD_MEMORY_MIB, ...(ownDatabase ? { DATABASE_URL: ownDatabase.url } : {}), ...env });
  const databaseImage = config.databaseUrl ? undefined : await testDatabaseImage();
  const hub = await createHub(config, { memoryDatabase, bootstrap: false, databaseImage, ...options });
  return {
    ...hub,
    dataDir,
    http: request(hub.url),
    async stop() {
      await hub.close();
      await ownDatabase?.drop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestMember {
  id: string;
  teamId: string;
  email: string;
  token: string;
  auth: { Authorization: string };
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** A new team with its administrator, signed in. */
export async function createTeam(hub: Hub, name = 'Team'): Promise<{ teamId: string; inviteCode: string; admin: TestMember }> {
  const email = `admin-${unique()}@example.com`;
  const { team } = await hub.app.get(TeamsService).createTeam({ name, admin: { email, password: 'correct horse', name: '佐藤 花子' } });
  return { teamId: team.id, inviteCode: team.inviteCode, admin: await login(hub, email, 'correct horse') };
}

/** A member who joined with the invite code; promoted by the administrator when a role is given. */
export async function addMember(
  hub: Hub,
  team: { inviteCode: string; admin: TestMember },
  patch: { role?: 'operator' | 'supervisor' | 'administrator'; training?: boolean; name?: string } = {},
): Promise<TestMember> {
  const email = `member-${unique()}@example.com`;
  const http = request(hub.url);
  const signup = await http.post('/api/auth/signup').send({ inviteCode: team.inviteCode, email, password: 'correct horse', name: patch.name ?? '鈴木 一郎' }).expect(201);
  const { name: _name, ...rest } = patch;
  if (Object.keys(rest).length > 0) {
    await http.patch(`/api/members/${signup.body.id}`).set(team.admin.auth).send(rest).expect(200);
  }
  return login(hub, email, 'correct horse');
}

export async function login(hub: Hub, email: string, password: string): Promise<TestMember> {
  const response = await request(hub.url).post('/api/auth/login').send({ email, password }).expect(200);
  const token = response.body.accessToken as string;
  return { id: response.body.member.id, teamId: response.body.member.teamId, email, token, auth: { Authorization: `Bearer ${token}` } };
}

export async function createWebchat(hub: Hub, admin: TestMember, config: Record<string, unknown> = {}): Promise<string> {
  const response = await request(hub.url).post('/api/channels').set(admin.auth).send({ type: 'webchat', provider: 'webchat', name: 'Web shop', config }).expect(201);
  return response.body.id as string;
}
