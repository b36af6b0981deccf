import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createHmac, randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { formBody, signTwilioForm } from '../fakes/twilio-fake.js';
import { eventually } from './eventually.js';
import { collect, connect } from './sockets.js';
import { TestHub, TestHubOptions, TestMember, createTeam, startTestHub } from './test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'redelivery-auth-token-0000';
const LINE_SECRET = 'redelivery-line-secret';

/**
 * A provider that redelivers (a timeout on its side, a retry policy) must not make a second message: the same
 * webhook five times, three of them at once, stores one message and tells the agents once. Run on the embedded
 * database and on PostgreSQL, whose unique-violation paths differ.
 */
export function itStoresRedeliveredWebhooksOnce(env: () => Record<string, string>, options: () => TestHubOptions = () => ({})) {
  let hub: TestHub;
  let admin: TestMember;
  let agent: Socket;
  let twilioChannel: string;
  let lineChannel: string;

  beforeAll(async () => {
    hub = await startTestHub({ ...env(), PUBLIC_URL }, options());
    admin = (await createTeam(hub)).admin;
    twilioChannel = (
      await hub.http
        .post('/api/channels')
        .set(admin.auth)
        .send({ type: 'sms', provider: 'twilio', name: 'SMS', config: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550006' } })
        .expect(201)
    ).body.id;
    lineChannel = (
      await hub.http
        .post('/api/channels')
        .set(admin.auth)
        .send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: LINE_SECRET, channelAccessToken: 'token' } })
        .expect(201)
    ).body.id;
    agent = await connect(hub.url, '/inbox', { token: admin.token });
  });

  afterAll(async () => {
    agent?.close();
    await hub?.stop();
  });

  async function fiveTimes(send: () => Promise<unknown>) {
    await Promise.all([send(), send(), send()]);
    await send();
    await send();
    // Whatever the webhooks left to do in the background is done.
    await hub.infra.jobs.idle();
  }

  /**
   * Every event the deliveries caused has reached the agent: a new message sent after them arrives after them (one
   * connection keeps the order), so a second copy of the redelivered message cannot still be on its way.
   */
  async function afterEarlierEvents(created: { id: string; body: string }[]) {
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const params = { MessageSid: sid, AccountSid: ACCOUNT_SID, From: '+819087654321', To: '+15005550006', Body: `marker ${sid}`, NumMedia: '0' };
    const path = `/webhooks/twilio/${twilioChannel}`;
    const signature = signTwilioForm(AUTH_TOKEN, PUBLIC_URL + path, params);
    await request(hub.url).post(path).set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(formBody(params)).expect(200);
    await eventually(async () => created.some((m) => m.body === params.Body), Boolean);
  }

  /**
   * A redelivery is told to the agents again (the hub that stored the message may have stopped before telling them):
   * whatever they hear is the one stored message, under its one id, which the inbox shows once.
   */
  function expectOneMessageHeard(created: { id: string; body: string }[], body: string, storedId: string) {
    const heard = created.filter((m) => m.body === body);
    expect(heard.length).toBeGreaterThanOrEqual(1);
    expect(new Set(heard.map((m) => m.id))).toEqual(new Set([storedId]));
  }

  it('stores a Twilio message delivered five times (three at once) once, and the agent hears only that one message', async () => {
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const params = { MessageSid: sid, AccountSid: ACCOUNT_SID, From: '+819012345678', To: '+15005550006', Body: `twilio ${sid}`, NumMedia: '0' };
    const path = `/webhooks/twilio/${twilioChannel}`;
    const signature = signTwilioForm(AUTH_TOKEN, PUBLIC_URL + path, params);
    const created = collect<{ id: string; body: string }>(agent, 'message.created');
    await fiveTimes(() => request(hub.url).post(path).set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(formBody(params)).expect(200));
    const stored = await hub.infra.db.message.findMany({ where: { channelId: twilioChannel, eventKey: sid } });
    expect(stored).toHaveLength(1);
    await afterEarlierEvents(created);
    expectOneMessageHeard(created, params.Body, stored[0].id);
  });

  it('stores a LINE event delivered five times (three at once, the last ones marked isRedelivery) once', async () => {
    const eventId = `01J${randomBytes(12).toString('hex').toUpperCase()}`;
    const body = (redelivery: boolean) =>
      JSON.stringify({
        destination: 'U' + 'f'.repeat(32),
        events: [
          {
            type: 'message',
            mode: 'active',
            timestamp: Date.now(),
            source: { type: 'user', userId: 'U' + 'a'.repeat(32) },
            webhookEventId: eventId,
            deliveryContext: { isRedelivery: redelivery },
            replyToken: randomBytes(16).toString('hex'),
            message: { id: String(Date.now()), type: 'text', text: `line ${eventId}`, quoteToken: 'q' },
          },
        ],
      });
    const created = collect<{ id: string; body: string }>(agent, 'message.created');
    let n = 0;
    await fiveTimes(() => {
      const raw = body(n++ >= 3);
      const signature = createHmac('sha256', LINE_SECRET).update(raw).digest('base64');
      return request(hub.url).post(`/webhooks/line/${lineChannel}`).set('content-type', 'application/json').set('x-line-signature', signature).send(raw).expect(200);
    });
    const stored = await hub.infra.db.message.findMany({ where: { channelId: lineChannel, eventKey: eventId } });
    expect(stored).toHaveLength(1);
    await afterEarlierEvents(created);
    expectOneMessageHeard(created, `line ${eventId}`, stored[0].id);
  });
}
