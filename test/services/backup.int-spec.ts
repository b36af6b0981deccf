import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/common/database/embedded-postgres.js';
import { startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake } from '../fakes/sendgrid-fake.js';
import { formBody, signTwilioForm } from '../fakes/twilio-fake.js';
import { SpawnedHub, spawnHub } from '../support/hub-process.js';
import { eventually } from '../support/eventually.js';
import { sleep } from '../support/sockets.js';
import { servicesEnv } from './services-env.js';

const CLI = fileURLToPath(new URL('../../dist/common/database/backup-cli.js', import.meta.url));
const ADMIN = { HUB_ADMIN_EMAIL: 'owner@backup.example', HUB_ADMIN_PASSWORD: 'correct horse', HUB_TEAM_NAME: 'Backup' };
const PUBLIC_URL = 'https://hub.backup.example';
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'backup-auth-token-0000';
const SENDGRID_KEY = 'SG.backup-api-key-0123456789abcdef';
const INBOUND_TOKEN = 'backup-inbound-token-0123456789';
const attachmentMail = readFileSync(join(process.cwd(), 'test', 'fixtures', 'providers', 'sendgrid', 'inbound-parse-raw-with-attachment.multipart.crlf.DERIVED.txt'));

interface Run {
  code: number | null;
  out: string;
}

/** `npm run backup|restore|migrate-to-postgres -- ARG` as an operator runs it, on the built CLI. */
function cli(args: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const began = Date.now();
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      process.stdout.write(`${args[0]} exited with ${code} after ${Date.now() - began} ms\n`);
      resolve({ code, out });
    }),
  );
}

/** The few fields of the answers this test reads. */
interface Answer {
  status: number;
  body: { id?: string; inviteCode?: string; accessToken?: string; items?: unknown[] };
}

async function api(hub: SpawnedHub, method: string, path: string, token: string | null, body?: unknown): Promise<Answer> {
  const response = await fetch(new URL(path, hub.url), {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Answer['body']) : {} };
}

async function ready(hub: SpawnedHub): Promise<void> {
  let exited = false;
  void hub.exited.then(() => (exited = true));
  for (let i = 0; ; i++) {
    if (exited) throw new Error(`the hub exited while starting:\n${hub.output()}`);
    if (i > 2400) throw new Error(`not ready within 120 s:\n${hub.output()}`);
    const answer = await fetch(new URL('/health/ready', hub.url)).catch(() => null);
    if (answer?.status === 200) return;
    await sleep(50);
  }
}

async function signIn(hub: SpawnedHub): Promise<string> {
  const answer = await api(hub, 'POST', '/api/auth/login', null, { email: ADMIN.HUB_ADMIN_EMAIL, password: ADMIN.HUB_ADMIN_PASSWORD });
  expect(answer.status).toBe(200);
  return answer.body.accessToken!;
}

function twilioText(hub: SpawnedHub, channelId: string, from: string, text: string, authToken = AUTH_TOKEN) {
  const path = `/webhooks/twilio/${channelId}`;
  const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: from, To: '+15005550006', Body: text, NumMedia: '0' };
  return fetch(new URL(path, hub.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioForm(authToken, PUBLIC_URL + path, params) },
    body: formBody(params),
  });
}

function inboundMail(hub: SpawnedHub, channelId: string, token = INBOUND_TOKEN) {
  return fetch(new URL(`/webhooks/sendgrid/${channelId}/inbound?token=${encodeURIComponent(token)}`, hub.url), {
    method: 'POST',
    headers: { 'content-type': 'multipart/form-data; boundary=xYzZY' },
    body: attachmentMail,
  });
}

/** Every table's rows (but the migrations' own), each row as PostgreSQL's text of its values, sorted. */
async function tableContents(connectionString: string): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString, types: { getTypeParser: () => (value: string) => value } });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations' ORDER BY 1`,
    );
    const contents: Record<string, string[]> = {};
    for (const { name } of tables.rows) {
      const rows = await client.query(`SELECT * FROM "${name}"`);
      contents[name] = rows.rows.map((row) => JSON.stringify(row)).sort();
    }
    return contents;
  } finally {
    await client.end();
  }
}

async function embeddedContents(dataDir: string): Promise<Record<string, string[]>> {
  const embedded = await startEmbeddedPostgres(join(dataDir, 'db'));
  try {
    return await tableContents(embedded.connectionString);
  } finally {
    await embedded.waitForNoConnections();
    await embedded.stop();
  }
}

const counts = (contents: Record<string, string[]>) => Object.fromEntries(Object.entries(contents).map(([table, rows]) => [table, rows.length]));

