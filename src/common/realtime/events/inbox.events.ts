import type { z } from 'zod';
import type { inboxFrames } from './inbox.schema.js';
import type { Answer, Frame, NamespaceCatalog } from './socket.events.js';

// The `/inbox` namespace: agents' devices and the hub. Every socket is in its team's room and its member's room, so
// every device of a member hears what is theirs. Described for people in docs/socket-protocols.md.
//
// These are the wire shapes clients may rely on. The modules' views (ConversationView, MessageView, OfferView, ...)
// are these types (narrowed where a module knows more), so server and clients cannot drift apart.

/** The handshake's `auth`. */
export interface InboxHandshake {
  /** An access token from `POST /api/auth/login`. */
  token: string;
}

/** A conversation as the list and the thread show it (the same as the HTTP API's). */
export interface InboxConversation {
  id: string;
  status: 'waiting' | 'open' | 'resolved';
  /** `type` is one of the hub's channel types (`webchat`, `email`, `sms`, `whatsapp`, `line`). */
  channel: { id: string; type: string; name: string };
  contact: { id: string; name: string };
  assigneeId: string | null;
  unreplied: boolean;
  outcome: string | null;
  /** The category its agent set (any of the three levels), or null. */
  categoryId: string | null;
  /** Once resolved: true when an agent replied, false when nobody answered (abandoned); null while not resolved. */
  handled: boolean | null;
  /** The customer's satisfaction, when they gave it. */
  rating: { score: number; comment: string | null } | null;
  lastMessageAt: string;
  lastCustomerMessageAt: string | null;
  lastMessagePreview: string | null;
  createdAt: string;
  resolvedAt: string | null;
}

/** The whole message when a message's `body` is a display form: an email's subject, full text and sanitized HTML. */
export interface InboxMessageContent {
  subject?: string;
  text?: string;
  html?: string;
  /** Remote images held back in `html` (each `<img>` keeps its address in `data-remote-src`). */
  remoteImages?: number;
  messageId?: string;
}

/** A message as the thread shows it (the same as the HTTP API's). */
export interface InboxMessage {
  id: string;
  conversationId: string;
  /** The conversation's sequence (a decimal string, 64-bit): messages are ordered by it. */
  seq: string;
  direction: 'in' | 'out';
  kind: 'text' | 'media' | 'note' | 'event';
  body: string;
  /** `{url?, contentType?, name?, size?, meta?, failed?: {code, reason}}` each (see docs/socket-protocols.md). */
  attachments: unknown[];
  content: InboxMessageContent | null;
  author: { type: 'contact' | 'member' | 'bot' | 'system'; id: string | null };
  status: 'received' | 'pending_approval' | 'rejected' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
  error: string | null;
  /** A trainee's draft once a supervisor decided: who, when, and the feedback given with a rejection. */
  review: { by: string | null; at: string; feedback: string | null } | null;
  /** The customer took it back (LINE unsend): body and attachments are gone. */
  unsent: boolean;
  /** The approved template this message went out as (WhatsApp), or null for free text. */
  template: string | null;
  createdAt: string;
}

/** A chat offered to the member: it rings on every device of theirs until taken, declined or expired. */
export interface InboxOffer {
  id: string;
  conversationId: string;
  expiresAt: string;
  channel: { id: string; type: string };
  preview: string | null;
  /** Set when a colleague transfers the chat: who, and their note. */
  transfer: { id: string; fromMemberId: string; note: string | null } | null;
}

export interface InboxTransfer {
  id: string;
  conversationId: string;
  fromMemberId: string;
  toMemberId: string | null;
  groupId: string | null;
  note: string | null;
  status: 'pending' | 'accepted' | 'expired' | 'cancelled';
  acceptedById: string | null;
  expiresAt: string;
}

/** A report to a LINE group, as the side panel shows it. */
export interface InboxReport {
  id: string;
  kind: string;
  purpose: string;
  conversationId: string | null;
  memberId: string | null;
  channelId: string | null;
  groupId: string | null;
  text: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  error: string | null;
  quotedReportId: string | null;
  providerRequestId: string | null;
  providerMessageId: string | null;
  quoteToken: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** A member's live panel figure: today (in the team's time zone) and the window sales are credited in. */
