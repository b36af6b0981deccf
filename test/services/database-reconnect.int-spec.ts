import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { HubProcess, startHubProcess } from '../support/hub-process.js';
import { eventually } from '../support/eventually.js';
import { servicesEnv } from './services-env.js';

// Found by the cluster suite: PostgreSQL restarted, failed over, or an operator ended the hub's sessions
// (pg_terminate_backend). The hub must serve again from fresh connections, without a restart of its own.
describe('A hub whose database connections are all terminated', () => {
  let hub: HubProcess;
  let databaseUrl: string;
  let line: LineFake;

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: 'reconnect-token' });
    const services = await servicesEnv();
    const env = { ...services, PORT: '0', HUB_ADMIN_EMAIL: 'admin@reconnect.example', HUB_ADMIN_PASSWORD: 'correct horse', HUB_TEAM_NAME: 'Reconnect' };
    databaseUrl = services.DATABASE_URL;
    hub = await startHubProcess(env);
  });

  afterAll(async () => {
    await hub?.stop();
    await line?.close();
  });

  async function terminateAll(): Promise<number> {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ ended: boolean }>('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      return rows.filter((row) => row.ended).length;
    } finally {
      await admin.end();
    }
  }

  const login = () => request(hub.url).post('/api/auth/login').send({ email: 'admin@reconnect.example', password: 'correct horse' });

  it('answers readiness and sign-ins again within seconds, whether its connections were idle or busy', async () => {
    const session = await login().expect(200);
    const auth = { Authorization: `Bearer ${session.body.accessToken}` };
    // Every connection of the pool in use at once, so that each is open when it is ended.
    await Promise.all(Array.from({ length: 20 }, () => request(hub.url).get('/api/conversations').set(auth)));
    expect(await terminateAll()).toBeGreaterThan(0);
    // Requests while the connections go: some may fail, none may hang the hub.
    await Promise.all(Array.from({ length: 20 }, () => request(hub.url).get('/api/conversations').set(auth).catch(() => null)));
    await eventually(async () => (await request(hub.url).get('/health/ready')).status, (status) => status === 200, 20_000);
    await eventually(async () => (await login()).status, (status) => status === 200, 20_000);
    await eventually(async () => (await request(hub.url).get('/api/conversations').set(auth)).status, (status) => status === 200, 20_000);
  });

  it('serves again when its connections are ended in the middle of webhook transactions', async () => {
    const session = await login().expect(200);
    const auth = { Authorization: `Bearer ${session.body.accessToken}` };
    const channel = await request(hub.url)
      .post('/api/channels')
      .set(auth)
      .send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: 'reconnect-secret', channelAccessToken: 'reconnect-token', apiBaseUrl: line.url } })
      .expect(201);
    let n = 0;
    const webhook = () => {
      const id = n++;
      const event = { type: 'message', mode: 'active', timestamp: Date.now(), source: { type: 'user', userId: `U${String(id).padStart(32, '0')}` }, webhookEventId: `01RECONNECT${String(id).padStart(15, '0')}`, deliveryContext: { isRedelivery: false }, message: { id: String(1000 + id), type: 'text', text: `m${id}` } };
      const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events: [event] });
      return request(hub.url).post(`/webhooks/line/${channel.body.id}`).set('content-type', 'application/json').set('x-line-signature', signLineBody('reconnect-secret', body)).send(body).then(
        (response) => response.status,
        () => 0,
      );
    };
    for (let round = 0; round < 3; round++) {
      const burst = Promise.all(Array.from({ length: 40 }, webhook));
      await terminateAll();
      await burst;
    }
    await eventually(async () => (await request(hub.url).get('/health/ready')).status, (status) => status === 200, 20_000);
    await eventually(async () => (await login()).status, (status) => status === 200, 20_000);
    await eventually(webhook, (status) => status === 200, 20_000);
  });
});