describe('Backup, restore and moving to PostgreSQL', () => {
  const running: SpawnedHub[] = [];
  const dirs: string[] = [];
  let root: string;
  let sendgrid: SendgridFake;
  let original: Record<string, string[]>;
  let channels: { sms: string; email: string };
  let attachment: Buffer;
  let emailMessageId: string;

  async function startHub(env: Record<string, string>): Promise<SpawnedHub> {
    const hub = await spawnHub({ ...ADMIN, PUBLIC_URL, ...env });
    running.push(hub);
    await ready(hub);
    return hub;
  }

  async function stopHub(hub: SpawnedHub): Promise<void> {
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
  }

  /** What a hub on restored or moved data must still do: sign in, show the data, and open the sealed credentials. */
  async function expectWorkingHub(hub: SpawnedHub): Promise<void> {
    const token = await signIn(hub);
    const conversations = await api(hub, 'GET', '/api/conversations', token);
    expect(conversations.status).toBe(200);
    expect(conversations.body.items).toHaveLength(3);
    const file = await fetch(new URL(`/api/messages/${emailMessageId}/attachments/0`, hub.url), { headers: { authorization: `Bearer ${token}` } });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(attachment);
    // The webhooks' checks open the sealed credentials: a signature with the channel's token passes, another fails.
    expect((await twilioText(hub, channels.sms, '+819011112222', 'after the move', 'another-token-0000')).status).toBe(401);
    expect((await twilioText(hub, channels.sms, '+819011112222', 'after the move')).status).toBe(200);
    expect((await inboundMail(hub, channels.email, 'another-inbound-token-000000')).status).toBe(401);
    expect((await inboundMail(hub, channels.email)).status).toBe(200);
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsunagi-backup-'));
    dirs.push(root);
    sendgrid = await startSendgridFake({ apiKey: SENDGRID_KEY });
  });

  afterAll(async () => {
    for (const hub of running) if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
    await sendgrid?.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('backs up a running hub and a stopped one, the secret key included, and restores each into a hub that works as before', async () => {
    const dataDir = join(root, 'original');
    const hub = await startHub({ HUB_DATA_DIR: dataDir });
    const token = await signIn(hub);
    const team = await api(hub, 'GET', '/api/teams/current', token);
    const signup = await api(hub, 'POST', '/api/auth/signup', null, { inviteCode: team.body.inviteCode, email: 'agent@backup.example', password: 'correct horse', name: '鈴木 一郎' });
    expect(signup.status).toBe(201);
    const sms = await api(hub, 'POST', '/api/channels', token, { type: 'sms', provider: 'twilio', name: 'SMS', config: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550006' } });
    expect(sms.status).toBe(201);
    const email = await api(hub, 'POST', '/api/channels', token, {
      type: 'email',
      provider: 'sendgrid',
      name: 'Mail',
      config: { apiKey: SENDGRID_KEY, fromEmail: 'support@shop.example.jp', fromName: 'Shop', inboundToken: INBOUND_TOKEN, apiBaseUrl: sendgrid.url },
    });
    expect(email.status).toBe(201);
    channels = { sms: sms.body.id!, email: email.body.id! };
    expect((await api(hub, 'POST', '/api/contacts', token, { name: '購読 太郎', email: 'subscriber@example.jp' })).status).toBe(201);
    for (const [i, from] of ['+819012345678', '+819087654321'].entries()) {
      expect((await twilioText(hub, channels.sms, from, `hello ${i}`)).status).toBe(200);
    }
    expect((await inboundMail(hub, channels.email)).status).toBe(200);
    await eventually(() => api(hub, 'GET', '/api/conversations', token), (list) => list.body.items?.length === 3);

    // Under load: webhooks keep coming (to a known number, so no new conversation) while the hub copies its database.
    let copying = true;
    const load = (async () => {
      const statuses: number[] = [];
      for (let i = 0; copying; i++) statuses.push((await twilioText(hub, channels.sms, '+819012345678', `during the backup ${i}`)).status);
      return statuses;
    })();
    const busy = await cli(['backup', join(root, 'busy.backup')], { HUB_DATA_DIR: dataDir });
    copying = false;
    const statuses = await load;
    expect(busy).toMatchObject({ code: 0 });
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    process.stdout.write(`${statuses.length} webhooks answered while a backup ran\n`);
    // While it runs: the hub writes the database's part, the command the rest. Moving it is refused meanwhile.
    const live = await cli(['backup', join(root, 'live.backup')], { HUB_DATA_DIR: dataDir });
    expect(live).toMatchObject({ code: 0 });
    expect(live.out).toContain(`from the running hub, pid ${hub.child.pid}`);
    expect(live.out).toContain('the secret key is in the file');
    const file = await stat(join(root, 'live.backup'));
    expect(file.mode & 0o777).toBe(0o600);
    process.stdout.write(`backup of a running hub: ${file.size} bytes\n`);
    const refused = await cli(['migrate-to-postgres', 'postgresql://postgres@127.0.0.1:5432/unused'], { HUB_DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`a hub (pid ${hub.child.pid}) is running on ${dataDir}: stop it first`);
    await stopHub(hub);

    original = await embeddedContents(dataDir);
    expect(original.channels).toHaveLength(2);
    expect(original.messages.length).toBeGreaterThanOrEqual(3);
    const stopped = await cli(['backup', join(root, 'stopped.backup')], { HUB_DATA_DIR: dataDir });
    expect(stopped).toMatchObject({ code: 0 });
    expect(stopped.out).toContain('no hub running');

    for (const name of ['live', 'stopped']) {
      const target = join(root, `restored-${name}`);
      const restored = await cli(['restore', join(root, `${name}.backup`)], { HUB_DATA_DIR: target });
      expect(restored).toMatchObject({ code: 0 });
      expect(await readFile(join(target, 'secret.key'))).toEqual(await readFile(join(dataDir, 'secret.key')));
      // The Web Push key pair too: browsers' subscriptions are bound to it.
      expect(await readFile(join(target, 'vapid.json'))).toEqual(await readFile(join(dataDir, 'vapid.json')));
      const contents = await embeddedContents(target);
      expect(counts(contents)).toEqual(counts(original));
      expect(contents).toEqual(original);
    }

    // The copy made under load is one moment of the database: messages stored up to then, none invented.
    const busyCopy = join(root, 'restored-busy');
    expect(await cli(['restore', join(root, 'busy.backup')], { HUB_DATA_DIR: busyCopy })).toMatchObject({ code: 0 });
    const busyContents = await embeddedContents(busyCopy);
    const duringLoad = original.messages.filter((row) => row.includes('during the backup'));
    const copiedDuringLoad = busyContents.messages.filter((row) => row.includes('during the backup'));
    expect(copiedDuringLoad.every((row) => original.messages.includes(row))).toBe(true);
    expect(copiedDuringLoad.length).toBeLessThanOrEqual(duringLoad.length);
    process.stdout.write(`the backup under load holds ${copiedDuringLoad.length} of the ${duringLoad.length} messages sent meanwhile\n`);

    // The hub started on a restored directory runs on the backup's key (none is set), so the credentials still open.
    emailMessageId = JSON.parse(original.messages.find((row) => row.includes('SendGrid.jpg'))!).id;
    const teamId = JSON.parse(original.teams[0]).id;
    attachment = await readFile(join(dataDir, 'files', teamId, emailMessageId, '0'));
    const restoredHub = await startHub({ HUB_DATA_DIR: join(root, 'restored-live') });
    await expectWorkingHub(restoredHub);
    await stopHub(restoredHub);
  }, 600_000);

  it('refuses to restore into a directory that is not empty, and to read a file that is no backup, naming why', async () => {
    const full = join(root, 'full');
    await mkdir(full, { recursive: true });
    await writeFile(join(full, 'notes.txt'), 'mine');
    const nonEmpty = await cli(['restore', join(root, 'stopped.backup')], { HUB_DATA_DIR: full });
    expect(nonEmpty.code).toBe(1);
    expect(nonEmpty.out).toContain(`${full} is not empty (it holds notes.txt): restore into a new or empty directory`);
    expect(await readFile(join(full, 'notes.txt'), 'utf8')).toBe('mine');

    await writeFile(join(root, 'junk.backup'), 'not a backup');
    const junk = await cli(['restore', join(root, 'junk.backup')], { HUB_DATA_DIR: join(root, 'from-junk') });
    expect(junk.code).toBe(1);
    expect(junk.out).toContain('is not a Tsunagi backup');
  });

  it('moves a stopped hub to an empty PostgreSQL database: every row, the sequences, and a hub that starts on it with the same key', async () => {
    const env = await servicesEnv();
    const dataDir = join(root, 'restored-stopped');
    const moved = await cli(['migrate-to-postgres', env.DATABASE_URL], { HUB_DATA_DIR: dataDir });
    expect(moved).toMatchObject({ code: 0 });
    expect(moved.out).toMatch(/copied \d+ rows in \d+ tables/);
    const contents = await tableContents(env.DATABASE_URL);
    expect(counts(contents)).toEqual(counts(original));
    expect(contents).toEqual(original);

    const again = await cli(['migrate-to-postgres', env.DATABASE_URL], { HUB_DATA_DIR: dataDir });
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/the target database is not empty \(it holds public\.\S+/);

    const key = (await readFile(join(dataDir, 'secret.key'), 'utf8')).trim();
    const hub = await startHub({ DATABASE_URL: env.DATABASE_URL, HUB_SECRET_KEY: key, HUB_DATA_DIR: dataDir });
    await expectWorkingHub(hub);
    // New messages are numbered after the copied ones: the sequence moved with the rows.
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      const copiedMax = Math.max(...original.messages.map((row) => Number(JSON.parse(row).seq)));
      const after = await client.query<{ seq: string }>(`SELECT seq::text FROM messages WHERE body = 'after the move'`);
      expect(after.rows).toHaveLength(1);
      expect(Number(after.rows[0].seq)).toBeGreaterThan(copiedMax);
    } finally {
      await client.end();
    }
    await stopHub(hub);
  }, 300_000);
});
