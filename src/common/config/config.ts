import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { parseOriginList } from '../outbound/origin-rules.js';
import type { OriginRule } from '../outbound/origin-rules.js';

/**
 * The hub's configuration, parsed once at boot from the environment. A bad value stops the start with one
 * line that names the variable (`ConfigError`).
 */
export interface HubConfig {
  port: number;
  host: string;
  dataDir: string;
  /** null: the embedded PostgreSQL (PGlite) under dataDir. */
  databaseUrl: string | null;
  /** null: in-process jobs and a single process. */
  redisUrl: string | null;
  /** Prefix of every Redis key and channel the hub uses, so several hubs can share one Redis. */
  redisPrefix: string;
  publicUrl: string;
  /** 32 bytes; null: generated and kept under dataDir (embedded default only). */
  secretKey: Buffer | null;
  admin: { email: string; password: string; teamName: string } | null;
  operatorToken: string | null;
  /** HUB_METRICS_TOKEN: the bearer token `/metrics` asks for; null: `/metrics` answers loopback clients only. */
  metricsToken: string | null;
  production: boolean;
  /** The browser whatsapp-web.js drives for WhatsApp Web channels (nothing is downloaded at install). */
  chromiumPath: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Which hops may say who the client is (`X-Forwarded-For`): none (the socket's address is the client), the
   * nearest `hops` proxies, or proxies at these addresses/CIDRs. Limits per client address depend on it.
   */
  trustProxy: TrustProxy;
  /** How the hub's own mail (password reset codes, invitations, alerts) leaves: a relay, SendGrid, or the log. */
  mail: MailConfig;
  /** HUB_ALLOWED_API_ORIGINS: origins the hub may call whatever address they resolve to (a private system, test fakes). */
  allowedApiOrigins: OriginRule[];
  /** HUB_MAX_DOWNLOAD_BYTES: the largest media or file the hub downloads from a provider. */
  maxDownloadBytes: number;
  /** HUB_PASSWORD_MEMORY_MIB: the memory each argon2id password hash takes (64 by default, 19 at least). */
  passwordMemoryMib: number;
  /** The widget's limits for teams that set none of their own (team setting `widgetLimits`). */
  widgetLimits: WidgetLimits;
  /**
   * Widget handshakes per client address per minute, across all teams, counted before the channel is looked up: a
   * ceiling over every team's own session limit, so a refused handshake cannot be repeated for free.
   */
  widgetHandshakesPerMinute: number;
  /** HUB_STOP_TIMEOUT_SECONDS: how long a stop may take before the process exits anyway, naming what still ran. */
  stopTimeoutSeconds: number;
  /**
   * HUB_INGEST_QUEUE_LIMIT and HUB_INGEST_QUEUE_WAIT_MS: how many inbound messages may wait for the database at
   * once, and how long each may, before a webhook is answered 503 with Retry-After.
   */
  ingestQueue: { limit: number; waitMs: number };
  /**
   * HUB_TEST_HOLD_FOLLOW_UPS (tests of a crash, NODE_ENV=test only): the work that follows a stored message is left
   * pending, `before` it runs or `after` it ran, as a process killed at that moment leaves it.
   */
  testHoldFollowUps: 'before' | 'after' | null;
  /**
   * HUB_VAPID_PUBLIC_KEY and HUB_VAPID_PRIVATE_KEY: the key pair the hub signs Web Push with (base64url, as
   * `web-push generate-vapid-keys` prints them); null: generated once and kept under dataDir.
   */
  vapidKeys: { publicKey: string; privateKey: string } | null;
  /** HUB_VAPID_SUBJECT: who push services may contact about the hub's pushes (a mailto: or https: URL). */
  vapidSubject: string;
  /** The ICE servers each side of a video call is handed (HUB_ICE_SERVERS, HUB_TURN_SECRET, HUB_TURN_TTL_SECONDS). */
  calls: CallConfig;
}

/**
 * Where the browsers of a video call find each other: STUN and TURN URLs, and the secret TURN credentials are
 * derived from (coturn's `static-auth-secret`, the TURN REST API). The media never passes through the hub.
 */
export interface CallConfig {
  stunUrls: string[];
  turnUrls: string[];
  /** null: no TURN URL is configured (a TURN URL without it stops the start). */
  turnSecret: string | null;
  /** How long handed-out TURN credentials stay good. */
  turnTtlSeconds: number;
  /** `relay`: browsers use TURN only, so neither side learns the other's addresses (HUB_ICE_TRANSPORT_POLICY). */
  iceTransportPolicy: 'all' | 'relay';
}

export interface WidgetLimits {
  /** New widget sessions per client address per minute. */
  sessionsPerMinute: number;
  /** Messages (and message forms) per visitor, and per client address, per minute. */
  messagesPerMinute: number;
  /** Transcripts mailed per conversation per day. */
  transcriptsPerDay: number;
}

export type MailConfig =
  | { transport: 'smtp'; url: string; from: string }
  | { transport: 'sendgrid'; apiKey: string; apiBaseUrl: string; from: string }
  | { transport: 'log' };

export type TrustProxy = { hops: number } | { addresses: string[] } | null;

export class ConfigError extends Error {}

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/** RFC 7064 (stun:, stuns:) and RFC 7065 (turn:, turns:, with a transport) URIs: a host and an optional port. */
const ICE_URL = /^(stuns?:[A-Za-z0-9.-]+|stuns?:\[[0-9A-Fa-f:]+\])(:\d{1,5})?$|^(turns?:[A-Za-z0-9.-]+|turns?:\[[0-9A-Fa-f:]+\])(:\d{1,5})?(\?transport=(udp|tcp))?$/;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  HUB_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
  ),
  REDIS_URL: optionalText.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
  ),
  HUB_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, - or _').default('tsunagi'),
  PUBLIC_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  HUB_SECRET_KEY: optionalText.pipe(
    z
      .string()
      .refine((value) => decodeKey(value) !== null, 'must be 32 bytes, as 64 hex digits or base64')
      .optional(),
  ),
  HUB_ADMIN_EMAIL: optionalText.pipe(z.email({ error: 'must be an email address' }).optional()),
  HUB_ADMIN_PASSWORD: optionalText.pipe(z.string().min(8, 'must be at least 8 characters').optional()),
  HUB_TEAM_NAME: optionalText,
  HUB_OPERATOR_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  HUB_METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  NODE_ENV: optionalText.pipe(z.enum(['production', 'development', 'test']).optional()),
  HUB_TEST_HOLD_FOLLOW_UPS: optionalText.pipe(z.enum(['before', 'after']).optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CHROMIUM_PATH: z.string().trim().min(1).default('/usr/bin/chromium'),
  HUB_TRUST_PROXY: optionalText.pipe(
    z
      .string()
      .refine((value) => parseTrustProxy(value) !== undefined, 'must be a hop count (1, 2...) or a comma-separated list of addresses or CIDRs')
      .optional(),
  ),
  HUB_SMTP_URL: optionalText.pipe(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional()),
  HUB_SENDGRID_API_KEY: optionalText,
  HUB_SENDGRID_API_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  HUB_MAIL_FROM: optionalText.pipe(z.email({ error: 'must be an email address' }).optional()),
  HUB_ALLOWED_API_ORIGINS: z
    .string()
    .default('')
    .transform((text, context) => {
      try {
        return parseOriginList(text);
      } catch (error) {
        context.addIssue({ code: 'custom', message: `has an entry ${(error as Error).message} (comma-separated scheme://host[:port], port may be *)` });
        return z.NEVER;
      }
    }),
  // 25 MB: what WhatsApp and LINE send at most for a video or a file, with room to spare.
  HUB_MAX_DOWNLOAD_BYTES: z.coerce.number().int('must be a whole number of bytes').min(1024, 'must be at least 1024 bytes').default(25 * 1024 * 1024),
  // 19 MiB (with two passes) is the least OWASP's password storage guidance accepts for argon2id.
  HUB_PASSWORD_MEMORY_MIB: z.coerce.number().int('must be a whole number of MiB').min(19, 'must be at least 19 (MiB)').max(1024, 'must be at most 1024 (MiB)').default(64),
  HUB_WIDGET_SESSIONS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(20),
  HUB_WIDGET_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  HUB_WIDGET_TRANSCRIPTS_PER_DAY: z.coerce.number().int().min(0).max(100).default(3),
  HUB_WIDGET_HANDSHAKES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
  // 25: done before the 30 seconds after which an orchestrator (Kubernetes' default grace period) kills the process.
  HUB_INGEST_QUEUE_LIMIT: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000).default(1000),
  HUB_INGEST_QUEUE_WAIT_MS: z.coerce.number().int('must be a whole number of milliseconds').min(100, 'must be at least 100').max(60_000).default(5000),
  // The P-256 public key uncompressed (65 bytes) and its private scalar (32 bytes), base64url as push services take them.
  HUB_VAPID_PUBLIC_KEY: optionalText.pipe(z.string().refine((value) => base64urlBytes(value) === 65, 'must be a P-256 public key: 65 bytes, base64url').optional()),
  HUB_VAPID_PRIVATE_KEY: optionalText.pipe(z.string().refine((value) => base64urlBytes(value) === 32, 'must be a P-256 private key: 32 bytes, base64url').optional()),
  HUB_VAPID_SUBJECT: optionalText.pipe(z.string().regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'must be a mailto: address or an https: URL').optional()),
  HUB_STOP_TIMEOUT_SECONDS: z.coerce.number().int('must be a whole number of seconds').min(1, 'must be at least 1').max(3600).default(25),
  HUB_ICE_SERVERS: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((url) => url.trim()).filter(Boolean))
    .refine((urls) => urls.every((url) => ICE_URL.test(url)), 'must be comma-separated stun:host[:port] or turn(s):host[:port][?transport=udp|tcp] URLs'),
  HUB_TURN_SECRET: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  // A day, as coturn's own examples hand out: longer than any call, short enough that a leaked one soon dies.
  HUB_ICE_TRANSPORT_POLICY: z.enum(['all', 'relay'], { error: 'must be all or relay' }).default('all'),
  HUB_TURN_TTL_SECONDS: z.coerce.number().int('must be a whole number of seconds').min(60, 'must be at least 60').max(7 * 86_400, 'must be at most 604800 (a week)').default(86_400),
});


