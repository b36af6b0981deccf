import type { ZodType } from 'zod';
import type { ChannelType, IdentityKind } from '../common/channel-types.js';
import type { ChannelCheck } from './channel-check.js';
import type { DeliveryFailure, ErrorCode } from '../common/errors/error-codes.js';
import type { FileKind } from '../common/files/index.js';
import type { InboxProductCard } from '../common/realtime/events/index.js';

export type { ChannelType };

/**
 * The vendors a channel can run through; each has one adapter in its own folder. The names are the ones the
 * public API takes in `POST /api/channels` (`whatsapp-cloud`, `whatsapp-web`), so they are stored as given.
 */
export const CHANNEL_PROVIDERS = ['webchat', 'twilio', 'line', 'whatsapp-cloud', 'whatsapp-web', 'sendgrid'] as const;
export type ChannelProvider = (typeof CHANNEL_PROVIDERS)[number];

export function isChannelProvider(value: string): value is ChannelProvider {
  return (CHANNEL_PROVIDERS as readonly string[]).includes(value);
}

/** Settings or credentials as the row holds them, before an adapter's schema has read them. */
export type StoredConfig = Readonly<Record<string, unknown>>;

/**
 * A channel account with its credentials opened. `Settings` and `Secrets` are what the adapter's schemas read
 * from the row; without them (outside the adapters) they are the stored, unread records.
 */
export interface ChannelAccount<Settings = StoredConfig, Secrets = StoredConfig> {
  id: string;
  teamId: string;
  type: ChannelType;
  provider: ChannelProvider;
  name: string;
  active: boolean;
  settings: Settings;
  secrets: Secrets;
}

/** How a customer is addressed on a channel; normalized by the adapter before it reaches the hub. */
export interface ChannelAddress {
  /** `line_group`: a LINE group or room, where the bot answers everyone at once. */
  kind: IdentityKind;
  address: string;
  name?: string;
}

export interface Attachment {
  /** Where the agent's browser can load it; absent while the hub still has to fetch it from the provider. */
  url?: string;
  /** The provider's id of content that must be fetched with the channel's credentials (LINE message content). */
  providerContentId?: string;
  contentType?: string;
  name?: string;
  size?: number;
  /** Stickers and locations: what the attachment shows, for channels that send structured content. */
  meta?: Record<string, unknown>;
  /**
   * Content the hub will not fetch (`url_not_allowed`, `download_too_large`): the message is kept, the attachment
   * says why it has nothing to show.
   */
  failed?: { code: string; reason: string };
  /**
   * Content that came inside the webhook itself (an email's files): the hub stores it through the storage port
   * before the message is written and keeps only `url` and `size` on the row. On an outbound message: the file's
   * bytes, for a channel that uploads them (WhatsApp Cloud media, SendGrid attachments).
   */
  data?: Buffer;
  /** What the file is, as channels tell files apart (the hub's own uploads and the widget's). */
  kind?: FileKind;
  /**
   * A small JPEG of an image or video. On the row: where the inbox loads it; on an outbound message: a signed link
   * the provider can fetch (LINE's `previewImageUrl`).
   */
  thumbnailUrl?: string;
  /** An audio file's length (LINE's audio message states it). */
  durationMs?: number;
}

/**
 * How a channel carries files, by kind: `native` as the provider's own media message, `link` as a signed link in the
 * text (LINE bots cannot send a PDF). A kind not listed is refused before the reply is written
 * (`attachment_kind_unsupported`), and so is a file above `maxBytes` (`attachment_too_large`).
 */
export interface ChannelFiles {
  kinds: Partial<Record<FileKind, 'native' | 'link'>>;
  /** The largest file the provider takes (of the kinds it carries natively; a link has no size limit). */
  maxBytes: number;
  /** Files one message may carry; more are refused. */
  maxPerMessage: number;
}

/**
 * The whole of a message whose `body` is a form for display: an email's subject, its full text (quoted history and
 * signature included) and its HTML, sanitized, with remote images held back until an agent asks for them.
 */
export interface MessageContent {
  subject?: string;
  text?: string;
  html?: string;
  /** Remote images held back in `html` (each `<img>` keeps its address in `data-remote-src`). */
  remoteImages?: number;
  /** The provider's own id of the message as the sender wrote it (an email's Message-ID). */
  messageId?: string;
}

/** What an inbound message says it answers: the hub joins that conversation when it belongs to the same channel. */
export interface ThreadReference {
  /** A conversation named by a token we handed out (an email's plus-addressed Reply-To). */
  conversationId?: string;
  /** Our own messages it cites (the Message-IDs we put on outgoing mail). */
  messageIds: string[];
  /** Provider ids of earlier messages it cites (a customer's own earlier Message-IDs). */
  providerMessageIds: string[];
}

