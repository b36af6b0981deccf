import type { z } from 'zod';
import type { Answer, Frame, NamespaceCatalog } from './socket.events.js';
import type { CallEnded, CallIce, CallSignal } from './call.events.js';
import type { widgetFrames, widgetHandshake } from './widget.schema.js';

// The `/widget` namespace: a shop visitor's browser and the hub. The visitor is the socket's scope (one room per
// channel and visitor id, all their tabs), so no frame names an id. Described for people in docs/socket-protocols.md.

/** The handshake's `auth`, read again on every reconnection. */
export type WidgetHandshake = z.input<typeof widgetHandshake>;

/** A message as a web chat visitor sees it (theirs `in`, the team's `out`). */
export interface WidgetMessage {
  id: string;
  /** The conversation's sequence (a decimal string, 64-bit): the widget resyncs after the highest it holds. */
  seq: string;
  direction: 'in' | 'out';
  body: string;
  /** Its agent took it back (within two minutes): `body` is empty and the widget shows it as withdrawn. */
  withdrawn?: boolean;
  /** Who wrote it; `name` is the agent's display name, null for the visitor's own messages. */
  author: { type: 'contact' | 'member' | 'bot' | 'system'; name: string | null };
  createdAt: string;
  /** Its files, by signed links that expire (the widget shows images, video and audio, and links the rest). */
  attachments?: WidgetAttachment[];
  /** Product cards the agent sent from the shop's catalog, after the text. */
  products?: WidgetProductCard[];
}

/** A product card as the widget draws it: photo, name, variant, price and a button to the product's page. */
export interface WidgetProductCard {
  name: string;
  variant: string | null;
  /** The price written out (`￥3,999 (was ￥4,999)`), or null. */
  priceText: string | null;
  imageUrl: string | null;
  /** The card's link: the hub's tracked address, which leads on to the product page. */
  link: string;
  /** The button's words, in the shop's language. */
  label: string;
}

/** A file in the chat, as the widget shows it. */
export interface WidgetAttachment {
  url: string;
  /** A small JPEG of an image or video, when the hub made one. */
  thumbnailUrl: string | null;
  name: string;
  contentType: string;
  kind: 'image' | 'video' | 'audio' | 'document';
}

/** The greeting on every connection: who the visitor is, the channel's texts, and what they missed. */
export interface WidgetSession {
  /** The visitor id the browser keeps (a fresh one when it sent none or one of the wrong form). */
  visitorId: string;
  /** The visitor's open conversation, or null before their first message. */
  conversationId: string | null;
  greeting: string | null;
  /** What the visitor agrees to before their first message; null: the widget's own default text. */
  consentText: string | null;
  /** The version of the data notice (its text's digest) that `consent` agrees to. */
  consentVersion: string;
  /** Messages are refused (`data_notice_required`) until the visitor has agreed to this version (`consent`). */
  consentRequired: boolean;
  /** Quick replies shown before the first message; the chosen one is sent as the message (read by older widgets). */
  preChat: { question: string; options: string[] } | null;
  /** The intake asked before the first message (`preChat` as a one-step intake); answered with `intake`. */
  intake: WidgetIntake | null;
  /** The team's state as the widget opens: the message form is offered at once unless it is `open`. */
  state: { status: 'open' | 'closed' | 'unavailable'; opensAt: string | null; timeZone: string };
  /** The channel's look; `hidden`: this page is not one the widget shows on (its URL patterns). */
  appearance: { color: string | null; position: 'right' | 'left'; launcherText: string | null; hidden: boolean };
  /** The open conversation's messages after `afterSeq` (all of them without it). */
  messages: WidgetMessage[];
}

/** An intake step as the widget asks it (the channel's settings, minus the groups it routes to). */
export type WidgetIntakeStep =
  | { key: string; kind: 'buttons'; question: string; options: Array<{ label: string; next?: string }> }
  | { key: string; kind: 'text'; question: string; placeholder?: string; next?: string };

export interface WidgetIntake {
  steps: WidgetIntakeStep[];
}

/** Nobody was offered the chat: the team is closed, nobody is online, or everybody is busy. */
export interface WidgetWaiting {
  conversationId: string;
  reason: 'closed' | 'unavailable' | 'busy';
  /** When the team opens next (ISO 8601), when it is closed and has hours. */
  opensAt: string | null;
  /** Offer the message form (closed or nobody online). */
  form: boolean;
}

/** A code went (or could not go) to an address the visitor gave: they prove it is theirs with `prove`. */
export interface VisitorProof {
  kind: 'email' | 'phone';
  /** false: no channel could carry it, or the address had enough codes for now (`retryAfterSeconds`). */
  sent: boolean;
  retryAfterSeconds?: number;
}

