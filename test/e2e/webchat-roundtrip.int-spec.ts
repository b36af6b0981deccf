import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { collect, connect, emitWithAck, nextEvent, sleep, sessionOf, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

describe('Web chat round trip', () => {
  let hub: TestHub;
  let admin: TestMember;
  let agent: TestMember;
  let channelId: string;
  const { open, closeAll } = socketPool();

  beforeAll(async () => {
    // The whole web chat round trip on the embedded database, the default of `npm start`, wherever the tests run.
    hub = await startTestHub({}, { embedded: true });
    const team = await createTeam(hub, 'Shop A');
    admin = team.admin;
    agent = await addMember(hub, team);
    channelId = await createWebchat(hub, admin, { greeting: 'いらっしゃいませ' });
  });

  afterAll(async () => {
    closeAll();
    await hub.stop();
  });

  it('carries a visitor message to every device of an agent, and the reply back to the visitor', async () => {
    const phone = await open(hub.url, '/inbox', { token: agent.token });
    const desk = await open(hub.url, '/inbox', { token: agent.token });
    const visitor = await open(hub.url, '/widget', { channelId });
    const session = await sessionOf<{ visitorId: string; conversationId: string | null; greeting: string }>(visitor);
    expect(session.visitorId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(session.conversationId).toBeNull();
    expect(session.greeting).toBe('いらっしゃいませ');

    const onPhone = nextEvent<{ conversationId: string; body: string; direction: string }>(phone, 'message.created');
    const onDesk = nextEvent<{ conversationId: string; body: string }>(desk, 'message.created');
    const conversationOnPhone = nextEvent<{ id: string; unreplied: boolean; status: string }>(phone, 'conversation.updated');
    const ack = await emitWithAck<{ ok: boolean; conversationId: string }>(visitor, 'message', { body: 'こんにちは、在庫はありますか？' });
    expect(ack.ok).toBe(true);

    const [phoneMessage, deskMessage, conversation] = await Promise.all([onPhone, onDesk, conversationOnPhone]);
    expect(phoneMessage).toMatchObject({ conversationId: ack.conversationId, body: 'こんにちは、在庫はありますか？', direction: 'in' });
    expect(deskMessage.conversationId).toBe(ack.conversationId);
    expect(conversation).toMatchObject({ id: ack.conversationId, unreplied: true, status: 'waiting' });

    const list = await hub.http.get('/api/conversations?view=waiting').set(agent.auth).expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(ack.conversationId);

    const atVisitor = nextEvent<{ body: string; direction: string; author: { type: string; name: string } }>(visitor, 'message', (m) => m.direction === 'out');
    const statusOnDesk = nextEvent<{ status: string; body: string }>(desk, 'message.updated', (m) => m.status === 'sent');
    const reply = await hub.http.post(`/api/conversations/${ack.conversationId}/messages`).set(agent.auth).send({ body: 'はい、ございます。' }).expect(201);
    expect(reply.body).toMatchObject({ status: 'queued', direction: 'out', kind: 'text', author: { type: 'member', id: agent.id } });
    expect(await atVisitor).toMatchObject({ body: 'はい、ございます。', author: { type: 'member', name: '鈴木 一郎' } });
    expect(await statusOnDesk).toMatchObject({ body: 'はい、ございます。' });

    const after = await hub.http.get(`/api/conversations/${ack.conversationId}`).set(agent.auth).expect(200);
    expect(after.body).toMatchObject({ status: 'open', assigneeId: agent.id, unreplied: false });
  });

  it('never sends an internal note to the visitor', async () => {
    const visitor = await open(hub.url, '/widget', { channelId });
    await sessionOf(visitor);
    const ack = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: 'Hello' });
    const atVisitor = collect<{ body: string }>(visitor, 'message');
    const note = await hub.http.post(`/api/conversations/${ack.conversationId}/messages`).set(agent.auth).send({ body: 'VIP customer', kind: 'note' }).expect(201);
    expect(note.body).toMatchObject({ kind: 'note', status: 'sent' });
    await hub.http.post(`/api/conversations/${ack.conversationId}/messages`).set(agent.auth).send({ body: 'Hi there' }).expect(201);
    await nextEvent(visitor, 'message', (m: { body: string }) => m.body === 'Hi there');
    await sleep(100);
    expect(atVisitor.map((m) => m.body)).not.toContain('VIP customer');
    const messages = await hub.http.get(`/api/conversations/${ack.conversationId}/messages`).set(agent.auth).expect(200);
    expect(messages.body.items.map((m: { kind: string }) => m.kind)).toEqual(['text', 'note', 'text']);
  });

  it('resumes a returning visitor with the messages they missed, in order', async () => {
    const first = await open(hub.url, '/widget', { channelId });
    const { visitorId } = await sessionOf<{ visitorId: string }>(first);
    const ack = await emitWithAck<{ conversationId: string }>(first, 'message', { body: 'one' });
    first.close();
    await hub.http.post(`/api/conversations/${ack.conversationId}/messages`).set(agent.auth).send({ body: 'two' }).expect(201);
    await hub.http.post(`/api/conversations/${ack.conversationId}/messages`).set(agent.auth).send({ body: 'internal', kind: 'note' }).expect(201);
    await waitFor(async () => {
      const messages = await hub.http.get(`/api/conversations/${ack.conversationId}/messages`).set(agent.auth);
      return messages.body.items.every((m: { status: string }) => m.status !== 'queued');
    });
    const again = await open(hub.url, '/widget', { channelId, visitorId });
    const session = await sessionOf<{ visitorId: string; conversationId: string; messages: { body: string }[] }>(again);
    expect(session).toMatchObject({ visitorId, conversationId: ack.conversationId });
    expect(session.messages.map((m) => m.body)).toEqual(['one', 'two']);
  });

  it('stores a message re-sent with the same client id once', async () => {
    const visitor = await open(hub.url, '/widget', { channelId });
    await sessionOf(visitor);
    const first = await emitWithAck<{ ok: boolean; id: string; duplicate: boolean }>(visitor, 'message', { body: 'once', clientId: 'c-12345678' });
    const second = await emitWithAck<{ ok: boolean; id: string; duplicate: boolean }>(visitor, 'message', { body: 'once', clientId: 'c-12345678' });
    expect(second).toMatchObject({ ok: true, id: first.id, duplicate: true });
  });

  // Guards the embedded database's single connection: a unique violation must not break the next query.
  it('stores one message when the same frame races in three times, and keeps working after', async () => {
    const visitor = await open(hub.url, '/widget', { channelId });
    await sessionOf(visitor);
    const answers = await Promise.all(
      [1, 2, 3].map(() => emitWithAck<{ ok: boolean; id: string; conversationId: string }>(visitor, 'message', { body: 'race', clientId: 'c-race-0001' })),
    );
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    const messages = await hub.http.get(`/api/conversations/${answers[0].conversationId}/messages`).set(agent.auth).expect(200);
    expect(messages.body.items.filter((m: { body: string }) => m.body === 'race')).toHaveLength(1);
    const next = await emitWithAck<{ ok: boolean; duplicate: boolean }>(visitor, 'message', { body: 'after the race' });
    expect(next).toMatchObject({ ok: true, duplicate: false });
  });

  it('refuses a widget for an unknown channel, a page outside the allowed origins, and a bad frame', async () => {
    await expect(connect(hub.url, '/widget', { channelId: 'nope' })).rejects.toMatchObject({ message: 'This web chat does not exist.' });
    const restricted = await createWebchat(hub, admin, { allowedOrigins: ['https://shop.example'] });
    await expect(connect(hub.url, '/widget', { channelId: restricted }, { origin: 'https://evil.example' })).rejects.toMatchObject({
      data: { code: 'origin_not_allowed' },
    });
    const allowed = await open(hub.url, '/widget', { channelId: restricted }, { origin: 'https://shop.example' });
    await sessionOf(allowed);
    const answer = await emitWithAck<{ ok: boolean; code: string }>(allowed, 'message', { body: '', admin: true });
    expect(answer).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('shows the customer draft to agents as they type', async () => {
    const desk = await open(hub.url, '/inbox', { token: agent.token });
    const visitor = await open(hub.url, '/widget', { channelId });
    await sessionOf(visitor);
    const ack = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: 'first' });
    const typing = nextEvent<{ conversationId: string; draft: string }>(desk, 'typing');
    await emitWithAck(visitor, 'typing', { draft: '予約の変更を' });
    expect(await typing).toEqual({ conversationId: ack.conversationId, draft: '予約の変更を' });
  });

  it('refuses an agent socket without a valid token', async () => {
    await expect(connect(hub.url, '/inbox', { token: 'forged' })).rejects.toMatchObject({ data: { code: 'unauthenticated' } });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}
