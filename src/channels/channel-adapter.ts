import type { ZodType } from 'zod';

export type ChannelType = 'webchat' | 'email' | 'sms' | 'whatsapp' | 'line';

/** The vendors a channel can run through; each has one adapter in its own folder. */
export type ChannelProvider = 'webchat';

/** A channel account as adapters see it: the credentials are already opened. */
export interface ChannelAccount {
  id: string;
  teamId: string;
  type: ChannelType;
  provider: ChannelProvider;
  name: string;
  active: boolean;
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
}

/** How a customer is addressed on a channel; normalized by the adapter before it reaches the hub. */
export interface ChannelAddress {
  kind: 'email' | 'phone' | 'line' | 'visitor';
  address: string;
  name?: string;
}

export interface Attachment {
  url: string;
  contentType?: string;
  name?: string;
  size?: number;
}

/** What a provider told us, normalized. `providerEventId` makes a redelivery a no-op. */
export type InboundEvent =
  | {
      type: 'message';
      providerMessageId: string;
      from: ChannelAddress;
      body: string;
      attachments: Attachment[];
      occurredAt: Date;
    }
  | {
      type: 'status';
      providerMessageId: string;
      status: 'sent' | 'delivered' | 'read' | 'failed';
      error?: string;
      occurredAt: Date;
    };

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
}

export type SendResult =
  | { ok: true; providerMessageId: string }
  /** retry: a transient failure (429, 5xx, timeout) that backoff may overcome; otherwise permanent. */
  | { ok: false; retry: boolean; code: string; reason: string };

export interface ChannelCapabilities {
  media: boolean;
  templates: boolean;
  typing: boolean;
  readReceipts: boolean;
  replyTokens: boolean;
  groups: boolean;
  /** Longest text one message may carry, in characters. */
  maxTextLength: number;
  /** Hours after the customer's last message during which free text may be sent; null: no window. */
  replyWindowHours: number | null;
}

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
 * The one shape every channel fills (DESIGN.md, "The channel contract"). Adding a channel means a folder with
 * its adapter, verifier, normalizer, sender and payload schema, and one line in the registry.
 */
export interface ChannelAdapter {
  readonly provider: ChannelProvider;
  readonly types: readonly ChannelType[];
  readonly capabilities: ChannelCapabilities;
  /** Validates the `config` of `POST /api/channels`; `apiBaseUrl` is accepted by every channel. */
  readonly configSchema: ZodType<Record<string, unknown>>;
  /** Keys of the config that are credentials: sealed at rest and never returned. */
  readonly secretKeys: readonly string[];
  /**
   * Where the provider calls us: `/webhooks/<route>/<channelId>[/<hook>]`, one hook per purpose ('' is the main
   * one). null for a channel without webhooks (web chat speaks over its own socket).
   */
  readonly webhook: { route: string; hooks: Readonly<Record<string, string>> } | null;
  /** Checks the provider's signature over the raw body; throws a DomainError (401/403) when it fails. */
  verify(channel: ChannelAccount, request: WebhookRequest): Promise<void>;
  /** Provider payload -> normalized events; throws a DomainError (400) for a payload it cannot read. */
  parse(channel: ChannelAccount, request: WebhookRequest): Promise<InboundEvent[]>;
  /** Our message -> the provider, through its official SDK. */
  send(channel: ChannelAccount, message: OutboundMessage): Promise<SendResult>;
  /** The body a verified webhook answers with (Twilio wants TwiML). */
  webhookResponse?(request: WebhookRequest): { contentType: string; body: string };
}

export const CHANNEL_ADAPTERS = Symbol('ChannelAdapters');