/** Server to client on `/widget`. */
export interface WidgetServerEvents {
  session: (session: WidgetSession) => void;
  message: (message: WidgetMessage) => void;
  /** An agent withdrew one of their messages: the widget shows it as withdrawn, its text gone. */
  withdrawn: (event: { id: string }) => void;
  /** An agent is typing (no payload: the widget shows "typing" for a few seconds). */
  typing: (event: Record<string, never>) => void;
  waiting: (event: WidgetWaiting) => void;
  /** Every offer of the chat expired unanswered. */
  missed: (event: { conversationId: string; form: true }) => void;
  /** The visitor's first unanswered message has waited longer than the team's slow-reply time. */
  slow_reply: (event: { conversationId: string; waitedSeconds: number; form: true }) => void;
  /** An agent calls: the widget rings with accept and decline. */
  'call.invite': (event: { callId: string; conversationId: string; agentName: string | null }) => void;
  /** A tab of the visitor's accepted the call: the others stop ringing. */
  'call.accepted': (event: { callId: string }) => void;
  /** The agent's browser's offer (again for an ICE restart) or ICE candidate. */
  'call.signal': (event: { callId: string; signal: CallSignal }) => void;
  /** The call is over: the agent hung up, gave up on the connection, or it rang out. */
  'call.ended': (event: CallEnded) => void;
}

/** What each frame's acknowledgement carries. */
export interface WidgetAcks {
  track: Answer;
  /** `duplicate`: a resend of a `clientId` already stored (nothing new was written). */
  message: Answer<{ conversationId: string | null; id: string | null; duplicate: boolean }>;
  identify: Answer<{ proof?: VisitorProof }>;
  /** `proof_failed` carries `{attemptsLeft}`. */
  prove: Answer<{ kind: 'email' | 'phone' }>;
  /** `channel`: the answer comes by email (the team has an email channel) or in the chat. */
  leave_message: Answer<{ conversationId: string; channel: 'email' | 'sms' | 'webchat'; proof: VisitorProof | null }>;
  consent: Answer;
  /** The answers stored on the conversation, whose first message they are (`id`). */
  intake: Answer<{ conversationId: string | null; id: string | null }>;
  /** `address_unproven` carries `{proof}` when this request sent the code (absent while an earlier code is live). */
  transcript: Answer<{ email: string }>;
  rating: Answer<{ conversationId: string }>;
  page: Answer;
  typing: Answer;
  /** The ICE servers with credentials made for this visitor. */
  'call.accept': Answer<CallIce>;
  'call.decline': Answer;
  'call.signal': Answer;
  'call.end': Answer<{ call: CallEnded }>;
  'call.restart': Answer;
}

type WidgetFrameName = keyof typeof widgetFrames;

/** Client to server on `/widget`: each frame is its schema's input, answered through the acknowledgement. */
export type WidgetClientEvents = { [E in WidgetFrameName]: Frame<z.input<(typeof widgetFrames)[E]>, WidgetAcks[E]> };

/** `/widget`'s events as data, one line each on when they are sent (the protocol document is checked against it). */
export const widgetCatalog: NamespaceCatalog<WidgetClientEvents, WidgetServerEvents> = {
  namespace: '/widget',
  clientToServer: {
    track: 'A shopper event the page reports with Tsunagi("track", ...).',
    message: 'The visitor sends a message.',
    identify: 'The pre-chat form or Tsunagi("set", ...): a name, an email, a phone.',
    prove: 'The code sent to an address the visitor gave.',
    leave_message: 'The message form, when nobody can answer.',
    consent: 'The visitor agreed to the data notice (recorded as evidence).',
    intake: 'The visitor finished the intake: its answers open the chat.',
    transcript: 'The visitor asks for the chat by email.',
    rating: 'The rating form at the end of a chat.',
    page: 'The visitor moved to another page of a single-page shop.',
    typing: 'The visitor’s draft as they type (throttled by the widget).',
    'call.accept': 'The visitor accepts the agent’s video call.',
    'call.decline': 'The visitor declines the agent’s video call.',
    'call.signal': 'The visitor’s browser’s answer or ICE candidate for the agent.',
    'call.end': 'The visitor hangs up.',
    'call.restart': 'The visitor’s browser lost the call’s connection and asks the agent’s to restart ICE.',
  },
  serverToClient: {
    session: 'Right after every accepted handshake.',
    message: 'A message from the team reaches the visitor.',
    withdrawn: 'An agent withdrew one of their messages within two minutes.',
    typing: 'An agent is typing in the visitor’s conversation.',
    waiting: 'Nobody was offered the chat.',
    missed: 'Every offer of the chat expired unanswered.',
    slow_reply: 'The visitor has waited too long for an answer.',
    'call.invite': 'An agent calls the visitor.',
    'call.accepted': 'One of the visitor’s tabs accepted the call.',
    'call.signal': 'The agent’s browser’s offer or ICE candidate.',
    'call.ended': 'The call ended or failed.',
  },
};
