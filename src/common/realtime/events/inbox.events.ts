import type { z } from 'zod';
import type { inboxFrames } from './inbox.schema.js';
import type {
  inboxConversationView,
  inboxMessageContentView,
  inboxMessageView,
  inboxProductCardView,
  inboxReportView,
  inboxSalesFigureView,
  inboxShopperEventView,
  inboxStoredNotificationView,
  inboxTransferView,
} from './inbox-views.schema.js';
import type { Answer, Frame, NamespaceCatalog } from './socket.events.js';
import type { CallEnded, CallIce, CallSignal } from './call.events.js';
import type { InboxTicket } from './ticket.schema.js';

// The `/inbox` namespace: agents' devices and the hub. Every socket is in its team's room and its member's room, so
// every device of a member hears what is theirs. Described for people in docs/socket-protocols.md.
//
// These are the wire shapes clients may rely on, taken from the zod views the HTTP API answers with
// (inbox-views.schema.ts). The modules' views (ConversationView, MessageView, ...) are these types (narrowed where a
// module knows more), so server and clients cannot drift apart.

/** The handshake's `auth`. */
export interface InboxHandshake {
  /** An access token from `POST /api/auth/login`. */
  token: string;
}

/** A conversation as the list and the thread show it (the same as the HTTP API's). */
export type InboxConversation = z.output<typeof inboxConversationView>;

/** The whole message when a message's `body` is a display form: an email's subject, full text and sanitized HTML. */
export type InboxMessageContent = z.output<typeof inboxMessageContentView>;

/** A message as the thread shows it (the same as the HTTP API's). */
export type InboxMessage = z.output<typeof inboxMessageView>;
/** A product card as a message shows it: the catalog product as sent, and when the customer first opened it. */
export type InboxProductCard = z.output<typeof inboxProductCardView>;

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

export type InboxTransfer = z.output<typeof inboxTransferView>;

/** A report to a LINE group, as the side panel shows it. */
export type InboxReport = z.output<typeof inboxReportView>;

/** A member's live panel figure: today (in the team's time zone) and the window sales are credited in. */
export type InboxSalesFigure = z.output<typeof inboxSalesFigureView>;

/** One thing a shopper did on the shop's site. */
export type InboxShopperEvent = z.output<typeof inboxShopperEventView>;

/** A colleague switched the member online, on a break or offline: the new status, the reason given, and who. */
export interface InboxPresenceSet {
  status: 'online' | 'break' | 'offline';
  reason: string;
  by: { id: string; name: string };
  at: string;
}

/** News for supervisors and administrators, on every device of each. */
export type InboxNotification =
  | { type: 'contact_blocked' | 'contact_unblocked'; contactId: string; name: string; by: string }
  | { type: 'merge_proposed'; proposalId: string; contactId: string; otherContactId: string }
  /** Administrators only: the bot left a group that reports were mapped to. */
  | { type: 'report_target_gone'; channelId: string; groupId: string; name: string | null; purposes: string[] };

/**
 * To supervisors and administrators: something the floor view shows changed that no team event tells (an offer made
 * or ended, a sale credited or reversed). A cue to read `GET /api/queue` and the figures again, not a figure itself.
 */
export interface InboxFloorChanged {
  cause: 'offer' | 'sale';
  conversationId: string;
}

/** What the hub tells one member, kept for their bell (read or not, after a reload): supervisors' news and their own. */
export type InboxMemberNotice =
  | InboxNotification
  /** The hub put the member on a break: they let `ignored` offers in a row ring out. */
  | { type: 'break_after_ignored_offers'; reason: string }
  /** Nobody took a chat the member transferred: it stayed theirs. */
  | { type: 'transfer_expired'; transferId: string; conversationId: string }
  | { type: 'draft_approved' | 'draft_rejected'; messageId: string; conversationId: string; feedback: string | null }
  | { type: 'sale_credited'; saleId: string; orderId: string; amount: number; currency: string; conversationId: string }
  /** A ticket of the member's (or of their group's) comes due at `dueAt`. */
  | { type: 'ticket_reminder'; ticketId: string; number: number; dueAt: string }
  /** The customer answered a ticket of the member's (or of their group's) that waited on them. */
  | { type: 'ticket_reply'; ticketId: string; number: number; messageId: string; conversationId: string };

/** A notification as the bell keeps it. */
export type InboxStoredNotification = z.output<typeof inboxStoredNotificationView>;