export interface InboxSalesFigure {
  memberId: string;
  date: string;
  timeZone: string;
  chats: number;
  /** Amounts per currency, in its minor unit: amounts in different currencies are never added together. */
  sales: { count: number; amounts: Record<string, number> };
  windowDays: number;
  model: 'last_touch' | 'first_touch';
}

/** One thing a shopper did on the shop's site. */
export interface InboxShopperEvent {
  id: string;
  type: 'page_view' | 'product_view' | 'add_to_cart' | 'purchase';
  visitorId: string;
  url: string | null;
  product: { sku: string; name?: string; price?: number; currency?: string; url?: string; image?: string; quantity?: number } | null;
  order: { id: string; amount?: number; currency?: string } | null;
  occurredAt: string;
}

/** News for supervisors and administrators, on every device of each. */
export type InboxNotification =
  | { type: 'contact_blocked' | 'contact_unblocked'; contactId: string; name: string; by: string }
  | { type: 'merge_proposed'; proposalId: string; contactId: string; otherContactId: string }
  /** Administrators only: the bot left a group that reports were mapped to. */
  | { type: 'report_target_gone'; channelId: string; groupId: string; name: string | null; purposes: string[] };

/** Server to client on `/inbox`. */
export interface InboxServerEvents {
  'message.created': (message: InboxMessage) => void;
  'message.updated': (message: InboxMessage) => void;
  'conversation.updated': (conversation: InboxConversation) => void;
  /** The customer's draft as they type (web chat). */
  typing: (event: { conversationId: string; draft: string }) => void;
  'presence.updated': (event: { memberId: string; status: 'online' | 'break' | 'offline'; reason?: string }) => void;
  /** This device's session was retired: the socket is disconnected right after. */
  signed_out: (event: { code: 'session_revoked' | 'password_changed' | 'member_deactivated' }) => void;
  notification: (notification: InboxNotification) => void;
  offer: (offer: InboxOffer) => void;
  'offer.withdrawn': (event: { offerId: string; conversationId: string; reason: 'taken' | 'expired' | 'cancelled' }) => void;
  'transfer.updated': (transfer: InboxTransfer) => void;
  'report.updated': (report: InboxReport) => void;
  'sale.created': (sale: { id: string; orderId: string; amount: number; currency: string; conversationId: string; occurredAt: string }) => void;
  'sale.reversed': (sale: { id: string; orderId: string; status: 'refunded' | 'cancelled'; conversationId: string }) => void;
  'sales.figure': (figure: InboxSalesFigure) => void;
  'shopper.activity': (event: { conversationId: string; event: InboxShopperEvent }) => void;
  'consent.changed': (event: { contactId: string; channel: 'sms' | 'whatsapp' | 'email' | 'line'; state: 'none' | 'pending' | 'opted_in' | 'opted_out' }) => void;
}

/** What each frame's acknowledgement carries. */
export interface InboxAcks {
  typing: Answer;
}

/** Client to server on `/inbox`: each frame is its schema's input, answered through the acknowledgement. */
export type InboxClientEvents = { [E in keyof typeof inboxFrames]: Frame<z.input<(typeof inboxFrames)[E]>, InboxAcks[E]> };

/** `/inbox`'s events as data, one line each on when they are sent (the protocol document is checked against it). */
export const inboxCatalog: NamespaceCatalog<InboxClientEvents, InboxServerEvents> = {
  namespace: '/inbox',
  clientToServer: {
    typing: 'The agent types in a conversation.',
  },
  serverToClient: {
    'message.created': 'A message was written in a conversation of the team.',
    'message.updated': 'A message of the team changed (delivery status, review, unsend).',
    'conversation.updated': 'A conversation of the team changed.',
    typing: 'A web chat customer is typing.',
    'presence.updated': 'A member of the team went online, on a break or offline.',
    signed_out: 'This device’s session was retired.',
    notification: 'News for supervisors or administrators.',
    offer: 'A chat is offered to the member.',
    'offer.withdrawn': 'An offer to the member ended without them.',
    'transfer.updated': 'A transfer the member made was accepted, expired or cancelled.',
    'report.updated': 'A report to a LINE group was written, sent, failed or retried.',
    'sale.created': 'A purchase was credited to the member.',
    'sale.reversed': 'A sale credited to the member was refunded or cancelled.',
    'sales.figure': 'The member’s panel figure changed.',
    'shopper.activity': 'A shopper in a live conversation of the team did something on the shop’s site.',
    'consent.changed': 'A contact’s consent for a kind of channel changed.',
  },
};
