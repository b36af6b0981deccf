import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { postSignedTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { eventually } from '../support/eventually.js';
import request from 'supertest';
import { connect, emitWithAck, nextEvent, sessionOf } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const TWILIO = { accountSid: 'AC' + 'd'.repeat(32), authToken: 'notifications-auth-token-0000' };

type Stored = { id: string; type: string; data: Record<string, unknown>; createdAt: string; readAt: string | null };

// Issue 20: what the hub tells members is kept for their bell, read or unread, and outlives a reload.
describe('Members’ notifications', () => {
  let hub: TestHub;
  let twilio: TwilioFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let sms: string;
  const sockets: Socket[] = [];

  const bell = async (member: TestMember) => (await hub.http.get('/api/notifications').set(member.auth).expect(200)).body as { items: Stored[]; unread: number };
  const device = async (member: TestMember) => {
    const socket = await connect(hub.url, '/inbox', { token: member.token });
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    twilio = await startTwilioFake(TWILIO);
    hub = await startTestHub({ PUBLIC_URL });
    team = await createTeam(hub);
    sms = (await hub.http.post('/api/channels').set(team.admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config: { ...TWILIO, from: '+15005550006', apiBaseUrl: twilio.url, sendsPerSecond: 200 } }).expect(201)).body.id;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.stop();
    await twilio?.close();
  });

  it('keeps a blocked contact for each supervisor, live and after a reload, read only by its member', async () => {
    const supervisor = await addMember(hub, team, { role: 'supervisor', name: '主任 花子' });
    const operator = await addMember(hub, team, { name: '担当 一郎' });
    const supervisorDevice = await device(supervisor);
    const contact = (await hub.http.post('/api/contacts').set(operator.auth).send({ name: '迷惑 太郎', email: `spam-${randomBytes(3).toString('hex')}@example.com` }).expect(201)).body.id as string;

    const live = nextEvent<Stored>(supervisorDevice, 'notification.added', (n) => n.type === 'contact_blocked');
    await hub.http.post(`/api/contacts/${contact}/block`).set(operator.auth).expect(200);
    const heard = await live;
    expect(heard).toMatchObject({ type: 'contact_blocked', data: { contactId: contact, name: '迷惑 太郎', by: operator.id }, readAt: null });

    // Kept: read again as a reload would, for the supervisor and the administrator; the operator who blocked has no such news.
    const kept = await bell(supervisor);
    expect(kept.items[0]).toEqual(heard);
    expect(kept.unread).toBe(1);
    expect((await bell(team.admin)).items.map((n) => n.type)).toContain('contact_blocked');
    expect((await bell(operator)).items).toEqual([]);

    // Another member's notification is not theirs to read.
    await hub.http.post(`/api/notifications/${heard.id}/read`).set(operator.auth).expect(404);
    const read = await hub.http.post(`/api/notifications/${heard.id}/read`).set(supervisor.auth).expect(200);
    expect(read.body).toMatchObject({ id: heard.id, readAt: expect.any(String) });
    const after = await bell(supervisor);
    expect(after.unread).toBe(0);
    expect(after.items[0].readAt).toBe(read.body.readAt);
    expect((await bell(team.admin)).unread).toBe(1);
  });

  it('tells a trainee their draft was approved or rejected, with the feedback', async () => {
    const trainee = await addMember(hub, team, { training: true, name: '新人 次郎' });
    await postSignedTwilioForm(hub.url, PUBLIC_URL, `/webhooks/twilio/${sms}`, TWILIO.authToken, { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: TWILIO.accountSid, From: '+819012349999', To: '+15005550006', Body: '予約の変更', NumMedia: '0' }).expect(200);
    const conversation = await eventually(() => hub.infra.db.conversation.findFirst({ where: { contact: { identities: { some: { address: '+819012349999' } } } } }), (c) => c !== null);
    const draft = (body: string) => hub.http.post(`/api/conversations/${conversation!.id}/messages`).set(trainee.auth).send({ body }).expect(201);
    const good = (await draft('変更できます')).body.id as string;
    const bad = (await draft('むりです')).body.id as string;
    await hub.http.post(`/api/messages/${good}/approve`).set(team.admin.auth).expect(200);
    await hub.http.post(`/api/messages/${bad}/reject`).set(team.admin.auth).send({ feedback: '代わりの日時をご提案しましょう' }).expect(200);

    const kept = await eventually(() => bell(trainee), (b) => b.items.length >= 2);
    expect(kept.items.map((n) => ({ type: n.type, data: n.data }))).toEqual(
      expect.arrayContaining([
        { type: 'draft_approved', data: { messageId: good, conversationId: conversation!.id, feedback: null } },
        { type: 'draft_rejected', data: { messageId: bad, conversationId: conversation!.id, feedback: '代わりの日時をご提案しましょう' } },
      ]),
    );
    // Sent and delivered afterwards are not news again.
    await eventually(() => hub.infra.db.message.findUniqueOrThrow({ where: { id: good } }), (m) => m.status === 'sent' || m.status === 'delivered');
    expect((await bell(trainee)).items.filter((n) => n.data.messageId === good)).toHaveLength(1);
  });

  it('tells the agent a sale was credited to them, and nobody else', async () => {
    const agent = await addMember(hub, team, { name: '販売 三郎' });
    const colleague = await addMember(hub, team, { name: '同僚 四郎' });
    const webchat = await createWebchat(hub, team.admin);
    const key = (await hub.http.post('/api/teams/current/api-keys').set(team.admin.auth).send({ name: 'shop' }).expect(201)).body.key as string;
    const visitorId = randomBytes(16).toString('base64url');
    const visitor = await connect(hub.url, '/widget', { channelId: webchat, visitorId });
    sockets.push(visitor);
    await sessionOf(visitor);
    const ack = await emitWithAck<{ ok: boolean; conversationId: string }>(visitor, 'message', { body: 'このコートの在庫はありますか？' });
    await hub.http.post(`/api/conversations/${ack.conversationId}/messages`).set(agent.auth).send({ body: 'はい、ございます。' }).expect(201);
    await eventually(() => hub.infra.db.saleTouch.findFirst({ where: { conversationId: ack.conversationId, memberId: agent.id } }), (touch) => touch !== null);

    const orderId = `order-${randomBytes(4).toString('hex')}`;
    const sale = await request(hub.url).post('/api/purchases').set('Authorization', `Bearer ${key}`).send({ orderId, visitorId, amount: 12800, currency: 'JPY', occurredAt: new Date().toISOString() }).expect(201);
    expect(sale.body.attributedTo).toEqual({ memberId: agent.id, conversationId: ack.conversationId });

    const kept = await eventually(() => bell(agent), (b) => b.items.length > 0);
    expect(kept.items).toEqual([expect.objectContaining({ type: 'sale_credited', data: { saleId: sale.body.id, orderId, amount: 12800, currency: 'JPY', conversationId: ack.conversationId }, readAt: null })]);
    expect((await bell(colleague)).items).toEqual([]);
  });
});
