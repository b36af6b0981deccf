import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { postSignedTwilioForm } from '../fakes/twilio-fake.js';
import { eventually } from '../support/eventually.js';
import { HubProcess, freePort, startHubProcess } from '../support/hub-process.js';
import { servicesEnv } from './services-env.js';

const ACCOUNT_SID = 'AC' + 'd'.repeat(32);
/** How soon a change made through one process must hold on the other. */
const WITHIN_MS = 2_000;

let sid = 0;
const newSid = () => `SM${(Date.now().toString(16) + (sid++).toString(16)).padStart(32, '0')}`;

// The channel account and the team's settings are read on every webhook, so each process caches them for minutes;
// a change written through one process must still reach the others' caches within about a second.
describe('Caches of channel accounts and team settings across two hub processes', () => {
  let a: HubProcess;
  let b: HubProcess;
  let databaseUrl: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const services = await servicesEnv();
    databaseUrl = services.DATABASE_URL;
    const env = { ...services, HOST: '127.0.0.1', HUB_ADMIN_EMAIL: 'admin@caches.example', HUB_ADMIN_PASSWORD: 'correct horse', HUB_TEAM_NAME: 'Caches' };
    // Each process is its own public address: a webhook is signed over the URL it is posted to.
    const at = async () => {
      const port = await freePort();
      return { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
    };
    a = await startHubProcess({ ...env, ...(await at()) });
    b = await startHubProcess({ ...env, ...(await at()) });
    const session = await request(a.url).post('/api/auth/login').send({ email: 'admin@caches.example', password: 'correct horse' }).expect(200);
    auth = { Authorization: `Bearer ${session.body.accessToken}` };
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  async function smsChannel(authToken: string): Promise<string> {
    const config = { accountSid: ACCOUNT_SID, authToken, apiBaseUrl: 'http://127.0.0.1:9', from: '+15005550006', sendsPerSecond: 200 };
    return (await request(a.url).post('/api/channels').set(auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config }).expect(201)).body.id;
  }

  /** The status process `hub` answers to an SMS webhook signed with `authToken`. */
  async function sms(hub: HubProcess, channelId: string, authToken: string, from: string, body: string): Promise<number> {
    const params = { MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: from, To: '+15005550006', Body: body, NumMedia: '0' };
    return (await postSignedTwilioForm(hub.url, hub.url, `/webhooks/twilio/${channelId}`, authToken, params)).status;
  }

  async function within<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<void> {
    const began = Date.now();
    await eventually(read, ok, WITHIN_MS);
    expect(Date.now() - began).toBeLessThanOrEqual(WITHIN_MS);
  }

  async function admin<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query<T>(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  it('refuses the old webhook secret on B and takes the new one, once it is rotated through A', async () => {
    const channel = await smsChannel('old-token-0123456789');
    // B reads the channel and keeps it.
    expect(await sms(b, channel, 'old-token-0123456789', '+819011110001', 'before')).toBe(200);

    await request(a.url).patch(`/api/channels/${channel}`).set(auth).send({ config: { authToken: 'new-token-0123456789' } }).expect(200);

    await within(() => sms(b, channel, 'old-token-0123456789', '+819011110001', 'old secret'), (status) => status === 401);
    expect(await sms(b, channel, 'new-token-0123456789', '+819011110001', 'new secret')).toBe(200);
  });

  it('refuses webhooks on B for a channel switched off through A, and takes them again once it is on', async () => {
    const channel = await smsChannel('switch-token-0123456789');
    expect(await sms(b, channel, 'switch-token-0123456789', '+819011110002', 'on')).toBe(200);

    await request(a.url).patch(`/api/channels/${channel}`).set(auth).send({ active: false }).expect(200);
    await within(() => sms(b, channel, 'switch-token-0123456789', '+819011110002', 'off'), (status) => status === 403);

    await request(a.url).patch(`/api/channels/${channel}`).set(auth).send({ active: true }).expect(200);
    await within(() => sms(b, channel, 'switch-token-0123456789', '+819011110002', 'on again'), (status) => status === 200);
  });

  it('answers the team’s new consent keywords on B once they are changed through A', async () => {
    const channel = await smsChannel('keyword-token-0123456789');
    const contact = async (phone: string) => (await request(a.url).post('/api/contacts').set(auth).send({ name: 'Keyword', phone }).expect(201)).body.id as string;
    const consentOf = async (id: string) => (await request(a.url).get(`/api/contacts/${id}`).set(auth).expect(200)).body.consent.sms as string;
    // B knows the default keywords: STOP opts out.
    const before = await contact('090-2222-0001');
    expect(await sms(b, channel, 'keyword-token-0123456789', '+819022220001', 'STOP')).toBe(200);
    await eventually(() => consentOf(before), (state) => state === 'opted_out');

    await request(a.url)
      .patch('/api/teams/current')
      .set(auth)
      .send({ settings: { consentKeywords: { optOut: ['BYE'], optIn: ['HI'], help: ['?'] } } })
      .expect(200);

    // Each try is a new message from the same person; once B knows BYE, the one it reads opts them out.
    const after = await contact('090-2222-0002');
    await within(async () => {
      expect(await sms(b, channel, 'keyword-token-0123456789', '+819022220002', 'bye')).toBe(200);
      return consentOf(after);
    }, (state) => state === 'opted_out');
  });

  // A notification sent while a process does not listen is lost to it for good: after its listening connection is
  // ended (an operator's pg_terminate_backend, a database restart), B must not trust what it kept.
  it('sees on B a change made while B’s listening connection was cut, once it listens again', async () => {
    const channel = await smsChannel('cut-token-0123456789');
    expect(await sms(b, channel, 'cut-token-0123456789', '+819011110003', 'before the cut')).toBe(200);
    const listenerOfB = `tsunagi cache invalidation ${b.child.pid}`;
    // The target list runs after the filter: only B's listening connection is ended.
    const cut = await admin<{ ended: boolean }>('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1', [listenerOfB]);
    expect(cut).toEqual([{ ended: true }]);

    await request(a.url).patch(`/api/channels/${channel}`).set(auth).send({ active: false }).expect(200);
    const [{ changedAt }] = await admin<{ changedAt: Date }>('SELECT now() AS "changedAt"');

    // The change was made in the gap: B's new listening connection started after it, so B never heard it.
    const [listening] = await eventually(
      () => admin<{ since: Date }>('SELECT backend_start AS since FROM pg_stat_activity WHERE application_name = $1', [listenerOfB]),
      (rows) => rows.length === 1,
      10_000,
    );
    expect(listening.since.getTime()).toBeGreaterThan(changedAt.getTime());
    await within(() => sms(b, channel, 'cut-token-0123456789', '+819011110003', 'after the cut'), (status) => status === 403);
  });
});
