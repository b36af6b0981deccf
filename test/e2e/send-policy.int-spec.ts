import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { formBody, signTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { eventually } from '../support/eventually.js';
import { connect, nextEvent } from '../support/sockets.js';
import { TestHub, addMember, createTeam, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-send-policy';
const FROM = '+15005550006';

let sidCounter = 0;
const newSid = () => `SM${(Date.now().toString(16) + (sidCounter++).toString(16)).padStart(32, '0')}`;

/** One way out: a reply, an approved draft and an automatic reply pass the same rules before anything is queued. */
describe('The send policy on the way out', () => {
  let hub: TestHub;
  let fake: TwilioFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let sms: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    hub = await startTestHub({ PUBLIC_URL });
    team = await createTeam(hub, 'みどり薬局');
    const config = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: fake.url, sendsPerSecond: 200, from: FROM };
    sms = (await hub.http.post('/api/channels').set(team.admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config }).expect(201)).body.id;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.stop();
    await fake?.close();
  });

  /** A customer's SMS, signed as Twilio signs it; resolves to its conversation. */
  async function customerSms(from: string, body: string): Promise<string> {
    const params = { MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: from, To: FROM, Body: body, NumMedia: '0' };
    const path = `/webhooks/twilio/${sms}`;
    await request(hub.url)
      .post(path)
      .set('content-type', 'application/x-www-form-urlencoded')
      .set('x-twilio-signature', signTwilioForm(AUTH_TOKEN, PUBLIC_URL + path, params))
      .send(formBody(params))
      .expect(200);
    const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId: sms, eventKey: params.MessageSid } });
    return message.conversationId;
  }

  const sentTo = (phone: string) => fake.sent.filter((message) => message.form.To === phone).map((message) => message.form.Body);

  // Guards the second way out: approval wrote the delivery itself and skipped consent, so a draft approved after
  // STOP answered 200 and only failed later in the outbox.
  it('refuses to approve a trainee’s draft after the customer’s STOP, with opted_out, and keeps the draft pending', async () => {
    const trainee = await addMember(hub, team, { name: '見習い 一郎', training: true });
    const supervisor = await addMember(hub, team, { name: '薬剤師 花子', role: 'supervisor' });
    const phone = '+819055550001';
    const conversationId = await customerSms(phone, '処方箋の受け取りは何時までですか');
    const draft = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(trainee.auth).send({ body: '19時までです。' }).expect(201);
    expect(draft.body.status).toBe('pending_approval');

    await customerSms(phone, 'STOP');
    const refused = await hub.http.post(`/api/messages/${draft.body.id}/approve`).set(supervisor.auth).expect(409);
    expect(refused.body).toMatchObject({ code: 'opted_out', message: expect.stringContaining('STOP') });

    // Still awaiting approval, so the supervisor sees it (and may reject it with feedback); nothing was queued.
    const stored = await hub.infra.db.message.findUniqueOrThrow({ where: { id: draft.body.id } });
    expect(stored).toMatchObject({ status: 'pending_approval', reviewedById: null });
    expect(await hub.infra.db.delivery.count({ where: { messageId: draft.body.id } })).toBe(0);
    const drafts = await hub.http.get('/api/drafts').set(supervisor.auth).expect(200);
    expect(drafts.body.items.map((d: { id: string }) => d.id)).toContain(draft.body.id);
    expect(sentTo(phone)).toEqual([]);
  });

  it('tells every agent the conversation changed when a draft is approved, as a reply does', async () => {
    const trainee = await addMember(hub, team, { name: '見習い 二郎', training: true });
    const supervisor = await addMember(hub, team, { name: '薬剤師 三郎', role: 'supervisor' });
    const phone = '+819055550002';
    const conversationId = await customerSms(phone, '在庫はありますか');
    const draft = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(trainee.auth).send({ body: 'ございます。' }).expect(201);
    expect((await hub.http.get(`/api/conversations/${conversationId}`).set(supervisor.auth).expect(200)).body.unreplied).toBe(true);

    const agent = await connect(hub.url, '/inbox', { token: team.admin.token });
    sockets.push(agent);
    const updated = nextEvent<{ id: string; unreplied: boolean }>(agent, 'conversation.updated', (c) => c.id === conversationId && !c.unreplied);
    await hub.http.post(`/api/messages/${draft.body.id}/approve`).set(supervisor.auth).expect(200);
    expect(await updated).toMatchObject({ id: conversationId, unreplied: false });
    await eventually(async () => sentTo(phone), (sent) => sent.length === 1);
    expect(sentTo(phone)).toEqual(['ございます。']);
  });

  // Guards a capability declared and never read: a 2,000-character SMS was accepted (201) and failed at Twilio.
  it('refuses an SMS longer than Twilio’s 1,600 characters at the API, naming the limit, and takes one at the limit', async () => {
    const phone = '+819055550003';
    const conversationId = await customerSms(phone, '長い説明をお願いします');
    const tooLong = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(team.admin.auth).send({ body: 'あ'.repeat(2000) }).expect(422);
    expect(tooLong.body).toMatchObject({ code: 'text_too_long', message: expect.stringContaining('1,600') });
    expect(tooLong.body.details).toMatchObject({ maxTextLength: 1600, length: 2000 });
    expect(await hub.infra.db.message.count({ where: { conversationId, direction: 'out' } })).toBe(0);

    const canSend = await hub.http.get(`/api/conversations/${conversationId}/can-send`).set(team.admin.auth).expect(200);
    expect(canSend.body).toMatchObject({ ok: true, maxTextLength: 1600 });

    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(team.admin.auth).send({ body: 'い'.repeat(1600) }).expect(201);
    await eventually(async () => sentTo(phone), (sent) => sent.length === 1);
  });
});