/**
 * What a provider told us, normalized. `eventKey` is the provider's own id of the event: the hub takes each key
 * once per channel, so a redelivered webhook changes nothing.
 */
/** A web chat visitor's walk through the channel's intake: each step's answer, and the group it sends the chat to. */
export interface IntakeResult {
  answers: Array<{ key: string; question: string; answer: string }>;
  groupId: string | null;
}

export type InboundEvent =
  | {
      type: 'message';
      eventKey: string;
      providerMessageId: string;
      from: ChannelAddress;
      /** Set when the message was written in a group: the conversation is the group's, `from` its writer. */
      thread?: ChannelAddress;
      /** `event`: something the customer did that reads like a message (a LINE postback). */
      kind?: 'text' | 'media' | 'event';
      body: string;
      attachments: Attachment[];
      occurredAt: Date;
      /**
       * The provider vouched that `from` wrote it (an email whose DKIM or SPF pass is aligned with its From domain).
       * SMS, WhatsApp and LINE authenticate every sender and leave it unset; what it decides is whether a consent
       * keyword in an email counts.
       */
      senderAuthenticated?: boolean;
      /** The provider judged this message a consent keyword itself (Twilio Advanced Opt-Out) and answered it. */
      providerVerdict?: boolean;
      /**
       * A tap on a button or list row of our own interactive message (WhatsApp): its words are ours, so a row
       * titled "Cancel" is a choice, never read as a consent keyword. (A template's quick-reply button is not
       * this: "Stop promotions" and "Unsubscribe" there are the customer's way to opt out.)
       */
      choice?: boolean;
      /** A token that lets the next reply go out free and at once (LINE), valid until `replyTokenExpiresAt`. */
      replyToken?: string;
      quoteToken?: string;
      /** Set when `body` is a display form of something longer (an email). */
      content?: MessageContent;
      /** The earlier messages this one answers, for channels whose replies cite them (email). */
      inReplyTo?: ThreadReference;
      /** The web chat's intake answers this message carries: stored on the conversation it opens or joins. */
      intake?: IntakeResult;
    }
  | {
      type: 'status';
      providerMessageId: string;
      status: 'sent' | 'delivered' | 'read' | 'failed';
      /** The provider's error code (Twilio 30007, 63016...), as the provider wrote it. */
      errorCode?: string;
      /** With `failed`: the hub's stable code for it, the provider's terms and an English sentence. */
      failure?: DeliveryFailure;
      occurredAt: Date;
    }
  | {
      /**
       * The customer followed or blocked the account (LINE), opted out or in by keyword (STOP, START) or by the
       * provider's unsubscribe link or spam button (SendGrid), or their address bounced.
       */
      type: 'contact';
      eventKey: string;
      from: ChannelAddress;
      kind: 'follow' | 'unfollow' | 'opt_out' | 'opt_in' | 'bounced';
      detail: Record<string, unknown>;
      occurredAt: Date;
    }
  | {
      /** The bot was added to or removed from a group, or people joined or left one it is in. */
      type: 'group';
      eventKey: string;
      group: ChannelAddress;
      kind: 'joined' | 'left' | 'member_joined' | 'member_left';
      members: ChannelAddress[];
      occurredAt: Date;
    }
  | {
      /** The customer took a message back: its content must no longer be shown. */
      type: 'unsend';
      eventKey: string;
      providerMessageId: string;
      occurredAt: Date;
    };

/** How long a provider's reply token stays usable after its webhook, with a margin (LINE: about a minute). */
export const REPLY_TOKEN_TTL_MS = 50_000;

/**
 * A catalog product as a message carries it (a product card), copied from the catalog when the agent sent it: a
 * later sync that changes the price does not change what the customer was shown. Prices in the currency's minor unit;
 * `url` is the shop's page of the product.
 */
export type ProductCard = Omit<InboxProductCard, 'openedAt'>;

/** A product card on its way out: the link the customer opens (tracked, `/p/<token>`) and its price as text. */
export interface OutboundProductCard extends ProductCard {
  link: string;
  /** `￥4,999`, or `￥3,999 (was ￥4,999)` on sale; null for a product without a price. */
  priceText: string | null;
}

