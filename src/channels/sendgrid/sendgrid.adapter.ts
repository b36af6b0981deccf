import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';
import { OUTBOUND_GUARD } from '../../common/outbound/index.js';
import type { OutboundGuard } from '../../common/outbound/index.js';
import type { ChannelAdapter, ChannelCapabilities, InboundEvent, OutboundMessage, SendResult, WebhookRequest } from '../channel-adapter.js';
import type { ChannelCheck } from '../channel-check.js';
import { normalizeInboundParse, normalizeSendgridEvents } from './sendgrid.normalizer.js';
import { SENDGRID_SECRET_KEYS, parseSendgridEvents, readInboundParse, sendgridConfigSchema, sendgridSecretsSchema, sendgridSettingsSchema } from './sendgrid.schema.js';
import type { SendgridAccount, SendgridSecrets, SendgridSettings } from './sendgrid.schema.js';
import { SENDGRID_API_ORIGINS, SendgridMailSender, mailIdentityOf } from './sendgrid.sender.js';
import { verifyChannelToken, verifyEventSignature } from './sendgrid.verifier.js';

const MB = 1024 * 1024;

// Enough of a thread for References and the subject: mail programs cite far fewer than that.
const THREAD_DEPTH = 20;

/**
 * Email through Twilio SendGrid: Inbound Parse brings mail in (`/inbound?token=`), Mail Send takes replies out, the
 * Event Webhook (`/events`) reports what happened to them and to the customer's consent.
 */
@Injectable()
export class SendgridAdapter implements ChannelAdapter<SendgridSettings, SendgridSecrets> {
  readonly provider = 'sendgrid' as const;
  readonly types = ['email'] as const;
  readonly capabilities: ChannelCapabilities = {
    // Any file, as a mail attachment; SendGrid takes a whole mail of up to 30 MB, base64 and all.
    files: { kinds: { image: 'native', video: 'native', audio: 'native', document: 'native' }, maxBytes: 20 * MB, maxPerMessage: 10 },
    templates: false,
    typing: false,
    readReceipts: true,
    replyTokens: false,
    groups: false,
    // Nothing in mail limits a text; this keeps one reply within what an agent's composer should produce.
    maxTextLength: 100_000,
    replyWindowHours: null,
    maxMessagesPerCall: 1,
    // Mail Send takes 10,000 requests a second; a young sending domain is better spared (config: sendsPerSecond).
    sendsPerSecond: 100,
  };
  readonly configSchema = sendgridConfigSchema;
  readonly secretKeys = SENDGRID_SECRET_KEYS;
  readonly settingsSchema = sendgridSettingsSchema;
  readonly secretsSchema = sendgridSecretsSchema;
  readonly webhook = { route: 'sendgrid', hooks: { inbound: 'inbound', events: 'events' } };
  readonly threadDepth = THREAD_DEPTH;
  readonly apiOrigins = { apiBaseUrl: SENDGRID_API_ORIGINS };
  private readonly sender: SendgridMailSender;

  constructor(@Inject(CLOCK) private readonly clock: Clock, @Inject(OUTBOUND_GUARD) guard: OutboundGuard) {
    this.sender = new SendgridMailSender(guard);
  }

  verifyBeforeBody(channel: SendgridAccount, request: Omit<WebhookRequest, 'rawBody' | 'body'>): void {
    // Inbound Parse has no signature, only the URL's token, so it can be checked before the mail is read; the Event
    // Webhook's signature (when a key is set) needs the body.
    if (request.hook === 'inbound' || !channel.settings.eventPublicKey) {
      verifyChannelToken(channel.secrets.inboundToken ?? '', request.query.token, request.hook === 'inbound' ? 'Inbound Parse' : 'Event Webhook');
    }
  }

  async verify(channel: SendgridAccount, request: WebhookRequest): Promise<void> {
    const token = channel.secrets.inboundToken ?? '';
    if (request.hook === 'inbound') {
      verifyChannelToken(token, request.query.token, 'Inbound Parse');
      return;
    }
    const { settings } = channel;
    // Without a verification key the Event Webhook URL carries the channel's token like the Parse URL does:
    // a forged bounce or unsubscribe would otherwise change a customer's consent.
    if (settings.eventPublicKey) await verifyEventSignature(settings.eventPublicKey, request.rawBody, request.headers, this.clock.now());
    else verifyChannelToken(token, request.query.token, 'Event Webhook');
  }

  async parse(channel: SendgridAccount, request: WebhookRequest): Promise<InboundEvent[]> {
    const receivedAt = this.clock.now();
    if (request.hook === 'events') return normalizeSendgridEvents(parseSendgridEvents(request.rawBody), receivedAt);
    const contentType = request.headers['content-type'];
    const post = await readInboundParse(request.rawBody, Array.isArray(contentType) ? contentType[0] : contentType);
    return normalizeInboundParse(post, mailIdentityOf(channel.settings), receivedAt);
  }

  send(channel: SendgridAccount, message: OutboundMessage): Promise<SendResult> {
    return this.sender.send(channel, message, channel.name);
  }

  check(channel: SendgridAccount): Promise<ChannelCheck> {
    return this.sender.check(channel);
  }
}
