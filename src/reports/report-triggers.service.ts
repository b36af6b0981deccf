import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { logger } from '../common/logging/logger.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConversationEvents, ConversationsService } from '../conversations/index.js';
import { TeamEvents, readTeamSettings } from '../teams/index.js';
import type { AuthMember, TeamSettings } from '../teams/index.js';
import { surnameOf } from '../common/text/placeholders.js';
import { DEFAULT_REPORT_TEXTS, clockTime, fillReportText, outcomeKind, outcomeLabel, summaryLine } from './report-texts.js';
import type { ReportTextName } from './report-texts.js';
import { ReportsService } from './reports.service.js';
import type { ReportView } from './report.views.js';
import { StoresService } from './stores.service.js';

/** The manual's rule: a customer silent this long while the agent leaves is reported as such. */
export const SILENT_CUSTOMER_MS = 10 * 60_000;
/** Tries of a trigger whose write failed (the database dropped its connections): about half a minute in all. */
const TRIGGER_ATTEMPTS = 7;
/** How far back a restart looks for chats taken whose taking post was lost with the process. */
const TAKING_CATCH_UP_MS = 15 * 60_000;
/** The last messages a handoff post carries. */
const SUMMARY_MESSAGES = 3;

interface ConversationContext {
  teamId: string;
  conversationId: string;
  values: Record<string, string>;
  settings: TeamSettings;
}

/**
 * What makes a report: an agent takes a chat, asks for a handoff (or leaves with chats open), ends a chat with an
 * outcome, and ends a shift. Each trigger writes one row (its dedupe key); ReportsService posts it.
 */
