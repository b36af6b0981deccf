import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inboundParseBody, startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake, SentMail } from '../fakes/sendgrid-fake.js';
import type { FormPart } from '../fakes/sendgrid-fake.js';
import { eventually } from '../support/eventually.js';
import { emitWithAck, sessionOf, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const API_KEY = 'SG.widget-identity-key-0123456789';
const FROM = 'support@shop.example.jp';
const INBOUND_TOKEN = 'identity-inbound-token-0123456789';

interface Ack {
  ok: boolean;
  code?: string;
  conversationId?: string;
  channel?: string;
  proof?: { kind: string; sent: boolean } | null;
  details?: unknown;
}

/** Web visitors prove nothing by typing (issue 16): who a visitor says they are is a claim, not an identity. */
describe('Widget identity claims', () => {
  let hub: TestHub;
  let fake: SendgridFake;
  const { open, closeAll } = socketPool();

  beforeAll(async () => {
    fake = await startSendgridFake({ apiKey: API_KEY });
    hub = await startTestHub({ PUBLIC_URL: 'https://hub.example.test' });
  });

  afterAll(async () => {
    closeAll();
    await hub?.stop();
    await fake?.close();
  });

  async function shop(settings: Record<string, unknown> = {}): Promise<{ admin: TestMember; channelId: string; emailChannelId: string }> {
    const { admin } = await createTeam(hub);
    if (Object.keys(settings).length > 0) await hub.http.patch('/api/teams/current').set(admin.auth).send({ settings }).expect(200);
    await hub.http.put('/api/members/me/status').set(admin.auth).send({ status: 'offline' }).expect(200);
    const channelId = await createWebchat(hub, admin);
    const emailChannelId = (
      await hub.http
        .post('/api/channels')
        .set(admin.auth)
        .send({ type: 'email', provider: 'sendgrid', name: 'Support', config: { apiKey: API_KEY, fromEmail: FROM, inboundToken: INBOUND_TOKEN, apiBaseUrl: fake.url } })
        .expect(201)
    ).body.id as string;
    return { admin, channelId, emailChannelId };
  }

  async function customer(admin: TestMember, name: string, email: string): Promise<string> {
    return (await hub.http.post('/api/contacts').set(admin.auth).send({ name, email }).expect(201)).body.id as string;
  }

  async function visitor(channelId: string) {
    const socket = await open(hub.url, '/widget', { channelId });
    await sessionOf(socket);
    return socket;
  }

  const mailTo = (address: string): SentMail[] => fake.sent.filter((m) => m.body.personalizations[0].to[0].email === address);
  const textOf = (mail: SentMail) => mail.body.content?.map((part) => part.value).join('\n') ?? '';
  const codeIn = (mail: SentMail) => /\b(\d{6})\b/.exec(textOf(mail))?.[1];

  async function consentOf(admin: TestMember, contactId: string) {
    return (await hub.http.get(`/api/contacts/${contactId}`).set(admin.auth).expect(200)).body.consent as Record<string, string>;
  }

  // Guards: a stranger types a regular customer's email into the widget and is merged into them (reads their threads,
  // becomes them for the agents), and a web form carrying STOP opts another customer out of mail.
  it('merges nobody and changes no consent for an identify with a customer’s email or a web-form STOP for another’s, and proposes the merges to supervisors', async () => {
    const { admin, channelId } = await shop();
    const regular = await customer(admin, '常連 花子', 'regular@customer.example');
    const other = await customer(admin, '会員 太郎', 'member@customer.example');
    const before = await consentOf(admin, other);

    const stranger = await visitor(channelId);
    const first = await emitWithAck<Ack>(stranger, 'message', { body: '在庫はありますか' });
    expect(await emitWithAck<Ack>(stranger, 'identify', { name: 'なりすまし', email: 'REGULAR＠customer.example' })).toMatchObject({ ok: true });
    const chat = (await hub.http.get(`/api/conversations/${first.conversationId}`).set(admin.auth).expect(200)).body;
    expect(chat.contact.id).not.toBe(regular);
    // The customer's own contact keeps its name, and the stranger is not among their threads.
    expect((await hub.http.get(`/api/contacts/${regular}`).set(admin.auth).expect(200)).body).toMatchObject({ name: '常連 花子' });
    expect(await hub.infra.db.conversation.count({ where: { contactId: regular } })).toBe(0);

    const form = await emitWithAck<Ack>(stranger, 'leave_message', { email: 'member@customer.example', body: 'STOP' });
    expect(form).toMatchObject({ ok: true, channel: 'email' });
    const formChat = await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: form.conversationId! } });
    expect(formChat.contactId).not.toBe(other);
    expect(await consentOf(admin, other)).toEqual(before);
    expect(await hub.infra.db.contactEvent.count({ where: { contactId: other } })).toBe(0);

    const proposals = (await hub.http.get('/api/contacts/merge-proposals').set(admin.auth).expect(200)).body.items;
    expect(proposals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ contactId: chat.contact.id, otherContactId: regular, reason: 'email' }),
        expect.objectContaining({ otherContactId: other, reason: 'email' }),
      ]),
    );
    expect(await hub.infra.db.contactMerge.count({ where: { teamId: admin.teamId } })).toBe(0);
  });

  // Guards: the message form used as a mail relay: the hub's automatic answer and the agent's reply going to an
  // address the visitor only typed. Only the proof code goes there, and the reply waits for the proof.
  it('mails a typed address only its proof code, refuses the agent’s mail reply until the visitor proves it, and sends it after', async () => {
    const { admin, channelId } = await shop();
    const known = await customer(admin, '予約 花子', 'hanako@customer.example');
    const person = await visitor(channelId);
    const left = await emitWithAck<Ack>(person, 'leave_message', { email: 'hanako@customer.example', name: '山田 花子', body: '明日の予約はできますか', clientId: 'form-proof-1' });
    expect(left).toMatchObject({ ok: true, channel: 'email', proof: { kind: 'email', sent: true } });
    const [codeMail] = await eventually(async () => mailTo('hanako@customer.example'), (mails) => mails.length >= 1);
    const code = codeIn(codeMail);
    expect(code).toMatch(/^\d{6}$/);

    const refused = await hub.http.post(`/api/conversations/${left.conversationId}/messages`).set(admin.auth).send({ body: '承知しました' }).expect(409);
    expect(refused.body.code).toBe('address_unproven');
    // Nothing but the code went to the typed address (no automatic answer either).
    expect(mailTo('hanako@customer.example')).toHaveLength(1);

    const wrong = await emitWithAck<Ack>(person, 'prove', { code: code === '000000' ? '111111' : '000000' });
    expect(wrong).toMatchObject({ ok: false, code: 'proof_failed', details: { attemptsLeft: 4 } });
    expect(await emitWithAck<Ack>(person, 'prove', { code })).toMatchObject({ ok: true });

    // Proved: the visitor is that customer now, and the answer goes by mail.
    const proved = await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: left.conversationId! } });
    expect(proved.contactId).toBe(known);
    await hub.http.post(`/api/conversations/${left.conversationId}/messages`).set(admin.auth).send({ body: '10時でお取りします' }).expect(201);
    await eventually(async () => mailTo('hanako@customer.example').some((m) => textOf(m).includes('10時でお取りします')), (sent) => sent);
  });

  // Guards: guessing a 6-digit code online. Five wrong tries, counted by one conditional update each (so parallel
  // guesses cannot all be counted as the first), and the code is dead, even for the right digits.
  it('merges after the right code only, and lets no code be guessed more than five times, in parallel or not', async () => {
    const { admin, channelId } = await shop({ visitorProof: 'code' });
    const regular = await customer(admin, '常連 次郎', 'jiro@customer.example');
    const person = await visitor(channelId);
    const first = await emitWithAck<Ack>(person, 'message', { body: 'こんにちは' });
    const claim = await emitWithAck<Ack>(person, 'identify', { email: 'jiro@customer.example' });
    expect(claim).toMatchObject({ ok: true, proof: { kind: 'email', sent: true } });
    const code = codeIn((await eventually(async () => mailTo('jiro@customer.example'), (mails) => mails.length >= 1))[0])!;
    // No merge proposal while a proof is asked for: the proof decides.
    expect(await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: first.conversationId! } })).not.toMatchObject({ contactId: regular });

    const wrongCode = code === '123456' ? '654321' : '123456';
    const guesses = await Promise.all(Array.from({ length: 30 }, () => emitWithAck<Ack>(person, 'prove', { code: wrongCode })));
    expect(guesses.every((g) => !g.ok)).toBe(true);
    expect(guesses.filter((g) => g.code === 'proof_failed')).toHaveLength(5);
    expect(await emitWithAck<Ack>(person, 'prove', { code })).toMatchObject({ ok: false, code: 'proof_locked' });
    expect((await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: first.conversationId! } })).contactId).not.toBe(regular);

    // A new code for the same claim, entered right: merged.
    await emitWithAck<Ack>(person, 'identify', { email: 'jiro@customer.example' });
    const fresh = codeIn((await eventually(async () => mailTo('jiro@customer.example'), (mails) => mails.length >= 2))[1])!;
    expect(await emitWithAck<Ack>(person, 'prove', { code: fresh })).toMatchObject({ ok: true });
    expect((await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: first.conversationId! } })).contactId).toBe(regular);
  });

  // Guards: a forged From on an inbound mail (no DKIM or SPF pass for the From's domain) opting a customer out.
  it('counts an emailed STOP only when DKIM or SPF passes for the From domain', async () => {
    const { admin, emailChannelId } = await shop();
    const forged = await customer(admin, '偽造 先', 'target@customer.example');
    const real = await customer(admin, '本人 様', 'owner@customer.example');
    const mail = (parts: FormPart[]) => {
      const { body, contentType } = inboundParseBody(parts);
      return hub.http.post(`/webhooks/sendgrid/${emailChannelId}/inbound?token=${INBOUND_TOKEN}`).set('content-type', contentType).send(body).expect(200);
    };
    await mail([
      { name: 'headers', value: 'Message-ID: <forged-1@attacker.example>\r\nFrom: target@customer.example' },
      { name: 'from', value: 'target@customer.example' },
      { name: 'text', value: 'STOP' },
      { name: 'dkim', value: '{@attacker.example : pass}' },
      { name: 'SPF', value: 'pass' },
      { name: 'envelope', value: '{"to":["support@shop.example.jp"],"from":"bounce@attacker.example"}' },
    ]);
    await mail([
      { name: 'headers', value: 'Message-ID: <real-1@customer.example>\r\nFrom: owner@customer.example' },
      { name: 'from', value: 'owner@customer.example' },
      { name: 'text', value: 'STOP' },
      { name: 'dkim', value: '{@mail.customer.example : pass}' },
      { name: 'SPF', value: 'softfail' },
      { name: 'envelope', value: '{"to":["support@shop.example.jp"],"from":"owner@customer.example"}' },
    ]);
    expect((await consentOf(admin, forged)).email).toBe('none');
    expect((await consentOf(admin, real)).email).toBe('opted_out');
  });
});
