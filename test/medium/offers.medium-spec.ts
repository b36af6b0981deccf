import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { ChannelAccount } from '../../src/channels/index.js';
import { ConversationsService } from '../../src/conversations/index.js';
import { IngestService } from '../../src/conversations/ingest.service.js';
import { OffersService, RoutingEvents } from '../../src/routing/index.js';
import type { RoutingEventMap } from '../../src/routing/index.js';
import { MembersService, TeamsService } from '../../src/teams/index.js';
import type { AuthMember, TeamSettings } from '../../src/teams/index.js';
import { eventually } from '../support/eventually.js';
import { TestContext, createTestContext, inboundMessage } from '../support/test-context.js';

type Withdrawn = RoutingEventMap['offer.withdrawn'];

describe(OffersService.name, () => {
  let ctx: TestContext;
  let offers: OffersService;
  let team: Awaited<ReturnType<TestContext['createTeam']>>;
  let webchat: ChannelAccount;
  const withdrawn: Withdrawn[] = [];

  beforeAll(async () => {
    ctx = await createTestContext();
    offers = ctx.get(OffersService);
    ctx.get(RoutingEvents).on('offer.withdrawn', (event) => {
      withdrawn.push(event);
    });
  });

  afterAll(async () => {
    await ctx?.close();
  });

  // Routing is per team: a team of its own per case, so one case's waiting chats are not the next one's.
  beforeEach(async () => {
    ctx.clock.set(new Date());
    team = await ctx.createTeam();
    webchat = await ctx.createChannel(team.teamId, { type: 'webchat', provider: 'webchat' });
  });

  const settings = (patch: Partial<TeamSettings>) => ctx.get(TeamsService).update(team.teamId, { settings: patch });

  async function online(patch: { capacity?: number } = {}): Promise<AuthMember> {
    const member = await ctx.addMember(team, patch);
    await ctx.get(MembersService).setStatus(member, 'online');
    return member;
  }

  /** A visitor's first message: ingest opens the conversation, and routing offers it (a listener, so not at once). */
  async function newChat(body = 'こんにちは'): Promise<string> {
    const [outcome] = await ctx.get(IngestService).ingest(webchat, [inboundMessage({ kind: 'visitor', address: `v-${Math.random().toString(36).slice(2)}` }, body)]);
    return outcome.conversationId!;
  }

  const offersOf = (conversationId: string) => ctx.db.offer.findMany({ where: { conversationId }, orderBy: { memberId: 'asc' } });
  const pendingOffers = (conversationId: string, count: number) => eventually(() => offersOf(conversationId), (rows) => rows.filter((o) => o.status === 'pending').length === count);
  const memberRows = (members: AuthMember[]) => ctx.db.member.findMany({ where: { id: { in: members.map((m) => m.id) } }, orderBy: { id: 'asc' } });

  /** A new chat offered to `member` alone and accepted by them. */
  async function heldBy(member: AuthMember, body: string): Promise<string> {
    const conversationId = await newChat(body);
    await pendingOffers(conversationId, 1);
    await ctx.get(ConversationsService).accept(member, conversationId);
    return conversationId;
  }

  it('offers a new chat to the available members with room, up to the fan-out, until the clock plus the timeout', async () => {
    await settings({ offerFanout: 2, offerTimeoutSeconds: 90 });
    const busy = await online();
    await heldBy(busy, 'held');
    const free = [await online(), await online(), await online()];
    const onBreak = await ctx.addMember(team);
    await ctx.get(MembersService).setStatus(onBreak, 'break');

    const conversationId = await newChat();
    const rows = await pendingOffers(conversationId, 2);

    const offered = rows.map((o) => o.memberId);
    expect(offered.every((id) => free.some((m) => m.id === id))).toBe(true);
    expect(offered).not.toContain(busy.id);
    expect(offered).not.toContain(onBreak.id);
    expect(rows.map((o) => o.expiresAt.getTime())).toEqual([ctx.clock.now().getTime() + 90_000, ctx.clock.now().getTime() + 90_000]);
  });

  it('gives the chat to the first of two members accepting at once, and withdraws the other’s offer as taken', async () => {
    const [a, b] = [await online(), await online()];
    // Both have let two offers pass; only the one who takes the chat starts counting again.
    await ctx.db.member.updateMany({ where: { id: { in: [a.id, b.id] } }, data: { ignoredOffers: 2 } });
    const conversationId = await newChat();
    await pendingOffers(conversationId, 2);

    const results = await Promise.allSettled([a, b].map((member) => ctx.get(ConversationsService).accept(member, conversationId)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'offer_taken' });
    const winner = results[0].status === 'fulfilled' ? a : b;
    const loser = winner === a ? b : a;
    const rows = await eventually(() => offersOf(conversationId), (r) => r.every((o) => o.status !== 'pending'));
    expect(Object.fromEntries(rows.map((o) => [o.memberId, o.status]))).toEqual({ [winner.id]: 'accepted', [loser.id]: 'withdrawn' });
    expect(withdrawn).toContainEqual(expect.objectContaining({ conversationId, memberId: loser.id, reason: 'taken' }));
    const counts = await eventually(() => memberRows([winner, loser]), (rows) => rows.some((row) => row.ignoredOffers === 0));
    expect(Object.fromEntries(counts.map((row) => [row.id, row.ignoredOffers]))).toEqual({ [winner.id]: 0, [loser.id]: 2 });
  });

  it('expires an offer only once the clock passes its deadline, once, and counts the chat missed', async () => {
    await settings({ offerTimeoutSeconds: 60 });
    const member = await online();
    const conversationId = await newChat();
    await pendingOffers(conversationId, 1);

    // The timer came early (another process's clock): nothing expires yet.
    ctx.clock.set(new Date(ctx.clock.now().getTime() + 59_000));
    await offers.expire(conversationId);
    await ctx.jobs.idle();
    expect((await offersOf(conversationId)).map((o) => o.status)).toEqual(['pending']);

    // On the deadline the offer's own timer fires.
    ctx.clock.set(new Date(ctx.clock.now().getTime() + 1_000));
    const deadline = ctx.clock.now();
    await ctx.jobs.idle();
    expect((await offersOf(conversationId)).map((o) => o.status)).toEqual(['expired']);
    // A second run of the same timer (a redelivered job) finds nothing pending and counts nothing twice.
    await offers.expire(conversationId);

    const [offer] = await offersOf(conversationId);
    expect(offer).toMatchObject({ status: 'expired', closedAt: deadline });
    expect(await ctx.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).toMatchObject({ status: 'waiting', assigneeId: null, missedAt: deadline });
    expect((await memberRows([member]))[0].ignoredOffers).toBe(1);
    expect(withdrawn).toContainEqual(expect.objectContaining({ conversationId, memberId: member.id, reason: 'expired' }));
  });

  it('expires offers by their own timer once the clock has moved past the deadline', async () => {
    await settings({ offerTimeoutSeconds: 60 });
    await online();
    const conversationId = await newChat();
    const [pending] = await pendingOffers(conversationId, 1);
    // The timer is set once the offer is stored: move the clock only then, or it would be set after the move.
    await eventually(async () => ctx.clock.pending(), (times) => times.some((at) => at.getTime() === pending.expiresAt.getTime()));
    ctx.clock.set(pending.expiresAt);
    await ctx.jobs.idle();

    expect((await offersOf(conversationId))[0].status).toBe('expired');
  });

  it('puts a member who let the configured number of offers pass in a row on break', async () => {
    await settings({ offerTimeoutSeconds: 30, ignoredOffersBeforeBreak: 2 });
    const member = await online({ capacity: 5 });
    for (let round = 1; round <= 2; round++) {
      const conversationId = await newChat(`誰かいますか ${round}`);
      await pendingOffers(conversationId, 1);
      ctx.clock.set(new Date(ctx.clock.now().getTime() + 30_000));
      await offers.expire(conversationId);
      await ctx.jobs.idle();
    }
    const [row] = await memberRows([member]);
    expect(row).toMatchObject({ ignoredOffers: 2, status: 'break', statusReason: 'ignored_offers' });
  });

  it('offers a member coming online the oldest waiting chats, no more than they have room for', async () => {
    const chats = [await newChat('first'), await newChat('second'), await newChat('third')];
    const member = await ctx.addMember(team, { capacity: 2 });

    await ctx.get(MembersService).setStatus(member, 'online');

    const rows = await eventually(() => ctx.db.offer.findMany({ where: { memberId: member.id, status: 'pending' } }), (r) => r.length >= 2);
    expect(rows.map((o) => o.conversationId).sort()).toEqual(chats.slice(0, 2).sort());
    // A pass over the queue runs after the one under way: once it is done, the third has had its chance and stays waiting.
    await offers.offerWaiting(team.teamId);
    expect(await ctx.db.offer.count({ where: { memberId: member.id } })).toBe(2);
  });

  it('never offers a chat to a member already holding their capacity', async () => {
    const member = await online({ capacity: 1 });
    await heldBy(member, 'first');

    const second = await newChat('second');

    expect(await offers.offer(team.teamId, second)).toEqual([]);
    await expect(ctx.get(ConversationsService).accept(member, second)).rejects.toMatchObject({ code: 'at_capacity' });
  });

  it('withdraws what a deactivated member is offered and puts the chats they held back in the queue', async () => {
    const leaving = await online({ capacity: 2 });
    const held = await heldBy(leaving, 'held');
    const offered = await newChat('offered');
    await pendingOffers(offered, 1);

    await ctx.get(MembersService).deactivate(team.admin, leaving.id);

    await eventually(() => ctx.db.offer.findMany({ where: { memberId: leaving.id, status: 'pending' } }), (rows) => rows.length === 0);
    const chat = await eventually(() => ctx.db.conversation.findUniqueOrThrow({ where: { id: held } }), (row) => row.assigneeId === null);
    expect(chat.status).toBe('waiting');
    expect(withdrawn).toContainEqual(expect.objectContaining({ conversationId: offered, memberId: leaving.id, reason: 'cancelled' }));
  });

  it('offers nothing while the team is closed by its business hours', async () => {
    const member = await online();
    // Open on Sundays only, and the clock says Monday noon in Tokyo; members stay online, so only the hours decide.
    await settings({ businessHours: { weekly: [{ days: ['sun'], open: '09:00', close: '18:00' }], holidays: [], exceptions: [], nationalHolidays: null, switchMembers: false } });
    ctx.clock.set(new Date('2026-12-07T03:00:00Z'));
    const conversationId = await newChat();

    expect(await offers.offer(team.teamId, conversationId)).toEqual([]);
    expect((await memberRows([member]))[0].status).toBe('online');
  });
});
