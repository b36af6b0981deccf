import { z } from 'zod';

/** What a rule listens to: one event type of the event log. */
export const ruleEvents = ['conversation.created', 'message.created', 'conversation.resolved', 'contact.consent_changed', 'sale.created', 'ticket.overdue', 'offer.missed'] as const;
export type RuleEvent = (typeof ruleEvents)[number];

const id = z.string().min(1).max(100);
const ids = z.array(id).min(1).max(50);

/** Every condition of a rule must match. Each is a small shape of its own, named by `kind`. */
export const condition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('channel'), channelIds: ids }),
  z.object({ kind: z.literal('store'), stores: z.array(z.string().min(1).max(100)).min(1).max(50) }),
  z.object({ kind: z.literal('category'), categoryIds: ids }),
  z.object({ kind: z.literal('intake_answer'), question: z.string().min(1).max(200), answer: z.string().min(1).max(200) }),
  z.object({ kind: z.literal('words'), words: z.array(z.string().trim().min(1).max(100)).min(1).max(50), match: z.enum(['any', 'all']).default('any') }),
  z.object({ kind: z.literal('business_hours'), inside: z.boolean() }),
  z.object({ kind: z.literal('contact_attribute'), key: z.string().min(1).max(100), value: z.string().max(500) }),
  z.object({ kind: z.literal('outcome'), outcomes: z.array(z.string().min(1).max(100)).min(1).max(20) }),
]);
export type Condition = z.output<typeof condition>;

/** Run in order; each is done once per (event, rule, index). */
export const action = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('assign_group'), groupId: id }),
  z.object({ kind: z.literal('assign_member'), memberId: id }),
  z.object({ kind: z.literal('set_category'), categoryId: id }),
  z.object({ kind: z.literal('reply'), cannedReplyId: id }),
  // One of the conversation's channel's approved templates (WhatsApp); a value may hold `{contact.name}`.
  z.object({
    kind: z.literal('template'),
    name: z.string().trim().min(1).max(512),
    variables: z.record(z.string().min(1).max(100), z.string().max(1000)).default({}),
  }),
  z.object({ kind: z.literal('create_ticket'), title: z.string().min(1).max(200), priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'), groupId: id.nullable().default(null), assigneeId: id.nullable().default(null) }),
  z.object({ kind: z.literal('report'), purpose: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/), text: z.string().min(1).max(2000) }),
  z.object({ kind: z.literal('webhook'), endpointId: id }),
  z.object({ kind: z.literal('note'), text: z.string().min(1).max(2000) }),
]);
export type Action = z.output<typeof action>;

export const ruleBody = z.object({
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
  event: z.enum(ruleEvents),
  conditions: z.array(condition).max(20).default([]),
  actions: z.array(action).min(1).max(20),
  stopProcessing: z.boolean().default(false),
});
export type RuleInput = z.output<typeof ruleBody>;

export const reorderBody = z.object({ ruleIds: z.array(id).min(1).max(500) });

export const testBody = z.object({
  conversationId: id,
  /** One rule; without it, every rule of the event in order. */
  ruleId: id.optional(),
  event: z.enum(ruleEvents).optional(),
});

export const runsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(100) });

export const ruleView = ruleBody.extend({ id: z.string(), position: z.number().int(), createdAt: z.string(), updatedAt: z.string() });
export type RuleView = z.output<typeof ruleView>;

export const conditionResult = z.object({ kind: z.string(), matched: z.boolean(), detail: z.string().optional() });
export type ConditionResult = z.output<typeof conditionResult>;
export const actionResult = z.object({ kind: z.string(), status: z.enum(['done', 'failed', 'would_run']), code: z.string().optional(), detail: z.string().optional() });
export type ActionResult = z.output<typeof actionResult>;

export const runView = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  conversationId: z.string().nullable(),
  status: z.enum(['running', 'matched', 'skipped']),
  conditions: z.array(conditionResult),
  actions: z.array(actionResult),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunView = z.output<typeof runView>;

export const testView = z.object({
  eventType: z.string(),
  results: z.array(z.object({ ruleId: z.string(), ruleName: z.string(), matched: z.boolean(), conditions: z.array(conditionResult), actions: z.array(actionResult), stopsHere: z.boolean() })),
});
