import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { EventLog } from '../common/events/event-log.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { HUB_METRICS } from '../common/metrics/hub-metrics.js';
import type { HubMetrics } from '../common/metrics/hub-metrics.js';
import { v7 as uuidv7 } from 'uuid';
import { DATABASE, DIRECT_SQL, Prisma } from '../common/database/database.js';
import type { Db, DirectSql, Tx } from '../common/database/database.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { logger } from '../common/logging/logger.js';
import { CustomerNotices } from '../channels/index.js';
import { ConversationEvents, ConversationsService, MessageFollowUps, firstOfferClaim, lockForOffer, markMissed, requeueFrom } from '../conversations/index.js';
import { GroupsService, MembersService, TeamEvents, TeamsService, isOpen, readTeamSettings } from '../teams/index.js';
import { AwayNoticeService } from './away-notice.service.js';
import { RoutingEvents } from './routing.events.js';
import type { OfferView } from './routing.events.js';
import { rankCandidates } from './ranking.js';
import { routeTarget } from './route-target.js';
import type { Candidate } from './ranking.js';
import { toTransferView } from './transfer.view.js';

const EXPIRE = 'routing.expire-offers';
const WAVE = 'routing.offer-wave';
/** How long routing's own statements wait for a free database connection before they fail. */
const ROUTING_WAIT_MS = 10_000;

interface ExpireJob {
  conversationId: string;
}

interface WaveJob {
  conversationId: string;
  /** The deadline of the offer being widened (ms since the epoch). */
  expiresAt: number;
  wave: number;
}

/**
 * Offers (README, "Routing: presence, hours, offers"): a new conversation goes to up to N available members at
 * once; the first to accept takes it (the conversation's own conditional update decides, on any process); the
 * others are withdrawn. Nobody in time: the chat is missed, the customer is offered the message form, it waits
 * in the queue, and each member who let it pass is counted; too many in a row puts them on break.
 * The timer is a delayed job; the offer rows are the truth, so a restart neither loses nor doubles an expiry.
 */
