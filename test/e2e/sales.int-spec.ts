import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { MovableClock, tokyo } from '../support/movable-clock.js';
import { collect, emitWithAck, nextEvent, sessionOf, sleep, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { eventually } from '../support/eventually.js';

const ACCESS_TOKEN = 'line-channel-access-token';
const LINE_SECRET = 'line-channel-secret';

interface Team {
  teamId: string;
  inviteCode: string;
  admin: TestMember;
  channelId: string;
  apiKey: string;
}

interface PurchaseAnswer {
  id: string;
  orderId: string;
  status: string;
  attributedTo: { memberId: string; conversationId: string } | null;
  reason: { rule: string; windowDays: number; match: string | null; conversationId: string | null; memberId: string | null; identity?: { kind: string; contactId: string }; candidates: number; explanation: string };
}

describe('Sales attribution', () => {
  const clock = new MovableClock(tokyo('2026-12-04T09:00'));
  let hub: TestHub;
  let line: LineFake;
  const { open, closeAll } = socketPool();

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: ACCESS_TOKEN });
    hub = await startTestHub({ PUBLIC_URL: 'https://hub.example.test' }, { clock });
  });

  afterAll(async () => {
    closeAll();
    await hub?.stop();
    await line?.close();
  });

  /** A team with a web chat and an API key for the shop's server. */
  async function shop(name = 'Shop'): Promise<Team> {
    const team = await createTeam(hub, name);
    const channelId = await createWebchat(hub, team.admin);
    const key = await hub.http.post('/api/teams/current/api-keys').set(team.admin.auth).send({ name: 'shop backend' }).expect(201);
    expect(key.body.key).toMatch(/^tsk_/);
    return { ...team, channelId, apiKey: key.body.key };
  }

  async function settings(team: Team, patch: Record<string, unknown>): Promise<void> {
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: patch }).expect(200);
  }

  const visitorId = () => randomBytes(16).toString('base64url');

  /** A browser with the widget open; `pageUrl` is the page it opened on. */
  async function browser(team: Team, id = visitorId(), pageUrl?: string): Promise<{ socket: Socket; visitorId: string }> {
    const socket = await open(hub.url, '/widget', { channelId: team.channelId, visitorId: id, ...(pageUrl ? { page: { url: pageUrl, title: 'コート' } } : {}) });
    await sessionOf(socket);
    return { socket, visitorId: id };
  }

  /**
   * At `at` (the hub's clock), the visitor writes and `agent` answers; the chat is then closed, so that the
   * visitor's next message opens a new one. Resolves with the conversation once the reply is on record.
   */
  async function chat(visitor: Socket, agent: TestMember, at: Date): Promise<string> {
    clock.set(at);
    const ack = await emitWithAck<{ ok: boolean; conversationId: string }>(visitor, 'message', { body: 'この商品の在庫はありますか？' });
    expect(ack.ok).toBe(true);
    await hub.http.post(`/api/conversations/${ack.conversationId}/messages`).set(agent.auth).send({ body: 'はい、ございます。' }).expect(201);
    await eventually(() => hub.infra.db.saleTouch.findFirst({ where: { conversationId: ack.conversationId, memberId: agent.id } }), (touch) => touch !== null);
    await hub.http.post(`/api/conversations/${ack.conversationId}/resolve`).set(agent.auth).send({}).expect(200);
    return ack.conversationId;
  }

  function purchase(key: string | null, body: Record<string, unknown>) {
    const call = request(hub.url).post('/api/purchases');
    return (key === null ? call : call.set('Authorization', `Bearer ${key}`)).send({ amount: 12800, currency: 'JPY', ...body });
  }

  const orderId = () => `order-${randomBytes(6).toString('hex')}`;

  describe('the rule', () => {
    let team: Team;
    let agentA: TestMember;
    let agentB: TestMember;

    beforeAll(async () => {
      team = await shop('Rule shop');
      agentA = await addMember(hub, team, { name: '青木 彩' });
      agentB = await addMember(hub, team, { name: '坂本 武' });
    });

    // Done when 1.
    it('credits the last member a visitor chatted with that day, and the first with first_touch, saying why', async () => {
      const { socket, visitorId: visitor } = await browser(team);
      const withA = await chat(socket, agentA, tokyo('2026-12-04T10:00'));
      const withB = await chat(socket, agentB, tokyo('2026-12-04T11:00'));
      clock.set(tokyo('2026-12-04T12:00'));

      const last = await purchase(team.apiKey, { orderId: orderId(), visitorId: visitor, occurredAt: tokyo('2026-12-04T12:00').toISOString() }).expect(201);
      const answer = last.body as PurchaseAnswer;
      expect(answer.attributedTo).toEqual({ memberId: agentB.id, conversationId: withB });
      expect(answer.reason).toMatchObject({ rule: 'last_touch', windowDays: 1, match: 'visitor', conversationId: withB, memberId: agentB.id, candidates: 2 });
      expect(answer.reason.explanation).toContain('坂本 武');

      await settings(team, { attributionModel: 'first_touch' });
      const first = await purchase(team.apiKey, { orderId: orderId(), visitorId: visitor, occurredAt: tokyo('2026-12-04T12:00').toISOString() }).expect(201);
      expect(first.body.attributedTo).toEqual({ memberId: agentA.id, conversationId: withA });
      expect(first.body.reason).toMatchObject({ rule: 'first_touch', match: 'visitor', conversationId: withA });
      await settings(team, { attributionModel: 'last_touch' });

      // The reason is kept with the sale, for the agent and the supervisor.
      const mine = await hub.http.get('/api/sales').set(agentB.auth).expect(200);
      expect(mine.body.items).toEqual([expect.objectContaining({ id: answer.id, reason: answer.reason, attributedTo: answer.attributedTo, amount: 12800, currency: 'JPY' })]);
    });

    it('does not count a chat before the member answered, nor a reply after the purchase', async () => {
      const { socket, visitorId: visitor } = await browser(team);
      clock.set(tokyo('2026-12-05T10:00'));
      const ack = await emitWithAck<{ conversationId: string }>(socket, 'message', { body: '誰かいますか？' });
      const unanswered = await purchase(team.apiKey, { orderId: orderId(), visitorId: visitor, occurredAt: tokyo('2026-12-05T10:30').toISOString() }).expect(201);
      expect(unanswered.body.attributedTo).toBeNull();
      expect(unanswered.body.reason).toMatchObject({ match: null, candidates: 0 });

      clock.set(tokyo('2026-12-05T11:00'));
      await hub.http.post(`/api/conversations/${ack.conversationId}/messages`).set(agentA.auth).send({ body: 'お待たせしました。' }).expect(201);
      await eventually(() => hub.infra.db.saleTouch.findFirst({ where: { conversationId: ack.conversationId } }), (touch) => touch !== null);
      const before = await purchase(team.apiKey, { orderId: orderId(), visitorId: visitor, occurredAt: tokyo('2026-12-05T10:45').toISOString() }).expect(201);
      expect(before.body.attributedTo).toBeNull();
      const after = await purchase(team.apiKey, { orderId: orderId(), visitorId: visitor, occurredAt: tokyo('2026-12-05T11:15').toISOString() }).expect(201);
      expect(after.body.attributedTo).toEqual({ memberId: agentA.id, conversationId: ack.conversationId });
    });

    it('counts a reply whose touch was never written (the process stopped right after the reply) from the message itself', async () => {
      const { socket, visitorId: visitor } = await browser(team);
      const conversationId = await chat(socket, agentB, tokyo('2026-12-06T10:00'));
      await hub.infra.db.saleTouch.deleteMany({ where: { conversationId } });
      const reply = await hub.infra.db.message.findFirstOrThrow({ where: { conversationId, authorType: 'member' } });
      const answer = await purchase(team.apiKey, { orderId: orderId(), visitorId: visitor, occurredAt: new Date(reply.createdAt.getTime() + 60_000).toISOString() }).expect(201);
      expect(answer.body.attributedTo).toEqual({ memberId: agentB.id, conversationId });
      expect(answer.body.reason.repliedAt).toBe(reply.createdAt.toISOString());
    });

    // Done when 2.
    it('leaves a purchase two days later unattributed with a 1-day window, and credits it with a 3-day window', async () => {
      const { socket, visitorId: visitor } = await browser(team);
      const conversationId = await chat(socket, agentA, tokyo('2026-12-07T10:00'));
      const twoDaysLater = tokyo('2026-12-09T10:30');
      clock.set(twoDaysLater);

      const outside = await purchase(team.apiKey, { orderId: orderId(), visitorId: visitor, occurredAt: twoDaysLater.toISOString() }).expect(201);
      expect(outside.body.attributedTo).toBeNull();
      expect(outside.body.reason).toMatchObject({ windowDays: 1, match: null, candidates: 0 });
      expect(outside.body.reason.explanation).toMatch(/^Unattributed: no chat answered within the window/);

      await settings(team, { attributionWindowDays: 3 });
      const inside = await purchase(team.apiKey, { orderId: orderId(), visitorId: visitor, occurredAt: twoDaysLater.toISOString() }).expect(201);
      expect(inside.body.attributedTo).toEqual({ memberId: agentA.id, conversationId });
      expect(inside.body.reason).toMatchObject({ windowDays: 3, match: 'visitor' });
      await settings(team, { attributionWindowDays: 1 });
    });

    it('refuses settings outside the schema, naming them', async () => {
      const bad = await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { attributionWindowDays: 0, attributionModel: 'linear' } }).expect(400);
      expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['settings.attributionModel', 'settings.attributionWindowDays']);
      const current = await hub.http.get('/api/teams/current').set(team.admin.auth).expect(200);
      expect(current.body.settings).toMatchObject({ attributionWindowDays: 1, attributionModel: 'last_touch' });
    });
  });

  // Done when 3.
  describe('across devices', () => {
    let team: Team;
    let agent: TestMember;
    let lineChannelId: string;

    beforeAll(async () => {
      team = await shop('LINE shop');
      agent = await addMember(hub, team, { name: '山口 恵' });
      const channel = await hub.http
        .post('/api/channels')
        .set(team.admin.auth)
        .send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: LINE_SECRET, channelAccessToken: ACCESS_TOKEN, apiBaseUrl: line.url } })
        .expect(201);
      lineChannelId = channel.body.id;
    });

    it('cannot trace a purchase from another browser, but credits it by the email of the contact who chatted on LINE', async () => {
      const userId = 'U' + randomBytes(16).toString('hex');
      const contact = await hub.http.post('/api/contacts').set(team.admin.auth).send({ name: '高橋 直子', email: 'naoko@example.jp', lineUserId: userId }).expect(201);
      clock.set(tokyo('2026-12-10T15:00'));
      const event = {
        type: 'message',
        mode: 'active',
        timestamp: Date.now(),
        webhookEventId: `01SALES${randomBytes(8).toString('hex')}`,
        deliveryContext: { isRedelivery: false },
        replyToken: line.issueReplyToken(),
        source: { type: 'user', userId },
        message: { id: String(Date.now()), type: 'text', text: 'このコートのMサイズはありますか？', quoteToken: 'q' },
      };
      const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events: [event] });
      await request(hub.url).post(`/webhooks/line/${lineChannelId}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(LINE_SECRET, body)).send(body).expect(200);
      const conversation = await eventually(() => hub.infra.db.conversation.findFirst({ where: { channelId: lineChannelId } }), (c) => c !== null);
      expect(conversation!.contactId).toBe(contact.body.id);
      await hub.http.post(`/api/conversations/${conversation!.id}/messages`).set(agent.auth).send({ body: 'はい、ございます。' }).expect(201);
      await eventually(() => hub.infra.db.saleTouch.findFirst({ where: { conversationId: conversation!.id } }), (touch) => touch !== null);

      const bought = tokyo('2026-12-10T18:00');
      clock.set(bought);
      const otherBrowser = await purchase(team.apiKey, { orderId: orderId(), visitorId: visitorId(), occurredAt: bought.toISOString() }).expect(201);
      expect(otherBrowser.body.attributedTo).toBeNull();
      expect(otherBrowser.body.reason.explanation).toContain('no chat with this browser or this customer');

      // The shop writes the address its own way; the contacts' normalization makes it the contact's.
      const withEmail = await purchase(team.apiKey, { orderId: orderId(), visitorId: visitorId(), email: ' NAOKO＠Example.JP', occurredAt: bought.toISOString() }).expect(201);
      expect(withEmail.body.attributedTo).toEqual({ memberId: agent.id, conversationId: conversation!.id });
      expect(withEmail.body.reason).toMatchObject({ match: 'identity', identity: { kind: 'email', contactId: contact.body.id } });
      expect(withEmail.body.reason.explanation).toContain("the customer's email");
    });

    it('ties a purchase the shop reports without a browser to the browser whose widget saw the order', async () => {
      const { socket } = await browser(team);
      const conversationId = await chat(socket, agent, tokyo('2026-12-11T10:00'));
      clock.set(tokyo('2026-12-11T10:20'));
      const order = orderId();
      expect(await emitWithAck(socket, 'track', { type: 'purchase', url: 'https://shop.example/thanks', order: { id: order, amount: 5400, currency: 'JPY' } })).toEqual({ ok: true });
      const answer = await purchase(team.apiKey, { orderId: order, amount: 5400, occurredAt: tokyo('2026-12-11T10:20').toISOString() }).expect(201);
      expect(answer.body.attributedTo).toEqual({ memberId: agent.id, conversationId });
      expect(answer.body.reason).toMatchObject({ match: 'visitor', visitorFrom: 'widget_order' });
    });

    it('refuses an address that is not one, naming the field', async () => {
      const bad = await purchase(team.apiKey, { orderId: orderId(), email: 'not-an-address', phone: '12', occurredAt: new Date().toISOString() }).expect(400);
      expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'phone']);
      const shape = await purchase(team.apiKey, { orderId: orderId(), amount: 12.5, currency: 'yen', occurredAt: 'yesterday', coupon: 'X' }).expect(400);
      expect(shape.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['amount', 'coupon', 'currency', 'occurredAt']);
    });
  });

  // Done when 4.
  describe('purchases from the shop’s server', () => {
    let team: Team;
    let other: Team;
    let agent: TestMember;
    let visitor: string;

    beforeAll(async () => {
      team = await shop('Idempotent shop');
      other = await shop('Another shop');
      agent = await addMember(hub, team, { name: '中村 亮' });
      const opened = await browser(team);
      visitor = opened.visitorId;
      await chat(opened.socket, agent, tokyo('2026-12-12T10:00'));
      clock.set(tokyo('2026-12-12T11:00'));
    });

    it('stores an order posted three times, two of them at once, as one sale with one answer', async () => {
      const order = orderId();
      const body = { orderId: order, visitorId: visitor, occurredAt: tokyo('2026-12-12T11:00').toISOString() };
      const [one, two] = await Promise.all([purchase(team.apiKey, body), purchase(team.apiKey, body)]);
      expect([one.status, two.status].sort()).toEqual([200, 201]);
      const third = await purchase(team.apiKey, body).expect(200);
      expect(two.body).toEqual(one.body);
      expect(third.body).toEqual(one.body);
      expect(one.body.attributedTo).toMatchObject({ memberId: agent.id });
      expect(await hub.infra.db.sale.count({ where: { orderId: order } })).toBe(1);
    });

    it('takes the credit back on a refund or a cancellation, once', async () => {
      const refunded = orderId();
      const cancelled = orderId();
      const at = tokyo('2026-12-12T11:00').toISOString();
      const sale = (await purchase(team.apiKey, { orderId: refunded, visitorId: visitor, occurredAt: at, amount: 3000 }).expect(201)).body as PurchaseAnswer;
      await purchase(team.apiKey, { orderId: cancelled, visitorId: visitor, occurredAt: at, amount: 700 }).expect(201);
      const before = (await hub.http.get('/api/sales/figures').set(agent.auth).expect(200)).body.items[0];

      const reversed = await request(hub.url).post(`/api/purchases/${refunded}/refund`).set('Authorization', `Bearer ${team.apiKey}`).send({ reason: 'returned' }).expect(200);
      expect(reversed.body).toMatchObject({ id: sale.id, status: 'refunded', attributedTo: sale.attributedTo });
      await request(hub.url).post(`/api/purchases/${refunded}/refund`).set('Authorization', `Bearer ${team.apiKey}`).send({}).expect(200);
      await request(hub.url).post(`/api/purchases/${cancelled}/cancel`).set('Authorization', `Bearer ${team.apiKey}`).send({}).expect(200);
      // A repeat of the original post answers the sale as it now stands.
      expect((await purchase(team.apiKey, { orderId: refunded, visitorId: visitor, occurredAt: at, amount: 3000 }).expect(200)).body.status).toBe('refunded');

      const after = (await hub.http.get('/api/sales/figures').set(agent.auth).expect(200)).body.items[0];
      expect(after.sales.count).toBe(before.sales.count - 2);
      expect(after.sales.amounts.JPY).toBe(before.sales.amounts.JPY - 3700);
      const listed = await hub.http.get('/api/sales').set(agent.auth).expect(200);
      expect(listed.body.items.find((s: { id: string }) => s.id === sale.id)).toMatchObject({ status: 'refunded', reversedAt: expect.any(String) });
      // The refunds list: only the reversed ones; the rest, only those that stand.
      const reversedOnly = await hub.http.get('/api/sales?reversed=true').set(agent.auth).expect(200);
      expect(reversedOnly.body.items.map((s: { orderId: string }) => s.orderId).sort()).toEqual([refunded, cancelled].sort());
      const standing = await hub.http.get('/api/sales?reversed=false').set(agent.auth).expect(200);
      expect(standing.body.items.filter((s: { status: string }) => s.status !== 'completed')).toEqual([]);
      expect(standing.body.items.length).toBeGreaterThan(0);
      const unknown = await request(hub.url).post('/api/purchases/no-such-order/refund').set('Authorization', `Bearer ${team.apiKey}`).send({}).expect(404);
      expect(unknown.body.code).toBe('unknown_order');
    });

    it('refuses no key, a member’s access token, a revoked key, and another team’s key on this team’s orders', async () => {
      const order = orderId();
      const body = { orderId: order, visitorId: visitor, occurredAt: tokyo('2026-12-12T11:00').toISOString() };
      expect((await purchase(null, body).expect(401)).body.code).toBe('api_key_required');
      expect((await purchase(agent.token, body).expect(401)).body.code).toBe('invalid_api_key');

      const spare = await hub.http.post('/api/teams/current/api-keys').set(team.admin.auth).send({ name: 'old backend' }).expect(201);
      const listed = await hub.http.get('/api/teams/current/api-keys').set(team.admin.auth).expect(200);
      // Only a hash is kept: the key itself is never shown again.
      expect(JSON.stringify(listed.body)).not.toContain(spare.body.key);
      expect(await hub.infra.db.apiKey.count({ where: { keyHash: spare.body.key } })).toBe(0);
      await hub.http.delete(`/api/teams/current/api-keys/${spare.body.id}`).set(team.admin.auth).expect(204);
      expect((await purchase(spare.body.key, body).expect(401)).body.code).toBe('invalid_api_key');
      // Only administrators hold keys.
      await hub.http.post('/api/teams/current/api-keys').set(agent.auth).send({ name: 'mine' }).expect(403);
      expect(await hub.infra.db.sale.count({ where: { orderId: order } })).toBe(0);

      // Another team's key names that team: it cannot touch this team's orders nor reach its chats.
      const sale = (await purchase(team.apiKey, body).expect(201)).body as PurchaseAnswer;
      const foreignRefund = await request(hub.url).post(`/api/purchases/${order}/refund`).set('Authorization', `Bearer ${other.apiKey}`).send({}).expect(404);
      expect(foreignRefund.body.code).toBe('unknown_order');
      const foreign = await purchase(other.apiKey, { ...body, orderId: orderId() }).expect(201);
      expect(foreign.body.attributedTo).toBeNull();
      expect((await hub.infra.db.sale.findUniqueOrThrow({ where: { id: sale.id } })).status).toBe('completed');
      await hub.http.post(`/api/sales/${foreign.body.id}/seen`).set(agent.auth).expect(404);
    });
  });

  // Done when 5.
  describe('the agent’s sales view', () => {
    let team: Team;
    let agent: TestMember;
    let colleague: TestMember;
    let supervisor: TestMember;
    let visitor: string;
    let conversationId: string;

    beforeAll(async () => {
      team = await shop('View shop');
      agent = await addMember(hub, team, { name: '小林 聡' });
      colleague = await addMember(hub, team, { name: '加藤 舞' });
      supervisor = await addMember(hub, team, { role: 'supervisor', name: '松本 誠' });
      const opened = await browser(team);
      visitor = opened.visitorId;
      conversationId = await chat(opened.socket, agent, tokyo('2026-12-14T10:00'));
      clock.set(tokyo('2026-12-14T13:00'));
    });

    it('tells every device of the credited agent, and keeps the sale new until they open it', async () => {
      const phone = await open(hub.url, '/inbox', { token: agent.token });
      const desk = await open(hub.url, '/inbox', { token: agent.token });
      const elsewhere = await open(hub.url, '/inbox', { token: colleague.token });
      const heardElsewhere = collect(elsewhere, 'sale.created');
      // The supervisors' floor view is cued to read its figures again (the sale itself stays the agent's news).
      const watching = await open(hub.url, '/inbox', { token: supervisor.token });
      const cue = nextEvent<Record<string, unknown>>(watching, 'floor.changed', (event) => event.cause === 'sale');
      const onPhone = nextEvent<Record<string, unknown>>(phone, 'sale.created');
      const onDesk = nextEvent<Record<string, unknown>>(desk, 'sale.created');
      const figure = nextEvent<{ sales: { count: number; amounts: Record<string, number> } }>(phone, 'sales.figure');

      const order = orderId();
      const sale = (await purchase(team.apiKey, { orderId: order, visitorId: visitor, amount: 9900, occurredAt: tokyo('2026-12-14T13:00').toISOString() }).expect(201)).body as PurchaseAnswer;
      const expected = { id: sale.id, orderId: order, amount: 9900, currency: 'JPY', conversationId };
      expect(await onPhone).toMatchObject(expected);
      expect(await onDesk).toMatchObject(expected);
      expect(await figure).toMatchObject({ sales: { count: 1, amounts: { JPY: 9900 } } });
      expect(await cue).toEqual({ cause: 'sale', conversationId });

      const listed = await hub.http.get('/api/sales').set(agent.auth).expect(200);
      expect(listed.body.items).toEqual([expect.objectContaining({ id: sale.id, new: true, seenAt: null })]);
      // A colleague cannot see it, nor clear its flag; the supervisor sees it without clearing it.
      expect((await hub.http.get('/api/sales').set(colleague.auth).expect(200)).body.items).toEqual([]);
      await hub.http.get(`/api/sales?memberId=${agent.id}`).set(colleague.auth).expect(403);
      expect((await hub.http.post(`/api/sales/${sale.id}/seen`).set(colleague.auth).expect(403)).body.code).toBe('not_your_sale');
      const team_ = await hub.http.get(`/api/sales?memberId=${agent.id}`).set(supervisor.auth).expect(200);
      expect(team_.body.items).toEqual([expect.objectContaining({ id: sale.id, new: true })]);

      const seen = await hub.http.post(`/api/sales/${sale.id}/seen`).set(agent.auth).expect(200);
      expect(seen.body).toMatchObject({ id: sale.id, new: false, seenAt: expect.any(String) });
      expect((await hub.http.get('/api/sales').set(agent.auth).expect(200)).body.items[0]).toMatchObject({ id: sale.id, new: false });
      // The colleague's devices heard nothing of it.
      await sleep(100);
      expect(heardElsewhere).toEqual([]);
    });

    it('shows each agent today’s chats, today’s sales and the window, by the team’s day', async () => {
      const figures = await hub.http.get('/api/sales/figures').set(supervisor.auth).expect(200);
      const mine = figures.body.items.find((f: { memberId: string }) => f.memberId === agent.id);
      expect(mine).toEqual({ memberId: agent.id, date: '2026-12-14', timeZone: 'Asia/Tokyo', chats: 1, sales: { count: 1, amounts: { JPY: 9900 } }, windowDays: 1, model: 'last_touch' });
      expect(figures.body.items.find((f: { memberId: string }) => f.memberId === colleague.id)).toMatchObject({ chats: 0, sales: { count: 0, amounts: {} } });
      expect((await hub.http.get('/api/sales/figures').set(agent.auth).expect(200)).body.items).toEqual([mine]);
      await hub.http.get(`/api/sales/figures?memberId=${colleague.id}`).set(agent.auth).expect(403);

      // The next day (Tokyo) starts at zero.
      clock.set(tokyo('2026-12-15T00:05'));
      const tomorrow = (await hub.http.get('/api/sales/figures').set(agent.auth).expect(200)).body.items[0];
      expect(tomorrow).toMatchObject({ date: '2026-12-15', chats: 0, sales: { count: 0, amounts: {} } });
    });
  });

  describe('reports', () => {
    let team: Team;
    let agentA: TestMember;
    let agentB: TestMember;
    let supervisor: TestMember;

    beforeAll(async () => {
      team = await shop('Report shop');
      agentA = await addMember(hub, team, { name: 'Aoki, "Aya"' });
      agentB = await addMember(hub, team, { name: '坂本 武' });
      supervisor = await addMember(hub, team, { role: 'supervisor' });
      const first = await browser(team);
      const second = await browser(team);
      await chat(first.socket, agentA, tokyo('2026-12-16T10:00'));
      await chat(second.socket, agentB, tokyo('2026-12-17T10:00'));
      const post = (visitor: string | undefined, at: string, amount: number, currency = 'JPY') =>
        purchase(team.apiKey, { orderId: orderId(), ...(visitor ? { visitorId: visitor } : {}), amount, currency, occurredAt: tokyo(at).toISOString() }).expect(201);
      await post(first.visitorId, '2026-12-16T12:00', 1000);
      await post(first.visitorId, '2026-12-16T18:00', 2000);
      await post(first.visitorId, '2026-12-16T19:00', 500, 'USD');
      await post(undefined, '2026-12-16T20:00', 4000);
      await post(second.visitorId, '2026-12-17T23:30', 8000);
      const refunded = await post(second.visitorId, '2026-12-17T23:40', 100);
      await request(hub.url).post(`/api/purchases/${refunded.body.orderId}/refund`).set('Authorization', `Bearer ${team.apiKey}`).send({}).expect(200);
      // Tokyo's 18 December, though still the 17th in UTC: it belongs to the next day's row.
      await post(second.visitorId, '2026-12-18T00:30', 300);
      clock.set(tokyo('2026-12-18T09:00'));
    });

    it('sums sales per day and agent, attributed and unattributed, as JSON', async () => {
      const report = await hub.http.get('/api/sales/report?from=2026-12-16&to=2026-12-17').set(supervisor.auth).expect(200);
      expect(report.body).toMatchObject({ from: '2026-12-16', to: '2026-12-17', timeZone: 'Asia/Tokyo' });
      expect(report.body.rows).toEqual([
        { date: '2026-12-16', memberId: agentA.id, memberName: 'Aoki, "Aya"', attributed: true, count: 2, amount: 3000, currency: 'JPY' },
        { date: '2026-12-16', memberId: agentA.id, memberName: 'Aoki, "Aya"', attributed: true, count: 1, amount: 500, currency: 'USD' },
        { date: '2026-12-16', memberId: null, memberName: null, attributed: false, count: 1, amount: 4000, currency: 'JPY' },
        { date: '2026-12-17', memberId: agentB.id, memberName: '坂本 武', attributed: true, count: 1, amount: 8000, currency: 'JPY' },
      ]);
      expect(report.body.totals).toEqual({ attributed: { count: 4, amounts: { JPY: 11000, USD: 500 } }, unattributed: { count: 1, amounts: { JPY: 4000 } } });
      const unattributed = await hub.http.get('/api/sales?attributed=false').set(supervisor.auth).expect(200);
      expect(unattributed.body.items).toHaveLength(1);
      expect(unattributed.body.items[0]).toMatchObject({ amount: 4000, attributedTo: null, new: false });
    });

    it('gives the same as CSV, and only to supervisors', async () => {
      const csv = await hub.http.get('/api/sales/report?from=2026-12-16&to=2026-12-18&format=csv').set(supervisor.auth).buffer(true).parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => done(null, text));
      }).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toBe('attachment; filename="sales-2026-12-16-2026-12-18.csv"');
      expect((csv.body as string).replace(/^\uFEFF/, '').split('\r\n')).toEqual([
        'date,member_id,member_name,attributed,sales,amount,currency',
        `2026-12-16,${agentA.id},"Aoki, ""Aya""",yes,2,3000,JPY`,
        `2026-12-16,${agentA.id},"Aoki, ""Aya""",yes,1,500,USD`,
        '2026-12-16,,,no,1,4000,JPY',
        `2026-12-17,${agentB.id},坂本 武,yes,1,8000,JPY`,
        `2026-12-18,${agentB.id},坂本 武,yes,1,300,JPY`,
        '',
      ]);
      await hub.http.get('/api/sales/report').set(agentA.auth).expect(403);
      const format = await hub.http.get('/api/sales/report?format=xls').set(supervisor.auth).expect(400);
      expect(format.body.details.map((d: { field: string }) => d.field)).toEqual(['format']);
      const backwards = await hub.http.get('/api/sales/report?from=2026-12-18&to=2026-12-16').set(supervisor.auth).expect(400);
      expect(backwards.body.details).toEqual([{ field: 'to', message: 'must not be before from' }]);
    });
  });

  // Done when 6.
  describe('shopper activity on the conversation', () => {
    let team: Team;
    let agent: TestMember;

    beforeAll(async () => {
      team = await shop('Activity shop');
      agent = await addMember(hub, team, { name: '井上 楓' });
    });

    it('shows what the shopper views and adds to the cart live, and again after a reload', async () => {
      const desk = await open(hub.url, '/inbox', { token: agent.token });
      clock.set(tokyo('2026-12-19T14:00'));
      const { socket, visitorId: visitor } = await browser(team, undefined, 'https://shop.example/coats');
      const ack = await emitWithAck<{ conversationId: string }>(socket, 'message', { body: 'サイズについて質問です' });

      const coat = { sku: 'COAT-M-NAVY', name: 'ウールコート (M, ネイビー)', price: 29800, currency: 'JPY', url: 'https://shop.example/coats/navy', image: 'https://shop.example/img/navy.jpg' };
      const viewed = nextEvent<{ conversationId: string; event: { type: string; product: unknown } }>(desk, 'shopper.activity', (a) => a.event.type === 'product_view');
      expect(await emitWithAck(socket, 'track', { type: 'product_view', product: coat })).toEqual({ ok: true });
      expect(await viewed).toMatchObject({ conversationId: ack.conversationId, event: { type: 'product_view', product: coat, url: coat.url, visitorId: visitor } });

      // A page that talks HTTP (an app's web view) sends the same events.
      const carted = nextEvent<{ conversationId: string; event: { type: string } }>(desk, 'shopper.activity', (a) => a.event.type === 'add_to_cart');
      await request(hub.url).post(`/api/widget/${team.channelId}/events`).send({ visitorId: visitor, type: 'add_to_cart', product: { ...coat, quantity: 2 } }).expect(202);
      expect(await carted).toMatchObject({ conversationId: ack.conversationId, event: { type: 'add_to_cart' } });
      const scarf = { sku: 'SCARF-01', name: 'マフラー', price: 4800 };
      await emitWithAck(socket, 'track', { type: 'product_view', product: scarf });
      await emitWithAck(socket, 'track', { type: 'product_view', product: coat });

      // After a reload the agent reads the same from the conversation.
      const activity = await hub.http.get(`/api/conversations/${ack.conversationId}/shopper-activity`).set(agent.auth).expect(200);
      expect(activity.body.visitorIds).toEqual([visitor]);
      expect(activity.body.now).toMatchObject({ type: 'product_view', product: coat });
      expect(activity.body.viewed).toEqual([
        { ...coat, views: 2, lastViewedAt: expect.any(String) },
        { ...scarf, views: 1, lastViewedAt: expect.any(String) },
      ]);
      expect(activity.body.cart).toEqual([{ ...coat, quantity: 2, addedAt: expect.any(String) }]);
      // The page the widget opened on counts as a page view by itself.
      expect(activity.body.events.map((e: { type: string }) => e.type)).toEqual(['product_view', 'product_view', 'add_to_cart', 'product_view', 'page_view']);
      expect(activity.body.events[4]).toMatchObject({ url: 'https://shop.example/coats', occurredAt: tokyo('2026-12-19T14:00').toISOString() });

      // Another team's member cannot read it.
      const stranger = (await shop('Stranger shop')).admin;
      await hub.http.get(`/api/conversations/${ack.conversationId}/shopper-activity`).set(stranger.auth).expect(404);
    });

    it('refuses unknown fields and incomplete events, naming them, and stores nothing', async () => {
      const { socket, visitorId: visitor } = await browser(team);
      const before = await hub.infra.db.shopperEvent.count({ where: { visitorId: visitor } });
      const unknown = await emitWithAck<{ ok: boolean; code: string; details: { field: string }[] }>(socket, 'track', { type: 'product_view', product: { sku: 'A', colour: 'red' }, referrer: 'x' });
      expect(unknown).toMatchObject({ ok: false, code: 'invalid_request' });
      expect(unknown.details.map((d) => d.field).sort()).toEqual(['product.colour', 'referrer']);
      const missing = await request(hub.url).post(`/api/widget/${team.channelId}/events`).send({ visitorId: visitor, type: 'purchase' }).expect(400);
      expect(missing.body.details).toEqual([{ field: 'order', message: 'is required for purchase' }]);
      await request(hub.url).post(`/api/widget/${team.channelId}/events`).send({ visitorId: 'short', type: 'page_view', url: 'https://shop.example/' }).expect(400);
      await request(hub.url).post(`/api/widget/unknown-channel/events`).send({ visitorId: visitor, type: 'page_view', url: 'https://shop.example/' }).expect(404);
      expect(await hub.infra.db.shopperEvent.count({ where: { visitorId: visitor } })).toBe(before);
    });

    it('answers the browser’s CORS preflight for the shop’s pages only', async () => {
      const shopOnly = await createWebchat(hub, team.admin, { allowedOrigins: ['https://shop.example'] });
      const preflight = await request(hub.url).options(`/api/widget/${shopOnly}/events`).set('origin', 'https://shop.example').set('access-control-request-method', 'POST').expect(204);
      expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': 'https://shop.example', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' });
      const event = { visitorId: visitorId(), type: 'page_view', url: 'https://shop.example/' };
      const posted = await request(hub.url).post(`/api/widget/${shopOnly}/events`).set('origin', 'https://shop.example').send(event).expect(202);
      expect(posted.headers['access-control-allow-origin']).toBe('https://shop.example');
      const elsewhere = await request(hub.url).options(`/api/widget/${shopOnly}/events`).set('origin', 'https://evil.example').expect(403);
      expect(elsewhere.body.code).toBe('origin_not_allowed');
      await request(hub.url).post(`/api/widget/${shopOnly}/events`).set('origin', 'https://evil.example').send(event).expect(403);
      expect(await hub.infra.db.shopperEvent.count({ where: { visitorId: event.visitorId } })).toBe(1);
    });

    it('limits how many events one browser sends per minute', async () => {
      const visitor = visitorId();
      const send = () => request(hub.url).post(`/api/widget/${team.channelId}/events`).send({ visitorId: visitor, type: 'page_view', url: 'https://shop.example/' });
      for (let i = 0; i < 60; i++) await send().expect(202);
      const limited = await send().expect(429);
      expect(limited.body.code).toBe('rate_limited');
      // Another browser is not held back by it.
      await request(hub.url).post(`/api/widget/${team.channelId}/events`).send({ visitorId: visitorId(), type: 'page_view', url: 'https://shop.example/' }).expect(202);
    });
  });
});
