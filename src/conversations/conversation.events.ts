import { DomainEvents } from '../common/events/domain-events.js';
import type { CallEnded, CallSignal } from '../common/realtime/events/index.js';
import type { ConversationView, MessageView } from './conversation.views.js';

/** Emitted after commit; `teamId` scopes who may hear them. */
export interface ConversationEventMap {
  [name: string]: unknown;
  'conversation.started': { teamId: string; conversation: ConversationView };
  'conversation.updated': { teamId: string; conversation: ConversationView };
  /** A member took a waiting conversation (accept won the race). */
  'conversation.accepted': { teamId: string; conversationId: string; memberId: string };
  /** A supervisor (or the agent themselves) gave a conversation to a member directly. */
  'conversation.assigned': { teamId: string; conversationId: string; memberId: string };
  /** A conversation ended (it was not already resolved), with the outcome the agent chose, if any. */
  'conversation.resolved': { teamId: string; conversationId: string; memberId: string; assigneeId: string | null; outcome: string | null; resolvedAt: Date };
  /**
   * `provider`: the provider of the channel a customer's message came by, and `assigneeId`: who holds its
   * conversation as the write left it (both set by the ingest), so listeners on the hot path need not read them.
   */
  'message.created': { teamId: string; message: MessageView; provider?: string; assigneeId?: string | null };
  'message.updated': { teamId: string; message: MessageView };
  'customer.typing': { teamId: string; conversationId: string; draft: string };
  /** A visitor accepted a member's video call (`memberId`: the caller, whose devices alone hear a call's news). */
  'call.accepted': { teamId: string; memberId: string; callId: string; conversationId: string };
  /** The visitor's browser's answer or ICE candidate, for the caller's. */
  'call.signal': { teamId: string; memberId: string; callId: string; signal: CallSignal };
  /** The visitor's browser lost the connection: the caller's restarts ICE. */
  'call.restart': { teamId: string; memberId: string; callId: string };
  'call.ended': { teamId: string; memberId: string; call: CallEnded };
}

export class ConversationEvents extends DomainEvents<ConversationEventMap> {}
