import type { ChannelType, MessageContent } from '../channels/index.js';
import type { InboxConversation, InboxMessage } from '../common/realtime/events/index.js';
import { productCardViews } from './product-cards.js';

/**
 * A conversation as the API and the agents' socket show it (docs/socket-protocols.md, `conversation.updated`): the
 * wire shape of the shared event map, with the channel type narrowed to the hub's list.
 */
export type ConversationView = Omit<InboxConversation, 'channel'> & { channel: { id: string; type: ChannelType; name: string } };

/** A message as the API and the agents' socket show it: the wire shape, its content typed by the channels module. */
export type MessageView = Omit<InboxMessage, 'content'> & {
  /** The whole message when `body` is a display form: an email's subject, full text and sanitized HTML. */
  content: MessageContent | null;
};

export const conversationInclude = {
  channel: { select: { id: true, type: true, name: true } },
  contact: { select: { id: true, name: true } },
} as const;

export type ConversationRow = {
  id: string;
  status: ConversationView['status'];
  channel: { id: string; type: string; name: string };
  contact: { id: string; name: string };
  assigneeId: string | null;
  unreplied: boolean;
  outcome: string | null;
  categoryId: string | null;
  handled: boolean | null;
  ratingScore: number | null;
  ratingComment: string | null;
  lastMessageAt: Date;
  lastCustomerMessageAt: Date | null;
  lastMessagePreview: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
};

export function toConversationView(row: ConversationRow): ConversationView {
  return {
    id: row.id,
    status: row.status,
    channel: { id: row.channel.id, type: row.channel.type as ChannelType, name: row.channel.name },
    contact: { id: row.contact.id, name: row.contact.name },
    assigneeId: row.assigneeId,
    unreplied: row.unreplied,
    outcome: row.outcome,
    categoryId: row.categoryId,
    handled: row.handled,
    rating: row.ratingScore === null ? null : { score: row.ratingScore, comment: row.ratingComment },
    lastMessageAt: row.lastMessageAt.toISOString(),
    lastCustomerMessageAt: row.lastCustomerMessageAt?.toISOString() ?? null,
    lastMessagePreview: row.lastMessagePreview,
    createdAt: row.createdAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
  };
}

export type MessageRow = {
  id: string;
  conversationId: string;
  seq: bigint;
  direction: MessageView['direction'];
  kind: MessageView['kind'];
  body: string;
  attachments: unknown;
  content?: unknown;
  authorType: MessageView['author']['type'];
  authorId: string | null;
  status: MessageView['status'];
  error: string | null;
  errorCode?: string | null;
  errorDetails?: unknown;
  unsentAt: Date | null;
  template?: unknown;
  reviewedById?: string | null;
  reviewedAt?: Date | null;
  reviewFeedback?: string | null;
  products?: unknown;
  createdAt: Date;
};

export function toMessageView(row: MessageRow): MessageView {
  return {
    id: row.id,
    conversationId: row.conversationId,
    seq: row.seq.toString(),
    direction: row.direction,
    kind: row.kind,
    body: row.body,
    attachments: Array.isArray(row.attachments) ? row.attachments : [],
    content: (row.content ?? null) as MessageContent | null,
    author: { type: row.authorType, id: row.authorId },
    status: row.status,
    error: row.error,
    errorCode: row.errorCode ?? null,
    errorDetails: detailsOf(row.errorDetails),
    review: row.reviewedAt ? { by: row.reviewedById ?? null, at: row.reviewedAt.toISOString(), feedback: row.reviewFeedback ?? null } : null,
    unsent: row.unsentAt !== null,
    template: templateName(row.template),
    ...(row.products ? { products: productCardViews(row.products) } : {}),
    createdAt: row.createdAt.toISOString(),
  };
}

/** Stored failure details are a flat record of strings and numbers; anything else is left out. */
function detailsOf(details: unknown): Record<string, string | number> | null {
  if (!details || typeof details !== 'object' || Array.isArray(details)) return null;
  const flat: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(details)) if (typeof value === 'string' || typeof value === 'number') flat[key] = value;
  return flat;
}

function templateName(template: unknown): string | null {
  const name = template && typeof template === 'object' ? (template as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : null;
}

/** The list's one-line preview: the start of the text, whitespace folded. */
export function preview(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** One live conversation per channel and thread: the unique key while it is not resolved. */
export const activeKeyOf = (channelId: string, threadKey: string) => `${channelId}:${threadKey}`;
