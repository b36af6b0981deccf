import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { startPushServiceFake, verifyVapid } from '../fakes/push-service-fake.js';
import type { PushServiceFake } from '../fakes/push-service-fake.js';
import { eventually } from '../support/eventually.js';
import { connect, emitWithAck, sessionOf, sleep } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

interface PushState {
  publicKey: string;
  settings: Record<'offers' | 'messages' | 'sales' | 'drafts', boolean>;
  subscriptions: { id: string; endpoint: string; language: string }[];
}

// Issue 21: an offer reaches a member whose inbox is in the background or whose phone is locked, through Web Push.
// The push service is faked at the network edge and decrypts what the hub sends, as a browser would.
describe('Web Push to members’ devices', () => {
  let hub: TestHub;
  let push: PushServiceFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let channelId: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    push = await startPushServiceFake();
    hub = await startTestHub();
  });

  // A team per case: one case's waiting chats are not offered in the next.
  beforeEach(async () => {
    team = await createTeam(hub);
    channelId = await createWebchat(hub, team.admin);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.stop();
    await push?.close();
  });

  const state = async (member: TestMember) => (await hub.http.get('/api/push').set(member.auth).expect(200)).body as PushState;

  async function onlineMember(): Promise<TestMember> {
    const member = await addMember(hub, team);
    await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'online' }).expect(200);
    const device = await connect(hub.url, '/inbox', { token: member.token });
    sockets.push(device);
    return member;
  }

  async function subscribe(member: TestMember, language = 'ja') {
    const subscription = push.subscribe();
    const registered = await hub.http.post('/api/push/subscriptions').set(member.auth).send({ ...subscription.toJSON(), expirationTime: null, language }).expect(201);
    return { ...subscription, id: registered.body.id as string };
  }

  async function newChat(body: string): Promise<string> {
    const visitor = await connect(hub.url, '/widget', { channelId });
    sockets.push(visitor);
    await sessionOf(visitor);
    return (await emitWithAck<{ conversationId: string }>(visitor, 'message', { body })).conversationId;
  }

  const pushesTo = (endpoint: string) => push.received.filter((p) => p.path === new URL(endpoint).pathname);

  it('pushes an offer, encrypted to the subscription and signed with the hub’s VAPID key, in the member’s language', async () => {
    const member = await onlineMember();
    const ja = await subscribe(member, 'ja');
    const en = await subscribe(member, 'en');
    const { publicKey } = await state(member);
    const conversationId = await newChat('予約の変更をしたいです');

    const [pushed] = await eventually(async () => pushesTo(ja.endpoint), (list) => list.length === 1);
    const offer = await hub.infra.db.offer.findFirstOrThrow({ where: { conversationId, memberId: member.id } });
    expect(pushed.payload).toEqual({
      kind: 'offers',
      title: '新しいチャット',
      body: 'Webチャット: 予約の変更をしたいです',
      tag: `offer-${offer.id}`,
      url: `/app/conversations/${conversationId}`,
      conversationId,
      offerId: offer.id,
      expiresAt: offer.expiresAt.toISOString(),
      actions: [
        { action: 'accept', title: '受ける' },
        { action: 'open', title: '開く' },
      ],
    });
    // The push service keeps it no longer than the offer lasts, and wakes the phone for it.
    expect(Number(pushed.request.headers.ttl)).toBeGreaterThan(0);
    expect(Number(pushed.request.headers.ttl)).toBeLessThanOrEqual(Math.ceil((offer.expiresAt.getTime() - offer.createdAt.getTime()) / 1000));
    expect(pushed.request.headers.urgency).toBe('high');
    const claims = await verifyVapid(pushed.request.headers, publicKey, push.url);
    expect(claims.sub).toMatch(/^(mailto:|https:)/);

    const [english] = await eventually(async () => pushesTo(en.endpoint), (list) => list.length === 1);
    expect(english.payload).toMatchObject({ title: 'New chat', body: 'Web chat: 予約の変更をしたいです', actions: [{ action: 'accept', title: 'Accept' }, { action: 'open', title: 'Open' }] });
    await eventually(() => hub.infra.db.pushDelivery.count(), (n) => n === 0);
  });

  it('pushes a customer’s message in my chats, and only the news the member chose', async () => {
    const member = await onlineMember();
    const device = await subscribe(member);
    const conversationId = await newChat('最初のメッセージ');
    await eventually(async () => pushesTo(device.endpoint), (list) => list.length === 1);
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(member.auth).expect(200);

    const visitor = sockets[sockets.length - 1];
    await emitWithAck(visitor, 'message', { body: '駐車場はありますか' });
    const [, message] = await eventually(async () => pushesTo(device.endpoint), (list) => list.length === 2);
    expect(message.payload).toMatchObject({ kind: 'messages', title: 'お客様からのメッセージ', body: '駐車場はありますか', tag: `chat-${conversationId}`, conversationId });

    // Messages switched off: the next one is not pushed; switched on again, the one after is.
    const settings = await hub.http.patch('/api/push/settings').set(member.auth).send({ messages: false }).expect(200);
    expect(settings.body).toEqual({ offers: true, messages: false, sales: true, drafts: true });
    expect((await state(member)).settings.messages).toBe(false);
    await emitWithAck(visitor, 'message', { body: '聞こえないはず' });
    await hub.http.patch('/api/push/settings').set(member.auth).send({ messages: true }).expect(200);
    await emitWithAck(visitor, 'message', { body: 'もう一つ' });
    await eventually(async () => pushesTo(device.endpoint), (list) => list.length === 3);
    expect(pushesTo(device.endpoint).map((p) => p.payload.body)).toEqual(['Webチャット: 最初のメッセージ', '駐車場はありますか', 'もう一つ']);
  });

  // An outage of the push service delays a push; it does not lose it.
  it('tries again while the push service fails, until it takes the push', async () => {
    const member = await onlineMember();
    const device = await subscribe(member);
    push.failNext(device.endpoint, 503);
    await newChat('つながりますか');
    await eventually(async () => push.requests.filter((r) => r.path === new URL(device.endpoint).pathname).length, (n) => n === 1);
    expect(pushesTo(device.endpoint)).toEqual([]);
    expect(await hub.infra.db.pushDelivery.count({ where: { subscriptionId: device.id } })).toBe(1);
    const [pushed] = await eventually(async () => pushesTo(device.endpoint), (list) => list.length === 1);
    expect(pushed.payload.kind).toBe('offers');
    await eventually(() => hub.infra.db.pushDelivery.count({ where: { subscriptionId: device.id } }), (n) => n === 0);
  });

  it.each([404, 410])('removes a subscription the push service answers %i for', async (status) => {
    const member = await onlineMember();
    const gone = await subscribe(member);
    const kept = await subscribe(member);
    push.failNext(gone.endpoint, status);
    await newChat('こんにちは');
    await eventually(async () => pushesTo(kept.endpoint), (list) => list.length === 1);
    await eventually(async () => (await state(member)).subscriptions.map((s) => s.id), (ids) => ids.length === 1);
    expect((await state(member)).subscriptions.map((s) => s.id)).toEqual([kept.id]);
    expect(await hub.infra.db.pushDelivery.count({ where: { subscriptionId: gone.id } })).toBe(0);
  });

  // The endpoint is a URL a browser named: it goes through the outbound-URL guard like any other.
  it('refuses a plain-http endpoint, and never connects to a private address an https endpoint names', async () => {
    const member = await onlineMember();
    const refused = await hub.http.post('/api/push/subscriptions').set(member.auth).send({ ...push.subscribe().toJSON(), endpoint: 'http://push.example.com/x' }).expect(400);
    expect(refused.body).toMatchObject({ code: 'push_endpoint_not_allowed', details: [{ field: 'endpoint' }] });
    const badKeys = await hub.http.post('/api/push/subscriptions').set(member.auth).send({ endpoint: 'https://push.example.com/x', keys: { p256dh: 'AAAA', auth: 'BBBB' } }).expect(400);
    expect(badKeys.body).toMatchObject({ code: 'invalid_request', details: expect.arrayContaining([expect.objectContaining({ field: 'keys.p256dh' })]) });

    const loopback = push.subscribe();
    const port = new URL(push.url).port;
    const endpoint = `https://127.0.0.1:${port}${new URL(loopback.endpoint).pathname}`;
    const registered = await hub.http.post('/api/push/subscriptions').set(member.auth).send({ ...loopback.toJSON(), endpoint }).expect(201);
    const before = push.requests.length;
    await newChat('こんにちは');
    await eventually(() => hub.infra.db.offer.count({ where: { memberId: member.id } }), (n) => n === 1);
    await eventually(() => hub.infra.db.pushDelivery.count({ where: { subscriptionId: registered.body.id } }), (n) => n === 0);
    await sleep(200);
    expect(push.requests.length).toBe(before);
  });

  it('keeps each member’s subscriptions their own, and moves an endpoint to whoever registers it last', async () => {
    const first = await addMember(hub, team);
    const second = await addMember(hub, team);
    const device = await subscribe(first);
    await hub.http.delete(`/api/push/subscriptions/${device.id}`).set(second.auth).expect(404);
    // The same browser, signed in as another member: its subscription is theirs now.
    const moved = await hub.http.post('/api/push/subscriptions').set(second.auth).send({ ...device.toJSON(), language: 'en' }).expect(201);
    expect(moved.body).toMatchObject({ id: device.id, language: 'en' });
    expect((await state(first)).subscriptions).toEqual([]);
    await hub.http.delete(`/api/push/subscriptions/${device.id}`).set(second.auth).expect(204);
    expect((await state(second)).subscriptions).toEqual([]);
  });
});
