import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { collect, connect, emitWithAck, nextEvent, sessionOf, sleep } from '../support/sockets.js';
import { SlowReplyService } from '../../src/routing/index.js';
import { eventually } from '../support/eventually.js';
import { MovableClock } from '../support/movable-clock.js';
import { itExpiresOffersOnceAcrossARestart } from '../support/offer-restart.scenario.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

interface Offer {
  id: string;
  conversationId: string;
  expiresAt: string;
}

describe('Offers: the first to accept takes the chat', () => {
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let channelId: string;
  const sockets: Socket[] = [];
  // Offer deadlines, waves, presence grace and slow replies run on this clock: the cases move it instead of sleeping.
  const clock = new MovableClock(new Date());

  beforeAll(async () => {
    hub = await startTestHub({}, { clock });
  });

  /** Waits until the hub has set `count` timers due `inMs` from now: moving the clock before then would fire nothing. */
  async function timersIn(inMs: number, count = 1): Promise<void> {
    await eventually(async () => clock.pending().filter((at) => at.getTime() === clock.now().getTime() + inMs).length, (n) => n >= count);
  }

  // A team of its own per case: routing is per team, and one case's waiting chats are not the next one's.
  beforeEach(async () => {
    team = await createTeam(hub);
    channelId = await createWebchat(hub, team.admin);
    // Signing in makes a member available; the administrator here only watches.
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.stop();
  });

  async function onlineMember(): Promise<{ member: TestMember; devices: Socket[] }> {
    const member = await addMember(hub, team);
    await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'online' }).expect(200);
    const devices = [await connect(hub.url, '/inbox', { token: member.token }), await connect(hub.url, '/inbox', { token: member.token })];
    sockets.push(...devices);
    return { member, devices };
  }

  async function newChat(body = 'こんにちは'): Promise<{ visitor: Socket; conversationId: string }> {
    const visitor = await connect(hub.url, '/widget', { channelId });
    sockets.push(visitor);
    await sessionOf(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body });
    return { visitor, conversationId };
  }

  async function offline(members: TestMember[]) {
    for (const member of members) await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'offline' }).expect(200);
  }

  it('offers a new chat to every available member; one wins, the other hears offer_taken, all devices see it withdrawn', async () => {
    const staff = [await onlineMember(), await onlineMember(), await onlineMember()];
    const offers = staff.map(({ devices }) => devices.map((device) => nextEvent<Offer>(device, 'offer')));
    const { conversationId } = await newChat();
    const received = await Promise.all(offers.map((pair) => Promise.all(pair)));
    for (const pair of received) for (const offer of pair) expect(offer.conversationId).toBe(conversationId);

    const withdrawn = staff.map(({ devices }) => devices.map((device) => collect<{ conversationId: string; reason: string }>(device, 'offer.withdrawn')));
    const [first, second] = await Promise.all([
      hub.http.post(`/api/conversations/${conversationId}/accept`).set(staff[0].member.auth),
      hub.http.post(`/api/conversations/${conversationId}/accept`).set(staff[1].member.auth),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const loser = first.status === 409 ? first : second;
    expect(loser.body.code).toBe('offer_taken');
    const winnerIndex = first.status === 200 ? 0 : 1;
    await eventually(async () => withdrawn.filter((_, i) => i !== winnerIndex).flat(), (seen) => seen.every((device) => device.length > 0));
    staff.forEach((_, i) => {
      for (const device of withdrawn[i]) {
        // Every device of every other member sees the offer go; the winner's see nothing withdrawn.
        expect(device).toEqual(i === winnerIndex ? [] : [expect.objectContaining({ conversationId, reason: 'taken' })]);
      }
    });
    const conversation = await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(conversation.assigneeId).toBe(staff[winnerIndex].member.id);
    await offline(staff.map((s) => s.member));
  });

  it('withdraws the others’ offers when someone takes the chat by replying to it, and keeps it theirs against a late accept', async () => {
    const staff = [await onlineMember(), await onlineMember()];
    const offered = staff.map(({ devices }) => nextEvent<Offer>(devices[0], 'offer'));
    const { conversationId } = await newChat('配送について教えてください');
    await Promise.all(offered);
    const withdrawn = nextEvent<{ conversationId: string; reason: string }>(staff[1].devices[0], 'offer.withdrawn');
    const replier = await addMember(hub, team);
    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(replier.auth).send({ body: '担当します' }).expect(201);
    expect(await withdrawn).toMatchObject({ conversationId, reason: 'taken' });
    expect((await hub.http.post(`/api/conversations/${conversationId}/accept`).set(staff[0].member.auth).expect(409)).body.code).toBe('offer_taken');
    const conversation = await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    expect(conversation).toMatchObject({ assigneeId: replier.id, status: 'open' });
    await offline([...staff.map((s) => s.member), replier]);
  });

  it('misses a chat nobody accepts: the visitor is offered the form, it waits, and a third ignored offer in a row means a break', async () => {
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { offerTimeoutSeconds: 1, offerFanout: 3 } }).expect(200);
    const staff = [await onlineMember(), await onlineMember(), await onlineMember()];
    const presence = staff[0].devices.map((device) => collect<{ memberId: string; status: string; reason?: string }>(device, 'presence.updated'));
    for (let round = 1; round <= 3; round++) {
      const { visitor, conversationId } = await newChat(`誰かいますか ${round}`);
      await timersIn(1_000);
      const missed = nextEvent<{ conversationId: string; form: boolean }>(visitor, 'missed', () => true, 5_000);
      const expired = nextEvent<{ reason: string }>(staff[0].devices[1], 'offer.withdrawn', (e) => e.reason === 'expired', 5_000);
      clock.advance(1_000);
      expect(await missed).toEqual({ conversationId, form: true });
      await expired;
      const conversation = await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
      expect(conversation).toMatchObject({ status: 'waiting', assigneeId: null });
      expect(conversation.missedAt).not.toBeNull();
      let counts = await hub.infra.db.member.findMany({ where: { id: { in: staff.map((s) => s.member.id) } } });
      for (let i = 0; i < 100 && counts.some((m) => m.ignoredOffers < round); i++) {
        await sleep(20);
        counts = await hub.infra.db.member.findMany({ where: { id: { in: staff.map((s) => s.member.id) } } });
      }
      expect(counts.map((m) => m.ignoredOffers)).toEqual([round, round, round]);
    }
    const onBreak = { memberId: staff[0].member.id, status: 'break', reason: 'ignored_offers' };
    // The three are put on break one after another, in no set order: wait until every device has heard of all three.
    const breaks = (device: { memberId: string; status: string }[]) => new Set(device.filter((p) => p.status === 'break').map((p) => p.memberId)).size;
    await eventually(async () => presence, (devices) => devices.every((device) => breaks(device) === staff.length));
    for (const device of presence) expect(device).toContainEqual(onBreak);
    const members = await hub.infra.db.member.findMany({ where: { id: { in: staff.map((s) => s.member.id) } } });
    expect(members.map((m) => m.status)).toEqual(['break', 'break', 'break']);
    // Each bell keeps why: the hub, not a colleague, put them on the break.
    for (const { member } of staff) {
      const bell = await eventually(async () => (await hub.http.get('/api/notifications').set(member.auth).expect(200)).body.items as { type: string; data: unknown }[], (items) => items.length > 0);
      expect(bell).toEqual([expect.objectContaining({ type: 'break_after_ignored_offers', data: { reason: 'ignored_offers' } })]);
    }
    await offline(staff.map((s) => s.member));
  });

  it('resets the count when the member accepts, and never offers to a member at capacity', async () => {
    const { member, devices } = await onlineMember();
    await hub.infra.db.member.update({ where: { id: member.id }, data: { ignoredOffers: 2 } });
    const offer = nextEvent<Offer>(devices[0], 'offer');
    const { conversationId } = await newChat('one');
    await offer;
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(member.auth).expect(200);
    expect((await hub.infra.db.member.findUniqueOrThrow({ where: { id: member.id } })).ignoredOffers).toBe(0);
    const more = collect<Offer>(devices[0], 'offer');
    const visitor = await connect(hub.url, '/widget', { channelId });
    sockets.push(visitor);
    await sessionOf(visitor);
    // Offered to nobody, the customer is told they wait: routing is done with this chat.
    const waiting = nextEvent(visitor, 'waiting');
    const second = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: 'two' });
    await waiting;
    expect(more.filter((o) => o.conversationId === second.conversationId)).toEqual([]);
    const refused = await hub.http.post(`/api/conversations/${second.conversationId}/accept`).set(member.auth).expect(409);
    expect(refused.body.code).toBe('at_capacity');
    await offline([member]);
  });

  it('offers the oldest waiting chat when a member comes online, and the next when they finish one', async () => {
    const older = await newChat('待っています 1');
    const newer = await newChat('待っています 2');
    // Signing in makes the member available: the oldest chat is offered, and rings on the device they open next.
    const member = await addMember(hub, team);
    let first: Promise<Offer> | undefined;
    const device = await connect(hub.url, '/inbox', { token: member.token }, {
      before: (socket) => {
        first = nextEvent<Offer>(socket, 'offer');
      },
    });
    sockets.push(device);
    expect((await first!).conversationId).toBe(older.conversationId);
    await hub.http.post(`/api/conversations/${older.conversationId}/accept`).set(member.auth).expect(200);
    const next = nextEvent<Offer>(device, 'offer');
    await hub.http.post(`/api/conversations/${older.conversationId}/resolve`).set(member.auth).send({}).expect(200);
    expect((await next).conversationId).toBe(newer.conversationId);
    await offline([member]);
  });

  it('takes a member offline when all their devices have been gone for the grace period, not when one goes', async () => {
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { presenceGraceSeconds: 1 } }).expect(200);
    const watcher = await connect(hub.url, '/inbox', { token: team.admin.token });
    sockets.push(watcher);
    const { member, devices } = await onlineMember();
    const heard = collect<{ memberId: string; status: string; reason?: string }>(watcher, 'presence.updated');
    devices[0].close();
    await timersIn(1_000);
    clock.advance(1_000);
    await hub.infra.jobs.idle();
    expect(await hub.infra.db.member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({ status: 'online' });

    // The phone drops and comes back within the grace: still on.
    devices[1].close();
    await timersIn(1_000);
    const back = await connect(hub.url, '/inbox', { token: member.token });
    sockets.push(back);
    clock.advance(1_000);
    await hub.infra.jobs.idle();
    expect(await hub.infra.db.member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({ status: 'online' });
    expect(heard).toEqual([]);

    back.close();
    await timersIn(1_000);
    clock.advance(1_000);
    const gone = await nextEvent<{ memberId: string; status: string; reason?: string }>(watcher, 'presence.updated', (p) => p.memberId === member.id, 5_000);
    expect(gone).toEqual({ memberId: member.id, status: 'offline', reason: 'disconnected' });
  });

  it('widens an offer nobody takes in waves, the next ranked member each time, all to the same deadline', async () => {
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { offerFanout: 1, offerWaves: { size: 1, everySeconds: 1 }, offerTimeoutSeconds: 20 } }).expect(200);
    const staff = [await onlineMember(), await onlineMember(), await onlineMember()];
    const seen = staff.map(({ devices }) => collect<Offer>(devices[0], 'offer'));
    const { conversationId } = await newChat('誰か対応できますか');
    const offered = () => seen.map((offers) => offers.length).reduce((a, b) => a + b, 0);
    const until = (n: number) => eventually(async () => offered(), (count) => count >= n);
    // One member first; a wave a second later adds the next, and another the last; not a moment before.
    expect(await until(1)).toBe(1);
    await timersIn(1_000);
    clock.advance(999);
    await hub.infra.jobs.idle();
    expect(offered()).toBe(1);
    clock.advance(1);
    expect(await until(2)).toBe(2);
    await timersIn(1_000);
    clock.advance(1_000);
    expect(await until(3)).toBe(3);
    expect(seen.map((offers) => offers.length)).toEqual([1, 1, 1]);
    const deadlines = new Set(seen.map((offers) => offers[0].expiresAt));
    expect(deadlines.size).toBe(1);
    for (const offers of seen) expect(offers[0].conversationId).toBe(conversationId);
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(staff[2].member.auth).expect(200);
    await offline(staff.map((s) => s.member));
  });

  it('offers a returning customer to the member who served them last when sticky routing is on', async () => {
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { offerFanout: 1, stickyRouting: true } }).expect(200);
    const known = await onlineMember();
    const first = nextEvent<Offer>(known.devices[0], 'offer');
    const visitor = await connect(hub.url, '/widget', { channelId });
    sockets.push(visitor);
    const { visitorId } = await sessionOf<{ visitorId: string }>(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: '前回の件です' });
    expect((await first).conversationId).toBe(conversationId);
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(known.member.auth).expect(200);
    await hub.http.post(`/api/conversations/${conversationId}/resolve`).set(known.member.auth).send({}).expect(200);
    visitor.close();

    // A colleague who has never taken a chat would be first by idleness; the customer's own agent comes first.
    const other = await onlineMember();
    const toOther = collect<Offer>(other.devices[0], 'offer');
    const again = nextEvent<Offer>(known.devices[0], 'offer');
    const back = await connect(hub.url, '/widget', { channelId, visitorId });
    sockets.push(back);
    await sessionOf(back);
    const { conversationId: second } = await emitWithAck<{ conversationId: string }>(back, 'message', { body: 'またお願いします' });
    expect((await again).conversationId).toBe(second);
    expect(toOther).toEqual([]);
    await offline([known.member, other.member]);
  });

  it('delivers one greeting when two agents greet a new chat at the same moment; the other is withdrawn and its author told', async () => {
    const [a, b] = [await onlineMember(), await onlineMember()];
    const offered = nextEvent<Offer>(a.devices[0], 'offer');
    const { visitor, conversationId } = await newChat('はじめまして');
    await offered;
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(a.member.auth).expect(200);
    const received = collect<{ body: string }>(visitor, 'message');
    const [first, second] = await Promise.all([
      hub.http.post(`/api/conversations/${conversationId}/messages`).set(a.member.auth).send({ body: 'いらっしゃいませ、田中です' }).expect(201),
      hub.http.post(`/api/conversations/${conversationId}/messages`).set(b.member.auth).send({ body: 'こんにちは、山本です' }).expect(201),
    ]);
    const statuses = [first.body.status, second.body.status].sort();
    expect(statuses).toEqual(['failed', 'queued']);
    const loser = first.body.status === 'failed' ? first.body : second.body;
    expect(loser.error).toMatch(/^Withdrawn before delivery: 鈴木 一郎 greeted this customer/);
    // Once nothing is left to send, the visitor has had all that will ever reach them.
    await eventually(async () => received.length, (n) => n >= 1);
    await hub.infra.jobs.idle();
    expect(received.map((m) => m.body)).toEqual([first.body.status === 'queued' ? 'いらっしゃいませ、田中です' : 'こんにちは、山本です']);

    // Later replies, by anyone, go out as usual (a greeting guards the chat for a second).
    clock.advance(1_100);
    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(b.member.auth).send({ body: 'ご用件をどうぞ' }).expect(201);
    await eventually(async () => received.length, (n) => n >= 2);
    expect(received.map((m) => m.body)).toHaveLength(2);
    await offline([a.member, b.member]);
  });

  it('offers a web chat customer who has waited too long for an answer to leave the message by email, once per wait', async () => {
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { slowReplySeconds: 1 } }).expect(200);
    const { member } = await onlineMember();
    const visitor = await connect(hub.url, '/widget', { channelId });
    sockets.push(visitor);
    await sessionOf(visitor);
    const slow = collect<{ conversationId: string; waitedSeconds: number; form: boolean }>(visitor, 'slow_reply');
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: '在庫を知りたいです' });
    await emitWithAck(visitor, 'message', { body: 'Mサイズです' });
    await timersIn(1_000, 2);
    clock.advance(1_000);
    await eventually(async () => slow.length, (n) => n >= 1);
    await hub.infra.jobs.idle();
    // Two messages in one wait: one offer of the form.
    expect(slow).toEqual([{ conversationId, waitedSeconds: expect.any(Number), form: true }]);
    expect(slow[0].waitedSeconds).toBeGreaterThanOrEqual(1);
    // A restart sets the timer of every chat still waiting again: this wait was told already, so it stays quiet.
    expect(await hub.app.get(SlowReplyService).resume()).toBeGreaterThanOrEqual(1);
    await hub.infra.jobs.idle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(slow).toHaveLength(1);

    // Answered: the next wait starts with the customer's next message.
    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(member.auth).send({ body: 'お調べします' }).expect(201);
    await emitWithAck(visitor, 'message', { body: 'よろしくお願いします' });
    await timersIn(1_000);
    clock.advance(1_000);
    await eventually(async () => slow.length, (n) => n >= 2);
    expect(slow).toHaveLength(2);

    // An answer within the time: nothing.
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { slowReplySeconds: 3 } }).expect(200);
    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(member.auth).send({ body: 'ありました' }).expect(201);
    await emitWithAck(visitor, 'message', { body: 'ありがとう' });
    await timersIn(3_000);
    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(member.auth).send({ body: 'どういたしまして' }).expect(201);
    clock.advance(3_000);
    await hub.infra.jobs.idle();
    expect(slow).toHaveLength(2);
    await offline([member]);
  });

  it('never lets automatic routing exceed capacity: 50 chats at once, 5 members who accept every offer', async () => {
    // Fifty customers, all on this machine's one address: over the default 20 new chats a minute per address.
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { widgetLimits: { sessionsPerMinute: 100 } } }).expect(200);
    const staff = await Promise.all(Array.from({ length: 5 }, () => onlineMember()));
    const accepts: Promise<unknown>[] = [];
    for (const { member, devices } of staff) {
      devices[0].on('offer', (offer: Offer) => {
        accepts.push(hub.http.post(`/api/conversations/${offer.conversationId}/accept`).set(member.auth).then((r) => r.status));
      });
    }
    await Promise.all(Array.from({ length: 50 }, (_, i) => newChat(`rush ${i}`)));
    // Accepts race in for as long as offers arrive; on a loaded machine that is more than a moment.
    const assigned = () => hub.infra.db.conversation.count({ where: { assigneeId: { in: staff.map((s) => s.member.id) }, status: 'open' } });
    await eventually(assigned, (n) => n >= 3);
    // Then until the accepts already sent are all answered and no new offer brings more.
    await eventually(async () => {
      const sent = accepts.length;
      await Promise.all(accepts);
      await hub.infra.jobs.idle();
      return accepts.length === sent;
    }, (settled) => settled);
    const statuses = await Promise.all(accepts);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    for (const { member } of staff) {
      expect(await hub.infra.db.conversation.count({ where: { assigneeId: member.id, status: 'open' } })).toBeLessThanOrEqual(1);
    }
  });
});

describe('Offer timers on the in-process job runner and the embedded database', () => {
  itExpiresOffersOnceAcrossARestart(() => ({}), () => new MovableClock(new Date()));
});
