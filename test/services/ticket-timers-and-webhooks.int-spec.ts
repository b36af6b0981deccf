import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { systemClock } from '../../src/common/clock.js';
import { formBody, signTwilioForm } from '../fakes/twilio-fake.js';
import { startWebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import type { WebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import { eventually } from '../support/eventually.js';
import { HubProcess, startHubProcess } from '../support/hub-process.js';
import { servicesEnv } from './services-env.js';

const ACCOUNT_SID = 'AC' + 'd'.repeat(32);
const AUTH_TOKEN = 'timers-auth-token-0000000';
const ADMIN = { email: 'admin@timers.example', password: 'correct horse' };

/**
 * The clock-driven work of follow-ups on the queue a deployment runs, BullMQ on Redis, whose delays are real time (the
 * e2e suite moves a fake clock over the in-process queue instead): a ticket's reminder and its due time, and an
 * outgoing webhook's retry, each with the hub killed before it fell due. Each happens once, and a conversation's
 * deliveries arrive in order.
 */
describe('Ticket timers and webhook retries on BullMQ across a SIGKILL (PostgreSQL, Redis)', () => {
  let env: Record<string, string>;
  let receiver: WebhookReceiverFake;
  let db: pg.Client;
  const running: HubProcess[] = [];

  beforeAll(async () => {
    env = { ...(await servicesEnv()), PORT: '0', HUB_ADMIN_EMAIL: ADMIN.email, HUB_ADMIN_PASSWORD: ADMIN.password, HUB_TEAM_NAME: 'Timers' };
    receiver = await startWebhookReceiverFake(systemClock);
    db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
  });

  afterEach(async () => {
    for (const hub of running.splice(0)) if (hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop();
  });

  afterAll(async () => {
    await db?.end();
    await receiver?.close();
  });

  async function start(): Promise<{ hub: HubProcess; auth: Record<string, string> }> {
    const hub = await startHubProcess(env);
    running.push(hub);
    const session = await request(hub.url).post('/api/auth/login').send(ADMIN).expect(200);
    return { hub, auth: { Authorization: `Bearer ${session.body.accessToken}` } };
  }

  async function kill(hub: HubProcess): Promise<void> {
    const exited = new Promise((resolve) => hub.child.once('exit', resolve));
    hub.child.kill('SIGKILL');
    await exited;
  }

  const activities = async (ticketId: string) =>
    (await db.query<{ kind: string }>('SELECT kind FROM ticket_activities WHERE ticket_id = $1 ORDER BY created_at, id', [ticketId])).rows.map((row) => row.kind);

  it('reminds and turns a ticket overdue once each, with the hub killed before either fell due', async () => {
    const { hub, auth } = await start();
    const now = Date.now();
    const ticket = await request(hub.url)
      .post('/api/tickets')
      .set(auth)
      .send({ title: '折り返しの電話', remindAt: new Date(now + 4_000).toISOString(), dueAt: new Date(now + 8_000).toISOString() })
      .expect(201);
    await kill(hub);
    // Killed before the reminder fell due: both moments are the restarted hub's to act on.
    expect(Date.now()).toBeLessThan(now + 4_000);

    const { hub: again, auth: againAuth } = await start();
    // The restart scheduled both moments again beside the jobs Redis kept: one of each runs (the reminder, 4 s before
    // the due time, had its turn by then).
    await eventually(() => activities(ticket.body.id), (kinds) => kinds.includes('overdue'), 30_000);
    expect((await activities(ticket.body.id)).filter((kind) => kind === 'reminded' || kind === 'overdue')).toEqual(['reminded', 'overdue']);
    const overdue = await request(again.url).get('/api/tickets').query({ view: 'overdue' }).set(againAuth).expect(200);
    expect(overdue.body.items.map((item: { id: string }) => item.id)).toEqual([ticket.body.id]);
  }, 120_000);

  it('delivers a conversation’s ticket events once each and in order to a receiver that was down across a kill', async () => {
    const { hub, auth } = await start();
    const endpoint = await request(hub.url).post('/api/webhooks/endpoints').set(auth).send({ url: `${receiver.url}/reservations`, events: ['ticket.*'] }).expect(201);
    receiver.secrets.set('/reservations', endpoint.body.secret);
    receiver.down.add('/reservations');

    const channel = await request(hub.url)
      .post('/api/channels')
      .set(auth)
      .send({ type: 'sms', provider: 'twilio', name: 'SMS', config: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550006' } })
      .expect(201);
    const path = `/webhooks/twilio/${channel.body.id}`;
    const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: '+819055501234', To: '+15005550006', Body: '予約を変えたい', NumMedia: '0' };
    // The hub signs against its public URL, which is http://localhost:<PORT> with PORT=0.
    await request(hub.url).post(path).set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signTwilioForm(AUTH_TOKEN, `http://localhost:0${path}`, params)).send(formBody(params)).expect(200);
    const conversationId = (await db.query<{ id: string }>('SELECT id FROM conversations WHERE channel_id = $1', [channel.body.id])).rows[0].id;

    const ticket = await request(hub.url).post(`/api/conversations/${conversationId}/tickets`).set(auth).send({ title: '予約の変更' }).expect(201);
    await request(hub.url).patch(`/api/tickets/${ticket.body.id}`).set(auth).send({ priority: 'high' }).expect(200);
    await request(hub.url).patch(`/api/tickets/${ticket.body.id}`).set(auth).send({ status: 'solved' }).expect(200);
    // Four events: created, updated (priority), and the solve's updated and solved. The first delivery failed against
    // the receiver that is down; the later ones wait behind it.
    const failures = async () => (await db.query<{ failures: number }>('SELECT failures FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY seq', [endpoint.body.id])).rows.map((row) => row.failures);
    await eventually(failures, (counts) => counts.length >= 1 && counts[0] >= 1, 20_000);
    await kill(hub);

    receiver.down.delete('/reservations');
    await start();
    // Delivered rows are never attempted again: once all four are, the receiver has all it will ever get.
    const states = async () => (await db.query<{ state: string }>('SELECT state FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.body.id])).rows.map((row) => row.state);
    await eventually(states, (all) => all.length === 4 && all.every((state) => state === 'delivered'), 60_000);
    const received = receiver.received.filter((hit) => hit.path === '/reservations');
    expect(received.map((hit) => hit.type)).toEqual(['ticket.created', 'ticket.updated', 'ticket.updated', 'ticket.solved']);
    expect(new Set(received.map((hit) => hit.id)).size).toBe(4);
    expect(receiver.unverified).toBe(0);
  }, 180_000);
});
