import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake } from '../fakes/sendgrid-fake.js';
import { eventually } from '../support/eventually.js';
import { connect, emitWithAck, nextEvent, sessionOf } from '../support/sockets.js';
import { TestHub, TestMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const API_KEY = 'SG.message-form-key-0123456789';
const FROM = 'support@shop.example.jp';

interface Ack {
  ok: boolean;
  conversationId?: string;
  channel?: string;
  code?: string;
  details?: Array<{ field: string; message: string }>;
}

describe('The widget’s message form', () => {
  let hub: TestHub;
  let fake: SendgridFake;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    fake = await startSendgridFake({ apiKey: API_KEY });
    hub = await startTestHub({ PUBLIC_URL: 'https://hub.example.test' });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.stop();
    await fake?.close();
  });

  async function team(): Promise<{ admin: TestMember; channelId: string }> {
    const { admin } = await createTeam(hub);
    await hub.http.put('/api/members/me/status').set(admin.auth).send({ status: 'offline' }).expect(200);
    return { admin, channelId: await createWebchat(hub, admin) };
  }

  async function visitorOf(channelId: string): Promise<Socket> {
    const visitor = await connect(hub.url, '/widget', { channelId });
    sockets.push(visitor);
    await sessionOf(visitor);
    return visitor;
  }

  it('turns what a visitor leaves when nobody is online into an email conversation, answered by mail', async () => {
    const { admin, channelId } = await team();
    await hub.http
      .post('/api/channels')
      .set(admin.auth)
      .send({ type: 'email', provider: 'sendgrid', name: 'Support', config: { apiKey: API_KEY, fromEmail: FROM, inboundToken: 'form-token-0123456789', apiBaseUrl: fake.url } })
      .expect(201);
    const visitor = await visitorOf(channelId);
    const told = nextEvent<{ reason: string; form: boolean }>(visitor, 'waiting');
    await emitWithAck(visitor, 'message', { body: 'どなたかいますか' });
    expect(await told).toMatchObject({ reason: 'unavailable', form: true });

    // The full-width ＠ a Japanese keyboard gives is read as @.
    const left = await emitWithAck<Ack>(visitor, 'leave_message', { email: 'Hanako＠Example.jp', name: '山田 花子', body: '明日の10時に予約できますか', clientId: 'form-1' });
    expect(left).toMatchObject({ ok: true, channel: 'email', proof: { kind: 'email', sent: true } });
    const again = await emitWithAck<Ack>(visitor, 'leave_message', { email: 'Hanako＠Example.jp', name: '山田 花子', body: '明日の10時に予約できますか', clientId: 'form-1' });
    expect(again.conversationId).toBe(left.conversationId);

    const conversation = await hub.http.get(`/api/conversations/${left.conversationId}`).set(admin.auth).expect(200);
    expect(conversation.body).toMatchObject({ channel: { type: 'email' }, contact: { name: '山田 花子' } });
    const messages = await hub.http.get(`/api/conversations/${left.conversationId}/messages`).set(admin.auth).expect(200);
    expect(messages.body.items[0]).toMatchObject({ direction: 'in', body: '明日の10時に予約できますか' });
    // The chat's visitor and the email's sender are one contact.
    const chat = await hub.infra.db.conversation.findFirstOrThrow({ where: { channelId } });
    expect(chat.contactId).toBe(conversation.body.contact.id);

    // The address is only typed: the code goes there (once, for the resent form too), and nothing else until it
    // comes back; the agent is told why the reply cannot go yet.
    const toHanako = () => fake.sent.filter((sent) => sent.body.personalizations[0].to[0].email === 'hanako@example.jp');
    const [codeMail] = await eventually(async () => toHanako(), (mails) => mails.length >= 1);
    const code = /\b(\d{6})\b/.exec(codeMail.body.content![0].value)![1];
    const early = await hub.http.post(`/api/conversations/${left.conversationId}/messages`).set(admin.auth).send({ body: '承知しました。' }).expect(409);
    expect(early.body.code).toBe('address_unproven');
    expect((await hub.http.get(`/api/conversations/${left.conversationId}/can-send`).set(admin.auth).expect(200)).body).toMatchObject({ ok: false, code: 'address_unproven' });
    expect(await emitWithAck<Ack>(visitor, 'prove', { code })).toMatchObject({ ok: true });

    await hub.http.post(`/api/conversations/${left.conversationId}/messages`).set(admin.auth).send({ body: '承知しました。10時でお取りします。' }).expect(201);
    const answered = () => toHanako().some((mail) => mail.body.content?.some((part) => part.value.includes('10時でお取りします')));
    await eventually(async () => answered(), (done) => done);
    // Nobody was online: the team's automatic answer waited for the proof and went with it. The code, the automatic
    // answer, the agent's: three mails, no more.
    await eventually(async () => toHanako().length, (n) => n >= 3);
    expect(toHanako()).toHaveLength(3);
  });

  it('keeps the message in the chat when the team has no email channel, and names a bad address', async () => {
    const { admin, channelId } = await team();
    const visitor = await visitorOf(channelId);
    const bad = await emitWithAck<Ack>(visitor, 'leave_message', { email: 'not an address', body: '連絡ください' });
    expect(bad).toMatchObject({ ok: false, code: 'invalid_request', details: [expect.objectContaining({ field: 'email' })] });
    expect(await hub.infra.db.message.count({ where: { channelId } })).toBe(0);

    const left = await emitWithAck<Ack>(visitor, 'leave_message', { email: 'taro@example.jp', body: '在庫があれば連絡ください' });
    expect(left).toMatchObject({ ok: true, channel: 'webchat' });
    const messages = await hub.http.get(`/api/conversations/${left.conversationId}/messages`).set(admin.auth).expect(200);
    expect(messages.body.items).toEqual([expect.objectContaining({ direction: 'in', body: '在庫があれば連絡ください' })]);
    // The address is the visitor's word only: shown to the agents as unverified, never made an identity to write to.
    const contact = await hub.http.get(`/api/contacts/${(await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: left.conversationId! } })).contactId}`).set(admin.auth).expect(200);
    expect(contact.body.identities).not.toContainEqual({ kind: 'email', address: 'taro@example.jp' });
    expect(contact.body.unverified).toContainEqual({ kind: 'email', address: 'taro@example.jp' });
  });
  it('mails the visitor their chat when they ask from the widget, and offers the team’s quick replies before the first message', async () => {
    const { admin } = await team();
    const channelId = (
      await hub.http
        .post('/api/channels')
        .set(admin.auth)
        .send({ type: 'webchat', provider: 'webchat', name: 'Clinic', config: { preChat: { question: '初めてのご来院ですか？', options: ['初めて', '2回目以降'] } } })
        .expect(201)
    ).body.id as string;
    await hub.http
      .post('/api/channels')
      .set(admin.auth)
      .send({ type: 'email', provider: 'sendgrid', name: 'Support', config: { apiKey: API_KEY, fromEmail: FROM, inboundToken: 'transcript-token-0123456789', apiBaseUrl: fake.url } })
      .expect(201);
    const visitor = await connect(hub.url, '/widget', { channelId });
    sockets.push(visitor);
    const session = await sessionOf<{ preChat: { question: string; options: string[] } }>(visitor);
    expect(session.preChat).toEqual({ question: '初めてのご来院ですか？', options: ['初めて', '2回目以降'] });

    expect(await emitWithAck<Ack>(visitor, 'transcript', { email: 'reader@example.jp' })).toMatchObject({ ok: false, code: 'no_conversation' });
    await emitWithAck(visitor, 'message', { body: '初めて' });
    await emitWithAck(visitor, 'identify', { email: 'reader@example.jp' });
    const typo = await emitWithAck<Ack>(visitor, 'transcript', { email: 'hanako.example.jp' });
    expect(typo).toMatchObject({ ok: false, code: 'invalid_email' });
    // A typed address gets its proof code first; the transcript follows once the visitor has entered it.
    const toReader = () => fake.sent.filter((sent) => sent.body.personalizations[0].to[0].email === 'reader@example.jp');
    expect(await emitWithAck(visitor, 'transcript', { email: 'reader@example.jp' })).toMatchObject({ ok: false, code: 'address_unproven' });
    const [codeMail] = await eventually(async () => toReader(), (mails) => mails.length === 1);
    const code = /\b(\d{6})\b/.exec(codeMail.body.content?.map((part) => part.value).join('\n') ?? '')?.[1];
    expect(await emitWithAck(visitor, 'prove', { code })).toMatchObject({ ok: true });
    expect(await emitWithAck(visitor, 'transcript', { email: 'reader@example.jp' })).toMatchObject({ ok: true, email: 'reader@example.jp' });
    const [, mail] = await eventually(async () => toReader(), (mails) => mails.length === 2);
    expect(JSON.stringify(mail.body)).toContain('初めて');
  });
});
