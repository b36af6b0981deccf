import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { MovableClock } from '../support/movable-clock.js';
import { collect, connect, emitWithAck, nextEvent, sessionOf } from '../support/sockets.js';
import { eventually } from '../support/eventually.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

interface OfferFrame {
  id: string;
  conversationId: string;
  expiresAt: string;
  channel: { id: string; type: string };
  preview: string | null;
  transfer: { id: string; fromMemberId: string; note: string | null } | null;
}

interface TransferFrame {
  id: string;
  conversationId: string;
  status: string;
  fromMemberId: string;
  acceptedById: string | null;
  note: string | null;
}

describe('Transfers, groups and the supervisors’ queue', () => {
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let channelId: string;
  const sockets: Socket[] = [];
  // Countdowns and waiting times run on this clock: the cases move it instead of sleeping.
  const clock = new MovableClock(new Date());

  beforeAll(async () => {
    hub = await startTestHub({}, { clock });
  });

  beforeEach(async () => {
    team = await createTeam(hub);
    channelId = await createWebchat(hub, team.admin);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.stop();
  });

  async function agent(name: string): Promise<{ member: TestMember; device: Socket }> {
    const member = await addMember(hub, team, { name });
    const device = await connect(hub.url, '/inbox', { token: member.token });
    sockets.push(device);
    return { member, device };
  }

  /** A visitor's chat, offered and taken by `holder`. */
  async function chatHeldBy(holder: { member: TestMember; device: Socket }, body = '予約を変更したいです'): Promise<string> {
    const offered = nextEvent<OfferFrame>(holder.device, 'offer');
    const visitor = await connect(hub.url, '/widget', { channelId });
    sockets.push(visitor);
    await sessionOf(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body });
    expect((await offered).conversationId).toBe(conversationId);
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(holder.member.auth).expect(200);
    return conversationId;
  }

  async function group(name: string, members: TestMember[]): Promise<string> {
    const created = await hub.http.post('/api/groups').set(team.admin.auth).send({ name, memberIds: members.map((m) => m.id) }).expect(201);
    return created.body.id as string;
  }

  it('moves an accepted transfer to the colleague with its note; the other group members see it withdrawn', async () => {
    const a = await agent('田中 太郎');
    const conversationId = await chatHeldBy(a);
    const b = await agent('山本 二郎');
    const c = await agent('小林 三郎');
    const desk = await group('予約デスク', [b.member, c.member]);

    const offers = [nextEvent<OfferFrame>(b.device, 'offer'), nextEvent<OfferFrame>(c.device, 'offer')];
    const toSender = nextEvent<TransferFrame>(a.device, 'transfer.updated');
    const transfer = await hub.http.post(`/api/conversations/${conversationId}/transfer`).set(a.member.auth).send({ groupId: desk, note: '2回目のご来店、変更希望' }).expect(202);
    expect(transfer.body).toMatchObject({ status: 'pending', fromMemberId: a.member.id, groupId: desk, note: '2回目のご来店、変更希望' });
    for (const offer of await Promise.all(offers)) {
      expect(offer).toMatchObject({ conversationId, channel: { id: channelId, type: 'webchat' }, preview: '予約を変更したいです' });
      expect(offer.transfer).toEqual({ id: transfer.body.id, fromMemberId: a.member.id, note: '2回目のご来店、変更希望' });
    }

    const withdrawn = nextEvent<{ conversationId: string; reason: string }>(c.device, 'offer.withdrawn');
    const accepted = await hub.http.post(`/api/conversations/${conversationId}/accept`).set(b.member.auth).expect(200);
    expect(accepted.body.assigneeId).toBe(b.member.id);
    expect(await withdrawn).toMatchObject({ conversationId, reason: 'taken' });
    expect(await toSender).toMatchObject({ id: transfer.body.id, status: 'accepted', acceptedById: b.member.id });
    const late = await hub.http.post(`/api/conversations/${conversationId}/accept`).set(c.member.auth).expect(409);
    expect(late.body.code).toBe('offer_taken');

    // The note travels with the chat, for agents only.
    const messages = await hub.http.get(`/api/conversations/${conversationId}/messages`).set(b.member.auth).expect(200);
    expect(messages.body.items).toContainEqual(expect.objectContaining({ kind: 'note', body: '2回目のご来店、変更希望', author: { type: 'member', id: a.member.id } }));
  });

  it('lets the colleague a chat was just handed to answer at once: the sender’s greeting a moment before is no double greeting', async () => {
    const a = await agent('田中 太郎');
    const conversationId = await chatHeldBy(a, '駐車場はありますか');
    const b = await agent('山本 二郎');
    // The clock stands still: the greeting, the transfer and the answer all fall within the guard's second.
    const greeting = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(a.member.auth).send({ body: 'いらっしゃいませ、田中です' }).expect(201);
    const offered = nextEvent<OfferFrame>(b.device, 'offer');
    await hub.http.post(`/api/conversations/${conversationId}/transfer`).set(a.member.auth).send({ memberId: b.member.id, note: '駐車場の件' }).expect(202);
    await offered;
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(b.member.auth).expect(200);

    const answer = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(b.member.auth).send({ body: '山本が代わります。駐車場は3台分ございます' }).expect(201);

    expect(greeting.body.status).not.toBe('failed');
    expect(answer.body.status).not.toBe('failed');
  });

  it('leaves a transfer nobody accepts with the sender, who is told, and carries what is left of the countdown', async () => {
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { offerTimeoutSeconds: 2 } }).expect(200);
    const a = await agent('田中 太郎');
    const conversationId = await chatHeldBy(a);
    const b = await agent('山本 二郎');
    const desk = await group('本店', [a.member, b.member]);

    const offered = nextEvent<OfferFrame>(b.device, 'offer');
    const ownOffers = collect<OfferFrame>(a.device, 'offer');
    const told = nextEvent<TransferFrame>(a.device, 'transfer.updated', () => true, 8_000);
    const expired = nextEvent<{ reason: string }>(b.device, 'offer.withdrawn', () => true, 8_000);
    clock.advance(600);
    const sentAt = clock.now().getTime();
    await hub.http.post(`/api/conversations/${conversationId}/transfer`).set(a.member.auth).send({ groupId: desk }).expect(202);
    const offer = await offered;
    // The customer's message is unanswered: the 2-second countdown started when it came, not now.
    const expiresAt = new Date(offer.expiresAt).getTime();
    expect(expiresAt).toBe(sentAt + 1_400);
    await eventually(async () => clock.pending().map((at) => at.getTime()), (due) => due.includes(expiresAt));
    clock.set(new Date(expiresAt));
    const expiredTransfer = await told;
    expect(expiredTransfer).toMatchObject({ conversationId, status: 'expired', fromMemberId: a.member.id });
    expect(await expired).toMatchObject({ reason: 'expired' });
    // The sender's bell keeps that nobody took it, after the moment has passed.
    const bell = await eventually(async () => (await hub.http.get('/api/notifications').set(a.member.auth).expect(200)).body.items as unknown[], (items) => items.length > 0);
    expect(bell).toEqual([expect.objectContaining({ type: 'transfer_expired', data: { transferId: expiredTransfer.id, conversationId } })]);
    // The sender is never offered their own chat; it is still theirs.
    expect(ownOffers).toEqual([]);
    const conversation = await hub.http.get(`/api/conversations/${conversationId}`).set(a.member.auth).expect(200);
    expect(conversation.body).toMatchObject({ status: 'open', assigneeId: a.member.id });
    const ignored = await hub.infra.db.member.findUniqueOrThrow({ where: { id: b.member.id } });
    expect(ignored.ignoredOffers).toBe(1);
  });

  it('cancels a pending transfer when the sender resolves the chat: the colleague’s offer goes, the sender hears it', async () => {
    const a = await agent('田中 太郎');
    const conversationId = await chatHeldBy(a);
    const b = await agent('山本 二郎');
    const offered = nextEvent<OfferFrame>(b.device, 'offer');
    await hub.http.post(`/api/conversations/${conversationId}/transfer`).set(a.member.auth).send({ memberId: b.member.id }).expect(202);
    await offered;
    const withdrawn = nextEvent<{ conversationId: string; reason: string }>(b.device, 'offer.withdrawn');
    const told = nextEvent<TransferFrame>(a.device, 'transfer.updated');
    await hub.http.post(`/api/conversations/${conversationId}/resolve`).set(a.member.auth).send({ outcome: 'other' }).expect(200);
    expect(await withdrawn).toMatchObject({ conversationId, reason: 'cancelled' });
    expect(await told).toMatchObject({ conversationId, status: 'cancelled' });
    const late = await hub.http.post(`/api/conversations/${conversationId}/accept`).set(b.member.auth).expect(409);
    expect(late.body.code).toBe('offer_taken');
  });

  it('refuses transfers that cannot be offered, naming why', async () => {
    const a = await agent('田中 太郎');
    const conversationId = await chatHeldBy(a);
    const away = await agent('山本 二郎');
    await hub.http.put('/api/members/me/status').set(away.member.auth).send({ status: 'break' }).expect(200);
    const empty = await group('夜間', [away.member]);

    const both = await hub.http.post(`/api/conversations/${conversationId}/transfer`).set(a.member.auth).send({ memberId: away.member.id, groupId: empty }).expect(400);
    expect(both.body.details).toEqual([expect.objectContaining({ field: 'memberId' })]);
    expect((await hub.http.post(`/api/conversations/${conversationId}/transfer`).set(a.member.auth).send({ memberId: away.member.id }).expect(409)).body.code).toBe('member_unavailable');
    expect((await hub.http.post(`/api/conversations/${conversationId}/transfer`).set(a.member.auth).send({ groupId: empty }).expect(409)).body).toMatchObject({ code: 'nobody_available', message: expect.stringContaining('夜間') });
    expect((await hub.http.post(`/api/conversations/${conversationId}/transfer`).set(away.member.auth).send({ memberId: a.member.id }).expect(403)).body.code).toBe('forbidden');
    expect(await hub.infra.db.transfer.count({ where: { conversationId } })).toBe(0);
  });

  it('keeps groups per team and sets a member’s groups from the members API', async () => {
    const a = await agent('田中 太郎');
    const first = await group('本店', []);
    const second = await group('新宿店', [a.member]);
    expect((await hub.http.post('/api/groups').set(team.admin.auth).send({ name: '本店' }).expect(409)).body.code).toBe('group_exists');
    await hub.http.patch(`/api/members/${a.member.id}`).set(team.admin.auth).send({ groupIds: [first] }).expect(200);
    const groups = await hub.http.get('/api/groups').set(a.member.auth).expect(200);
    expect(groups.body.items).toEqual([
      { id: second, name: '新宿店', memberIds: [] },
      { id: first, name: '本店', memberIds: [a.member.id] },
    ]);
    const other = await createTeam(hub, 'Other');
    expect((await hub.http.patch(`/api/members/${other.admin.id}`).set(other.admin.auth).send({ groupIds: [first] }).expect(400)).body.details).toEqual([expect.objectContaining({ field: 'groupIds' })]);
    expect((await hub.http.get('/api/groups').set(other.admin.auth).expect(200)).body.items).toEqual([]);
  });

  // The floor view re-reads the queue on this cue: offers are news for their member only, so without it a
  // supervisor's page would not see an offer ringing.
  it('cues supervisors, and not agents nor another team, when an offer is made', async () => {
    const supervisor = await addMember(hub, team, { role: 'supervisor' });
    await hub.http.put('/api/members/me/status').set(supervisor.auth).send({ status: 'offline' }).expect(200);
    const watching = await connect(hub.url, '/inbox', { token: supervisor.token });
    sockets.push(watching);
    // Another team's administrator: a supervisor's cue, never a stranger's.
    const other = await createTeam(hub, 'Other');
    const stranger = await connect(hub.url, '/inbox', { token: other.admin.token });
    sockets.push(stranger);
    const heardByStranger = collect(stranger, 'floor.changed');
    const a = await agent('田中 太郎');
    const heardByAgent = collect(a.device, 'floor.changed');
    const cue = nextEvent<{ cause: string; conversationId: string }>(watching, 'floor.changed');
    // Sent after the cue, on the agent's one connection: once they have it, a cue meant for them would have come first.
    const taken = nextEvent<{ id: string; assigneeId: string | null }>(a.device, 'conversation.updated', (c) => c.assigneeId === a.member.id);
    const conversationId = await chatHeldBy(a);
    expect(await cue).toEqual({ cause: 'offer', conversationId });
    expect((await taken).id).toBe(conversationId);
    expect(heardByAgent).toEqual([]);
    expect(heardByStranger).toEqual([]);
  });

  it('shows supervisors the queue with waiting times and loads; assigning over capacity needs an override', async () => {
    const supervisor = await addMember(hub, team, { role: 'supervisor' });
    await hub.http.put('/api/members/me/status').set(supervisor.auth).send({ status: 'offline' }).expect(200);
    const busy = await agent('田中 太郎');
    const held = await chatHeldBy(busy);
    await hub.http.put('/api/members/me/status').set(busy.member.auth).send({ status: 'offline' }).expect(200);

    const visitor = await connect(hub.url, '/widget', { channelId });
    sockets.push(visitor);
    await sessionOf(visitor);
    // A chat's start is written by the database, in wall time: the clock catches up with it before the chat comes.
    clock.set(new Date(Math.max(Date.now(), clock.now().getTime())));
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: '在庫はありますか' });
    clock.advance(2_000);

    expect((await hub.http.get('/api/queue').set(busy.member.auth).expect(403)).body.code).toBe('forbidden');
    const queue = await hub.http.get('/api/queue').set(supervisor.auth).expect(200);
    expect(queue.body.waiting).toEqual([expect.objectContaining({ conversationId, preview: '在庫はありますか', missed: false, offeredTo: [] })]);
    expect(queue.body.waiting[0].waitingSeconds).toBeGreaterThanOrEqual(1);
    expect(queue.body.members).toContainEqual(expect.objectContaining({ id: busy.member.id, status: 'offline', load: 1, capacity: 1, offersPending: 0 }));
    // The chat they hold has waited for a reply since its first message: nobody has answered it yet.
    const first = await hub.infra.db.message.findFirstOrThrow({ where: { conversationId: held, direction: 'in' }, orderBy: { seq: 'asc' } });
    const holder = queue.body.members.find((m: { id: string }) => m.id === busy.member.id);
    expect(holder.chats).toEqual([expect.objectContaining({ conversationId: held, awaitingReplySince: first.createdAt.toISOString(), awaitingReplySeconds: expect.any(Number) })]);

    const refused = await hub.http.post(`/api/conversations/${conversationId}/assign`).set(supervisor.auth).send({ memberId: busy.member.id }).expect(409);
    expect(refused.body).toMatchObject({ code: 'at_capacity', message: expect.stringContaining('override') });
    expect((await hub.http.post(`/api/conversations/${conversationId}/assign`).set(busy.member.auth).send({ memberId: busy.member.id, override: true }).expect(403)).body.code).toBe('forbidden');
    const assigned = await hub.http.post(`/api/conversations/${conversationId}/assign`).set(supervisor.auth).send({ memberId: busy.member.id, override: true }).expect(200);
    expect(assigned.body).toMatchObject({ status: 'open', assigneeId: busy.member.id });
    expect((await hub.http.get('/api/queue').set(supervisor.auth).expect(200)).body.waiting).toEqual([]);

    // An answer ends the wait; the customer's next message starts another, from that message (not their first).
    await hub.http.post(`/api/conversations/${held}/messages`).set(busy.member.auth).send({ body: '確認します' }).expect(201);
    const answered = (await hub.http.get('/api/queue').set(supervisor.auth).expect(200)).body.members.find((m: { id: string }) => m.id === busy.member.id);
    expect(answered.chats).toContainEqual(expect.objectContaining({ conversationId: held, awaitingReplySince: null, awaitingReplySeconds: null }));
    const channel = await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: held }, select: { channelId: true, teamId: true } });
    const again = await hub.infra.db.message.create({
      data: { teamId: channel.teamId, conversationId: held, channelId: channel.channelId, direction: 'in', body: 'まだですか', authorType: 'contact', status: 'received' },
    });
    const waitingAgain = (await hub.http.get('/api/queue').set(supervisor.auth).expect(200)).body.members.find((m: { id: string }) => m.id === busy.member.id);
    expect(waitingAgain.chats).toContainEqual(expect.objectContaining({ conversationId: held, awaitingReplySince: again.createdAt.toISOString() }));
  });
});
