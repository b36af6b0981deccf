import { createHash } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE, Prisma, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import type { ErrorDetail } from '../common/errors/domain-error.js';
import { EventLog, eventStillLogged } from '../common/events/event-log.js';
import type { EventConsumer, LoggedEvent } from '../common/events/event-log.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { logger } from '../common/logging/logger.js';
import { ConversationsService, MessageFollowUps } from '../conversations/index.js';
import { ReportsService } from '../reports/index.js';
import { TicketsService } from '../tickets/index.js';
import { OutgoingWebhooksService } from '../webhooks/index.js';
import { isOpen, readTeamSettings } from '../teams/index.js';
import { ruleBody } from './automation.schema.js';
import type { Action, ActionResult, Condition, RuleInput, RuleView, RunView } from './automation.schema.js';
import { matchConditions } from './conditions.js';
import type { RuleFacts } from './conditions.js';

const CONSUMER = 'automation';
const PRUNE = 'automation.prune-runs';
/** Runs are kept 90 days; the admin page shows the last 100. */
const KEEP_RUNS_MS = 90 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 24 * 3_600_000;

type RuleRow = Awaited<ReturnType<Db['automationRule']['findFirstOrThrow']>>;

/**
 * A team's automation rules and their runs. Each logged event a rule listens to reaches `handle` (the event log's
 * `automation` consumer, in a job, at least once): the team's rules of that type run in order, each once per event
 * (the run's unique (event, rule)), each action once per `<event>:<rule>:<index>` (its result is recorded as it is
 * done, and each action is itself idempotent on that key: a crash between the two repeats nothing).
 */
