import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { signWhatsAppBody, startWhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import type { WhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import { TestHub, TestMember, createTeam, startTestHub } from '../support/test-hub.js';
import { eventually } from '../support/eventually.js';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'whatsapp-cloud');
const raw = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const vector = JSON.parse(raw('signature-vector.DERIVED.json')) as { app_secret: string; body_file: string; header_value: string; negative_case: { header_value: string } };
// Every webhook here is signed with the derived vector's test secret, as Meta would sign it with the app's.
const APP_SECRET = vector.app_secret;
const ACCESS_TOKEN = 'whatsapp-cloud-access-token';
const VERIFY_TOKEN = 'meta-verify-token-1';
const PHONE_NUMBER_ID = '106540352242922';
const SHEENA = '+16505551234';

describe('WhatsApp Cloud API', () => {
  let hub: TestHub;
  let admin: TestMember;
  let fake: WhatsAppCloudFake;

  beforeAll(async () => {
    fake = await startWhatsAppCloudFake({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    hub = await startTestHub({ PUBLIC_URL: 'https://hub.example.test' });
    admin = (await createTeam(hub)).admin;
  });

  afterAll(async () => {
    await hub?.stop();
    await fake?.close();
  });

  /** A channel of its own per case: Meta's examples reuse one wamid across several message types. */
  async function channel(config: Record<string, unknown> = {}): Promise<string> {
    const response = await hub.http
      .post('/api/channels')
      .set(admin.auth)
      .send({
        type: 'whatsapp',
        provider: 'whatsapp-cloud',
        name: 'WhatsApp',
        config: {
          accessToken: ACCESS_TOKEN,
          appSecret: APP_SECRET,
          verifyToken: VERIFY_TOKEN,
          phoneNumberId: PHONE_NUMBER_ID,
          apiBaseUrl: fake.apiBaseUrl,
          templates: [
            { name: 'order_ready', language: 'ja', variables: ['name', 'order'], text: '{{1}}様、ご注文{{2}}の準備ができました。' },
            { name: 'hello_world', language: 'en_US' },
          ],
          ...config,
        },
      })
      .expect(201);
    return response.body.id;
  }

  function post(channelId: string, body: string, signature: string | null) {
    const call = request(hub.url).post(`/webhooks/whatsapp/${channelId}`).set('content-type', 'application/json');
    return (signature === null ? call : call.set('x-hub-signature-256', signature)).send(body);
  }

  const deliver = (channelId: string, body: string) => post(channelId, body, signWhatsAppBody(APP_SECRET, body));

  /** A status webhook laid out as Meta's status reference shows it. */
  function statusBody(statuses: Record<string, unknown>[]): string {
    return JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '102290129340398', changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID }, statuses }, field: 'messages' }] }],
    });
  }

  /** A text message from `from`, as in inbound-text.json, with its own wamid. */
  function textMessage(wamid: string, body: string, from = '16505551234') {
    return { from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body } };
  }

  function batch(messages: Record<string, unknown>[], statuses: Record<string, unknown>[] = []): string {
    return JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '419561257915477',
          changes: [
            {
              value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID }, contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }], messages, ...(statuses.length ? { statuses } : {}) },
              field: 'messages',
            },
          ],
        },
      ],
    });
  }

  async function counts() {
    const db = hub.infra.db;
    return { messages: await db.message.count(), contacts: await db.contact.count(), conversations: await db.conversation.count(), events: await db.contactEvent.count() };
  }

  const statusOf = (messageId: string, wanted: string[], timeoutMs = 10_000) =>
    eventually(() => hub.infra.db.message.findUniqueOrThrow({ where: { id: messageId } }), (m) => wanted.includes(m.status), timeoutMs);

  let customers = 0;
  /** A conversation on a fresh channel, opened by a customer of its own (the fixtures' customer opts out). */
  async function conversation(config: Record<string, unknown> = {}) {
    const channelId = await channel(config);
    const waId = `8190${String(10_000_000 + customers++)}`;
    await deliver(channelId, batch([textMessage(`wamid.in-${waId}`, 'hello', waId)])).expect(200);
    const row = await hub.infra.db.conversation.findFirstOrThrow({ where: { channelId } });
    return { channelId, conversationId: row.id, waId };
  }

  describe('X-Hub-Signature-256 and the verify handshake', () => {
    it('accepts the derived vector’s body and header, and refuses its negative case with nothing written', async () => {
      const channelId = await channel();
      const before = await counts();
      const refused = await post(channelId, raw(vector.body_file), vector.negative_case.header_value).expect(401);
      expect(refused.body).toMatchObject({ code: 'signature_invalid', message: expect.stringContaining('app secret') });
      expect(await counts()).toEqual(before);
      await post(channelId, raw(vector.body_file), vector.header_value).expect(200);
      expect(await hub.infra.db.message.findFirstOrThrow({ where: { channelId } })).toMatchObject({ body: 'Does it come in another color?', direction: 'in' });
    });

    it('refuses an unsigned call, a changed byte, re-serialized JSON and another secret, naming what was wrong', async () => {
      const channelId = await channel();
      const body = raw('inbound-text.json');
      const signature = signWhatsAppBody(APP_SECRET, body);
      const before = await counts();
      const unsigned = await post(channelId, body, null).expect(401);
      expect(unsigned.body).toMatchObject({ code: 'signature_missing', message: expect.stringContaining('X-Hub-Signature-256') });
      await post(channelId, body.replace('color', 'colour'), signature).expect(401);
      await post(channelId, JSON.stringify(JSON.parse(body)), signature).expect(401);
      await post(channelId, body, signWhatsAppBody('another-app-secret', body)).expect(401);
      const malformed = await post(channelId, body, signature.slice('sha256='.length)).expect(401);
      expect(malformed.body.message).toMatch(/sha256=/);
      expect(await counts()).toEqual(before);
    });

    it('echoes hub.challenge as plain text for the right verify token only', async () => {
      const channelId = await channel();
      const check = (token: string, mode = 'subscribe') =>
        request(hub.url).get(`/webhooks/whatsapp/${channelId}`).query({ 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': '1158201444' });
      const ok = await check(VERIFY_TOKEN).expect(200);
      expect(ok.text).toBe('1158201444');
      expect(ok.headers['content-type']).toMatch(/^text\/plain/);
      const wrong = await check('meta-verify-token-2').expect(403);
      expect(wrong.body.code).toBe('verify_token_mismatch');
      expect(wrong.text).not.toContain('1158201444');
      await check(VERIFY_TOKEN, 'unsubscribe').expect(403);
      await request(hub.url).get('/webhooks/whatsapp/no-such-channel').query({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': 'x' }).expect(404);
      // Another provider's channel has no GET check.
      const line = await hub.http.post('/api/channels').set(admin.auth).send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: 'line-channel-secret', channelAccessToken: 't' } }).expect(201);
      await request(hub.url).get(`/webhooks/line/${line.body.id}`).expect(404);
    });
  });

  it('turns every recorded webhook into the right messages', async () => {
    const cases: [string, { kind: string; body: RegExp; attachment?: Record<string, unknown> } | null][] = [
      ['inbound-text.json', { kind: 'text', body: /^Does it come in another color\?$/ }],
      ['inbound-text-with-context-product-inquiry.json', { kind: 'text', body: /^Is this still available\?$/ }],
      ['inbound-text-ctwa-ad-referral.json', { kind: 'text', body: /^Hello! Can I get more info on this\?$/ }],
      ['inbound-image.json', { kind: 'media', body: /^Taj Mahal$/, attachment: { providerContentId: '1003383421387256', contentType: 'image/jpeg' } }],
      ['inbound-location.json', { kind: 'text', body: /^Philz Coffee\n101 Forest Ave/, attachment: { meta: expect.objectContaining({ type: 'location' }) } }],
      ['inbound-contacts.json', { kind: 'text', body: /^Lucía Gómez \+1 \(983\) 555-2319$/ }],
      ['inbound-reaction.json', { kind: 'event', body: /^👍$/ }],
      ['inbound-interactive-button-reply.json', { kind: 'text', body: /^Cancel$/ }],
      ['inbound-interactive-list-reply.json', { kind: 'text', body: /^Priority Mail Express$/ }],
      ['inbound-button-template-quick-reply.json', { kind: 'text', body: /^Unsubscribe$/ }],
      ['inbound-order.json', { kind: 'event', body: /di9ozbzfi4 × 2/ }],
      ['inbound-system-user-changed-number.json', { kind: 'event', body: /changed from 16505551234 to 12195555358/ }],
      ['inbound-unsupported-with-errors.json', { kind: 'event', body: /cannot show here.*not supported/ }],
      ['groups-create.json', null],
      ['groups-remove-participants.json', null],
      ['groups-settings-update.json', null],
      ['webhook-errors-130429.json', null],
    ];
    for (const [fixture, expected] of cases) {
      const channelId = await channel();
      await deliver(channelId, raw(fixture)).expect(200);
      const messages = await hub.infra.db.message.findMany({ where: { channelId, direction: 'in' }, include: { conversation: true } });
      if (!expected) {
        expect({ fixture, messages: messages.length }).toEqual({ fixture, messages: 0 });
        continue;
      }
      expect({ fixture, count: messages.length, kind: messages[0].kind, direction: messages[0].direction, thread: messages[0].conversation.threadKey }).toEqual({
        fixture,
        count: 1,
        kind: expected.kind,
        direction: 'in',
        thread: `phone:${SHEENA}`,
      });
      expect(messages[0].body).toMatch(expected.body);
      if (expected.attachment) expect(messages[0].attachments).toEqual([expect.objectContaining(expected.attachment)]);
    }
    // The dashboard's "Test" button names its own sample number.
    const sample = await channel({ phoneNumberId: '123456123' });
    await deliver(sample, raw('meta-dashboard-test-sample.json')).expect(200);
    expect(await hub.infra.db.message.findFirstOrThrow({ where: { channelId: sample }, include: { conversation: true } })).toMatchObject({
      body: 'this is a text message',
      eventKey: 'ABGGFlA5Fpa',
      conversation: { threadKey: 'phone:+16315551181' },
    });
    const contact = await hub.infra.db.contactIdentity.findFirstOrThrow({ where: { teamId: admin.teamId, kind: 'phone', address: '+16315551181' }, include: { contact: true } });
    expect(contact.contact.name).toBe('test user name');
  });

  // Regression guard: "Cancel" on a list or button of ours is a choice, not the CANCEL opt-out keyword.
  it('records the template’s Unsubscribe button as an opt-out, and an interactive “Cancel” as nothing of the kind', async () => {
    const channelId = await channel();
    await deliver(channelId, raw('inbound-interactive-button-reply.json')).expect(200);
    await deliver(channelId, raw('inbound-button-template-quick-reply.json')).expect(200);
    const identity = await hub.infra.db.contactIdentity.findFirstOrThrow({ where: { teamId: admin.teamId, kind: 'phone', address: SHEENA } });
    const events = await hub.http.get(`/api/contacts/${identity.contactId}/events`).set(admin.auth).expect(200);
    expect(events.body.items.filter((e: { channelId: string }) => e.channelId === channelId).map((e: { kind: string }) => e.kind)).toEqual(['opt_out']);
  });

  it('stores every message and status of a batch, and a redelivery of it stores nothing new', async () => {
    const { channelId, conversationId, waId } = await conversation();
    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'Yes, in blue.' }).expect(201);
    const { providerMessageId: wamid } = await statusOf(reply.body.id, ['sent']);
    const body = batch(
      [textMessage('wamid.batch-1', 'Great', waId), textMessage('wamid.batch-2', 'I take it', waId), textMessage('wamid.batch-3', 'Another customer', '819012345678')],
      [
        { id: wamid, status: 'delivered', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: waId },
        { id: wamid, status: 'read', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: waId },
      ],
    );
    const before = await counts();
    await deliver(channelId, body).expect(200);
    const after = await counts();
    expect(after.messages - before.messages).toBe(3);
    expect(after.conversations - before.conversations).toBe(1);
    expect((await hub.infra.db.message.findUniqueOrThrow({ where: { id: reply.body.id } })).status).toBe('read');
    expect((await hub.infra.db.message.findMany({ where: { conversationId, direction: 'in' }, orderBy: { seq: 'asc' } })).map((m) => m.body)).toEqual(['hello', 'Great', 'I take it']);

    // Meta delivers at least once: the same batch again, and the same message inside another batch.
    await deliver(channelId, body).expect(200);
    await deliver(channelId, batch([textMessage('wamid.batch-2', 'I take it', waId)])).expect(200);
    expect(await counts()).toEqual(after);
    // A late `delivered` never moves a read message back.
    await deliver(channelId, statusBody([{ id: wamid, status: 'delivered', timestamp: '1', recipient_id: '16505551234' }])).expect(200);
    expect((await hub.infra.db.message.findUniqueOrThrow({ where: { id: reply.body.id } })).status).toBe('read');
  });

  it('fetches an image by its media id in a job, and serves it to the team', async () => {
    const channelId = await channel();
    fake.setMedia('1003383421387256', Buffer.from('the Taj Mahal, in JPEG'), 'image/jpeg');
    await deliver(channelId, raw('inbound-image.json')).expect(200);
    const message = await eventually(
      () => hub.infra.db.message.findFirstOrThrow({ where: { channelId } }),
      (m) => Boolean((m.attachments as { url?: string }[])[0]?.url),
    );
    const file = await hub.http.get((message.attachments as { url: string }[])[0].url).set(admin.auth).expect(200);
    expect(file.headers['content-type']).toMatch(/^image\/jpeg/);
    expect(file.body.toString()).toBe('the Taj Mahal, in JPEG');
  });

  describe('replies through the Graph API', () => {
    it('sends free text inside the 24-hour window, and follows its statuses', async () => {
      const { channelId, conversationId, waId } = await conversation();
      const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'In stock, yes.' }).expect(201);
      const sent = await statusOf(reply.body.id, ['sent']);
      const call = fake.requests.find((r) => (r.json as { text?: { body?: string } })?.text?.body === 'In stock, yes.')!;
      expect(call.path).toBe(`/v23.0/${PHONE_NUMBER_ID}/messages`);
      expect(call.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(call.json).toMatchObject({ messaging_product: 'whatsapp', recipient_type: 'individual', to: waId, type: 'text', text: { body: 'In stock, yes.', preview_url: false } });
      expect(sent.providerMessageId).toBe(fake.sent.find((s) => s.body === call.json)?.wamid);
      await deliver(channelId, statusBody([{ id: sent.providerMessageId, status: 'delivered', timestamp: '1750000000', recipient_id: '16505551234' }])).expect(200);
      expect((await hub.infra.db.message.findUniqueOrThrow({ where: { id: reply.body.id } })).status).toBe('delivered');
    });

    it('refuses free text outside the window before any call, with reply_window_closed, and sends a template instead', async () => {
      const { conversationId, waId } = await conversation();
      await hub.infra.db.conversation.update({ where: { id: conversationId }, data: { lastCustomerMessageAt: new Date(Date.now() - 25 * 3_600_000) } });
      const calls = fake.requests.length;
      const refused = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'too late' }).expect(409);
      expect(refused.body).toMatchObject({ code: 'reply_window_closed', message: expect.stringContaining('template') });
      expect(await hub.infra.db.message.count({ where: { conversationId, body: 'too late' } })).toBe(0);
      expect(fake.requests.length).toBe(calls);

      const template = await hub.http
        .post(`/api/conversations/${conversationId}/messages`)
        .set(admin.auth)
        .send({ template: { name: 'order_ready', variables: { name: 'Sheena', order: 'A-1001' } } })
        .expect(201);
      expect(template.body).toMatchObject({ body: 'Sheena様、ご注文A-1001の準備ができました。', template: 'order_ready', status: 'queued' });
      const sent = await statusOf(template.body.id, ['sent']);
      expect(fake.sent.find((s) => s.wamid === sent.providerMessageId)!.body).toMatchObject({
        to: waId,
        type: 'template',
        template: { name: 'order_ready', language: { code: 'ja' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Sheena' }, { type: 'text', text: 'A-1001' }] }] },
      });
    });

    it('refuses an unknown template, a missing variable, and templates on a channel without them', async () => {
      const { conversationId } = await conversation();
      const unknown = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ template: { name: 'nope' } }).expect(400);
      expect(unknown.body).toMatchObject({ code: 'unknown_template', message: expect.stringContaining('order_ready') });
      const missing = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ template: { name: 'order_ready', variables: { name: 'Sheena' } } }).expect(400);
      expect(missing.body.details).toEqual([{ field: 'template.variables.order', message: 'is required by the template' }]);
      await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ template: { name: 'hello_world' } }).expect(201);
    });

    it('sends an automation rule’s template with the customer’s name, once, and refuses a rule naming a template no channel has', async () => {
      const { channelId, conversationId, waId } = await conversation();
      const contactId = (await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).contactId;
      await hub.http.patch(`/api/contacts/${contactId}`).set(admin.auth).send({ name: '鈴木' }).expect(200);
      const unknown = await hub.http
        .post('/api/automation/rules')
        .set(admin.auth)
        .send({ name: 'x', event: 'message.created', actions: [{ kind: 'template', name: 'order_readyy', variables: {} }] })
        .expect(400);
      expect(unknown.body).toMatchObject({ code: 'invalid_rule', details: [{ field: 'actions.0.name', message: expect.any(String) }] });
      const incomplete = await hub.http
        .post('/api/automation/rules')
        .set(admin.auth)
        .send({ name: 'x', event: 'message.created', actions: [{ kind: 'template', name: 'order_ready', variables: { name: '{contact.name}' } }] })
        .expect(400);
      expect(incomplete.body.details).toEqual([{ field: 'actions.0.variables.order', message: 'is required by the template' }]);
      const rule = (
        await hub.http
          .post('/api/automation/rules')
          .set(admin.auth)
          .send({
            name: '受け取り案内',
            event: 'message.created',
            conditions: [{ kind: 'channel', channelIds: [channelId] }, { kind: 'words', words: ['受け取り'] }],
            actions: [{ kind: 'template', name: 'order_ready', variables: { name: '{contact.name}', order: 'A-2002' } }],
          })
          .expect(201)
      ).body;
      const calls = () => fake.sent.filter((s) => s.body.to === waId && s.body.type === 'template');
      const message = JSON.stringify(JSON.parse(batch([textMessage(`wamid.pickup-${waId}`, '受け取りはいつですか', waId)])));
      await deliver(channelId, message).expect(200);
      await eventually(async () => calls(), (sent) => sent.length === 1);
      expect(calls()[0].body).toMatchObject({
        template: { name: 'order_ready', language: { code: 'ja' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '鈴木' }, { type: 'text', text: 'A-2002' }] }] },
      });
      const stored = await hub.infra.db.message.findFirstOrThrow({ where: { conversationId, direction: 'out', authorType: 'system' } });
      expect(stored).toMatchObject({ body: '鈴木様、ご注文A-2002の準備ができました。' });
      // The run is finished a moment after the template is handed to the outbox, which may already have sent it.
      const runsOf = async () => (await hub.http.get('/api/automation/runs').set(admin.auth).expect(200)).body.items.filter((run: { ruleId: string }) => run.ruleId === rule.id);
      const runs = await eventually(runsOf, (found: { status: string }[]) => found.some((run) => run.status !== 'running'));
      expect(runs).toEqual([expect.objectContaining({ status: 'matched', actions: [{ kind: 'template', status: 'done' }] })]);
      // The same webhook again (Meta redelivers): no second run, no second template, once everything it set off is done.
      await deliver(channelId, message).expect(200);
      await hub.infra.jobs.idle();
      // (The template's own message.created is judged too, and skipped: its words are not the customer's.)
      expect(await hub.infra.db.automationRun.count({ where: { ruleId: rule.id, status: 'matched' } })).toBe(1);
      expect(await hub.infra.db.message.count({ where: { conversationId, direction: 'out', authorType: 'system' } })).toBe(1);
      expect(calls()).toHaveLength(1);
      await hub.http.delete(`/api/automation/rules/${rule.id}`).set(admin.auth).expect(204);
    });

    it('leaves 131047 failed with WhatsApp’s words, and sends once after 130429 and a 500 (delayed, never dropped)', async () => {
      const { conversationId } = await conversation();
      fake.failNext({ status: 400, code: 131047 });
      const late = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'window closed at Meta' }).expect(201);
      expect((await statusOf(late.body.id, ['failed'])).error).toMatch(/24 hours.*WhatsApp says: Message failed to send because more than 24 hours/);

      fake.failNext({ status: 400, code: 130429 }, { status: 500, code: 1 });
      const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'after a throttle' }).expect(201);
      const sent = await statusOf(reply.body.id, ['sent'], 20_000);
      expect(fake.requests.filter((r) => (r.json as { text?: { body?: string } })?.text?.body === 'after a throttle')).toHaveLength(3);
      expect(fake.sent.filter((s) => (s.body.text as { body?: string })?.body === 'after a throttle')).toHaveLength(1);
      expect(sent.error).toBeNull();
    });
  });

  it('lists the channel with its webhook URL and without its secrets', async () => {
    const channelId = await channel();
    const view = await hub.http.get(`/api/channels/${channelId}`).set(admin.auth).expect(200);
    expect(view.body).toMatchObject({ provider: 'whatsapp-cloud', webhookUrls: { messages: `https://hub.example.test/webhooks/whatsapp/${channelId}` }, capabilities: { templates: true, replyWindowHours: 24 } });
    expect(view.body.secretsSet.sort()).toEqual(['accessToken', 'appSecret', 'verifyToken']);
    expect(JSON.stringify(view.body)).not.toContain(APP_SECRET);
  });
});
