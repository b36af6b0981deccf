import { z } from 'zod';

/** The inbox's languages: a push's words are in the one the member's inbox showed when it subscribed. */
export const pushLanguage = z.enum(['ja', 'en']);
export type PushLanguage = z.output<typeof pushLanguage>;

// Key sizes from RFC 8291: the browser's P-256 public key uncompressed (65 bytes), its auth secret (16 bytes).
const base64url = (bytes: number, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what} must be base64url`)
    .refine((value) => Buffer.from(value, 'base64url').length === bytes, `${what} must be ${bytes} bytes`);

/** What `PushManager.subscribe()` gave the inbox (`subscription.toJSON()`), and the inbox's language. */
export const pushSubscriptionBody = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/, error: 'endpoint must be an http(s) URL' }).max(2048),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({ p256dh: base64url(65, 'keys.p256dh'), auth: base64url(16, 'keys.auth') }),
  language: pushLanguage.default('ja'),
});

export const pushSubscriptionView = z
  .object({ id: z.string(), endpoint: z.string(), language: pushLanguage, userAgent: z.string().nullable(), createdAt: z.string() })
  .meta({ id: 'PushSubscription' });

/** Which news is pushed to the member's devices. */
export const pushSettingsView = z
  .object({
    /** A chat offered to me (with Accept in the notification where the platform allows). */
    offers: z.boolean(),
    /** A customer's message in a chat assigned to me. */
    messages: z.boolean(),
    /** A sale credited to me. */
    sales: z.boolean(),
    /** My draft approved or rejected by a supervisor. */
    drafts: z.boolean(),
  })
  .meta({ id: 'PushSettings' });
export type PushSettingsView = z.output<typeof pushSettingsView>;
export type PushKind = keyof PushSettingsView;

export const pushSettingsBody = pushSettingsView.partial().strict();

export const pushStateView = z
  .object({
    /** The VAPID public key: `applicationServerKey` of `PushManager.subscribe()`. */
    publicKey: z.string(),
    settings: pushSettingsView,
    subscriptions: z.array(pushSubscriptionView),
  })
  .meta({ id: 'PushState' });

/**
 * What the service worker is pushed (encrypted to the subscription's keys): the notification's words in the member's
 * language, where a click leads, and for an offer its id, expiry and actions.
 */
export interface PushPayload {
  kind: PushKind;
  title: string;
  body: string;
  /** Collapses a notification with an earlier one on the same subject (the same offer, the same chat). */
  tag: string;
  /** Path under /app that a click opens. */
  url: string;
  conversationId: string | null;
  offerId?: string;
  expiresAt?: string;
  actions?: { action: 'accept' | 'open'; title: string }[];
}