@Injectable()
export class AutomationService implements OnModuleInit, EventConsumer {
  readonly name = CONSUMER;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    private readonly eventLog: EventLog,
    private readonly conversations: ConversationsService,
    private readonly followUps: MessageFollowUps,
    private readonly reports: ReportsService,
    private readonly tickets: TicketsService,
    private readonly webhooks: OutgoingWebhooksService,
  ) {}

  onModuleInit(): void {
    this.eventLog.register(this);
    this.jobs.register(PRUNE, () => this.pruneRuns(), { concurrency: 1 });
    // A new chat's rules run before routing offers it: a rule's assignment wins over the intake's group and shifts.
    this.followUps.on('started', ({ teamId, conversationId }) => this.beforeOffer(teamId, conversationId), { first: true });
    void this.jobs.add(PRUNE, {}, { jobId: `prune-runs-${Math.floor(this.clock.now().getTime() / PRUNE_EVERY_MS)}`, delayMs: PRUNE_EVERY_MS });
  }

  async interestedTypes(teamId: string, db: Tx): Promise<Set<string>> {
    const rows = await db.automationRule.findMany({ where: { teamId, enabled: true }, select: { event: true }, distinct: ['event'] });
    return new Set(rows.map((row) => row.event));
  }

  // --- rules ---

  async list(teamId: string): Promise<RuleView[]> {
    const rows = await this.db.automationRule.findMany({ where: { teamId }, orderBy: [{ position: 'asc' }, { id: 'asc' }] });
    return rows.map(toRuleView);
  }

  async create(teamId: string, input: RuleInput): Promise<RuleView> {
    await this.validate(teamId, input);
    const row = await this.db.$transaction(async (tx: Tx) => {
      const last = await tx.automationRule.aggregate({ where: { teamId }, _max: { position: true } });
      return tx.automationRule.create({ data: { teamId, ...jsonOf(input), position: (last._max.position ?? -1) + 1 } });
    });
    await this.eventLog.interestChanged(CONSUMER, teamId);
    return toRuleView(row);
  }

  async update(teamId: string, id: string, input: RuleInput): Promise<RuleView> {
    await this.validate(teamId, input);
    const { count } = await this.db.automationRule.updateMany({ where: { id, teamId }, data: jsonOf(input) });
    if (count === 0) throw notFound('The rule');
    await this.eventLog.interestChanged(CONSUMER, teamId);
    return toRuleView(await this.db.automationRule.findUniqueOrThrow({ where: { id } }));
  }

  async remove(teamId: string, id: string): Promise<void> {
    const { count } = await this.db.automationRule.deleteMany({ where: { id, teamId } });
    if (count === 0) throw notFound('The rule');
    await this.eventLog.interestChanged(CONSUMER, teamId);
  }

  /** The whole order at once: every rule of the team, each once. */
  async reorder(teamId: string, ruleIds: string[]): Promise<RuleView[]> {
    const rules = await this.db.automationRule.findMany({ where: { teamId }, select: { id: true } });
    const known = new Set(rules.map((r) => r.id));
    if (new Set(ruleIds).size !== ruleIds.length || ruleIds.length !== known.size || ruleIds.some((id) => !known.has(id))) {
      throw new DomainError('invalid', 'invalid_rule_order', 'Name every rule of your team exactly once, in the new order.', [{ field: 'ruleIds', message: 'must list each of your rules once' }]);
    }
    await this.db.$transaction(async (tx: Tx) => {
      for (const [position, id] of ruleIds.entries()) await tx.automationRule.updateMany({ where: { id, teamId }, data: { position } });
    });
    return this.list(teamId);
  }

  /** Every id a rule names is the team's own: a rule never acts on another team's group, member or channel. */
  private async validate(teamId: string, input: RuleInput): Promise<void> {
    const details: ErrorDetail[] = [];
    const check = async (field: string, found: Promise<unknown>) => {
      if (!(await found)) details.push({ field, message: 'is not one of your team’s' });
    };
    for (const [i, c] of input.conditions.entries()) {
      if (c.kind === 'channel') for (const id of c.channelIds) await check(`conditions.${i}.channelIds`, this.db.channel.findFirst({ where: { id, teamId }, select: { id: true } }));
      if (c.kind === 'category') for (const id of c.categoryIds) await check(`conditions.${i}.categoryIds`, this.db.category.findFirst({ where: { id, teamId }, select: { id: true } }));
    }
    let templates: { name: string; variables: string[] }[] | undefined;
    for (const [i, a] of input.actions.entries()) {
      const field = `actions.${i}`;
      if (a.kind === 'assign_group') await check(`${field}.groupId`, this.db.memberGroup.findFirst({ where: { id: a.groupId, teamId }, select: { id: true } }));
      if (a.kind === 'assign_member') await check(`${field}.memberId`, this.db.member.findFirst({ where: { id: a.memberId, teamId }, select: { id: true } }));
      if (a.kind === 'set_category') await check(`${field}.categoryId`, this.db.category.findFirst({ where: { id: a.categoryId, teamId }, select: { id: true } }));
      if (a.kind === 'reply') await check(`${field}.cannedReplyId`, this.db.cannedReply.findFirst({ where: { id: a.cannedReplyId, teamId }, select: { id: true } }));
      if (a.kind === 'template') details.push(...templateProblems(field, a, (templates ??= await this.conversations.teamTemplates(teamId))));
      if (a.kind === 'webhook') await check(`${field}.endpointId`, this.db.webhookEndpoint.findFirst({ where: { id: a.endpointId, teamId }, select: { id: true } }));
      if (a.kind === 'create_ticket' && a.groupId) await check(`${field}.groupId`, this.db.memberGroup.findFirst({ where: { id: a.groupId, teamId }, select: { id: true } }));
      if (a.kind === 'create_ticket' && a.assigneeId) await check(`${field}.assigneeId`, this.db.member.findFirst({ where: { id: a.assigneeId, teamId }, select: { id: true } }));
    }
    if (details.length > 0) throw new DomainError('invalid', 'invalid_rule', 'The rule names something that is not your team’s, or leaves out what it needs.', details);
  }

  // --- runs ---

  async runs(teamId: string, limit: number): Promise<RunView[]> {
    const rows = await this.db.automationRun.findMany({ where: { teamId }, orderBy: { id: 'desc' }, take: limit });
    return rows.map(toRunView);
  }

  /** The event log's consumer: the team's rules of the event's type, in order, each once. */
  async handle(event: LoggedEvent): Promise<void> {
    const rules = await this.db.automationRule.findMany({ where: { teamId: event.teamId, event: event.type, enabled: true }, orderBy: [{ position: 'asc' }, { id: 'asc' }] });
    if (rules.length === 0) return;
    const facts = await this.factsOf(event);
    for (const rule of rules) {
      const stop = await this.runRule(rule, event, facts);
      if (stop) return;
    }
  }

  /** A new chat's `conversation.created` rules, before it is offered (also run by the event's own job: once either way). */
  private async beforeOffer(teamId: string, conversationId: string): Promise<void> {
    if (!(await this.eventLog.consumersOf(teamId, 'conversation.created')).includes(CONSUMER)) return;
    const [event] = await this.eventLog.find(teamId, { conversationId, type: 'conversation.created' });
    if (event) await this.handle(event);
  }

  /** One rule for one event; answers whether later rules are to be skipped. */
  private async runRule(rule: RuleRow, event: LoggedEvent, facts: RuleFacts): Promise<boolean> {
    const conditions = rule.conditions as Condition[];
    const actions = rule.actions as Action[];
    const verdict = matchConditions(conditions, facts);
    let run;
    try {
      // Written while the event is held: an event its contact's erasure deleted runs no rule.
      run = await this.db.$transaction(async (tx: Tx) => {
        if (!(await eventStillLogged(tx, event.id))) return null;
        return tx.automationRun.create({
          data: {
            teamId: event.teamId,
            eventId: event.id,
            eventType: event.type,
            ruleId: rule.id,
            ruleName: rule.name,
            conversationId: event.conversationId,
            status: verdict.matched ? 'running' : 'skipped',
            conditions: verdict.results,
            ...(verdict.matched ? {} : { finishedAt: this.clock.now() }),
          },
        });
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Run before (a redelivered event, a process that died mid-run): what it did not finish is finished now.
      run = await this.db.automationRun.findUniqueOrThrow({ where: { eventId_ruleId: { eventId: event.id, ruleId: rule.id } } });
    }
    if (run === null) return true;
    if (run.status === 'skipped') return false;
    const results = [...(run.actions as ActionResult[])];
    if (run.status === 'running') {
      for (const [index, action] of actions.entries()) {
        if (results[index]) continue;
        results[index] = await this.act(action, `${event.id}:${rule.id}:${index}`, rule, event, facts);
        await this.db.automationRun.update({ where: { id: run.id }, data: { actions: results } });
      }
      await this.db.automationRun.updateMany({ where: { id: run.id, status: 'running' }, data: { status: 'matched', finishedAt: this.clock.now() } });
    }
    return rule.stopProcessing;
  }

  private async act(action: Action, key: string, rule: RuleRow, event: LoggedEvent, facts: RuleFacts): Promise<ActionResult> {
    const conversationId = event.conversationId;
    const failed = (code: string, detail: string): ActionResult => ({ kind: action.kind, status: 'failed', code, detail });
    try {
      switch (action.kind) {
        case 'assign_group':
        case 'assign_member': {
          if (!conversationId) return failed('no_conversation', 'This event is not about a conversation.');
          const outcome = await this.conversations.route(event.teamId, conversationId, action.kind === 'assign_group' ? { groupId: action.groupId } : { memberId: action.memberId });
          if (outcome === 'held') return failed('held_by_colleague', 'Someone else already holds this chat.');
          if (outcome === 'not_found') return failed('not_found', 'The member or the conversation is gone.');
          return { kind: action.kind, status: 'done' };
        }
        case 'set_category':
          if (!conversationId) return failed('no_conversation', 'This event is not about a conversation.');
          await this.conversations.systemSetCategory(event.teamId, conversationId, action.categoryId);
          return { kind: action.kind, status: 'done' };
        case 'reply': {
          if (!conversationId) return failed('no_conversation', 'This event is not about a conversation.');
          const canned = await this.db.cannedReply.findFirst({ where: { id: action.cannedReplyId, teamId: event.teamId }, select: { body: true } });
          if (!canned) return failed('not_found', 'The canned reply was deleted.');
          const verdict = await this.conversations.systemReply(conversationId, canned.body, 'automatic', undefined, idOf(key));
          return verdict.ok ? { kind: action.kind, status: 'done' } : failed(verdict.code, 'The send policy refused the reply.');
        }
        case 'template': {
          if (!conversationId) return failed('no_conversation', 'This event is not about a conversation.');
          const conversation = await this.db.conversation.findUnique({ where: { id: conversationId }, select: { contact: { select: { name: true } } } });
          const contactName = conversation?.contact.name ?? '';
          const variables = Object.fromEntries(Object.entries(action.variables).map(([name, value]) => [name, value.replaceAll('{contact.name}', contactName)]));
          const verdict = await this.conversations.systemTemplate(conversationId, { name: action.name, variables }, idOf(key));
          return verdict.ok ? { kind: action.kind, status: 'done' } : failed(verdict.code, 'The send policy refused the template.');
        }
        case 'note':
          if (!conversationId) return failed('no_conversation', 'This event is not about a conversation.');
          await this.conversations.systemNote(conversationId, action.text, idOf(key));
          return { kind: action.kind, status: 'done' };
        case 'report': {
          const report = await this.reports.create({ teamId: event.teamId, kind: 'rule', purpose: action.purpose, ...(conversationId ? { conversationId } : {}), text: action.text, dedupeKey: `rule:${key}` });
          if (!report) return failed('report_target_missing', 'The team reports to no LINE group.');
          return report.status === 'failed' ? failed(report.errorCode ?? 'report_failed', report.error ?? 'The report failed.') : { kind: action.kind, status: 'done' };
        }
        case 'create_ticket': {
          const ticket = await this.tickets.createTicket({
            teamId: event.teamId,
            title: action.title,
            conversationId,
            contactId: typeof event.data.contactId === 'string' ? event.data.contactId : null,
            priority: action.priority,
            groupId: action.groupId,
            assigneeId: action.assigneeId,
            createdBy: { kind: 'rule', ruleId: rule.id },
            dedupeKey: key,
          });
          return { kind: action.kind, status: 'done', detail: `#${ticket.number}` };
        }
        case 'webhook':
          await this.webhooks.publish(event, { endpointId: action.endpointId });
          return { kind: action.kind, status: 'done' };
      }
    } catch (error) {
      // A failed action is recorded, not retried: the run log shows it, and the later actions still run.
      if (error instanceof DomainError) return failed(error.code, error.message);
      logger.warn({ err: error, ruleId: rule.id, eventId: event.id, action: action.kind, facts: facts.channelId }, 'automation action failed');
      return failed('action_failed', error instanceof Error ? error.message : String(error));
    }
  }

  /** What conditions are judged against: the event's data, with its conversation and contact as they are now. */
  private async factsOf(event: LoggedEvent): Promise<RuleFacts> {
    const data = event.data;
    const conversation = event.conversationId
      ? await this.db.conversation.findUnique({ where: { id: event.conversationId }, select: { channelId: true, categoryId: true, intake: true, outcome: true, contactId: true } })
      : null;
    const contactId = conversation?.contactId ?? (typeof data.contactId === 'string' ? data.contactId : null);
    const contact = contactId ? await this.db.contact.findUnique({ where: { id: contactId }, select: { attributes: true } }) : null;
    const store = event.conversationId ? await this.db.conversationStore.findUnique({ where: { conversationId: event.conversationId }, select: { store: true } }) : null;
    const team = await this.db.team.findUniqueOrThrow({ where: { id: event.teamId }, select: { settings: true, timeZone: true } });
    const intake = Array.isArray(data.intake) ? data.intake : Array.isArray(conversation?.intake) ? conversation.intake : [];
    return {
      channelId: conversation?.channelId ?? (typeof data.channelId === 'string' ? data.channelId : null),
      store: store?.store ?? null,
      categoryId: conversation?.categoryId ?? null,
      intake: intake as RuleFacts['intake'],
      text: typeof data.text === 'string' ? data.text : null,
      insideHours: isOpen(readTeamSettings(team.settings).businessHours, team.timeZone, event.occurredAt),
      attributes: (contact?.attributes ?? {}) as Record<string, unknown>,
      outcome: typeof data.outcome === 'string' ? data.outcome : (conversation?.outcome ?? null),
    };
  }

  /**
   * A dry run against a past conversation: which conditions match and which actions would run, doing nothing. The
   * event is the conversation's logged one when there is one, else one made up from the conversation as it is.
   */
  async test(teamId: string, input: { conversationId: string; ruleId?: string; event?: string }) {
    const conversation = await this.db.conversation.findFirst({ where: { id: input.conversationId, teamId }, select: { id: true, channelId: true, contactId: true, outcome: true, intake: true, resolvedAt: true, createdAt: true, lastMessagePreview: true } });
    if (!conversation) throw notFound('The conversation');
    let rules: RuleRow[];
    if (input.ruleId) {
      const rule = await this.db.automationRule.findFirst({ where: { id: input.ruleId, teamId } });
      if (!rule) throw notFound('The rule');
      rules = [rule];
    } else {
      const type = input.event ?? 'conversation.resolved';
      rules = await this.db.automationRule.findMany({ where: { teamId, event: type, enabled: true }, orderBy: [{ position: 'asc' }, { id: 'asc' }] });
    }
    const eventType = input.ruleId ? rules[0].event : (input.event ?? 'conversation.resolved');
    const lastIn = await this.db.message.findFirst({ where: { conversationId: conversation.id, direction: 'in' }, orderBy: { seq: 'desc' }, select: { body: true } });
    const event: LoggedEvent = {
      id: 'dry-run',
      teamId,
      type: eventType,
      conversationId: conversation.id,
      occurredAt: conversation.resolvedAt ?? conversation.createdAt,
      data: { conversationId: conversation.id, channelId: conversation.channelId, contactId: conversation.contactId, outcome: conversation.outcome, intake: conversation.intake, text: lastIn?.body ?? null },
    };
    const facts = await this.factsOf(event);
    const results = [];
    for (const rule of rules) {
      const verdict = matchConditions(rule.conditions as Condition[], facts);
      const actions = (rule.actions as Action[]).map((a): ActionResult => ({ kind: a.kind, status: 'would_run' }));
      results.push({ ruleId: rule.id, ruleName: rule.name, matched: verdict.matched, conditions: verdict.results, actions: verdict.matched ? actions : [], stopsHere: verdict.matched && rule.stopProcessing });
      if (verdict.matched && rule.stopProcessing && !input.ruleId) break;
    }
    return { eventType, results };
  }

  async pruneRuns(): Promise<void> {
    const before = new Date(this.clock.now().getTime() - KEEP_RUNS_MS);
    await this.db.automationRun.deleteMany({ where: { createdAt: { lt: before } } });
    await this.jobs.add(PRUNE, {}, { jobId: `prune-runs-${Math.floor(this.clock.now().getTime() / PRUNE_EVERY_MS) + 1}`, delayMs: PRUNE_EVERY_MS });
  }
}

/** A message id made from an action's key: the same action run again writes the same row, refused as a duplicate. */
function idOf(key: string): string {
  const hex = createHash('sha256').update(`automation:${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function jsonOf(input: RuleInput) {
  const parsed = ruleBody.parse(input);
  return { ...parsed, conditions: parsed.conditions as Prisma.InputJsonArray, actions: parsed.actions as Prisma.InputJsonArray };
}

function toRuleView(row: RuleRow): RuleView {
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    event: row.event as RuleView['event'],
    conditions: row.conditions as Condition[],
    actions: row.actions as Action[],
    stopProcessing: row.stopProcessing,
    position: row.position,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toRunView(row: Awaited<ReturnType<Db['automationRun']['findFirstOrThrow']>>): RunView {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    ruleId: row.ruleId,
    ruleName: row.ruleName,
    conversationId: row.conversationId,
    status: row.status as RunView['status'],
    conditions: row.conditions as RunView['conditions'],
    actions: row.actions as RunView['actions'],
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/**
 * A template action names an approved template of one of the team's channels that are on, and gives every variable
 * it has (a value may be `{contact.name}`): refused when saved, not found out at every run.
 */
function templateProblems(field: string, action: { name: string; variables: Record<string, string> }, templates: { name: string; variables: string[] }[]): ErrorDetail[] {
  const named = templates.filter((template) => template.name === action.name);
  if (named.length === 0) return [{ field: `${field}.name`, message: 'is not an approved template of your team’s channels that are on' }];
  const required = [...new Set(named.flatMap((template) => template.variables))];
  return required.filter((variable) => !action.variables[variable]?.trim()).map((variable) => ({ field: `${field}.variables.${variable}`, message: 'is required by the template' }));
}