/** A message of ours to hand to a provider. */
export interface OutboundMessage {
  messageId: string;
  conversationId: string;
  to: ChannelAddress;
  body: string;
  attachments: Attachment[];
  author: { type: 'member' | 'bot' | 'system'; id: string | null; name: string | null };
  createdAt: Date;
  seq: string;
  /** A fresh reply token the outbox took for this message (once); the adapter falls back to push without it. */
  replyToken?: string;
  /** An approved template to send instead of free text (WhatsApp outside the 24-hour window). */
  template?: OutboundTemplate;
  /**
   * Product cards, after `body` (which may be empty): each channel shows them its own way (the widget's cards, a LINE
   * carousel, WhatsApp's interactive messages, an email's HTML); `productCardsAsText` is the form for plain text.
   */
  products?: OutboundProductCard[];
  /** The subject of a message that starts its own thread (an email transcript); a reply takes its thread's. */
  subject?: string;
  /** The conversation's latest earlier messages, oldest first, for adapters that ask for them (`threadDepth`). */
  earlier?: EarlierMessage[];
  /** A provider's token of an earlier message this one quotes (a LINE quote reply); the first part carries it. */
  quoteToken?: string;
  /**
   * The idempotency key of the first provider call (LINE X-Line-Retry-Key, a UUID); later calls of a split message
   * derive theirs from it. Absent: derived from `messageId`.
   */
  retryKey?: string;
  /**
   * A message the provider takes in several calls (WhatsApp's product cards, a message each): how many calls earlier
   * attempts already made, which this one skips, so a retry after a failed later part never sends an earlier one
   * again. The sender calls `partSent` after each call but the last, and waits for it before making the next.
   */
  partsSent?: number;
  partSent?(count: number): Promise<void>;
}

/** A message that came before an outbound one in its conversation, for threading headers and subjects. */
export interface EarlierMessage {
  messageId: string;
  direction: 'in' | 'out';
  providerMessageId: string | null;
  content: MessageContent | null;
}

/** What an agent picks to send a template: one of the channel's templates, and a value for each of its variables. */
export interface TemplateChoice {
  name: string;
  variables: Record<string, string>;
}

/** One of a channel's approved templates, as the composer lists it: `text` has `{{1}}`... where values go. */
export interface ChannelTemplate {
  name: string;
  language: string;
  variables: string[];
  text: string | null;
}

/** A template ready for the provider: its name and language as approved, and the parameters in order. */
export interface OutboundTemplate {
  name: string;
  language: string;
  parameters: string[];
}

export type SendResult =
  /** `providerRequestId`: the provider's id of the accepted request (LINE x-line-request-id), for its support. */
  | { ok: true; providerMessageId: string; quoteToken?: string; providerRequestId?: string }
  /**
   * retry: a transient failure (429, 5xx, timeout) that backoff may overcome; otherwise permanent.
   * `retryAfterMs`: the provider said how long to wait (a per-recipient rate limit), at least that is waited.
   */
  | { ok: false; retry: boolean; code: ErrorCode; reason: string; details?: Record<string, string | number>; retryAfterMs?: number };

export interface ChannelCapabilities {
  files: ChannelFiles;
  templates: boolean;
  typing: boolean;
  readReceipts: boolean;
  replyTokens: boolean;
  groups: boolean;
  /** Longest text one message may carry, in characters. */
  maxTextLength: number;
  /** Hours after the customer's last message during which free text may be sent; null: no window. */
  replyWindowHours: number | null;
  /** Message objects one API call may carry (LINE: 5); longer replies are split. */
  maxMessagesPerCall: number;
  /** Sends per second one account may make, unless its config says otherwise (`sendsPerSecond`). */
  sendsPerSecond: number;
}

/**
 * What the hub tells a customer about their conversation besides its messages, on channels that can show it (the
 * widget's banners and typing indicator). `form`: offer the customer to leave a message instead of waiting.
 */
export type CustomerNotice =
  /** Nobody was offered the conversation: the team is closed, nobody is online, or everyone online is busy. */
  | { type: 'waiting'; conversationId: string; reason: 'closed' | 'unavailable' | 'busy'; opensAt: Date | null; form: boolean }
  /** Every offer of the conversation expired unanswered: the customer may leave a message. */
  | { type: 'missed'; conversationId: string }
  /** The customer's first unanswered message has waited longer than the team's slow-reply time. */
  | { type: 'slow_reply'; conversationId: string; waitedSeconds: number }
  /** An agent is typing in the conversation. */
  | { type: 'typing'; conversationId: string };