/** Server to client on `/inbox`. */
export interface InboxServerEvents {
  'message.created': (message: InboxMessage) => void;
  'message.updated': (message: InboxMessage) => void;
  'conversation.updated': (conversation: InboxConversation) => void;
  /** The customer's draft as they type (web chat). */
  typing: (event: { conversationId: string; draft: string }) => void;
  'presence.updated': (event: { memberId: string; status: 'online' | 'break' | 'offline'; reason?: string }) => void;
  /** A supervisor or administrator switched this member's status: every device of theirs hears who and why. */
  'presence.set': (event: InboxPresenceSet) => void;
  /** This device's session was retired: the socket is disconnected right after. */
  signed_out: (event: { code: 'session_revoked' | 'password_changed' | 'member_deactivated' }) => void;
  notification: (notification: InboxNotification) => void;
  /** A notification was kept for this member's bell. */
  'notification.added': (notification: InboxStoredNotification) => void;
  offer: (offer: InboxOffer) => void;
  'offer.withdrawn': (event: { offerId: string; conversationId: string; reason: 'taken' | 'expired' | 'cancelled' }) => void;
  'transfer.updated': (transfer: InboxTransfer) => void;
  'report.updated': (report: InboxReport) => void;
  'sale.created': (sale: { id: string; orderId: string; amount: number; currency: string; conversationId: string; occurredAt: string }) => void;
  'sale.reversed': (sale: { id: string; orderId: string; status: 'refunded' | 'cancelled'; conversationId: string }) => void;
  'sales.figure': (figure: InboxSalesFigure) => void;
  'shopper.activity': (event: { conversationId: string; event: InboxShopperEvent }) => void;
  'consent.changed': (event: { contactId: string; channel: 'sms' | 'whatsapp' | 'email' | 'line'; state: 'none' | 'pending' | 'opted_in' | 'opted_out' }) => void;
  'floor.changed': (event: InboxFloorChanged) => void;
  /** The visitor accepted the member's call: the member's device that holds it sends the offer. */
  'call.accepted': (event: { callId: string; conversationId: string }) => void;
  /** The visitor's browser's answer or ICE candidate. */
  'call.signal': (event: { callId: string; signal: CallSignal }) => void;
  /** The visitor's connection dropped: the caller restarts ICE (it may have seen it already). */
  'call.restart': (event: { callId: string }) => void;
  /** A call of the member's is over (declined, hung up by the visitor, or ended on another device). */
  'call.ended': (event: CallEnded) => void;
  /** A ticket of the team was made or changed (status, assignment, due time, a comment, a reply joined). */
  'ticket.updated': (ticket: InboxTicket) => void;
}

/** What each frame's acknowledgement carries. */
export interface InboxAcks {
  typing: Answer;
  /** The call, ringing in the visitor's widget, and the ICE servers with credentials made for this member. */
  'call.invite': Answer<{ callId: string } & CallIce>;
  'call.signal': Answer;
  /** The call's end as written to the thread (a call already over answers how it ended). */
  'call.end': Answer<{ call: CallEnded }>;
  'call.ice': Answer<CallIce>;
}

/** Client to server on `/inbox`: each frame is its schema's input, answered through the acknowledgement. */
export type InboxClientEvents = { [E in keyof typeof inboxFrames]: Frame<z.input<(typeof inboxFrames)[E]>, InboxAcks[E]> };

/** `/inbox`'s events as data, one line each on when they are sent (the protocol document is checked against it). */
export const inboxCatalog: NamespaceCatalog<InboxClientEvents, InboxServerEvents> = {
  namespace: '/inbox',
  clientToServer: {
    typing: 'The agent types in a conversation.',
    'call.invite': 'The agent starts a video call in a web chat they hold.',
    'call.signal': 'The agent’s browser’s offer (again for an ICE restart) or ICE candidate for the visitor.',
    'call.end': 'The agent hangs up, stops the call ringing, or gives up on a lost connection.',
    'call.ice': 'The agent’s browser asks for fresh ICE servers before an ICE restart.',
  },
  serverToClient: {
    'message.created': 'A message was written in a conversation of the team (a customer’s message a provider redelivered is told again, under its one id).',
    'message.updated': 'A message of the team changed (delivery status, review, unsend).',
    'conversation.updated': 'A conversation of the team changed.',
    typing: 'A web chat customer is typing.',
    'presence.updated': 'A member of the team went online, on a break or offline.',
    'presence.set': 'A supervisor or administrator switched the member’s status.',
    signed_out: 'This device’s session was retired.',
    notification: 'News for supervisors or administrators.',
    'notification.added': 'A notification was kept for the member’s bell.',
    offer: 'A chat is offered to the member.',
    'offer.withdrawn': 'An offer to the member ended without them.',
    'transfer.updated': 'A transfer the member made was accepted, expired or cancelled.',
    'report.updated': 'A report to a LINE group was written, sent, failed or retried.',
    'sale.created': 'A purchase was credited to the member.',
    'sale.reversed': 'A sale credited to the member was refunded or cancelled.',
    'sales.figure': 'The member’s panel figure changed.',
    'shopper.activity': 'A shopper in a live conversation of the team did something on the shop’s site.',
    'consent.changed': 'A contact’s consent for a kind of channel changed.',
    'floor.changed': 'An offer was made or ended, or a sale credited or reversed (supervisors and administrators).',
    'call.accepted': 'The visitor accepted the member’s video call.',
    'call.signal': 'The visitor’s browser’s answer or ICE candidate.',
    'call.restart': 'The visitor’s browser lost the call’s connection.',
    'call.ended': 'A video call of the member’s ended or failed.',
    'ticket.updated': 'A ticket of the team was made or changed.',
  },
};