@Injectable()
export class ReportTriggersService implements OnModuleInit, ResumableWork {
  readonly name = 'taking posts of chats just taken';
  /** The triggers run in this process, on its events: lost only with it (a crash between an accept's commit and its post). */
  readonly heldBy = 'process' as const;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reports: ReportsService,
    private readonly stores: StoresService,
    private readonly conversationEvents: ConversationEvents,
    private readonly conversations: ConversationsService,
    private readonly teamEvents: TeamEvents,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.conversationEvents.on('conversation.accepted', ({ conversationId, memberId }) => this.persistently(() => this.taking(conversationId, memberId)));
    this.conversationEvents.on('conversation.assigned', ({ conversationId, memberId }) => this.persistently(() => this.taking(conversationId, memberId)));
    this.teamEvents.on('presence.updated', ({ teamId, memberId, status, reason }) => this.presence(teamId, memberId, status, reason));
  }

  /**
   * A trigger runs on the event of a change already committed: a database that drops every connection at that moment
   * (a failover, a restart of the server) would lose its report for good, so a failed write is tried again, with
   * backoff, for about half a minute. The report's dedupe key keeps a try that did write from writing twice; a
   * refusal (the conversation is gone) is not tried again.
   */
  private async persistently(work: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return;
      } catch (error) {
        if (error instanceof DomainError || attempt >= TRIGGER_ATTEMPTS) throw error;
        logger.warn({ err: error, attempt }, 'a report could not be written; trying again');
        await sleep(Math.min(8_000, 250 * 2 ** (attempt - 1)));
      }
    }
  }

  /**
   * A process that died between an accept's commit and its taking post (killed, out of memory) lost the post with its
   * event. At start, a chat someone holds that was active in the last TAKING_CATCH_UP_MS, in a team that posts to a
   * call center group, and has no taking post for its holder, gets it now (its dedupe key keeps a post that did get
   * written from being written twice). Older chats are left alone: a team that maps its call center group today must
   * not see yesterday's chats announced.
   */
  async resume(): Promise<number> {
    const since = new Date(this.clock.now().getTime() - TAKING_CATCH_UP_MS);
    const missing = await this.db.$queryRaw<Array<{ id: string; assigneeId: string }>>`
      SELECT c.id, c.assignee_id AS "assigneeId"
      FROM conversations c
      WHERE c.status = 'open' AND c.assignee_id IS NOT NULL AND c.last_message_at >= ${since}::timestamp
        AND EXISTS (SELECT 1 FROM report_targets t WHERE t.team_id = c.team_id AND t.purpose = 'callCenter')
        AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.team_id = c.team_id AND r.dedupe_key = 'taking:' || c.id || ':' || c.assignee_id)`;
    for (const { id, assigneeId } of missing) await this.persistently(() => this.taking(id, assigneeId));
    return missing.length;
  }

  /** "{agent} takes {contact}'s chat", to the call center. */
  async taking(conversationId: string, memberId: string): Promise<ReportView | null> {
    const context = await this.context(conversationId, memberId);
    return this.reports.create({
      teamId: context.teamId,
      kind: 'taking',
      purpose: 'callCenter',
      conversationId,
      memberId,
      text: this.text(context, 'taking'),
      dedupeKey: `taking:${conversationId}:${memberId}`,
    });
  }

  /**
   * `POST /api/conversations/:id/handoff`: "please take over {contact}'s chat", with the last messages and the
   * internal note. A note given with the request is kept on the conversation first (it never reaches the customer).
   */
  async requestHandoff(member: AuthMember, conversationId: string, note?: string): Promise<ReportView | null> {
    if (note !== undefined) await this.conversations.post(member, conversationId, { kind: 'note', body: note });
    else await this.conversations.get(member, conversationId);
    return this.handoff(conversationId, member.id, `handoff:${conversationId}:${randomUUID()}`);
  }

  private async handoff(conversationId: string, memberId: string, dedupeKey: string): Promise<ReportView | null> {
    const context = await this.context(conversationId, memberId);
    const conversation = await this.db.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    const messages = await this.db.message.findMany({
      where: { conversationId, kind: { in: ['text', 'media'] }, blocked: false, unsentAt: null, status: { notIn: ['failed', 'pending_approval'] } },
      orderBy: { seq: 'desc' },
      take: SUMMARY_MESSAGES,
    });
    const authors = await this.memberNames(messages.flatMap((m) => (m.authorType === 'member' && m.authorId ? [m.authorId] : [])));
    const summary = messages
      .reverse()
      .map((m) => summaryLine(m.direction === 'in' ? 'お客様' : surnameOf(authors.get(m.authorId ?? '') ?? '担当'), m.body || '(添付ファイル)'))
      .join('\n');
    const note = await this.db.message.findFirst({ where: { conversationId, kind: 'note' }, orderBy: { seq: 'desc' } });
    const lastOut = await this.db.message.findFirst({ where: { conversationId, direction: 'out', kind: 'text' }, orderBy: { seq: 'desc' }, select: { createdAt: true } });
    const lastIn = conversation.lastCustomerMessageAt;
    // Silent: the agent answered last, and the customer has said nothing for ten minutes since that answer.
    const silent = lastOut !== null && (lastIn === null || lastIn < lastOut.createdAt) && this.clock.now().getTime() - lastOut.createdAt.getTime() >= SILENT_CUSTOMER_MS;
    context.values.summary = summary || '(メッセージなし)';
    context.values.note = note?.body ?? 'なし';
    context.values.silence = silent ? 'お客様から10分以上返信がありません\n' : '';
    return this.reports.create({ teamId: context.teamId, kind: 'handoff', purpose: 'callCenter', conversationId, memberId, text: this.text(context, 'handoff'), dedupeKey });
  }

  /** booked -> the bookings group; anything else -> the call center, as a reply to the taking post. */
  /** "{agent} ended {contact}'s chat: booked / not booked", from the resolution's logged event (ResolutionReports). */
  async resolved(conversationId: string, memberId: string, outcome: string | null, resolvedAt: Date): Promise<ReportView | null> {
    // A chat ended without an outcome never started (the customer left before the agent answered): nothing to report.
    if (outcome === null) return null;
    const context = await this.context(conversationId, memberId);
    context.values.outcome = outcomeLabel(outcome);
    const kind = outcomeKind(outcome);
    const dedupeKey = `resolved:${conversationId}:${resolvedAt.toISOString()}`;
    if (kind === 'booked') {
      return this.reports.create({ teamId: context.teamId, kind: 'resolved', purpose: 'bookings', conversationId, memberId, text: this.text(context, 'booked'), dedupeKey });
    }
    const taking = await this.db.report.findFirst({ where: { conversationId, kind: 'taking' }, orderBy: { createdAt: 'desc' } });
    return this.reports.create({
      teamId: context.teamId,
      kind: 'resolved',
      purpose: 'callCenter',
      conversationId,
      memberId,
      text: this.text(context, 'notBooked'),
      dedupeKey,
      quotedReportId: taking?.id,
    });
  }

  private async presence(teamId: string, memberId: string, status: 'online' | 'break' | 'offline', reason?: string): Promise<void> {
    // Shifts are measured in the same time as the reports they gather (the rows' own timestamps, which the database
    // writes in wall time), not by the hub's clock.
    const now = new Date();
    if (status === 'online') {
      const open = await this.db.agentShift.findFirst({ where: { memberId, endedAt: null } });
      if (!open) await this.db.agentShift.create({ data: { teamId, memberId, startedAt: now } });
      return;
    }
    // The agent leaves (a break, or signing off by hand or by losing every device): each chat they still hold is
    // handed off. At closing time chats stay with their agents to the end, so closing hands nothing off.
    if (reason !== 'closed') {
      const held = await this.db.conversation.findMany({ where: { teamId, assigneeId: memberId, status: 'open' }, select: { id: true } });
      const leaving = randomUUID();
      for (const { id } of held) await this.handoff(id, memberId, `handoff-leaving:${id}:${leaving}`);
    }
    if (status === 'offline') await this.shiftSummary(teamId, memberId, now);
  }

  /** Each chat the agent took in the shift, with its outcome, and the totals; posted to the call center. */
  private async shiftSummary(teamId: string, memberId: string, now: Date): Promise<ReportView | null> {
    const open = await this.db.agentShift.findFirst({ where: { memberId, endedAt: null }, orderBy: { startedAt: 'desc' } });
    // Online since before the hub knew of shifts (or the online event was lost): the shift is everything since the last.
    const previous = open ? null : await this.db.agentShift.findFirst({ where: { memberId }, orderBy: { startedAt: 'desc' } });
    const startedAt = open?.startedAt ?? previous?.endedAt ?? new Date(now.getTime() - 24 * 3600_000);
    const takings = await this.db.report.findMany({
      where: { teamId, memberId, kind: 'taking', createdAt: { gte: startedAt, lte: now } },
      orderBy: { createdAt: 'asc' },
    });
    // Signing off again while already off is not a shift.
    if (!open && takings.length === 0) return null;
    let shiftId: string;
    if (open) {
      const { count } = await this.db.agentShift.updateMany({ where: { id: open.id, endedAt: null }, data: { endedAt: now } });
      // Another process closed it (and posts its summary).
      if (count === 0) return null;
      shiftId = open.id;
    } else {
      shiftId = (await this.db.agentShift.create({ data: { teamId, memberId, startedAt, endedAt: now } })).id;
    }
    const team = await this.db.team.findUniqueOrThrow({ where: { id: teamId } });
    const member = await this.db.member.findUniqueOrThrow({ where: { id: memberId } });
    const conversations = await this.db.conversation.findMany({
      where: { id: { in: takings.flatMap((t) => (t.conversationId ? [t.conversationId] : [])) } },
      include: { contact: { select: { name: true } }, channel: { select: { name: true } } },
    });
    const totals = { booked: 0, notBooked: 0, other: 0, open: 0 };
    const lines: string[] = [];
    const seen = new Set<string>();
    for (const taking of takings) {
      const conversation = conversations.find((c) => c.id === taking.conversationId);
      if (!conversation || seen.has(conversation.id)) continue;
      seen.add(conversation.id);
      const resolved = conversation.status === 'resolved';
      if (!resolved) totals.open += 1;
      else if (outcomeKind(conversation.outcome) === 'booked') totals.booked += 1;
      else if (outcomeKind(conversation.outcome) === 'not_booked') totals.notBooked += 1;
      else totals.other += 1;
      const store = await this.stores.storeLabel(conversation.id, team.settings);
      lines.push(`・${clockTime(taking.createdAt, team.timeZone)} ${conversation.contact.name}様 (${conversation.channel.name}/${store}) ${outcomeLabel(conversation.outcome, resolved)}`);
    }
    const settings = readTeamSettings(team.settings);
    const values: Record<string, string> = {
      'agent.name': member.name,
      'agent.surname': surnameOf(member.name),
      'team.name': team.name,
      'shift.start': clockTime(startedAt, team.timeZone),
      'shift.end': clockTime(now, team.timeZone),
      'shift.chats': lines.length > 0 ? lines.join('\n') : '(対応したチャットはありません)',
      total: String(seen.size),
      'total.booked': String(totals.booked),
      'total.notBooked': String(totals.notBooked),
      'total.other': String(totals.other),
      'total.open': String(totals.open),
    };
    return this.reports.create({
      teamId,
      kind: 'shift_summary',
      purpose: 'callCenter',
      memberId,
      text: fillReportText(settings.reportTexts?.shiftSummary ?? DEFAULT_REPORT_TEXTS.shiftSummary, values),
      dedupeKey: `shift:${shiftId}`,
    });
  }

  private text(context: ConversationContext, name: ReportTextName): string {
    const template = context.settings.reportTexts?.[name] ?? DEFAULT_REPORT_TEXTS[name];
    // A step the visitor's path did not pass (or a chat with no intake) reads as nothing, not as the placeholder.
    const unanswered = Object.fromEntries([...template.matchAll(/\{(intake\.[a-z0-9_]+)\}/g)].map(([, key]) => [key, '']));
    return fillReportText(template, { ...unanswered, ...context.values });
  }

  private async context(conversationId: string, memberId: string): Promise<ConversationContext> {
    const conversation = await this.db.conversation.findUnique({
      where: { id: conversationId },
      include: { contact: { select: { name: true } }, channel: { select: { name: true } }, team: true },
    });
    if (!conversation) throw notFound('The conversation');
    const member = await this.db.member.findUnique({ where: { id: memberId }, select: { name: true } });
    const settings = readTeamSettings(conversation.team.settings);
    return {
      teamId: conversation.teamId,
      conversationId,
      settings,
      values: {
        'agent.name': member?.name ?? '',
        'agent.surname': surnameOf(member?.name ?? ''),
        'contact.name': conversation.contact.name,
        channel: conversation.channel.name,
        store: await this.stores.storeLabel(conversationId, conversation.team.settings),
        'conversation.url': `${this.config.publicUrl}/app/conversations/${conversationId}`,
        'team.name': conversation.team.name,
        outcome: outcomeLabel(conversation.outcome, conversation.status === 'resolved'),
        ...intakeValues(conversation.intake),
      },
    };
  }

  private async memberNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const members = await this.db.member.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
    return new Map(members.map((m) => [m.id, m.name]));
  }
}

/** `{intake.<key>}`: each intake step's answer, as the visitor gave it. */
function intakeValues(intake: unknown): Record<string, string> {
  if (!Array.isArray(intake)) return {};
  const values: Record<string, string> = {};
  for (const step of intake as Array<{ key?: unknown; answer?: unknown }>) {
    if (typeof step.key === 'string' && typeof step.answer === 'string') values[`intake.${step.key}`] = step.answer;
  }
  return values;
}
