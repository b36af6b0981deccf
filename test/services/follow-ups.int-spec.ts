import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { formBody, signTwilioForm } from '../fakes/twilio-fake.js';
import { eventually } from '../support/eventually.js';
import { HubProcess, startHubProcess } from '../support/hub-process.js';
import { servicesEnv } from './services-env.js';

const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
const AUTH_TOKEN = 'follow-ups-auth-token-000';
const ADMIN = { email: 'admin@follow-ups.example', password: 'correct horse' };
const CONVERSATIONS = 6;

/**
 * What follows a new message (routing's offers first of all) is durable: a hub killed right after committing
 * messages, before their follow-ups ran or after they ran but before they were marked done, offers each of those
 * conversations exactly once after its restart. The crash point is held by HUB_TEST_HOLD_FOLLOW_UPS (honoured under
 * NODE_ENV=test only), so the kill lands there every time.
 */
describe('Follow-ups of new messages across a SIGKILL (PostgreSQL, Redis)', () => {
  let base: Record<string, string>;
  const running: HubProcess[] = [];

  beforeAll(async () => {
    base = { ...(await servicesEnv()), PORT: '0', HUB_ADMIN_EMAIL: ADMIN.email, HUB_ADMIN_PASSWORD: ADMIN.password, HUB_TEAM_NAME: 'Follow-ups' };
  });

  afterEach(async () => {
    for (const hub of running.splice(0)) if (hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop();
  });

  async function start(env: Record<string, string>): Promise<HubProcess> {
    const hub = await startHubProcess(env);
    running.push(hub);
    return hub;
  }

  async function kill(hub: HubProcess): Promise<void> {
    const exited = new Promise((resolve) => hub.child.once('exit', resolve));
    hub.child.kill('SIGKILL');
    await exited;
  }

  for (const hold of ['before', 'after'] as const) {
    it(`offers each new conversation exactly once after a kill ${hold} its follow-ups ran`, async () => {
      // A database of its own: the offers counted are this case's only.
      const env: Record<string, string> = { ...base, ...(await servicesEnv()), NODE_ENV: 'test' };
      const db = new pg.Client({ connectionString: env.DATABASE_URL });
      const first = await start({ ...env, HUB_TEST_HOLD_FOLLOW_UPS: hold });
      await db.connect();
      try {
        const session = await request(first.url).post('/api/auth/login').send(ADMIN).expect(200);
        const auth = { Authorization: `Bearer ${session.body.accessToken}` };
        await request(first.url).put('/api/members/me/status').set(auth).send({ status: 'online' }).expect(200);
        // Long enough that no offer expires (and none is made again from the queue) while the test runs.
        await request(first.url).patch('/api/teams/current').set(auth).send({ settings: { offerTimeoutSeconds: 3600 } }).expect(200);
        const channel = await request(first.url)
          .post('/api/channels')
          .set(auth)
          .send({ type: 'sms', provider: 'twilio', name: 'SMS', config: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550006' } })
          .expect(201);
        const path = `/webhooks/twilio/${channel.body.id}`;
        // The hub signs against its public URL, which is http://localhost:<PORT> with PORT=0.
        const publicUrl = 'http://localhost:0';
        for (let i = 0; i < CONVERSATIONS; i++) {
          const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: `+8190555000${i}`, To: '+15005550006', Body: `hello ${i}`, NumMedia: '0' };
          await request(first.url)
            .post(path)
            .set('content-type', 'application/x-www-form-urlencoded')
            .set('x-twilio-signature', signTwilioForm(AUTH_TOKEN, publicUrl + path, params))
            .send(formBody(params))
            .expect(200);
        }
        // Answered 200: committed, with the follow-up marker beside each message.
        expect(Number((await db.query('SELECT count(*) FROM messages WHERE follow_up IS NOT NULL')).rows[0].count)).toBe(CONVERSATIONS);
        if (hold === 'after') {
          // The offers were made; only the marker saying so is left.
          await eventually(async () => Number((await db.query('SELECT count(*) FROM offers')).rows[0].count), (count) => count === CONVERSATIONS);
        } else {
          expect(Number((await db.query('SELECT count(*) FROM offers')).rows[0].count)).toBe(0);
        }
        await kill(first);

        const second = await start(env);
        await eventually(async () => Number((await db.query('SELECT count(*) FROM messages WHERE follow_up IS NOT NULL')).rows[0].count), (count) => count === 0);
        // Nothing is still under way that could add an offer: the restart's follow-ups are done, and no offer expires.
        const offers = await db.query<{ conversation_id: string; offers: string }>(
          'SELECT c.id AS conversation_id, count(o.id) AS offers FROM conversations c LEFT JOIN offers o ON o.conversation_id = c.id GROUP BY c.id',
        );
        expect(offers.rows).toHaveLength(CONVERSATIONS);
        expect(offers.rows.map((row) => Number(row.offers))).toEqual(Array(CONVERSATIONS).fill(1));
        await second.stop();
      } finally {
        await db.end();
      }
      // Two starts of a migrating hub on shared cores.
    }, 240_000);
  }
});