/** A provider's webhook call, with the raw body kept for signature checks. */
export interface WebhookRequest {
  /** The route's last segment: '' for the main webhook, 'status', 'events', 'inbound'... */
  hook: string;
  /** The full URL the provider called, as PUBLIC_URL + path + query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
  body: unknown;
}

/**
 * The one shape every channel fills. Adding a channel means a folder with its adapter, verifier, normalizer,
 * sender and payload schema, and one line in the registry (docs/adding-a-channel.md; the contract in docs/architecture.md).
 *
 * `Settings` and `Secrets` are what `settingsSchema` and `secretsSchema` read from the stored row: every method
 * receives a `ChannelAccount<Settings, Secrets>`, read once by the registry (`registerAdapter`) before the call.
 */
export interface ChannelAdapter<Settings, Secrets> {
  readonly provider: ChannelProvider;
  readonly types: readonly ChannelType[];
  readonly capabilities: ChannelCapabilities;
  /** Where one adapter serves several channel types that differ (Twilio: WhatsApp has a reply window, SMS none). */
  readonly capabilitiesByType?: Partial<Record<ChannelType, Partial<ChannelCapabilities>>>;
  /**
   * The provider's official origins for each config field that names where the SDK sends (`apiBaseUrl`, LINE's
   * `dataApiBaseUrl`): a saved URL must be one of them (a host label may be `*`) or an origin the operator
   * allowed (HUB_ALLOWED_API_ORIGINS). A channel without it may name only operator-allowed origins.
   */
  readonly apiOrigins?: Readonly<Record<string, readonly string[]>>;
  /** Validates the `config` of `POST /api/channels`; `apiBaseUrl` is accepted by every channel. */
  readonly configSchema: ZodType<Record<string, unknown>>;
  /** Keys of the config that are credentials: sealed at rest and never returned. */
  readonly secretKeys: readonly string[];
  /** Reads the stored, non-secret part of the config (what `configSchema` accepted, without the secrets). */
  readonly settingsSchema: ZodType<Settings>;
  /**
   * Reads the opened credentials. Each may be absent: credentials that do not open (sealed for another channel,
   * another key) read as none, and the provider's call then fails the way a wrong credential does.
   */
  readonly secretsSchema: ZodType<Secrets>;
  /**
   * Where the provider calls us: `/webhooks/<route>/<channelId>[/<hook>]`, one hook per purpose ('' is the main
   * one). null for a channel without webhooks (web chat speaks over its own socket).
   */
  readonly webhook: { route: string; hooks: Readonly<Record<string, string>> } | null;
  /** How many of a conversation's earlier messages `send` wants in `earlier` (email threads replies on them). */
  readonly threadDepth?: number;
  /** Checks the provider's signature over the raw body; throws a DomainError (401/403) when it fails. */
  verify(channel: ChannelAccount<Settings, Secrets>, request: WebhookRequest): Promise<void>;
  /**
   * Checks what the URL and headers alone prove (a channel token in the query), before a byte of the body is
   * read: a route that takes large bodies (Inbound Parse, 30 MB) must not buffer them for whoever knows its id.
   */
  verifyBeforeBody?(channel: ChannelAccount<Settings, Secrets>, request: Omit<WebhookRequest, 'rawBody' | 'body'>): void;
  /** Provider payload -> normalized events; throws a DomainError (400) for a payload it cannot read. */
  parse(channel: ChannelAccount<Settings, Secrets>, request: WebhookRequest): Promise<InboundEvent[]>;
  /** Our message -> the provider, through its official SDK. */
  send(channel: ChannelAccount<Settings, Secrets>, message: OutboundMessage): Promise<SendResult>;
  /**
   * Asks the provider whether the channel's stored credentials work (an administrator's "check"): a cheap read of
   * the account through the same SDK and base URL that sends, never a message. Answers what is wrong, never throws
   * for the provider's refusal.
   */
  check(channel: ChannelAccount<Settings, Secrets>): Promise<ChannelCheck>;
  /**
   * Takes back a message of ours the customer was shown (an agent withdrew it within two minutes): the web chat
   * widget removes it. Absent where the provider has no way: a LINE bot cannot unsend (only the user's own app can),
   * an SMS or an email once sent is the customer's; the hub then refuses before trying (`withdraw_unsupported`).
   */
  withdraw?(channel: ChannelAccount<Settings, Secrets>, message: { to: ChannelAddress; messageId: string; providerMessageId: string | null }): Promise<void>;
  /** The body a verified webhook answers with (Twilio wants TwiML). */
  webhookResponse?(request: WebhookRequest): { contentType: string; body: string };
  /**
   * What one message costs of the account's rate limit, in sends (an SMS of three segments costs three);
   * 1 when absent.
   */
  sendCost?(channel: ChannelAccount<Settings, Secrets>, message: OutboundMessage): number;
  /**
   * Channel-specific reasons to refuse a reply before it is queued (a closed WhatsApp window). `template`: the
   * reply is an approved template, which the window does not restrict.
   */
  canSend?(
    channel: Pick<ChannelAccount<Settings, Secrets>, 'type'>,
    message: { to: ChannelAddress; lastCustomerMessageAt: Date | null; now: Date; template?: boolean; files?: readonly FileKind[] },
  ): { ok: true } | { ok: false; code: ErrorCode; reason: string };
  /**
   * A template an agent chose, checked against the channel's settings: the template to send and the text the
   * conversation shows for it. Throws a DomainError (400) for an unknown template or a missing variable.
   */
  resolveTemplate?(channel: ChannelAccount<Settings, Secrets>, choice: TemplateChoice): { template: OutboundTemplate; preview: string };
  /** The approved templates an agent may pick from on this channel (WhatsApp), as the composer lists them. */
  templates?(channel: ChannelAccount<Settings, Secrets>): ChannelTemplate[];
  /** Answers a provider's GET check of the webhook (Meta's `hub.challenge`); throws a DomainError when refused. */
  handshake?(channel: ChannelAccount<Settings, Secrets>, request: WebhookRequest): string;
  /**
   * For channels that hold a live connection (a WhatsApp Web session): called at start for every channel of the
   * provider, and whenever one is created, changed or switched on; `deactivate` when it is deleted or switched off.
   */
  activate?(channel: ChannelAccount<Settings, Secrets>): Promise<void>;
  deactivate?(channelId: string): Promise<void>;
  /** A channel paired by scanning a QR code (WhatsApp Web): its state, and the code while it waits for a scan. */
  pairing?(channel: ChannelAccount<Settings, Secrets>): Promise<ChannelPairing>;
  /** Fetches content the provider holds (LINE images and files) with the channel's credentials. */
  fetchContent?(channel: ChannelAccount<Settings, Secrets>, providerContentId: string): Promise<{ data: Buffer; contentType: string }>;
  /**
   * The name the provider shows for an address: a customer's profile name, a group's name (LINE), or null when it
   * has none or it cannot be had. The hub asks once, for a contact it has just made.
   */
  displayName?(channel: ChannelAccount<Settings, Secrets>, address: ChannelAddress): Promise<string | null>;
  /**
   * Whether the provider itself already answered this consent keyword to the customer (Twilio's default opt-out
   * handling): the hub then sends no confirmation of its own, so the customer gets one, not two.
   */
  answersConsentKeyword?(channel: Pick<ChannelAccount<Settings, Secrets>, 'type'>, event: { providerVerdict?: boolean }, keyword: string): boolean;
  /**
   * What the provider calls a group the bot has joined, as the channel's group list shows it (LINE: a `group`, or a
   * `room`); `group` when absent.
   */
  groupKind?(groupId: string): string;
  /**
   * Shows the customer at `to` a notice about their conversation, outside its messages (the widget's banners and
   * typing indicator). Optional: a channel without it shows none, and the hub tells its customers only what it
   * writes to them as messages (the away reply).
   */
  notify?(channel: ChannelAccount<Settings, Secrets>, to: ChannelAddress, notice: CustomerNotice): Promise<void>;
}

/** A live session's state as the administrator sees it, with the QR code to scan while it is `pairing`. */
export interface ChannelPairing {
  state: 'starting' | 'pairing' | 'ready' | 'disconnected';
  /** The QR code's text, for a client that draws it itself. */
  qr: string | null;
  /** The same QR code as a PNG `data:` URL, to show as it is. */
  qrDataUrl: string | null;
  /** Why it is disconnected (WhatsApp's reason, LOGOUT), when it is. */
  detail: string | null;
  updatedAt: string | null;
}

/** What a channel of this type can do: the adapter's capabilities, refined for the type. */
export function capabilitiesOf(adapter: Pick<RegisteredAdapter, 'capabilities' | 'capabilitiesByType'>, type: ChannelType): ChannelCapabilities {
  return { ...adapter.capabilities, ...adapter.capabilitiesByType?.[type] };
}

/** Set only by `registerAdapter`: what tells a registered adapter from one that would read unparsed settings. */
export const REGISTERED: unique symbol = Symbol('RegisteredAdapter');

/**
 * An adapter as the registry hands it out: it takes the stored account that the rest of the hub holds, and
 * reads its settings and credentials with the adapter's schemas before each call reaches the adapter.
 */
export interface RegisteredAdapter extends Omit<ChannelAdapter<StoredConfig, StoredConfig>, 'settingsSchema' | 'secretsSchema'> {
  readonly [REGISTERED]: true;
}
