import { useCallback } from 'react';
import { answer, hub } from '../../api';
import type { RequestBody } from '../../api';
import type { operations } from '../../openapi-types';
import { useResource } from '../../shared/useResource';

type Answer<O extends keyof operations> = operations[O]['responses'] extends { 200: { content: { 'application/json': infer A } } } ? A : never;

export type RuleBody = RequestBody<'/api/automation/rules', 'post'>;
export type Rule = Answer<'AutomationController_list'>['items'][number];
export type RuleEvent = RuleBody['event'];
/** A condition and an action as the hub answers them, defaults filled (what the editor holds; the body takes them as they are). */
export type Condition = Rule['conditions'][number];
export type Action = Rule['actions'][number];
export type Run = Answer<'AutomationController_runs'>['items'][number];
export type TestResult = Answer<'AutomationController_test'>;
export type TestInput = RequestBody<'/api/automation/rules/test', 'post'>;

/** The events a rule may listen to, in the order the editor offers them (the hub's list, by its type). */
export const RULE_EVENTS = ['conversation.resolved', 'conversation.created', 'message.created', 'offer.missed', 'contact.consent_changed', 'sale.created', 'ticket.overdue'] as const satisfies readonly RuleEvent[];

const loadRules = () => answer(hub.GET('/api/automation/rules')).then((page) => page.items);
const loadRuns = () => answer(hub.GET('/api/automation/runs', { params: { query: { limit: 100 } } })).then((page) => page.items);

/** The team's rules in the order they run, and their changes. */
export function useRules() {
  const { data, reload } = useResource(loadRules);
  const create = async (body: RuleBody) => {
    await answer(hub.POST('/api/automation/rules', { body }));
    await reload();
  };
  const update = async (id: string, body: RuleBody) => {
    await answer(hub.PUT('/api/automation/rules/{id}', { params: { path: { id } }, body }));
    await reload();
  };
  const remove = async (id: string) => {
    await answer(hub.DELETE('/api/automation/rules/{id}', { params: { path: { id } } }));
    await reload();
  };
  /** The whole order at once: the hub takes every rule's id, each once. */
  const reorder = async (ruleIds: string[]) => {
    await answer(hub.PUT('/api/automation/rules/order', { body: { ruleIds } }));
    await reload();
  };
  const test = useCallback((body: TestInput) => answer(hub.POST('/api/automation/rules/test', { body })), []);
  return { rules: data, create, update, remove, reorder, test };
}

/** The last 100 runs, newest first. */
export function useRuns() {
  const { data, reload } = useResource(loadRuns);
  return { runs: data ?? [], reload };
}

/** What a rule's selects are filled with: the team's own channels, categories, stores, groups, members, replies and report kinds. */
export type Choices = Awaited<ReturnType<typeof loadChoices>>;

const loadChoices = async () => {
  const [channels, categories, groups, members, replies, targets, team, endpoints] = await Promise.all([
    answer(hub.GET('/api/channels')),
    answer(hub.GET('/api/categories')),
    answer(hub.GET('/api/groups')),
    answer(hub.GET('/api/members')),
    answer(hub.GET('/api/canned-replies')),
    answer(hub.GET('/api/teams/current/report-targets')),
    answer(hub.GET('/api/teams/current')),
    answer(hub.GET('/api/webhooks/endpoints')),
  ]);
  const stores = team.settings.stores;
  // The stores a chat can be told to be at: those of the URL patterns, and the default one.
  const storeNames = [...new Set([...(stores?.patterns ?? []).flatMap((entry) => (entry.store ? [entry.store] : [])), ...(stores?.defaultStore ? [stores.defaultStore] : [])])];
  return {
    channels: channels.items.map((c) => ({ id: c.id, name: c.name })),
    categories: categories.items.map((c) => ({ id: c.id, name: c.path.join(' › ') })),
    groups: groups.items.map((g) => ({ id: g.id, name: g.name })),
    members: members.items.map((m) => ({ id: m.id, name: m.name })),
    // Only team-wide replies: a member's own reply is not the rule's to send.
    replies: replies.items.filter((r) => r.ownerId === null).map((r) => ({ id: r.id, name: r.title })),
    purposes: Object.keys(targets),
    // An endpoint is named by its description where it has one, else by its URL.
    endpoints: endpoints.items.map((e) => ({ id: e.id, name: e.description || e.url })),
    templates: templatesOf(channels.items),
    stores: storeNames,
  };
};

/** A channel's approved template as its config lists it (WhatsApp Cloud API). */
export interface TemplateChoice {
  name: string;
  variables: string[];
  /** The channels that list it, for the select's label. */
  channels: string[];
}

/** The approved templates of the team's channels, once per name (a rule sends by name on whichever channel the chat is). */
function templatesOf(channels: { name: string; config: Record<string, unknown> }[]): TemplateChoice[] {
  const byName = new Map<string, TemplateChoice>();
  for (const channel of channels) {
    const listed = Array.isArray(channel.config.templates) ? (channel.config.templates as { name?: unknown; variables?: unknown }[]) : [];
    for (const template of listed) {
      if (typeof template.name !== 'string') continue;
      const variables = Array.isArray(template.variables) ? template.variables.filter((v): v is string => typeof v === 'string') : [];
      const known = byName.get(template.name);
      if (known) {
        if (!known.channels.includes(channel.name)) known.channels.push(channel.name);
        for (const v of variables) if (!known.variables.includes(v)) known.variables.push(v);
      } else byName.set(template.name, { name: template.name, variables, channels: [channel.name] });
    }
  }
  return [...byName.values()];
}

export function useChoices(): Choices | null {
  return useResource(loadChoices).data;
}