export function loadConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    const value = env[variable];
    throw new ConfigError(
      `Invalid configuration: ${variable}${value === undefined ? '' : `=${JSON.stringify(redact(variable, value))}`} ${issue.message}`,
    );
  }
  const e = parsed.data;
  if (e.HUB_ADMIN_EMAIL && !e.HUB_ADMIN_PASSWORD) {
    throw new ConfigError('Invalid configuration: HUB_ADMIN_PASSWORD is required when HUB_ADMIN_EMAIL is set');
  }
  if (e.HUB_ADMIN_PASSWORD && !e.HUB_ADMIN_EMAIL) {
    throw new ConfigError('Invalid configuration: HUB_ADMIN_EMAIL is required when HUB_ADMIN_PASSWORD is set');
  }
  if (e.DATABASE_URL && !e.HUB_SECRET_KEY) {
    // Every process behind a load balancer must seal and open channel credentials with the same key.
    throw new ConfigError(
      'Invalid configuration: HUB_SECRET_KEY is required when DATABASE_URL is set (generate one with `openssl rand -base64 32`)',
    );
  }
  if (e.HUB_SMTP_URL && e.HUB_SENDGRID_API_KEY) {
    throw new ConfigError('Invalid configuration: HUB_SENDGRID_API_KEY cannot be set together with HUB_SMTP_URL (choose one mail transport)');
  }
  if ((e.HUB_SMTP_URL || e.HUB_SENDGRID_API_KEY) && !e.HUB_MAIL_FROM) {
    throw new ConfigError(`Invalid configuration: HUB_MAIL_FROM is required when ${e.HUB_SMTP_URL ? 'HUB_SMTP_URL' : 'HUB_SENDGRID_API_KEY'} is set`);
  }
  if (Boolean(e.HUB_VAPID_PUBLIC_KEY) !== Boolean(e.HUB_VAPID_PRIVATE_KEY)) {
    const [set, missing] = e.HUB_VAPID_PUBLIC_KEY ? ['HUB_VAPID_PUBLIC_KEY', 'HUB_VAPID_PRIVATE_KEY'] : ['HUB_VAPID_PRIVATE_KEY', 'HUB_VAPID_PUBLIC_KEY'];
    throw new ConfigError(`Invalid configuration: ${missing} is required when ${set} is set (one key pair)`);
  }
  const turnUrls = e.HUB_ICE_SERVERS.filter((url) => url.startsWith('turn'));
  if (e.HUB_ICE_TRANSPORT_POLICY === 'relay' && turnUrls.length === 0) {
    throw new ConfigError('Invalid configuration: HUB_ICE_TRANSPORT_POLICY=relay needs a turn: server in HUB_ICE_SERVERS (no call could connect)');
  }
  if (turnUrls.length > 0 && !e.HUB_TURN_SECRET) {
    // TURN without credentials would be an open relay, and coturn refuses it anyway: say so at start, not mid-call.
    throw new ConfigError('Invalid configuration: HUB_TURN_SECRET is required when HUB_ICE_SERVERS names a turn: server (coturn static-auth-secret)');
  }
  const production = e.NODE_ENV === 'production';
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.HUB_DATA_DIR,
    databaseUrl: e.DATABASE_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.HUB_REDIS_PREFIX,
    publicUrl,
    secretKey: e.HUB_SECRET_KEY ? decodeKey(e.HUB_SECRET_KEY) : null,
    admin: e.HUB_ADMIN_EMAIL
      ? { email: e.HUB_ADMIN_EMAIL, password: e.HUB_ADMIN_PASSWORD!, teamName: e.HUB_TEAM_NAME ?? 'My team' }
      : null,
    operatorToken: e.HUB_OPERATOR_TOKEN ?? null,
    metricsToken: e.HUB_METRICS_TOKEN ?? null,
    production,
    chromiumPath: e.CHROMIUM_PATH,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.HUB_TRUST_PROXY ? parseTrustProxy(e.HUB_TRUST_PROXY)! : null,
    mail: e.HUB_SMTP_URL
      ? { transport: 'smtp', url: e.HUB_SMTP_URL, from: e.HUB_MAIL_FROM! }
      : e.HUB_SENDGRID_API_KEY
        ? { transport: 'sendgrid', apiKey: e.HUB_SENDGRID_API_KEY, apiBaseUrl: e.HUB_SENDGRID_API_BASE_URL ?? 'https://api.sendgrid.com', from: e.HUB_MAIL_FROM! }
        : { transport: 'log' },
    allowedApiOrigins: e.HUB_ALLOWED_API_ORIGINS,
    maxDownloadBytes: e.HUB_MAX_DOWNLOAD_BYTES,
    passwordMemoryMib: e.HUB_PASSWORD_MEMORY_MIB,
    widgetLimits: {
      sessionsPerMinute: e.HUB_WIDGET_SESSIONS_PER_MINUTE,
      messagesPerMinute: e.HUB_WIDGET_MESSAGES_PER_MINUTE,
      transcriptsPerDay: e.HUB_WIDGET_TRANSCRIPTS_PER_DAY,
    },
    widgetHandshakesPerMinute: e.HUB_WIDGET_HANDSHAKES_PER_MINUTE,
    stopTimeoutSeconds: e.HUB_STOP_TIMEOUT_SECONDS,
    ingestQueue: { limit: e.HUB_INGEST_QUEUE_LIMIT, waitMs: e.HUB_INGEST_QUEUE_WAIT_MS },
    // Honoured under NODE_ENV=test only: a production hub never leaves its follow-ups undone on purpose.
    testHoldFollowUps: e.NODE_ENV === 'test' ? (e.HUB_TEST_HOLD_FOLLOW_UPS ?? null) : null,
    vapidKeys: e.HUB_VAPID_PUBLIC_KEY ? { publicKey: e.HUB_VAPID_PUBLIC_KEY, privateKey: e.HUB_VAPID_PRIVATE_KEY! } : null,
    // Push services want a way to reach the sender: the hub's own mail address, else its public https address.
    vapidSubject: e.HUB_VAPID_SUBJECT ?? (e.HUB_MAIL_FROM ? `mailto:${e.HUB_MAIL_FROM}` : publicUrl.startsWith('https://') ? publicUrl : 'mailto:webpush@tsunagi.invalid'),
    calls: {
      stunUrls: e.HUB_ICE_SERVERS.filter((url) => url.startsWith('stun')),
      turnUrls,
      turnSecret: e.HUB_TURN_SECRET ?? null,
      turnTtlSeconds: e.HUB_TURN_TTL_SECONDS,
      iceTransportPolicy: e.HUB_ICE_TRANSPORT_POLICY,
    },
  };
}

/** `2` trusts the two nearest hops; `10.0.0.0/8, 192.168.1.5` trusts proxies at those addresses; undefined if unreadable. */
export function parseTrustProxy(text: string): TrustProxy | undefined {
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops > 0 && hops < 100 ? { hops } : undefined;
  }
  const addresses = text.split(',').map((part) => part.trim()).filter(Boolean);
  try {
    proxyAddr.compile(addresses);
  } catch {
    return undefined;
  }
  return addresses.length > 0 ? { addresses } : undefined;
}

export function decodeKey(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === 32 ? bytes : null;
}

/** How many bytes a base64url text (no padding) holds, or -1 when it is not base64url. */
function base64urlBytes(text: string): number {
  return /^[A-Za-z0-9_-]+$/.test(text) ? Buffer.from(text, 'base64url').length : -1;
}

function redact(variable: string, value: string): string {
  // An SMTP URL may carry the relay's password (smtp://user:password@host).
  return /KEY|TOKEN|PASSWORD|SECRET|SMTP_URL/.test(variable) ? '***' : value;
}

export const HUB_CONFIG = Symbol('HubConfig');
