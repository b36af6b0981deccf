import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { eventually } from '../support/eventually.js';
import { MovableClock, tokyo } from '../support/movable-clock.js';
import { emitWithAck, sessionOf, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

/**
 * A widget `purchase` event is typed by whatever page runs the widget: anyone can send one with any order id.
 * It may tie the shop's order to a browser only when it is uncontested and recent.
 */
describe('Sales credit claims', () => {
  const clock = new MovableClock(tokyo('2027-01-10T09:00'));
  const { open, closeAll } = socketPool();
  let hub: TestHub;
  let team: { teamId: string; inviteCode: string; admin: TestMember };
  let channelId: string;
  let apiKey: string;
  let honest: TestMember;
  let colluding: TestMember;

  beforeAll(async () => {
    hub = await startTestHub({}, { clock });
    team = await createTeam(hub, 'Claims shop');
    channelId = await createWebchat(hub, team.admin);
    apiKey = (await hub.http.post('/api/teams/current/api-keys').set(team.admin.auth).send({ name: 'shop backend' }).expect(201)).body.key;
    honest = await addMember(hub, team, { name: '誠実 太郎' });
    colluding = await addMember(hub, team, { name: '共謀 次郎' });
  });

  afterAll(async () => {
    closeAll();
    await hub?.stop();
  });

  const orderId = () => `order-${randomBytes(6).toString('hex')}`;

  async function browser(): Promise<{ socket: Socket; visitorId: string }> {
    const visitorId = randomBytes(16).toString('base64url');
    const socket = await open(hub.url, '/widget', { channelId, visitorId });
    await sessionOf(socket);
    return { socket, visitorId };
  }

  /** At `at`, the browser writes and `agent` answers: a chat that sales can be credited to. */
  async function chat(visitor: Socket, agent: TestMember, at: Date): Promise<string> {
    clock.set(at);
    const ack = await emitWithAck<{ ok: boolean; conversationId: string }>(visitor, 'message', { body: '在庫はありますか？' });
    expect(ack.ok).toBe(true);
    await hub.http.post(`/api/conversations/${ack.conversationId}/messages`).set(agent.auth).send({ body: 'ございます。' }).expect(201);
    await eventually(() => hub.infra.db.saleTouch.findFirst({ where: { conversationId: ack.conversationId, memberId: agent.id } }), (touch) => touch !== null);
    await hub.http.post(`/api/conversations/${ack.conversationId}/resolve`).set(agent.auth).send({}).expect(200);
    return ack.conversationId;
  }

  async function claim(visitor: Socket, order: string, at: Date): Promise<void> {
    clock.set(at);
    expect(await emitWithAck(visitor, 'track', { type: 'purchase', url: 'https://shop.example/thanks', order: { id: order } })).toEqual({ ok: true });
  }

  /** The shop's server reports the order at `at` (the hub's clock), without naming a browser. */
  function report(order: string, at: Date, extra: Record<string, unknown> = {}) {
    clock.set(at);
    return request(hub.url)
      .post('/api/purchases')
      .set('Authorization', `Bearer ${apiKey}`)
      .send({ orderId: order, amount: 9800, currency: 'JPY', occurredAt: at.toISOString(), ...extra })
      .expect(201);
  }

  // Attack: a browser that chatted with a colluding agent posts `purchase` with the order id the real buyer is
  // about to get (order ids are often sequential), before the buyer's own thank-you page does. The first claim
  // used to win the credit.
  it('does not credit a browser that claimed the order before the real buyer', async () => {
    const attacker = await browser();
    const buyer = await browser();
    await chat(attacker.socket, colluding, tokyo('2027-01-10T10:00'));
    await chat(buyer.socket, honest, tokyo('2027-01-10T10:05'));
    const order = orderId();
    await claim(attacker.socket, order, tokyo('2027-01-10T10:10'));
    await claim(buyer.socket, order, tokyo('2027-01-10T10:20'));

    const answer = await report(order, tokyo('2027-01-10T10:30'));
    expect(answer.body.attributedTo).toBeNull();
    expect(answer.body.reason).toMatchObject({ match: null, claim: 'claim_contested' });
    expect(answer.body.reason.explanation).toContain('claimed by more than one browser');
  });

  // Attack: the same pre-claim, when the shop also reports the buyer's email: the identity still credits the
  // buyer's chat, and the reason says the browser claim was contested.
  it('still credits the buyer by identity when the claim is contested', async () => {
    const attacker = await browser();
    const buyer = await browser();
    await chat(attacker.socket, colluding, tokyo('2027-01-11T10:00'));
    const buyersChat = await chat(buyer.socket, honest, tokyo('2027-01-11T10:05'));
    const conversation = await hub.http.get(`/api/conversations/${buyersChat}`).set(team.admin.auth).expect(200);
    await hub.http.post(`/api/contacts/${conversation.body.contact.id}/identities`).set(team.admin.auth).send({ kind: 'email', address: 'buyer@example.jp' }).expect(201);
    const order = orderId();
    await claim(attacker.socket, order, tokyo('2027-01-11T10:10'));
    await claim(buyer.socket, order, tokyo('2027-01-11T10:20'));

    const answer = await report(order, tokyo('2027-01-11T10:30'), { email: 'buyer@example.jp' });
    expect(answer.body.attributedTo).toEqual({ memberId: honest.id, conversationId: buyersChat });
    expect(answer.body.reason).toMatchObject({ match: 'identity', claim: 'claim_contested' });
  });

  // Attack: a browser claims a batch of future order ids and waits; a claim older than 24 hours when the shop
  // reports the order proves nothing about who bought it.
  it('ignores a claim made more than 24 hours before the shop reports the order', async () => {
    const attacker = await browser();
    await chat(attacker.socket, colluding, tokyo('2027-01-12T10:00'));
    const order = orderId();
    await claim(attacker.socket, order, tokyo('2027-01-12T10:10'));

    // The purchase happened within the attribution window of the chat, but was reported only 24 h 5 min later.
    clock.set(tokyo('2027-01-13T10:15'));
    const answer = await request(hub.url)
      .post('/api/purchases')
      .set('Authorization', `Bearer ${apiKey}`)
      .send({ orderId: order, amount: 9800, currency: 'JPY', occurredAt: tokyo('2027-01-12T10:20').toISOString() })
      .expect(201);
    expect(answer.body.attributedTo).toBeNull();
    expect(answer.body.reason).toMatchObject({ match: null, claim: 'claim_expired' });
  });

  // The honest path still works: one browser's claim, reported within 24 hours, ties the order to its chat.
  it('credits the one browser that claimed the order within 24 hours before the report', async () => {
    const buyer = await browser();
    const conversationId = await chat(buyer.socket, honest, tokyo('2027-01-14T10:00'));
    const order = orderId();
    await claim(buyer.socket, order, tokyo('2027-01-14T10:10'));
    // The same browser reloading its thank-you page is still one claimant.
    await claim(buyer.socket, order, tokyo('2027-01-14T10:11'));

    // 23 h 49 min after the claim, and within the 1-day attribution window of the reply.
    const answer = await report(order, tokyo('2027-01-15T09:59'));
    expect(answer.body.attributedTo).toEqual({ memberId: honest.id, conversationId });
    expect(answer.body.reason).toMatchObject({ match: 'visitor', visitorFrom: 'widget_order', claim: 'visitor_claim' });
  });
});
