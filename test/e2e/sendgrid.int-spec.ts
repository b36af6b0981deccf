import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Encoding from 'encoding-japanese';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { eventSigningKey, inboundParseBody, signEvents, startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { FormPart, SendgridFake } from '../fakes/sendgrid-fake.js';
import { TestHub, TestMember, addMember, createTeam, startTestHub } from '../support/test-hub.js';
import { eventually } from '../support/eventually.js';

const PUBLIC_URL = 'https://hub.example.test';
const API_KEY = 'SG.test-api-key-0123456789abcdef';
const INBOUND_TOKEN = 'inbound-token-0123456789abcdef';
const FROM = 'support@shop.example.jp';
const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'sendgrid');
const fixture = (name: string) => readFileSync(join(fixtures, name));
const MULTIPART = 'multipart/form-data; boundary=xYzZY';
const jis = (text: string) => Buffer.from(Encoding.convert(Encoding.stringToCode(text), { to: 'JIS', from: 'UNICODE' }));

describe('Email through SendGrid', () => {
  let hub: TestHub;
  let admin: TestMember;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let fake: SendgridFake;
  const signing = eventSigningKey();

  beforeAll(async () => {
    fake = await startSendgridFake({ apiKey: API_KEY });
    hub = await startTestHub({ PUBLIC_URL });
    team = await createTeam(hub);
    admin = team.admin;
  });

  afterAll(async () => {
    await hub?.stop();
    await fake?.close();
  });

  /** A channel of its own per case: fixtures share senders, and each case counts its own rows. */
  async function emailChannel(config: Record<string, unknown> = {}): Promise<string> {
    const response = await hub.http
      .post('/api/channels')
      .set(admin.auth)
      .send({ type: 'email', provider: 'sendgrid', name: 'Shop support', config: { apiKey: API_KEY, fromEmail: FROM, fromName: 'Shop', inboundToken: INBOUND_TOKEN, apiBaseUrl: fake.url, ...config } })
      .expect(201);
    return response.body.id;
  }

  function parse(channelId: string, body: Buffer, token: string | null = INBOUND_TOKEN, contentType = MULTIPART) {
    return request(hub.url)
      .post(`/webhooks/sendgrid/${channelId}/inbound${token === null ? '' : `?token=${encodeURIComponent(token)}`}`)
      .set('content-type', contentType)
      .send(body);
  }

  function mail(channelId: string, parts: FormPart[]) {
    const { body, contentType } = inboundParseBody(parts);
    return parse(channelId, body, INBOUND_TOKEN, contentType);
  }

  function events(channelId: string, body: string, headers: Record<string, string>, query = '') {
    return request(hub.url).post(`/webhooks/sendgrid/${channelId}/events${query}`).set({ 'content-type': 'application/json', ...headers }).send(body);
  }

  async function counts() {
    const db = hub.infra.db;
    return { messages: await db.message.count(), contacts: await db.contact.count(), conversations: await db.conversation.count(), events: await db.contactEvent.count(), statuses: await db.message.count({ where: { status: 'delivered' } }) };
  }

  const inbound = (channelId: string) => hub.infra.db.message.findMany({ where: { channelId, direction: 'in' }, orderBy: { seq: 'asc' }, include: { conversation: true } });

  describe('webhook authentication', () => {
    it('refuses an Inbound Parse post without the channel’s token, naming what was wrong, and writes nothing', async () => {
      const channelId = await emailChannel();
      const before = await counts();
      const body = fixture('inbound-parse-default.multipart.crlf.DERIVED.txt');
      const missing = await parse(channelId, body, null).expect(401);
      expect(missing.body).toMatchObject({ code: 'token_missing' });
      expect(missing.body.message).toContain('?token=');
      const wrong = await parse(channelId, body, 'inbound-token-0123456789abcdeX').expect(401);
      expect(wrong.body.code).toBe('token_invalid');
      expect(await counts()).toEqual(before);
      await parse(channelId, body).expect(200);
    });

    it('takes only signed, fresh Event Webhook posts when a verification key is set, and writes nothing otherwise', async () => {
      const channelId = await emailChannel({ eventPublicKey: signing.publicKey });
      const contact = await hub.http.post('/api/contacts').set(admin.auth).send({ name: '購読 太郎', email: 'subscriber@example.jp' }).expect(201);
      const body = `${JSON.stringify([{ email: 'subscriber@example.jp', event: 'unsubscribe', timestamp: Math.floor(Date.now() / 1000), sg_event_id: 'unsub-1', sg_message_id: 'nothing.filter' }])}\r\n`;
      const before = await counts();
      const unsigned = await events(channelId, body, {}).expect(401);
      expect(unsigned.body.code).toBe('signature_missing');
      const signed = signEvents(signing.privateKey, body);
      const changed = await events(channelId, body.replace('unsub-1', 'unsub-2'), signed).expect(401);
      expect(changed.body.code).toBe('signature_invalid');
      const old = await events(channelId, body, signEvents(signing.privateKey, body, Math.floor(Date.now() / 1000) - 600)).expect(401);
      expect(old.body).toMatchObject({ code: 'timestamp_out_of_range' });
      expect(old.body.message).toMatch(/old/);
      const wrongKey = await events(channelId, body, signEvents(eventSigningKey().privateKey, body)).expect(401);
      expect(wrongKey.body.code).toBe('signature_invalid');
      expect(await counts()).toEqual(before);

      await events(channelId, body, signed).expect(200);
      const view = await hub.http.get(`/api/contacts/${contact.body.id}`).set(admin.auth).expect(200);
      expect(view.body.consent.email).toBe('opted_out');
      // SendGrid repeats events: the same sg_event_id is taken once.
      const after = await counts();
      await events(channelId, body, signEvents(signing.privateKey, body)).expect(200);
      expect(await counts()).toEqual(after);
    });

    it('asks for the channel token on the Event Webhook when no verification key is set', async () => {
      const channelId = await emailChannel();
      const body = '[]';
      expect((await events(channelId, body, {}).expect(401)).body.code).toBe('token_missing');
      await events(channelId, body, {}, `?token=${INBOUND_TOKEN}`).expect(200);
    });
  });

  describe('Inbound Parse', () => {
    it('turns the default and raw fixtures into messages, and a redelivery into nothing new', async () => {
      const channelId = await emailChannel();
      await parse(channelId, fixture('inbound-parse-default.multipart.crlf.DERIVED.txt')).expect(200);
      await parse(channelId, fixture('inbound-parse-raw.multipart.crlf.DERIVED.txt')).expect(200);
      const before = await counts();
      const again = await parse(channelId, fixture('inbound-parse-default.multipart.crlf.DERIVED.txt')).expect(200);
      expect(again.body).toEqual({ received: 1 });
      expect(await counts()).toEqual(before);
      const messages = await inbound(channelId);
      expect(messages.map((m) => [m.body, (m.content as { subject: string }).subject])).toEqual([
        ['Hello Twilio SendGrid!', 'Testing non-raw'],
        ['Hello Twilio SendGrid!', 'Inbound Parse Test Raw Data'],
      ]);
      // One sender, one open conversation.
      expect(new Set(messages.map((m) => m.conversationId)).size).toBe(1);
      expect(messages[0].conversation.threadKey).toBe('email:test@example.com');
    });

    it('stores the raw fixture’s attachment and serves it to the team', async () => {
      const channelId = await emailChannel();
      await parse(channelId, fixture('inbound-parse-raw-with-attachment.multipart.crlf.DERIVED.txt')).expect(200);
      const [message] = await inbound(channelId);
      expect(message.attachments).toEqual([{ name: 'SendGrid.jpg', contentType: 'image/jpeg', size: expect.any(Number), url: `/api/messages/${message.id}/attachments/0` }]);
      const file = await hub.http.get(`/api/messages/${message.id}/attachments/0`).set(admin.auth).buffer(true).expect(200);
      expect(file.headers['content-type']).toBe('image/jpeg');
      expect([...(file.body as Buffer).subarray(0, 2)]).toEqual([0xff, 0xd8]);
      expect((file.body as Buffer).length).toBe((message.attachments as { size: number }[])[0].size);
      const other = await createTeam(hub, 'Other');
      await hub.http.get(`/api/messages/${message.id}/attachments/0`).set(other.admin.auth).expect(404);
    });

    it('joins the reply fixture to the conversation of the mail it answers, reopening it', async () => {
      const channelId = await emailChannel();
      await mail(channelId, [
        { name: 'headers', value: 'Message-ID: <CAGsruKux7HKgwztSSWCae8cMu71_pzgziWZRWYeYNo3aiCkjRw@mail.gmail.com>\r\nFrom: Ashley Roach <aroach@gmail.com>\r\nSubject: testing webhook parse' },
        { name: 'from', value: 'Ashley Roach <aroach@gmail.com>' },
        { name: 'subject', value: 'testing webhook parse' },
        { name: 'text', value: 'this is the body for webhook parse' },
      ]).expect(200);
      const [original] = await inbound(channelId);
      await hub.http.post(`/api/conversations/${original.conversationId}/resolve`).set(admin.auth).send({}).expect(200);
      await parse(channelId, fixture('inbound-parse-reply-thread.multipart.crlf.DERIVED.txt')).expect(200);
      const messages = await inbound(channelId);
      expect(messages).toHaveLength(2);
      expect(messages[1].conversationId).toBe(original.conversationId);
      expect(messages[1].conversation).toMatchObject({ status: 'waiting', resolvedAt: null });
      expect(await hub.infra.db.conversation.count({ where: { channelId } })).toBe(1);
    });

    it('never joins a conversation of another channel or team, whatever the mail cites', async () => {
      const channelId = await emailChannel();
      await mail(channelId, [
        { name: 'headers', value: 'Message-ID: <shared-thread@example.com>\r\nFrom: a@example.com' },
        { name: 'from', value: 'a@example.com' },
        { name: 'text', value: 'first' },
      ]).expect(200);
      const [first] = await inbound(channelId);
      const other = await createTeam(hub, 'Elsewhere');
      const theirs = await request(hub.url)
        .post('/api/channels')
        .set(other.admin.auth)
        .send({ type: 'email', provider: 'sendgrid', name: 'Theirs', config: { apiKey: API_KEY, fromEmail: FROM, inboundToken: INBOUND_TOKEN, apiBaseUrl: fake.url } })
        .expect(201);
      const token = first.conversationId.replaceAll('-', '');
      await mail(theirs.body.id, [
        { name: 'headers', value: 'From: b@example.com\r\nIn-Reply-To: <shared-thread@example.com>' },
        { name: 'from', value: 'b@example.com' },
        { name: 'to', value: `support+${token}@shop.example.jp` },
        { name: 'text', value: 'second' },
      ]).expect(200);
      const [second] = await inbound(theirs.body.id);
      expect(second.conversationId).not.toBe(first.conversationId);
      expect(second.teamId).toBe(other.teamId);
    });

    it('reads a Shift_JIS field and an ISO-2022-JP raw mail, and shows HTML without script or onerror', async () => {
      const channelId = await emailChannel();
      await mail(channelId, [
        { name: 'headers', value: 'From: yamada@example.jp\r\nMessage-ID: <sjis@example.jp>' },
        { name: 'from', value: 'yamada@example.jp' },
        { name: 'text', value: Buffer.from([0x82, 0xb1, 0x82, 0xf1, 0x82, 0xc9, 0x82, 0xbf, 0x82, 0xcd]) },
        { name: 'html', value: '<p>こんにちは<img src="x" onerror="alert(1)"><script>alert(2)</script></p>' },
        { name: 'charsets', value: '{"text":"Shift_JIS","html":"UTF-8"}' },
      ]).expect(200);
      const raw = Buffer.concat([
        Buffer.from(`From: suzuki@example.jp\r\nSubject: =?ISO-2022-JP?B?${jis('配送について').toString('base64')}?=\r\nMessage-ID: <jis@example.jp>\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n`),
        jis('明日届きますか？\r\n'),
      ]);
      await mail(channelId, [{ name: 'email', value: raw }, { name: 'charsets', value: '{"to":"UTF-8"}' }]).expect(200);
      const [sjis, iso] = await inbound(channelId);
      expect(sjis.body).toBe('こんにちは');
      const listed = await hub.http.get(`/api/conversations/${sjis.conversationId}/messages`).set(admin.auth).expect(200);
      const html = listed.body.items[0].content.html as string;
      expect(html).toContain('こんにちは');
      expect(html).not.toMatch(/onerror|script|alert/);
      expect(iso.body).toBe('明日届きますか？');
      expect(iso.content).toMatchObject({ subject: '配送について' });
    });
  });

  describe('replies', () => {
    it('sends a reply through @sendgrid/mail with threading headers, and takes the customer’s answer into the same conversation', async () => {
      const channelId = await emailChannel();
      await mail(channelId, [
        { name: 'headers', value: 'Message-ID: <q1@customer.example>\r\nFrom: 佐藤 <sato@customer.example>\r\nSubject: 返品について' },
        { name: 'from', value: '佐藤 <sato@customer.example>' },
        { name: 'subject', value: '返品について' },
        { name: 'text', value: '返品できますか？' },
      ]).expect(200);
      const [question] = await inbound(channelId);
      const posted = await hub.http.post(`/api/conversations/${question.conversationId}/messages`).set(admin.auth).send({ body: 'はい、30日以内なら可能です。' }).expect(201);
      const sent = await eventually(async () => fake.sent.find((m) => m.body.personalizations[0].to[0].email === 'sato@customer.example'), (m) => !!m);
      const token = question.conversationId.replaceAll('-', '');
      expect(sent!.body).toMatchObject({
        from: { email: FROM, name: 'Shop' },
        reply_to: { email: `support+${token}@shop.example.jp` },
        subject: 'Re: 返品について',
        content: [{ type: 'text/plain', value: 'はい、30日以内なら可能です。' }],
        headers: { 'Message-ID': `<${posted.body.id}@shop.example.jp>`, 'In-Reply-To': '<q1@customer.example>', References: '<q1@customer.example>' },
        custom_args: { conversation_token: token, hub_message_id: posted.body.id },
      });
      const reply = await eventually(() => hub.infra.db.message.findUniqueOrThrow({ where: { id: posted.body.id } }), (m) => m.status === 'sent');
      expect(reply.providerMessageId).toBe(sent!.xMessageId);

      // The customer answers from another address of theirs, citing our Message-ID: same conversation.
      await mail(channelId, [
        { name: 'headers', value: `Message-ID: <q2@customer.example>\r\nFrom: sato.home@customer.example\r\nIn-Reply-To: <${posted.body.id}@shop.example.jp>` },
        { name: 'from', value: 'sato.home@customer.example' },
        { name: 'text', value: 'ありがとうございます。\r\n\r\nOn Mon, Jan 5, 2026 Shop <support@shop.example.jp> wrote:\r\n> はい、30日以内なら可能です。' },
      ]).expect(200);
      const answers = await inbound(channelId);
      expect(answers).toHaveLength(2);
      expect(answers[1].conversationId).toBe(question.conversationId);
      expect(answers[1].body).toBe('ありがとうございます。');

      // SendGrid reports delivery and the open for the X-Message-Id it gave.
      const now = Math.floor(Date.now() / 1000);
      const report = JSON.stringify([
        { email: 'sato@customer.example', event: 'delivered', timestamp: now, sg_event_id: `d-${token}`, sg_message_id: `${sent!.xMessageId}.filterdrecv-1` },
        { email: 'sato@customer.example', event: 'open', timestamp: now, sg_event_id: `o-${token}`, sg_message_id: `${sent!.xMessageId}.filterdrecv-1` },
      ]);
      await events(channelId, report, {}, `?token=${INBOUND_TOKEN}`).expect(200);
      expect((await hub.infra.db.message.findUniqueOrThrow({ where: { id: posted.body.id } })).status).toBe('read');

      // The second reply cites the whole thread, ours included.
      const second = await hub.http.post(`/api/conversations/${question.conversationId}/messages`).set(admin.auth).send({ body: 'お待ちしております。' }).expect(201);
      const next = await eventually(async () => fake.sent.find((m) => m.body.custom_args?.hub_message_id === second.body.id), (m) => !!m);
      expect(next!.body.headers).toMatchObject({ 'In-Reply-To': '<q2@customer.example>', References: `<q1@customer.example> <${posted.body.id}@shop.example.jp> <q2@customer.example>` });
    });

    it('delays a reply while SendGrid is down and sends it once it answers', async () => {
      const channelId = await emailChannel();
      await mail(channelId, [{ name: 'from', value: 'outage@customer.example' }, { name: 'text', value: 'hello?' }]).expect(200);
      const [question] = await inbound(channelId);
      fake.failNext({ status: 503, message: 'Service Unavailable' });
      const posted = await hub.http.post(`/api/conversations/${question.conversationId}/messages`).set(admin.auth).send({ body: 'すぐ確認します' }).expect(201);
      const waiting = await eventually(() => hub.infra.db.message.findUniqueOrThrow({ where: { id: posted.body.id } }), (m) => m.error !== null);
      expect(waiting).toMatchObject({ status: 'queued', error: 'SendGrid is unavailable for a moment; retrying.' });
      const sent = await eventually(() => hub.infra.db.message.findUniqueOrThrow({ where: { id: posted.body.id } }), (m) => m.status === 'sent');
      expect(sent.error).toBeNull();
      expect(fake.sent.filter((m) => m.body.custom_args?.hub_message_id === posted.body.id)).toHaveLength(1);
    });

    it('invites a contact by email, and a YES by mail opts them in', async () => {
      const channelId = await emailChannel();
      const associate = await addMember(hub, team, { name: '店員 五郎' });
      const contact = await hub.http.post('/api/contacts').set(associate.auth).send({ name: '招待 花子', email: 'invitee@customer.example' }).expect(201);
      const invited = await hub.http.post(`/api/contacts/${contact.body.id}/invitations`).set(associate.auth).send({ channel: 'email', channelId }).expect(202);
      const sent = await eventually(async () => fake.sent.find((m) => m.body.personalizations[0].to[0].email === 'invitee@customer.example'), (m) => !!m);
      expect(sent!.body.content![0].value).toContain('YES');
      await mail(channelId, [
        { name: 'headers', value: `From: invitee@customer.example\r\nIn-Reply-To: ${sent!.body.headers!['Message-ID']}` },
        { name: 'from', value: 'invitee@customer.example' },
        { name: 'text', value: 'YES\r\n\r\n> よろしければ「YES」とご返信ください。' },
        // A keyword counts only from a sender the mail's DKIM vouches for.
        { name: 'dkim', value: '{@customer.example : pass}' },
      ]).expect(200);
      const [answer] = await inbound(channelId);
      expect(answer.conversationId).toBe(invited.body.conversationId);
      const view = await hub.http.get(`/api/contacts/${contact.body.id}`).set(associate.auth).expect(200);
      expect(view.body.consent.email).toBe('opted_in');
    });

    it('emails a chat transcript, refusing a full-width ＠ with the reason', async () => {
      const channelId = await emailChannel();
      await mail(channelId, [{ name: 'from', value: 'transcript@customer.example' }, { name: 'text', value: '記録をください' }]).expect(200);
      const [question] = await inbound(channelId);
      const wide = await hub.http.post(`/api/conversations/${question.conversationId}/transcript`).set(admin.auth).send({ email: 'kiroku＠customer.example', channelId }).expect(400);
      expect(wide.body.code).toBe('invalid_email');
      expect(wide.body.message).toContain('full-width');
      expect(wide.body.details[0].message).toContain('kiroku@customer.example');
      await hub.http.post(`/api/conversations/${question.conversationId}/transcript`).set(admin.auth).send({ email: 'kiroku@customer.example', channelId }).expect(202);
      const sent = await eventually(async () => fake.sent.find((m) => m.body.personalizations[0].to[0].email === 'kiroku@customer.example'), (m) => !!m);
      expect(sent!.body.subject).toContain('チャットの記録');
      expect(sent!.body.content![0].value).toContain('お客様: 記録をください');
      // The team's clock with its zone named, never bare UTC (the customer read UTC times as local ones).
      const questionRow = await hub.infra.db.message.findFirstOrThrow({ where: { conversationId: question.conversationId, direction: 'in' } });
      const tokyo = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(questionRow.createdAt);
      expect(sent!.body.content![0].value).toContain(`[${tokyo} (Asia/Tokyo)] お客様: 記録をください`);
    });
  });
});