@Injectable()
export class OffersService implements OnModuleInit, ResumableWork {
  readonly name = 'offer timers';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(DIRECT_SQL) private readonly sql: DirectSql,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    private readonly conversations: ConversationEvents,
    private readonly teamEvents: TeamEvents,
    private readonly events: RoutingEvents,
    private readonly notices: CustomerNotices,
    private readonly away: AwayNoticeService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HUB_METRICS) private readonly metrics: HubMetrics,
    private readonly conversationsService: ConversationsService,
    private readonly members: MembersService,
    private readonly followUps: MessageFollowUps,
    private readonly teams: TeamsService,
    private readonly eventLog: EventLog,
    private readonly groups: GroupsService,
  ) {}

  /** Per team, one pass over the queue at a time: two members coming online together must not both offer a chat. */
  private readonly queuePasses = new Map<string, Promise<void>>();

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<ExpireJob>(EXPIRE, (job) => this.expire(job.conversationId), { concurrency: 2 });
    this.metrics.gaugeFromDatabase({
      name: 'tsunagi_offers_pending',
      help: 'Offers made to members and not yet accepted, withdrawn or expired.',
      read: () => this.db.offer.count({ where: { status: 'pending' } }),
    });
    this.jobs.register<WaveJob>(WAVE, (job) => this.wave(job));
    // Durable steps after the message (conversations' follow-ups): run again after a crash, so each is idempotent.
    this.followUps.on('started', async ({ teamId, conversationId }) => {
      const offeredTo = await this.offer(teamId, conversationId, { first: true });
      if (offeredTo === 'offered before') return;
      if (offeredTo.length === 0) await this.away.tell(conversationId);
    });
    // A customer who writes again while still waiting on a closed team hears it again, once per closed period.
    this.followUps.on('waiting', async ({ conversationId }) => {
      const conversation = await this.db.conversation.findUnique({ where: { id: conversationId }, select: { status: true, assigneeId: true, awayNoticeAt: true } });
      if (conversation?.status === 'waiting' && !conversation.assigneeId && conversation.awayNoticeAt) await this.away.tell(conversationId);
    });
    this.conversations.on('conversation.accepted', ({ teamId, conversationId, memberId }) => this.accepted(teamId, conversationId, memberId));
    // Room appears (a member comes online, a chat ends): the queue moves, oldest first.
    this.teamEvents.on('presence.updated', async ({ teamId, status }) => {
      if (status === 'online') await this.offerWaiting(teamId);
    });
    this.conversations.on('conversation.updated', async ({ teamId, conversation }) => {
      if (conversation.status !== 'resolved') return;
      await this.withdrawAll(teamId, conversation.id, 'cancelled');
      if (conversation.assigneeId) await this.offerWaiting(teamId);
    });
    this.teamEvents.on('member.deactivated', async ({ teamId, memberId }) => {
      await this.releaseMember(teamId, memberId);
    });
    this.conversations.on('conversation.assigned', async ({ teamId, conversationId, memberId }) => {
      await this.members.recordAssignment(memberId, this.clock.now());
      await this.withdrawAll(teamId, conversationId, 'taken');
    });
  }

  /**
   * The waiting queue (接客待ち): conversations nobody holds and nobody is being offered, oldest first, offered
   * again while members have room.
   */
  async offerWaiting(teamId: string): Promise<void> {
    const previous = this.queuePasses.get(teamId) ?? Promise.resolve();
    const pass = previous.then(() => this.offerWaitingNow(teamId));
    const settled = pass.catch(() => undefined);
    this.queuePasses.set(teamId, settled);
    void settled.then(() => {
      if (this.queuePasses.get(teamId) === settled) this.queuePasses.delete(teamId);
    });
    return pass;
  }

  private async offerWaitingNow(teamId: string): Promise<void> {
    const waiting = await this.db.conversation.findMany({
      where: { teamId, status: 'waiting', assigneeId: null, contact: { blocked: false }, NOT: { id: { in: await this.offeredNow(teamId) } } },
      orderBy: { createdAt: 'asc' },
      take: 20,
      select: { id: true },
    });
    for (const conversation of waiting) {
      const offeredTo = await this.offer(teamId, conversation.id, { pendingCountsAsLoad: true });
      if (offeredTo.length === 0) return;
    }
  }

  private async offeredNow(teamId: string): Promise<string[]> {
    const rows = await this.db.offer.findMany({ where: { teamId, status: 'pending' }, select: { conversationId: true }, distinct: ['conversationId'] });
    return rows.map((row) => row.conversationId);
  }

  /**
   * After a restart: every offer still pending gets its timer again, due when it was due (at once if that has
   * passed). A timer that survived in Redis as well fires twice, and the second finds nothing pending.
   */
  async resume(): Promise<number> {
    // A deactivation whose release was cut short by a stop: what the member still holds goes back to the queue.
    const deactivated = await this.db.member.findMany({ where: { deactivatedAt: { not: null } }, select: { id: true } });
    const stranded = await this.db.conversation.groupBy({ by: ['teamId', 'assigneeId'], where: { status: 'open', assigneeId: { in: deactivated.map((m) => m.id) } } });
    for (const row of stranded) if (row.assigneeId) await this.releaseMember(row.teamId, row.assigneeId);
    const pending = await this.db.offer.groupBy({ by: ['conversationId'], where: { status: 'pending' }, _max: { expiresAt: true } });
    for (const row of pending) {
      const due = row._max.expiresAt ?? this.clock.now();
      await this.jobs.add<ExpireJob>(EXPIRE, { conversationId: row.conversationId }, { jobId: `expire-${row.conversationId}-${due.getTime()}`, delayMs: Math.max(0, due.getTime() - this.clock.now().getTime()) });
    }
    return pending.length;
  }

  /**
   * A deactivated member holds nothing: what they are offered is withdrawn (a transfer offered to them alone ends and
   * the chat stays with its sender), their open chats go back to the waiting queue unassigned (a transfer they had
   * started ends with it), and the queue is offered again. Answers the conversations queued.
   */
  async releaseMember(teamId: string, memberId: string): Promise<string[]> {
    const now = this.clock.now();
    const offered = await this.db.offer.findMany({ where: { memberId, status: 'pending' } });
    if (offered.length > 0) {
      const { count } = await this.db.offer.updateMany({ where: { id: { in: offered.map((o) => o.id) }, status: 'pending' }, data: { status: 'withdrawn', closedAt: now } });
      if (count > 0) {
        for (const offer of offered) this.events.emit('offer.withdrawn', { teamId, memberId, offerId: offer.id, conversationId: offer.conversationId, reason: 'cancelled' });
        for (const conversationId of new Set(offered.map((o) => o.conversationId))) await this.closeTransfers(conversationId, 'cancelled');
      }
    }
    const held = await this.db.conversation.findMany({ where: { teamId, assigneeId: memberId, status: 'open' }, select: { id: true } });
    const queued: string[] = [];
    for (const { id } of held) {
      // Conditional: a chat resolved or moved by a supervisor meanwhile stays as it is.
      if (!(await requeueFrom(this.db, id, memberId))) continue;
      queued.push(id);
      await this.withdrawAll(teamId, id, 'cancelled');
      await this.conversationsService.announce(teamId, id);
    }
    if (queued.length > 0) logger.info({ memberId, conversations: queued.length }, 'chats of a deactivated member queued');
    await this.offerWaiting(teamId);
    return queued;
  }

  /**
   * Offers a waiting, unassigned conversation to the available members with room for it, best ranked first.
   * `first`: the offers that follow its first message, made once (`offered before` when they were).
   */
  async offer(teamId: string, conversationId: string, options: { pendingCountsAsLoad?: boolean; first: true }): Promise<string[] | 'offered before'>;
  async offer(teamId: string, conversationId: string, options?: { pendingCountsAsLoad?: boolean }): Promise<string[]>;
  async offer(teamId: string, conversationId: string, options: { pendingCountsAsLoad?: boolean; first?: true } = {}): Promise<string[] | 'offered before'> {
    const team = await this.teams.profile(teamId);
    if (!team) return [];
    const { settings } = team;
    const now = this.clock.now();
    // Closed: the conversation waits for the opening, which offers the queue.
    if (!isOpen(settings.businessHours, team.timeZone, now)) return [];
    const ranked = await this.ranked(teamId, conversationId, settings.stickyRouting, options);
    const chosen = ranked.slice(0, settings.offerFanout).map((c) => c.id);
    if (chosen.length === 0) return [];
    const expiresAt = new Date(now.getTime() + settings.offerTimeoutSeconds * 1000);
    if (options.first) {
      // One statement claims the new conversation and inserts its offers. A pass over the waiting queue that reached
      // it first claimed it too (holding its row while it offered, so the two take turns): then nothing is made here.
      const made = await this.firstOffers(teamId, conversationId, chosen, now, expiresAt);
      if (made.length === 0) return 'offered before';
      await this.ring(teamId, conversationId, expiresAt, made);
    } else {
      // Holding the row makes this pass and a first message's follow-up (or another pass) take turns; the second
      // finds the first's offers pending and makes none.
      const pending = await this.db.$transaction(async (tx) => {
        await lockForOffer(tx, conversationId, now);
        const pending = await tx.offer.findMany({ where: { conversationId, status: 'pending' }, select: { memberId: true } });
        if (pending.length) return pending.map((offer) => offer.memberId);
        await tx.offer.createMany({ data: chosen.map((memberId) => ({ teamId, conversationId, memberId, expiresAt })) });
        return null;
      });
      if (pending) return pending;
      await this.announce(conversationId, expiresAt, chosen);
    }
    const waves = settings.offerWaves;
    if (waves && ranked.length > chosen.length && waves.everySeconds * 1000 < expiresAt.getTime() - now.getTime()) {
      // Safe to lose (a stop of the in-process queue, a Redis that came back empty), so no row keeps it: a wave only
      // widens a round early; the round's expiry timer, rebuilt from the offer rows, still ends it and offers the
      // conversation again.
      await this.jobs.add<WaveJob>(WAVE, { conversationId, expiresAt: expiresAt.getTime(), wave: 1 }, { jobId: `wave-${conversationId}-${expiresAt.getTime()}-1`, delayMs: waves.everySeconds * 1000 });
    }
    return chosen;
  }

  /**
   * A wave: while nobody has taken the conversation and its offer still runs, `size` more members (the next in
   * the ranking) are offered it until the same deadline.
   */
  private async wave(job: WaveJob): Promise<void> {
    const conversation = await this.db.conversation.findUnique({ where: { id: job.conversationId }, include: { team: true } });
    if (!conversation || conversation.status !== 'waiting' || conversation.assigneeId) return;
    const settings = readTeamSettings(conversation.team.settings);
    const expiresAt = new Date(job.expiresAt);
    const now = this.clock.now();
    const round = await this.db.offer.findMany({ where: { conversationId: conversation.id, expiresAt, transferId: null } });
    if (!settings.offerWaves || now >= expiresAt || !round.some((offer) => offer.status === 'pending')) return;
    const offered = new Set(round.map((offer) => offer.memberId));
    const next = (await this.ranked(conversation.teamId, conversation.id, settings.stickyRouting, { pendingCountsAsLoad: true })).filter((c) => !offered.has(c.id));
    const chosen = next.slice(0, settings.offerWaves.size).map((c) => c.id);
    if (chosen.length === 0) return;
    await this.db.offer.createMany({ data: chosen.map((memberId) => ({ teamId: conversation.teamId, conversationId: conversation.id, memberId, expiresAt })) });
    await this.announce(conversation.id, expiresAt, chosen);
    const every = settings.offerWaves.everySeconds * 1000;
    if (next.length > chosen.length && now.getTime() + every < expiresAt.getTime()) {
      const wave = job.wave + 1;
      await this.jobs.add<WaveJob>(WAVE, { ...job, wave }, { jobId: `wave-${conversation.id}-${job.expiresAt}-${wave}`, delayMs: every });
    }
  }

  /**
   * Who may be offered the conversation, best first: its route (routeTarget: a rule's group, the intake's
   * group, the groups on shift in the team's order, or everyone), and of a list of groups the first with a member
   * available.
   */
  private async ranked(teamId: string, conversationId: string, sticky: boolean, options: { pendingCountsAsLoad?: boolean }): Promise<Candidate[]> {
    // Cached per team: a team without a routing order of groups (most) spends no statement on shifts.
    const shifts = await this.groups.routing(teamId, this.clock.now());
    // Without an order, a rule's group or else the intake's group is read in the members' own statement.
    if (shifts.order.length === 0) return this.rankedAmong(teamId, conversationId, sticky, options, { conversationGroup: true });
    const conversation = await this.db.conversation.findUnique({ where: { id: conversationId }, select: { intakeGroupId: true, ruleGroupId: true } });
    if (!conversation) return [];
    const target = routeTarget({ ruleGroupId: conversation.ruleGroupId, intakeGroupId: conversation.intakeGroupId, groupOrder: shifts.order, groupsOnShift: shifts.onShift });
    if (target.kind === 'everyone') return this.rankedAmong(teamId, conversationId, sticky, options, {});
    for (const groupId of target.groupIds) {
      const candidates = await this.rankedAmong(teamId, conversationId, sticky, options, { groupId });
      if (candidates.length > 0) return candidates;
    }
    return [];
  }

  /**
   * The online members with room for the conversation (of the group named, if one is), best first (see
   * rankCandidates). One statement reads them with the open chats each holds and, from the queue
   * (`pendingCountsAsLoad`), the other chats each is being offered, so that a member is offered no more chats than
   * they have room for.
   */
  private async rankedAmong(
    teamId: string,
    conversationId: string,
    sticky: boolean,
    options: { pendingCountsAsLoad?: boolean },
    among: { groupId?: string; conversationGroup?: true },
  ): Promise<Candidate[]> {
    const members = await this.sql.query<Candidate>(
      Prisma.sql`
        SELECT m.id, m.capacity, m.last_assigned_at AS "lastAssignedAt",
          (SELECT count(*)::int FROM conversations c WHERE c.team_id = m.team_id AND c.assignee_id = m.id AND c.status = 'open')
          + CASE WHEN ${options.pendingCountsAsLoad === true}::boolean
              THEN (SELECT count(*)::int FROM offers o WHERE o.member_id = m.id AND o.status = 'pending' AND o.conversation_id <> ${conversationId})
              ELSE 0 END AS load
        FROM members m WHERE m.team_id = ${teamId} AND m.status = 'online' AND m.deactivated_at IS NULL
          AND (${among.groupId ?? null}::text IS NULL
            OR EXISTS (SELECT 1 FROM member_group_members g WHERE g.group_id = ${among.groupId ?? null} AND g.member_id = m.id))
          -- The conversation's own group, a rule's before the intake's: that group's members only.
          AND (NOT ${among.conversationGroup === true}::boolean OR NOT EXISTS (
            SELECT 1 FROM conversations c WHERE c.id = ${conversationId} AND COALESCE(c.rule_group_id, c.intake_group_id) IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM member_group_members g WHERE g.group_id = COALESCE(c.rule_group_id, c.intake_group_id) AND g.member_id = m.id)))`,
      ROUTING_WAIT_MS,
    );
    if (members.length === 0) return [];
    const stickyMemberId = sticky ? await this.lastServedBy(conversationId) : null;
    return rankCandidates(members, stickyMemberId);
  }

  /**
   * A new conversation's first offers to `memberIds`, with its claim, in one statement: the offers made (none when
   * it was claimed before), each with what its member's devices show.
   */
  private firstOffers(teamId: string, conversationId: string, memberIds: string[], now: Date, expiresAt: Date): Promise<(OfferView & { memberId: string })[]> {
    return this.sql.query<OfferView & { memberId: string }>(
      Prisma.sql`
        WITH ${firstOfferClaim(conversationId, now)},
        made AS (
          INSERT INTO offers (id, team_id, conversation_id, member_id, status, created_at, expires_at)
          SELECT chosen.id, ${teamId}, claim.id, chosen.member_id, 'pending'::"OfferStatus", ${now}::timestamp, ${expiresAt}::timestamp
          FROM claim, unnest(${memberIds.map(() => uuidv7())}::text[], ${memberIds}::text[]) AS chosen(id, member_id)
          RETURNING id, member_id
        )
        SELECT made.id, made.member_id AS "memberId", claim.id AS "conversationId", ${expiresAt.toISOString()} AS "expiresAt",
          json_build_object('id', ch.id, 'type', ch.type) AS channel, claim.last_message_preview AS preview, NULL AS transfer
        FROM made, claim JOIN channels ch ON ch.id = claim.channel_id`,
      ROUTING_WAIT_MS,
    );
  }

  /** The member who last held a conversation with this customer. */
  private async lastServedBy(conversationId: string): Promise<string | null> {
    // One statement: the customer is found through the conversation, not read first.
    const previous = await this.db.conversation.findFirst({
      where: { contact: { conversations: { some: { id: conversationId } } }, id: { not: conversationId }, assigneeId: { not: null } },
      orderBy: { lastMessageAt: 'desc' },
      select: { assigneeId: true },
    });
    return previous?.assigneeId ?? null;
  }

  /**
   * Rings the devices of every member just offered the conversation (offers expiring at `expiresAt`), and sets
   * the timer that expires them.
   */
  async announce(conversationId: string, expiresAt: Date, memberIds: string[]): Promise<void> {
    const conversation = await this.db.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { channel: { select: { id: true, type: true } } } });
    const offers = await this.db.offer.findMany({ where: { conversationId, status: 'pending', expiresAt, memberId: { in: memberIds } }, include: { transfer: true } });
    await this.ring(conversation.teamId, conversationId, expiresAt, offers.map((offer) => ({ memberId: offer.memberId, ...toOfferView(offer, conversation) })));
  }

  /** Sets the timer that expires the offers, and rings the devices of each member offered. */
  private async ring(teamId: string, conversationId: string, expiresAt: Date, offers: (OfferView & { memberId: string })[]): Promise<void> {
    await this.jobs.add<ExpireJob>(EXPIRE, { conversationId }, { jobId: `expire-${conversationId}-${expiresAt.getTime()}`, delayMs: Math.max(0, expiresAt.getTime() - this.clock.now().getTime()) });
    for (const { memberId, ...offer } of offers) this.events.emit('offer.created', { teamId, memberId, offer });
  }

  /** What a member is being offered right now: a device that connects late still rings, with the time left. */
  async pendingFor(memberId: string): Promise<OfferView[]> {
    const offers = await this.db.offer.findMany({ where: { memberId, status: 'pending' }, include: { transfer: true }, orderBy: { createdAt: 'asc' } });
    const conversations = await this.db.conversation.findMany({
      where: { id: { in: offers.map((o) => o.conversationId) } },
      include: { channel: { select: { id: true, type: true } } },
    });
    const byId = new Map(conversations.map((c) => [c.id, c]));
    return offers.flatMap((offer) => {
      const conversation = byId.get(offer.conversationId);
      return conversation ? [toOfferView(offer, conversation)] : [];
    });
  }

  /** Withdraws what is still offered of a conversation that ended or that a supervisor assigned. */
  private async withdrawAll(teamId: string, conversationId: string, reason: 'taken' | 'cancelled'): Promise<void> {
    const pending = await this.db.offer.findMany({ where: { conversationId, status: 'pending' } });
    if (pending.length === 0) return;
    const { count } = await this.db.offer.updateMany({ where: { id: { in: pending.map((o) => o.id) }, status: 'pending' }, data: { status: 'withdrawn', closedAt: this.clock.now() } });
    if (count === 0) return;
    for (const offer of pending) this.events.emit('offer.withdrawn', { teamId, memberId: offer.memberId, offerId: offer.id, conversationId, reason });
    await this.closeTransfers(conversationId, 'cancelled');
  }

  /** A transfer none of whose offers is pending any more ends; its sender is told (the chat stayed theirs). */
  private async closeTransfers(conversationId: string, status: 'expired' | 'cancelled'): Promise<void> {
    const open = await this.db.transfer.findMany({ where: { conversationId, status: 'pending', offers: { none: { status: 'pending' } } } });
    for (const transfer of open) {
      const { count } = await this.db.transfer.updateMany({ where: { id: transfer.id, status: 'pending' }, data: { status, closedAt: this.clock.now() } });
      if (count === 0) continue;
      const closed = await this.db.transfer.findUniqueOrThrow({ where: { id: transfer.id } });
      this.events.emit('transfer.updated', { teamId: closed.teamId, memberId: closed.fromMemberId, transfer: toTransferView(closed) });
    }
  }

  /** Someone took it: their count of ignored offers starts again, the others' offers are withdrawn at once. */
  private async accepted(teamId: string, conversationId: string, memberId: string): Promise<void> {
    await this.members.recordAssignment(memberId, this.clock.now(), { offerTaken: true });
    await this.db.offer.updateMany({ where: { conversationId, memberId, status: 'pending' }, data: { status: 'accepted', closedAt: this.clock.now() } });
    const others = await this.db.offer.findMany({ where: { conversationId, status: 'pending' } });
    const { count } = await this.db.offer.updateMany({ where: { id: { in: others.map((o) => o.id) }, status: 'pending' }, data: { status: 'withdrawn', closedAt: this.clock.now() } });
    if (count === 0) return;
    for (const offer of others) this.events.emit('offer.withdrawn', { teamId, memberId: offer.memberId, offerId: offer.id, conversationId, reason: 'taken' });
  }

  /** The timer: pending offers past their time expire, once, whichever process runs it. */
  async expire(conversationId: string): Promise<void> {
    const now = this.clock.now();
    const pending = await this.db.offer.findMany({ where: { conversationId, status: 'pending' } });
    const due = pending.filter((offer) => offer.expiresAt.getTime() <= now.getTime());
    const later = pending.filter((offer) => offer.expiresAt.getTime() > now.getTime());
    if (later.length > 0) {
      // The timer came early (another process's clock, a runner's rounding): come back when they are due,
      // rather than leave them pending for ever.
      const next = Math.min(...later.map((offer) => offer.expiresAt.getTime()));
      await this.jobs.add<ExpireJob>(EXPIRE, { conversationId }, { jobId: `expire-${conversationId}-${next}-again-${now.getTime()}`, delayMs: next - now.getTime() });
    }
    if (due.length === 0) return;
    // The conditional update is the claim: a second run of this job finds nothing pending.
    const { count, logged } = await this.db.$transaction(async (tx: Tx) => {
      const { count } = await tx.offer.updateMany({ where: { id: { in: due.map((o) => o.id) }, status: 'pending' }, data: { status: 'expired', closedAt: now } });
      const chat = count > 0 ? await tx.conversation.findUnique({ where: { id: conversationId }, select: { teamId: true, channelId: true, status: true, assigneeId: true } }) : null;
      // Nobody took it: the rules and webhooks hear of it with the claim, so a crash after it loses no missed chat.
      if (!chat || chat.status !== 'waiting' || chat.assigneeId) return { count, logged: [] };
      const data = { conversationId, channelId: chat.channelId, memberIds: due.map((o) => o.memberId) };
      return { count, logged: await this.eventLog.append(tx, [{ teamId: chat.teamId, type: 'offer.missed', conversationId, data, occurredAt: now }]) };
    });
    if (count === 0) return;
    await this.eventLog.dispatch(logged);
    await this.closeTransfers(conversationId, 'expired');
    const conversation = await this.db.conversation.findUnique({ where: { id: conversationId } });
    if (!conversation) return;
    for (const offer of due) this.events.emit('offer.withdrawn', { teamId: offer.teamId, memberId: offer.memberId, offerId: offer.id, conversationId, reason: 'expired' });
    const missed = conversation.status === 'waiting' && !conversation.assigneeId;
    if (missed) {
      await markMissed(this.db, conversationId, now);
      // The customer is offered the message form instead of waiting in silence, where their channel shows one.
      await this.notices.notify(conversation, { type: 'missed', conversationId });
    }
    const team = await this.db.team.findUniqueOrThrow({ where: { id: conversation.teamId } });
    const limit = readTeamSettings(team.settings).ignoredOffersBeforeBreak;
    for (const offer of due) {
      const member = await this.members.recordIgnoredOffer(offer.memberId);
      if (member.ignoredOffers >= limit && member.status === 'online') {
        // Conditional: a member who went offline meanwhile is not put back "on break".
        const change = { teamId: member.teamId, memberId: member.id, from: { status: ['online' as const] }, to: 'break' as const, reason: 'ignored_offers' };
        if (await this.members.switchPresence(change)) {
          logger.info({ memberId: member.id, ignored: member.ignoredOffers }, 'member put on break after ignored offers');
        }
      }
    }
  }
}

function toOfferView(
  offer: { id: string; conversationId: string; expiresAt: Date; transfer: { id: string; fromMemberId: string; note: string | null } | null },
  conversation: { channel: { id: string; type: string }; lastMessagePreview: string | null },
): OfferView {
  return {
    id: offer.id,
    conversationId: offer.conversationId,
    expiresAt: offer.expiresAt.toISOString(),
    channel: conversation.channel,
    preview: conversation.lastMessagePreview,
    transfer: offer.transfer ? { id: offer.transfer.id, fromMemberId: offer.transfer.fromMemberId, note: offer.transfer.note } : null,
  };
}
