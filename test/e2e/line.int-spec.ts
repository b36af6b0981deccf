import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { TestHub, TestMember, createTeam, startTestHub } from '../support/test-hub.js';
import { eventually } from '../support/eventually.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCESS_TOKEN = 'line-channel-access-token';
const providers = join(process.cwd(), 'test', 'fixtures', 'providers', 'line');
const raw = (name: string) => readFileSync(join(providers, name), 'utf8');
const USER = 'U206d25c2ea6bd87c17655609a1c37cb8';
const GROUP = 'Ca56f94637cc4347f90a25382909b24b9';

interface LineEvent extends Record<string, unknown> {
  webhookEventId?: string;
  timestamp: number;
}

let eventCounter = 0;
/** A fixture's events with ids of their own: the recorded fixtures all share one webhookEventId. */
function fixtureEvents(name: string, patch: Partial<LineEvent> = {}): LineEvent[] {
  return (JSON.parse(raw(name)).events as LineEvent[]).map((event) => ({ ...event, webhookEventId: `01TEST${String(eventCounter++).padStart(20, '0')}`, ...patch }));
}

describe('LINE Messaging API', () => {
  let hub: TestHub;
  let admin: TestMember;
  let fake: LineFake;

  beforeAll(async () => {
    fake = await startLineFake({ channelAccessToken: ACCESS_TOKEN });
    hub = await startTestHub({ PUBLIC_URL });
    admin = (await createTeam(hub)).admin;
  });

  afterAll(async () => {
    await hub?.stop();
    await fake?.close();
  });

  /** A channel of its own per case: the fixtures reuse one message id, which unsend and quotes refer to. */
  async function lineChannel(channelSecret = 'line-channel-secret'): Promise<string> {
    const response = await hub.http
      .post('/api/channels')
      .set(admin.auth)
      .send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret, channelAccessToken: ACCESS_TOKEN, apiBaseUrl: fake.url } })
      .expect(201);
    return response.body.id;
  }

  function post(channelId: string, body: string, signature: string | null) {
    const call = request(hub.url).post(`/webhooks/line/${channelId}`).set('content-type', 'application/json');
    return (signature === null ? call : call.set('x-line-signature', signature)).send(body);
  }

  function deliver(channelId: string, events: LineEvent[], secret = 'line-channel-secret') {
    const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events });
    return post(channelId, body, signLineBody(secret, body));
  }

  async function counts() {
    const db = hub.infra.db;
    return { messages: await db.message.count(), contacts: await db.contact.count(), conversations: await db.conversation.count(), events: await db.contactEvent.count(), groups: await db.channelGroup.count() };
  }

  describe('x-line-signature', () => {
    const vectors = JSON.parse(raw('signature-vectors.json')).vectors as { channel_secret: string; body_file?: string; x_line_signature: string; expect: string }[];

    it('answers each vector of the SDK’s tests as the SDK does, and writes nothing for the bad ones', async () => {
      for (const vector of vectors.filter((v) => v.body_file)) {
        const channelId = await lineChannel(vector.channel_secret);
        const before = await counts();
        const valid = vector.expect.startsWith('valid');
        const response = await post(channelId, raw(vector.body_file!), vector.x_line_signature);
        expect({ status: response.status, vector: vector.x_line_signature }).toEqual({ status: valid ? 200 : 401, vector: vector.x_line_signature });
        if (!valid) expect(await counts()).toEqual(before);
      }
    });

    it('refuses a tampered body, re-serialized JSON, a wrong secret and a missing header, and writes nothing', async () => {
      const channelId = await lineChannel();
      const body = JSON.stringify({ destination: 'U0', events: fixtureEvents('single-user-text.json') }, null, 2);
      const signature = signLineBody('line-channel-secret', body);
      const before = await counts();
      const tampered = await post(channelId, body.replace('Hello', 'Hellp'), signature).expect(401);
      expect(tampered.body.code).toBe('signature_invalid');
      await post(channelId, JSON.stringify(JSON.parse(body)), signature).expect(401);
      await post(channelId, body, signLineBody('another-secret', body)).expect(401);
      await post(channelId, body, `sha256=${signature}`).expect(401);
      const missing = await post(channelId, body, null).expect(401);
      expect(missing.body.code).toBe('signature_missing');
      expect(await counts()).toEqual(before);
      await post(channelId, body, signature).expect(200);
    });

    it('answers the console’s verify call (no events) with 200', async () => {
      const channelId = await lineChannel();
      const before = await counts();
      await deliver(channelId, []).expect(200);
      expect(await counts()).toEqual(before);
    });
  });

  it('turns a user’s text into a contact (named from the profile API) and a conversation', async () => {
    const channelId = await lineChannel();
    // Someone the team has never met: the earlier cases met the fixtures' user already.
    const userId = 'U' + 'c'.repeat(32);
    fake.setProfile(userId, { displayName: '田中 優子' });
    await deliver(channelId, fixtureEvents('single-user-text.json', { source: { type: 'user', userId } })).expect(200);
    const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId }, include: { conversation: { include: { contact: { include: { identities: true } } } } } });
    expect(message).toMatchObject({ direction: 'in', kind: 'text', providerMessageId: '325708' });
    expect(message.conversation.threadKey).toBe(`line:${userId}`);
    expect(message.conversation.contact.identities).toEqual([expect.objectContaining({ kind: 'line', address: userId })]);
    await eventually(() => hub.infra.db.contact.findUniqueOrThrow({ where: { id: message.conversation.contactId } }), (c) => c.name === '田中 優子');
  });

  it('keeps a group as one conversation whose messages are authored by the members who wrote', async () => {
    const channelId = await lineChannel();
    fake.setGroup(GROUP, '予約センター');
    await deliver(channelId, fixtureEvents('single-group-text.json')).expect(200);
    const other = fixtureEvents('single-group-text.json').map((e) => ({ ...e, source: { type: 'group', groupId: GROUP, userId: 'U' + '9'.repeat(32) }, message: { id: '999', type: 'text', text: 'もう一人', quoteToken: 'q' } }));
    await deliver(channelId, other).expect(200);
    const conversations = await hub.infra.db.conversation.findMany({ where: { channelId }, include: { messages: true, contact: { include: { identities: true } } } });
    expect(conversations).toHaveLength(1);
    expect(conversations[0].threadKey).toBe(`line_group:${GROUP}`);
    expect(conversations[0].contact.identities).toEqual([expect.objectContaining({ kind: 'line_group', address: GROUP })]);
    const authors = new Set(conversations[0].messages.map((m) => m.authorId));
    expect(authors.size).toBe(2);
    expect(authors.has(conversations[0].contactId)).toBe(false);
    await eventually(() => hub.infra.db.contact.findUniqueOrThrow({ where: { id: conversations[0].contactId } }), (c) => c.name === '予約センター');
  });

  it('records follow (with isUnblocked) and unfollow as events on the contact', async () => {
    const channelId = await lineChannel();
    await deliver(channelId, fixtureEvents('single-follow.json')).expect(200);
    await deliver(channelId, fixtureEvents('single-unfollow.json')).expect(200);
    const identity = await hub.infra.db.contactIdentity.findFirstOrThrow({ where: { teamId: admin.teamId, kind: 'line', address: USER } });
    const events = await hub.http.get(`/api/contacts/${identity.contactId}/events`).set(admin.auth).expect(200);
    const here = events.body.items.filter((e: { channelId: string }) => e.channelId === channelId);
    expect(here.map((e: { kind: string; detail: unknown }) => [e.kind, e.detail])).toEqual([
      ['follow', { source: 'provider', isUnblocked: true }],
      ['unfollow', { source: 'provider' }],
    ]);
  });

  it('records the groups the bot joins (with their names) and marks the ones it leaves', async () => {
    const channelId = await lineChannel();
    fake.setGroup(GROUP, 'スタッフ連絡');
    await deliver(channelId, fixtureEvents('single-join-group.json')).expect(200);
    const joined = await eventually(
      async () => (await hub.http.get(`/api/channels/${channelId}/groups`).set(admin.auth).expect(200)).body.items,
      (items: { name: string | null }[]) => items[0]?.name === 'スタッフ連絡',
    );
    expect(joined).toEqual([expect.objectContaining({ groupId: GROUP, kind: 'group', status: 'active' })]);
    await deliver(channelId, fixtureEvents('single-leave-group.json')).expect(200);
    const left = (await hub.http.get(`/api/channels/${channelId}/groups`).set(admin.auth).expect(200)).body.items;
    expect(left).toEqual([expect.objectContaining({ groupId: GROUP, status: 'gone' })]);
    expect(await hub.infra.db.conversation.count({ where: { channelId } })).toBe(0);
  });

  it('fetches a file’s content in a job and serves it to the team only', async () => {
    const channelId = await lineChannel();
    fake.setContent('325708', Buffer.from('予約表の中身'), 'text/plain');
    await deliver(channelId, fixtureEvents('single-user-file.json')).expect(200);
    const message = await eventually(
      () => hub.infra.db.message.findFirstOrThrow({ where: { channelId } }),
      (m) => Array.isArray(m.attachments) && Boolean((m.attachments[0] as { url?: string }).url),
    );
    const attachment = (message.attachments as { url: string; name?: string }[])[0];
    expect(attachment).toMatchObject({ url: `/api/messages/${message.id}/attachments/0`, name: 'file.txt' });
    const file = await hub.http.get(attachment.url).set(admin.auth).expect(200);
    expect(file.headers['content-disposition']).toMatch(/^attachment;/);
    expect(file.text).toBe('予約表の中身');
    const other = (await createTeam(hub, 'Other')).admin;
    await hub.http.get(attachment.url).set(other.auth).expect(404);
  });

  it('takes a photo served from the customer’s own server as a link, with nothing to fetch', async () => {
    const channelId = await lineChannel();
    await deliver(channelId, fixtureEvents('single-room-image.json')).expect(200);
    const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId } });
    expect(message).toMatchObject({ kind: 'media' });
    expect(message.attachments).toEqual([expect.objectContaining({ url: 'https://example.com' })]);
  });

  it('hides a message the customer unsent', async () => {
    const channelId = await lineChannel();
    await deliver(channelId, fixtureEvents('single-group-text.json')).expect(200);
    await deliver(channelId, fixtureEvents('single-unsend-group.json')).expect(200);
    const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId, providerMessageId: '325708' } });
    expect(message.unsentAt).not.toBeNull();
    expect(message.body).toBe('');
    const page = await hub.http.get(`/api/conversations/${message.conversationId}/messages`).set(admin.auth).expect(200);
    expect(page.body.items[0]).toMatchObject({ unsent: true, body: '' });
  });

  it('stores the other recorded events as the agent should see them', async () => {
    const cases: [string, (channelId: string) => Promise<void>][] = [
      ['single-room-text.json', async (channelId) => {
        const conversation = await hub.infra.db.conversation.findFirstOrThrow({ where: { channelId } });
        expect(conversation.threadKey).toMatch(/^line_group:R/);
      }],
      ['single-user-sticker.json', async (channelId) => {
        const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId } });
        expect(message).toMatchObject({ kind: 'media', attachments: [{ meta: expect.objectContaining({ type: 'sticker' }) }] });
        expect((await hub.infra.db.conversation.findFirstOrThrow({ where: { channelId } })).lastMessagePreview).toBe('[スタンプ]');
      }],
      ['single-user-location.json', async (channelId) => {
        const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId } });
        expect(message).toMatchObject({ kind: 'text', attachments: [{ meta: expect.objectContaining({ type: 'location' }) }] });
      }],
      ['single-postback-datetime.json', async (channelId) => {
        const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId } });
        expect(message).toMatchObject({ kind: 'event', body: expect.stringContaining('datetime: 2017-12-25T01:00') });
      }],
      ['single-message-edited.json', async (channelId) => {
        expect(await hub.infra.db.message.count({ where: { channelId } })).toBe(0);
      }],
      ['single-unknown-type-redelivered.json', async (channelId) => {
        expect(await hub.infra.db.message.count({ where: { channelId } })).toBe(0);
      }],
    ];
    for (const [fixture, check] of cases) {
      const channelId = await lineChannel();
      await deliver(channelId, fixtureEvents(fixture)).expect(200);
      await check(channelId);
    }
  });

  it('shows members joining and leaving in the group’s open conversation, and opens none for them', async () => {
    const channelId = await lineChannel();
    const group = 'C4af4980629...';
    await deliver(channelId, fixtureEvents('single-member-joined-group.json')).expect(200);
    expect(await hub.infra.db.conversation.count({ where: { channelId } })).toBe(0);
    const [text] = fixtureEvents('single-group-text.json');
    await deliver(channelId, [{ ...text, source: { type: 'group', groupId: group, userId: USER } }]).expect(200);
    await deliver(channelId, fixtureEvents('single-member-joined-group.json')).expect(200);
    await deliver(channelId, fixtureEvents('single-member-left-group.json')).expect(200);
    const messages = await hub.infra.db.message.findMany({ where: { channelId }, orderBy: { seq: 'asc' } });
    expect(messages.map((m) => [m.kind, m.authorType])).toEqual([
      ['text', 'contact'],
      ['event', 'system'],
      ['event', 'system'],
    ]);
  });

  it('takes the SDK’s all-events fixture (ids made unique) without refusing the unknown types', async () => {
    const channelId = await lineChannel();
    await deliver(channelId, fixtureEvents('python-sdk-webhook-all-events.json')).expect(200);
    expect(await hub.infra.db.message.count({ where: { channelId } })).toBeGreaterThan(5);
  });

  it('treats the all-events fixture as sent, with its one shared webhookEventId, as a single event and its redeliveries', async () => {
    const channelId = await lineChannel();
    const body = raw('python-sdk-webhook-all-events.json');
    await post(channelId, body, signLineBody('line-channel-secret', body)).expect(200);
    expect(await hub.infra.db.message.count({ where: { channelId } })).toBe(1);
  });

  describe('replies', () => {
    async function conversationWithToken(channelId: string, ageMs: number): Promise<{ conversationId: string; token: string }> {
      const token = fake.issueReplyToken();
      const userId = 'U' + String(Date.now()).padStart(32, '7');
      const [event] = fixtureEvents('single-user-text.json', { timestamp: Date.now() - ageMs });
      await deliver(channelId, [{ ...event, replyToken: token, source: { type: 'user', userId } }]).expect(200);
      const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId, eventKey: event.webhookEventId } });
      return { conversationId: message.conversationId, token };
    }

    async function sent(messageId: string) {
      return eventually(
        () => hub.infra.db.message.findUniqueOrThrow({ where: { id: messageId } }),
        (m) => m.status === 'sent' || m.status === 'failed',
      );
    }

    it('uses a fresh reply token once, then pushes with a retry key', async () => {
      const channelId = await lineChannel();
      const { conversationId, token } = await conversationWithToken(channelId, 1_000);
      const first = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'ご予約ありがとうございます' }).expect(201);
      expect(await sent(first.body.id)).toMatchObject({ status: 'sent' });
      expect(fake.replies.find((r) => r.replyToken === token)?.messages).toEqual([{ type: 'text', text: 'ご予約ありがとうございます' }]);
      const second = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: '二通目' }).expect(201);
      expect(await sent(second.body.id)).toMatchObject({ status: 'sent' });
      const push = fake.pushes.find((p) => p.messages[0]?.text === '二通目');
      expect(push?.retryKey).toMatch(/^[0-9a-f-]{36}$/);
      expect(push?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    });

    it('pushes when the token is stale (older than LINE keeps it)', async () => {
      const channelId = await lineChannel();
      const { conversationId, token } = await conversationWithToken(channelId, 120_000);
      const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: '遅れてすみません' }).expect(201);
      expect(await sent(reply.body.id)).toMatchObject({ status: 'sent' });
      expect(fake.replies.some((r) => r.replyToken === token)).toBe(false);
      expect(fake.pushes.some((p) => p.messages[0]?.text === '遅れてすみません')).toBe(true);
    });

    it('replies to a group in the group', async () => {
      const channelId = await lineChannel();
      await deliver(channelId, fixtureEvents('single-group-text.json')).expect(200);
      const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId } });
      const reply = await hub.http.post(`/api/conversations/${message.conversationId}/messages`).set(admin.auth).send({ body: 'グループの皆さんへ' }).expect(201);
      expect(await sent(reply.body.id)).toMatchObject({ status: 'sent' });
      expect(fake.pushes.find((p) => p.messages[0]?.text === 'グループの皆さんへ')?.to).toBe(GROUP);
    });

    it('retries a 500 with the same retry key and sends once', async () => {
      const channelId = await lineChannel();
      const { conversationId } = await conversationWithToken(channelId, 120_000);
      fake.failNext({ status: 500 });
      const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: '再送テスト' }).expect(201);
      expect(await sent(reply.body.id)).toMatchObject({ status: 'sent' });
      const attempts = fake.requests.filter((r) => r.path === '/v2/bot/message/push' && JSON.stringify(r.json).includes('再送テスト'));
      expect(attempts).toHaveLength(2);
      expect(new Set(attempts.map((r) => r.headers['x-line-retry-key'])).size).toBe(1);
      expect(fake.pushes.filter((p) => p.messages[0]?.text === '再送テスト')).toHaveLength(1);
    });
  });
});
