import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { formBody, signTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import type { Params } from '../fakes/http-fake.js';
import { connect, nextEvent, sleep } from '../support/sockets.js';
import { ChannelsService } from '../../src/channels/index.js';
import { TestHub, TestMember, createTeam, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-0123456789';
const providers = join(process.cwd(), 'test', 'fixtures', 'providers', 'twilio');
const fixtureParams = (name: string): Params => Object.fromEntries(new URLSearchParams(readFileSync(join(providers, name), 'utf8')));

let sidCounter = 0;
const newSid = () => `SM${(Date.now().toString(16) + (sidCounter++).toString(16)).padStart(32, '0')}`;

describe('SMS and WhatsApp through Twilio', () => {
  let hub: TestHub;
  let admin: TestMember;
  let fake: TwilioFake;
  let sms: string;
  let whatsapp: string;
  let agent: Socket;

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    hub = await startTestHub({ PUBLIC_URL });
    admin = (await createTeam(hub)).admin;
    const config = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: fake.url, sendsPerSecond: 200 };
    sms = (await hub.http.post('/api/channels').set(admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config: { ...config, from: '+15005550006' } }).expect(201)).body.id;
    whatsapp = (
      await hub.http
        .post('/api/channels')
        .set(admin.auth)
        .send({ type: 'whatsapp', provider: 'twilio', name: 'WhatsApp', config: { ...config, from: 'whatsapp:+14155238886' } })
        .expect(201)
    ).body.id;
    agent = await connect(hub.url, '/inbox', { token: admin.token });
  });

  afterAll(async () => {
    agent?.close();
    await hub?.stop();
    await fake?.close();
  });

  /** Posts a webhook to the hub, signed as Twilio signs it for the URL it was told (PUBLIC_URL + path). */
  function webhook(channelId: string, params: Params, options: { hook?: string; signature?: string; authToken?: string } = {}) {
    const path = `/webhooks/twilio/${channelId}${options.hook ? `/${options.hook}` : ''}`;
    const signature = options.signature ?? signTwilioForm(options.authToken ?? AUTH_TOKEN, PUBLIC_URL + path, params);
    return request(hub.url).post(path).set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(formBody(params));
  }

  async function counts() {
    const db = hub.infra.db;
    return { messages: await db.message.count(), contacts: await db.contact.count(), conversations: await db.conversation.count(), events: await db.contactEvent.count() };
  }

  async function statusOf(messageId: string, wanted: string[], timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await hub.infra.db.message.findUniqueOrThrow({ where: { id: messageId } });
      if (wanted.includes(row.status)) return row;
      if (Date.now() > deadline) throw new Error(`message still ${row.status}, wanted ${wanted.join('/')}`);
      await sleep(25);
    }
  }

  async function inbound(channelId: string, from: string, body: string) {
    const params = { MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: from, To: '+15005550006', Body: body, NumMedia: '0' };
    await webhook(channelId, params).expect(200);
    const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId, eventKey: params.MessageSid } });
    return { params, conversationId: message.conversationId };
  }

  it('takes the botbuilder SMS fixture in: a contact, a conversation, a message, and TwiML back', async () => {
    const params = fixtureParams('inbound-sms-no-media.botbuilder-fixture.txt');
    const response = await webhook(sms, params).expect(200);
    expect(response.headers['content-type']).toMatch(/text\/xml/);
    expect(response.text).toContain('<Response/>');
    const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId: sms, eventKey: params.MessageSid as string }, include: { conversation: { include: { contact: { include: { identities: true } } } } } });
    expect(message).toMatchObject({ body: 'Hello', direction: 'in', status: 'received' });
    expect(message.conversation.contact.identities).toEqual([expect.objectContaining({ kind: 'phone', address: '+571138050810' })]);
  });

  it('makes one contact and one conversation when a new number’s first messages arrive at once, each message kept', async () => {
    // On PostgreSQL the racing statements really overlap: the losers fail on the identity's key and run again.
    const from = '+819055501234';
    const bodies = ['はじめまして', '予約したいです', '明日', '14時', 'お願いします', '葛西です'];
    const before = await counts();

    const outcomes = await Promise.all(bodies.map((body) => inbound(sms, from, body)));

    expect(new Set(outcomes.map((o) => o.conversationId)).size).toBe(1);
    expect(await counts()).toMatchObject({ messages: before.messages + bodies.length, contacts: before.contacts + 1, conversations: before.conversations + 1 });
    const contact = await hub.infra.db.contact.findFirstOrThrow({ where: { identities: { some: { address: from } } }, include: { identities: true } });
    expect(contact.identities).toHaveLength(1);
  });

  it('keeps MMS media as attachments', async () => {
    const params = { ...fixtureParams('inbound-mms-one-media.botbuilder-fixture.txt'), MessageSid: newSid() };
    await webhook(sms, params).expect(200);
    const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId: sms, eventKey: params.MessageSid } });
    expect(message.attachments).toEqual([{ url: 'www.google.com', contentType: 'json' }]);
  });

  it('refuses unsigned, badly signed and tampered webhooks with 401, and writes nothing', async () => {
    const params = { MessageSid: newSid(), From: '+819011112222', To: '+15005550006', Body: 'こんにちは', NumMedia: '0' };
    const before = await counts();
    const missing = await request(hub.url).post(`/webhooks/twilio/${sms}`).set('content-type', 'application/x-www-form-urlencoded').send(formBody(params)).expect(401);
    expect(missing.body.code).toBe('signature_missing');
    const wrongToken = await webhook(sms, params, { authToken: 'another-auth-token-000000' }).expect(401);
    expect(wrongToken.body).toMatchObject({ code: 'signature_invalid', message: expect.stringContaining('PUBLIC_URL') });
    const signature = signTwilioForm(AUTH_TOKEN, `${PUBLIC_URL}/webhooks/twilio/${sms}`, params);
    await request(hub.url)
      .post(`/webhooks/twilio/${sms}`)
      .set('content-type', 'application/x-www-form-urlencoded')
      .set('x-twilio-signature', signature)
      .send(formBody({ ...params, Body: 'こんにちわ' }))
      .expect(401);
    await webhook(sms, params, { signature: `sha1=${signature}` }).expect(401);
    // Signed for the SMS channel, posted to the WhatsApp one: another URL, so another signature.
    await request(hub.url).post(`/webhooks/twilio/${whatsapp}`).set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(formBody(params)).expect(401);
    expect(await counts()).toEqual(before);
  });

  // Redeliveries (five times, three at once): test/support/redelivery.scenario.ts, on both databases.

  it('records STOP as an opt-out on the contact, next to the message itself', async () => {
    const { conversationId } = await inbound(sms, '+819055556666', 'STOP');
    const conversation = await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    const events = await hub.http.get(`/api/contacts/${conversation.contactId}/events`).set(admin.auth).expect(200);
    expect(events.body.items).toEqual([expect.objectContaining({ kind: 'opt_out', channelId: sms, channelType: 'sms', detail: expect.objectContaining({ source: 'keyword', keyword: 'STOP' }) })]);
  });

  it('sends a reply through the SDK: Basic auth, form fields, status callback URL', async () => {
    const { conversationId } = await inbound(sms, '+819077778888', '明日は開いていますか');
    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: '10時から開いています' }).expect(201);
    const sent = await statusOf(reply.body.id, ['sent']);
    const request = fake.requests.find((r) => r.form?.Body === '10時から開いています')!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(request.form).toMatchObject({ To: '+819077778888', From: '+15005550006', StatusCallback: `${PUBLIC_URL}/webhooks/twilio/${sms}/status` });
    expect(sent.providerMessageId).toBe(fake.sent.find((m) => m.form.Body === '10時から開いています')!.sid);
  });

  it('sends WhatsApp replies to whatsapp: addresses', async () => {
    const { conversationId } = await inbound(whatsapp, 'whatsapp:+819012340000', 'hello');
    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'WhatsAppでどうぞ' }).expect(201);
    await statusOf(reply.body.id, ['sent']);
    expect(fake.requests.find((r) => r.form?.Body === 'WhatsAppでどうぞ')!.form).toMatchObject({ To: 'whatsapp:+819012340000', From: 'whatsapp:+14155238886' });
  });

  it('delivers once after a 500: retried with backoff, never dropped', async () => {
    const { conversationId } = await inbound(sms, '+819011110000', 'hi');
    fake.failNext({ status: 500 });
    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'after an outage' }).expect(201);
    const sent = await statusOf(reply.body.id, ['sent']);
    expect(fake.requests.filter((r) => r.form?.Body === 'after an outage')).toHaveLength(2);
    expect(fake.sent.filter((m) => m.form.Body === 'after an outage')).toHaveLength(1);
    expect(sent.error).toBeNull();
  });

  it('leaves 21610 (opted out) and 63016 (window closed) failed, with a sentence the agent understands', async () => {
    const { conversationId } = await inbound(sms, '+819022220000', 'hi');
    fake.failNext({ twilioError: 21610 });
    const optedOut = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'to an opted-out customer' }).expect(201);
    expect((await statusOf(optedOut.body.id, ['failed'])).error).toMatch(/replied STOP/);

    const chat = await inbound(whatsapp, 'whatsapp:+819022220001', 'hi');
    fake.failNext({ twilioError: 63016 });
    const late = await hub.http.post(`/api/conversations/${chat.conversationId}/messages`).set(admin.auth).send({ body: 'outside the window' }).expect(201);
    expect((await statusOf(late.body.id, ['failed'])).error).toMatch(/24 hours/);
    expect(fake.requests.filter((r) => r.form?.Body === 'outside the window')).toHaveLength(1);
  });

  // Guards the English sentences of twilio.errors.ts reaching a Japanese inbox: each failure carries a stable code,
  // Twilio's own number in its details, stored on the message and sent in the socket event.
  it('names a provider failure by a stable code, with Twilio’s code in its details, stored and sent', async () => {
    const { conversationId } = await inbound(sms, '+819055550000', 'hi');
    fake.failNext({ twilioError: 21211 });
    const failed = nextEvent<{ id: string; status: string; errorCode: string | null; errorDetails: unknown }>(agent, 'message.updated', (m) => m.status === 'failed');
    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'to a number that is not' }).expect(201);
    const row = await statusOf(reply.body.id, ['failed']);
    expect(row).toMatchObject({ errorCode: 'provider_rejected_number', errorDetails: { provider: 'twilio', providerCode: '21211', status: 400 } });
    expect(await failed).toMatchObject({ id: reply.body.id, errorCode: 'provider_rejected_number', errorDetails: { provider: 'twilio', providerCode: '21211' } });

    // A failed status callback is named the same way (30007: the carrier filtered it).
    const sent = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'filtered later' }).expect(201);
    const { providerMessageId: sid } = await statusOf(sent.body.id, ['sent']);
    await webhook(sms, { MessageSid: sid!, MessageStatus: 'undelivered', ErrorCode: '30007', AccountSid: ACCOUNT_SID }, { hook: 'status' }).expect(200);
    expect(await statusOf(sent.body.id, ['failed'])).toMatchObject({ errorCode: 'carrier_filtered', errorDetails: { provider: 'twilio', providerCode: '30007' } });
    const listed = await hub.http.get(`/api/conversations/${conversationId}/messages`).set(admin.auth).expect(200);
    expect(listed.body.items.find((m: { id: string }) => m.id === sent.body.id)).toMatchObject({ errorCode: 'carrier_filtered', errorDetails: { providerCode: '30007' } });
  });

  it('refuses to withdraw an SMS with a code, before trying: a text once sent is the customer’s', async () => {
    const { conversationId } = await inbound(sms, '+819055550001', 'hi');
    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'cannot take back' }).expect(201);
    await statusOf(reply.body.id, ['sent']);
    const calls = fake.requests.length;
    const refused = await hub.http.post(`/api/conversations/${conversationId}/messages/${reply.body.id}/withdraw`).set(admin.auth).expect(422);
    expect(refused.body).toMatchObject({ code: 'withdraw_unsupported', details: { channel: 'sms' } });
    expect(fake.requests.length).toBe(calls);
    expect((await hub.infra.db.message.findUniqueOrThrow({ where: { id: reply.body.id } })).unsentAt).toBeNull();
  });

  it('refuses WhatsApp free text 24 hours after the customer’s last message, before queueing it', async () => {
    const { conversationId } = await inbound(whatsapp, 'whatsapp:+819033330000', 'hi');
    await hub.infra.db.conversation.update({ where: { id: conversationId }, data: { lastCustomerMessageAt: new Date(Date.now() - 25 * 3_600_000) } });
    const refused = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'too late' }).expect(409);
    expect(refused.body.code).toBe('reply_window_closed');
    expect(await hub.infra.db.message.count({ where: { conversationId, body: 'too late' } })).toBe(0);
    // SMS has no window.
    const smsChat = await inbound(sms, '+819033330001', 'hi');
    await hub.infra.db.conversation.update({ where: { id: smsChat.conversationId }, data: { lastCustomerMessageAt: new Date(Date.now() - 25 * 3_600_000) } });
    await hub.http.post(`/api/conversations/${smsChat.conversationId}/messages`).set(admin.auth).send({ body: 'SMS any time' }).expect(201);
  });

  it('moves status forward only, whatever order the callbacks arrive in', async () => {
    const { conversationId } = await inbound(sms, '+819044440000', 'hi');
    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'track me' }).expect(201);
    const { providerMessageId: sid } = await statusOf(reply.body.id, ['sent']);
    const callback = (status: string, extra: Params = {}) => webhook(sms, { MessageSid: sid!, MessageStatus: status, AccountSid: ACCOUNT_SID, ...extra }, { hook: 'status' }).expect(200);
    await callback('delivered');
    await callback('sent');
    await callback('queued');
    expect((await hub.infra.db.message.findUniqueOrThrow({ where: { id: reply.body.id } })).status).toBe('delivered');
    await callback('undelivered', { ErrorCode: '30003' });
    expect((await hub.infra.db.message.findUniqueOrThrow({ where: { id: reply.body.id } })).status).toBe('delivered');
    await callback('read');
    await callback('delivered');
    expect((await hub.infra.db.message.findUniqueOrThrow({ where: { id: reply.body.id } })).status).toBe('read');
  });

  it('keeps a status callback that beats the send’s own answer, and applies it when the answer comes', async () => {
    const { conversationId } = await inbound(sms, '+819055550000', 'hi');
    fake.failNext({ delayMs: 800 });
    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'quick carrier' }).expect(201);
    // Twilio has created the message (and may call back) while our request still waits for the 201.
    const deadline = Date.now() + 5_000;
    while (!fake.sent.some((m) => m.form.Body === 'quick carrier') && Date.now() < deadline) await sleep(10);
    const sid = fake.sent.find((m) => m.form.Body === 'quick carrier')!.sid;
    await webhook(sms, { MessageSid: sid, MessageStatus: 'delivered', AccountSid: ACCOUNT_SID }, { hook: 'status' }).expect(200);
    expect((await hub.infra.db.message.findUniqueOrThrow({ where: { id: reply.body.id } })).status).toBe('queued');
    const settled = await statusOf(reply.body.id, ['delivered']);
    expect(settled.providerMessageId).toBe(sid);
  });

  it('waits for the account’s rate limit instead of dropping: sends are spaced by segments', async () => {
    await hub.http.patch(`/api/channels/${sms}`).set(admin.auth).send({ config: { sendsPerSecond: 4 } }).expect(200);
    // The slots the outbox books, in order: each send is checked against its own slot, not against the other
    // sends' times (a busy machine only makes a send later) nor against slots assumed back to back (a send
    // booked after the previous slot has passed starts a new run of slots).
    const channels = hub.app.get(ChannelsService);
    const reserve = channels.reserveSendSlot.bind(channels);
    const slots: number[] = [];
    channels.reserveSendSlot = async (channelId, intervalMs) => {
      const slot = await reserve(channelId, intervalMs);
      if (channelId === sms) slots.push(slot.at.getTime());
      return slot;
    };
    try {
      const { conversationId } = await inbound(sms, '+819066660000', 'hi');
      const ids: string[] = [];
      for (const body of ['one', 'two', 'three']) {
        ids.push((await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body }).expect(201)).body.id);
      }
      for (const id of ids) await statusOf(id, ['sent']);
      const times = ['one', 'two', 'three'].map((body) => fake.requests.find((r) => r.form?.Body === body)!.receivedAt);
      // 4 sends a second: three slots at least 250 ms apart, and no send reached Twilio before its slot. Sorted:
      // if each send came after its own slot, the k-th send to arrive came after the k-th slot.
      expect(slots).toHaveLength(3);
      slots.sort((a, b) => a - b);
      times.sort((a, b) => a - b);
      slots.slice(1).forEach((slot, i) => expect(slot - slots[i]!).toBeGreaterThanOrEqual(250));
      times.forEach((receivedAt, i) => expect(receivedAt).toBeGreaterThanOrEqual(slots[i]! - 5));
    } finally {
      channels.reserveSendSlot = reserve;
      await hub.http.patch(`/api/channels/${sms}`).set(admin.auth).send({ config: { sendsPerSecond: 200 } }).expect(200);
    }
  });
});
