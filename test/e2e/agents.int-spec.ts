import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { collect, emitWithAck, nextEvent, sessionOf, sleep, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const LINE_TOKEN = 'line-channel-access-token-agents';

describe('Agents: explicit outcomes, withdrawn messages, the visitor’s pages', () => {
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let agent: TestMember;
  let colleague: TestMember;
  let channelId: string;
  let line: LineFake;
  const { open, closeAll } = socketPool();

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: LINE_TOKEN });
    hub = await startTestHub();
    team = await createTeam(hub, '予約の店');
    agent = await addMember(hub, team);
    colleague = await addMember(hub, team, { name: '田中 次郎' });
    channelId = await createWebchat(hub, team.admin);
  });

  afterAll(async () => {
    closeAll();
    await hub?.stop();
    await line?.close();
  });

  /** A visitor's chat, taken by the agent's first reply. */
  async function visitorChat(body = 'こんにちは', page?: { url: string; title?: string }) {
    const visitor = await open(hub.url, '/widget', { channelId, ...(page ? { page } : {}) });
    const session = await sessionOf<{ visitorId: string }>(visitor);
    const ack = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body });
    return { visitor, visitorId: session.visitorId, conversationId: ack.conversationId };
  }

  /** A conversation the customer never wrote in (a LINE follow, a chat the agent opened): rows as the hub keeps them. */
  async function silentConversation() {
    const db = hub.infra.db;
    const contact = await db.contact.create({ data: { teamId: team.teamId, name: '山田 太郎' } });
    const visitorId = `silent-${contact.id}`;
    return db.conversation.create({
      data: { teamId: team.teamId, channelId, contactId: contact.id, threadKey: `visitor:${visitorId}`, activeKey: `${channelId}:visitor:${visitorId}`, status: 'open', assigneeId: agent.id, lastMessageAt: new Date() },
    });
  }

  describe('outcome', () => {
    // Guards the resolve select that defaulted to 予約あり: one click posted a booking nobody made.
    it('refuses a booked outcome on a chat where the customer never wrote, unless the agent confirmed it', async () => {
      const conversation = await silentConversation();
      const refused = await hub.http.post(`/api/conversations/${conversation.id}/resolve`).set(agent.auth).send({ outcome: 'booked' }).expect(422);
      expect(refused.body).toMatchObject({ code: 'outcome_needs_confirmation', details: { outcome: 'booked' } });
      expect(await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).toMatchObject({ status: 'open', outcome: null });

      const confirmed = await hub.http.post(`/api/conversations/${conversation.id}/resolve`).set(agent.auth).send({ outcome: 'booked', confirmed: true }).expect(200);
      expect(confirmed.body).toMatchObject({ status: 'resolved', outcome: 'booked' });
    });

    it('resolves without an outcome, and with booked at once where the customer wrote', async () => {
      const silent = await silentConversation();
      const without = await hub.http.post(`/api/conversations/${silent.id}/resolve`).set(agent.auth).send({}).expect(200);
      expect(without.body).toMatchObject({ status: 'resolved', outcome: null });
      // Not booked needs no confirmation: nothing is posted to the bookings group.
      const other = await silentConversation();
      await hub.http.post(`/api/conversations/${other.id}/resolve`).set(agent.auth).send({ outcome: 'not_booked' }).expect(200);

      const { conversationId } = await visitorChat('予約したいです');
      const booked = await hub.http.post(`/api/conversations/${conversationId}/resolve`).set(agent.auth).send({ outcome: 'booked' }).expect(200);
      expect(booked.body).toMatchObject({ status: 'resolved', outcome: 'booked' });
    });
  });

  describe('withdraw', () => {
    it('takes back the agent’s own message within two minutes: the widget and colleagues see it withdrawn', async () => {
      const { visitor, visitorId, conversationId } = await visitorChat();
      const desk = await open(hub.url, '/inbox', { token: colleague.token });
      const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(agent.auth).send({ body: '間違えて送りました' }).expect(201);
      await nextEvent(visitor, 'message', (m: { id: string }) => m.id === reply.body.id);

      const atVisitor = nextEvent<{ id: string }>(visitor, 'withdrawn');
      const atColleague = nextEvent<{ id: string; unsent: boolean; body: string }>(desk, 'message.updated', (m) => m.id === reply.body.id && m.unsent);
      const withdrawn = await hub.http.post(`/api/conversations/${conversationId}/messages/${reply.body.id}/withdraw`).set(agent.auth).expect(200);
      expect(withdrawn.body).toMatchObject({ id: reply.body.id, unsent: true, body: '' });
      expect(await atVisitor).toEqual({ id: reply.body.id });
      expect(await atColleague).toMatchObject({ unsent: true, body: '' });

      // A visitor who comes back reads it as withdrawn, its words gone.
      const again = await open(hub.url, '/widget', { channelId, visitorId });
      const session = await sessionOf<{ messages: { id: string; body: string; withdrawn?: boolean }[] }>(again);
      expect(session.messages.find((m) => m.id === reply.body.id)).toMatchObject({ body: '', withdrawn: true });

      // Once only.
      const twice = await hub.http.post(`/api/conversations/${conversationId}/messages/${reply.body.id}/withdraw`).set(agent.auth).expect(409);
      expect(twice.body.code).toBe('withdraw_not_possible');
    });

    it('refuses after two minutes, a colleague’s message, and a customer’s', async () => {
      const { visitor, conversationId } = await visitorChat();
      const seen = collect<{ id: string }>(visitor, 'withdrawn');
      const old = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(agent.auth).send({ body: '三分前' }).expect(201);
      await hub.infra.db.message.update({ where: { id: old.body.id }, data: { createdAt: new Date(Date.now() - 3 * 60_000) } });
      const late = await hub.http.post(`/api/conversations/${conversationId}/messages/${old.body.id}/withdraw`).set(agent.auth).expect(409);
      expect(late.body).toMatchObject({ code: 'withdraw_too_late', details: { windowSeconds: 120 } });

      const fresh = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(agent.auth).send({ body: '担当の言葉' }).expect(201);
      const notOwn = await hub.http.post(`/api/conversations/${conversationId}/messages/${fresh.body.id}/withdraw`).set(colleague.auth).expect(403);
      expect(notOwn.body.code).toBe('withdraw_not_own');

      const customer = await hub.infra.db.message.findFirstOrThrow({ where: { conversationId, direction: 'in' } });
      const theirs = await hub.http.post(`/api/conversations/${conversationId}/messages/${customer.id}/withdraw`).set(agent.auth).expect(409);
      expect(theirs.body.code).toBe('withdraw_not_possible');
      await hub.http.post(`/api/conversations/${conversationId}/messages/01900000-0000-7000-8000-000000000000/withdraw`).set(agent.auth).expect(404);

      await sleep(100);
      expect(seen).toEqual([]);
      const rows = await hub.infra.db.message.findMany({ where: { id: { in: [old.body.id, fresh.body.id, customer.id] } } });
      expect(rows.every((row) => row.unsentAt === null && row.body !== '')).toBe(true);
    });

    it('says a LINE bot cannot unsend, before trying', async () => {
      const lineChannel = (
        await hub.http
          .post('/api/channels')
          .set(team.admin.auth)
          .send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: 'line-secret', channelAccessToken: LINE_TOKEN, apiBaseUrl: line.url } })
          .expect(201)
      ).body.id as string;
      const db = hub.infra.db;
      const contact = await db.contact.create({ data: { teamId: team.teamId, name: 'LINEのお客様' } });
      const user = 'U' + 'a'.repeat(32);
      const conversation = await db.conversation.create({
        data: { teamId: team.teamId, channelId: lineChannel, contactId: contact.id, threadKey: `line:${user}`, activeKey: `${lineChannel}:line:${user}`, status: 'open', assigneeId: agent.id, lastMessageAt: new Date() },
      });
      const sent = await db.message.create({
        data: { teamId: team.teamId, conversationId: conversation.id, channelId: lineChannel, direction: 'out', kind: 'text', body: 'LINEで送った', authorType: 'member', authorId: agent.id, status: 'sent', providerMessageId: 'line-1' },
      });
      const calls = line.requests.length;
      const refused = await hub.http.post(`/api/conversations/${conversation.id}/messages/${sent.id}/withdraw`).set(agent.auth).expect(422);
      expect(refused.body).toMatchObject({ code: 'withdraw_unsupported', details: { channel: 'line' } });
      expect(refused.body.message).toMatch(/LINE bots cannot unsend/);
      expect(line.requests.length).toBe(calls);
      expect(await db.message.findUniqueOrThrow({ where: { id: sent.id } })).toMatchObject({ unsentAt: null, body: 'LINEで送った' });
    });
  });

  describe('visitor pages', () => {
    it('lists the pages the visitor was on, newest first; another channel has none', async () => {
      const { visitor, conversationId } = await visitorChat('この商品について', { url: 'https://shop.example/items/42', title: '商品42' });
      await emitWithAck(visitor, 'page', { url: 'https://shop.example/cart', title: 'カート' });
      const pages = await hub.http.get(`/api/conversations/${conversationId}/pages`).set(agent.auth).expect(200);
      expect(pages.body.items.map((p: { url: string; title: string }) => [p.url, p.title])).toEqual([
        ['https://shop.example/cart', 'カート'],
        ['https://shop.example/items/42', '商品42'],
      ]);
      const silent = await silentConversation();
      expect((await hub.http.get(`/api/conversations/${silent.id}/pages`).set(agent.auth).expect(200)).body.items).toEqual([]);
    });
  });
});
