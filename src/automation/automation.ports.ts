import type { LoggedEvent } from '../common/events/event-log.js';

/** A ticket a rule opens (the tickets module implements it). `dedupeKey` makes a second call answer the first ticket. */
export interface AutomationTickets {
  createTicket(input: {
    teamId: string;
    title: string;
    conversationId?: string | null;
    contactId?: string | null;
    priority?: 'low' | 'normal' | 'high' | 'urgent';
    assigneeId?: string | null;
    groupId?: string | null;
    dueAt?: Date | null;
    createdBy: { kind: 'rule'; ruleId: string };
    dedupeKey: string;
  }): Promise<{ id: string; number: number }>;
}

/** An outgoing webhook a rule sends (the webhooks module implements it); idempotent on the event and the endpoint. */
export interface AutomationWebhooks {
  publish(event: LoggedEvent, options: { endpointId: string }): Promise<void>;
}

export const AUTOMATION_TICKETS = Symbol('AutomationTickets');
export const AUTOMATION_WEBHOOKS = Symbol('AutomationWebhooks');
