import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { HUB_CONFIG } from '../../common/config/config.js';
import type { HubConfig } from '../../common/config/config.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { parseInput } from '../../common/http/validation.js';
import { OUTBOUND_GUARD } from '../../common/outbound/index.js';
import type { OutboundGuard } from '../../common/outbound/index.js';
import type { FileKind } from '../../common/files/index.js';
import type { ChannelType } from '../../common/channel-types.js';
import type { ChannelAdapter, ChannelAddress, ChannelCapabilities, InboundEvent, OutboundMessage, SendResult, WebhookRequest } from '../channel-adapter.js';
import type { ChannelCheck } from '../channel-check.js';
import { normalizeTwilioInbound, normalizeTwilioStatus } from './twilio.normalizer.js';
import { TWILIO_SECRET_KEYS, twilioConfigSchema, twilioSecretsSchema, twilioSettingsSchema, twilioWebhookParams } from './twilio.schema.js';
import type { TwilioAccount, TwilioSecrets, TwilioSettings, TwilioWebhookParams } from './twilio.schema.js';
import { TWILIO_API_ORIGINS, TwilioSender, smsSegments, twilioText } from './twilio.sender.js';
import { verifyTwilioSignature } from './twilio.verifier.js';
import { WHATSAPP_WINDOW_HOURS, whatsappWindowVerdict } from '../reply-window.js';
import { CLOCK } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';

const MB = 1024 * 1024;

// The keywords Twilio itself answers on long codes and toll-free numbers (its default opt-out handling).
const TWILIO_ANSWERED_KEYWORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'START', 'YES', 'UNSTOP']);

/** SMS and WhatsApp through Twilio's Programmable Messaging: one account, one adapter, two channel types. */
@Injectable()
export class TwilioAdapter implements ChannelAdapter<TwilioSettings, TwilioSecrets> {
  readonly provider = 'twilio' as const;
  readonly types = ['sms', 'whatsapp'] as const;
  readonly capabilities: ChannelCapabilities = {
    // WhatsApp through Twilio: images, video, audio and PDF from a URL Twilio fetches, 16 MB each (a per-type limit of
    // 5 MB for images applies at WhatsApp). SMS carries images only, as MMS (below).
    files: { kinds: { image: 'native', video: 'native', audio: 'native', document: 'native' }, maxBytes: 16 * MB, maxPerMessage: 1 },
    templates: false,
    typing: false,
    readReceipts: true,
    replyTokens: false,
    groups: false,
    // Twilio's limit for `Body`, on SMS and WhatsApp alike (a longer one is refused with error 21617); carriers
    // split an SMS into segments of 153 (GSM-7) or 67 (UCS-2) characters and join them again on the phone.
    maxTextLength: 1600,
    replyWindowHours: null,
    maxMessagesPerCall: 1,
    sendsPerSecond: 1,
  };
  readonly capabilitiesByType = {
    whatsapp: { replyWindowHours: WHATSAPP_WINDOW_HOURS },
    // MMS: images, and only between numbers in the US and Canada (canSend refuses elsewhere); carriers take 5 MB.
    sms: { files: { kinds: { image: 'native' }, maxBytes: 5 * MB, maxPerMessage: 1 } },
  } satisfies Partial<Record<ChannelType, Partial<ChannelCapabilities>>>;
  readonly configSchema = twilioConfigSchema;
  readonly secretKeys = TWILIO_SECRET_KEYS;
  readonly settingsSchema = twilioSettingsSchema;
  readonly secretsSchema = twilioSecretsSchema;
  readonly webhook = { route: 'twilio', hooks: { messages: '', status: 'status' } };
  private readonly sender: TwilioSender;

  readonly apiOrigins = { apiBaseUrl: TWILIO_API_ORIGINS };

  constructor(@Inject(CLOCK) private readonly clock: Clock, @Inject(HUB_CONFIG) config: HubConfig, @Inject(OUTBOUND_GUARD) guard: OutboundGuard) {
    this.sender = new TwilioSender(guard, (channelId) => `${config.publicUrl}/webhooks/twilio/${channelId}/status`);
  }

  async verify(channel: TwilioAccount, request: WebhookRequest): Promise<void> {
    // A JSON webhook is signed over its bytes (bodySHA256), before anything reads it.
    await verifyTwilioSignature(channel.secrets.authToken ?? '', request, () => this.params(request));
  }

  async parse(_channel: TwilioAccount, request: WebhookRequest): Promise<InboundEvent[]> {
    const params = this.params(request);
    const receivedAt = this.clock.now();
    return request.hook === 'status' ? normalizeTwilioStatus(params, receivedAt) : normalizeTwilioInbound(params, receivedAt);
  }

  send(channel: TwilioAccount, message: OutboundMessage): Promise<SendResult> {
    return this.sender.send(channel, message);
  }

  check(channel: TwilioAccount): Promise<ChannelCheck> {
    return this.sender.check(channel);
  }

  /** Twilio waits for TwiML; an empty Response means "no automatic reply". */
  webhookResponse(): { contentType: string; body: string } {
    return { contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' };
  }

  /**
   * Twilio answers its own English keywords on SMS long codes and toll-free numbers (default opt-out handling), and
   * Advanced Opt-Out answers whatever it judged (the webhook then carries its verdict).
   */
  answersConsentKeyword(channel: Pick<TwilioAccount, 'type'>, event: { providerVerdict?: boolean }, keyword: string): boolean {
    return event.providerVerdict === true || (channel.type === 'sms' && TWILIO_ANSWERED_KEYWORDS.has(keyword));
  }

  sendCost(channel: TwilioAccount, message: OutboundMessage): number {
    return channel.type === 'sms' ? smsSegments(twilioText(message)) : 1;
  }

  canSend(channel: Pick<TwilioAccount, 'type'>, message: { to: ChannelAddress; lastCustomerMessageAt: Date | null; now: Date; template?: boolean; files?: readonly FileKind[] }) {
    if (channel.type !== 'whatsapp') {
      // Twilio carries MMS only to and from numbers in the US and Canada; elsewhere a photo would go as nothing.
      if (message.files?.length && !message.to.address.startsWith('+1')) {
        return { ok: false as const, code: 'attachment_kind_unsupported' as const, reason: 'Photos by SMS (MMS) reach numbers in the US and Canada only; send a text, or use another channel.' };
      }
      return { ok: true as const };
    }
    return whatsappWindowVerdict(message.lastCustomerMessageAt, message.now, message.template);
  }

  /**
   * The form fields, from the raw body: the signature covers exactly what Twilio sent, so nothing a body parser
   * might normalize is trusted. JSON webhooks (signed with bodySHA256) are read the same way.
   */
  private params(request: WebhookRequest): TwilioWebhookParams {
    const text = request.rawBody.toString('utf8');
    const type = String(request.headers['content-type'] ?? '');
    if (type.includes('application/json')) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new DomainError('invalid', 'invalid_payload', 'The webhook body is not valid JSON.');
      }
      // Twilio's JSON webhooks carry the same fields; values that are not text are kept as their JSON text.
      const fields = parseInput(z.record(z.string(), z.unknown()), json);
      return parseInput(
        twilioWebhookParams,
        Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)])),
      );
    }
    const params: TwilioWebhookParams = {};
    for (const [key, value] of new URLSearchParams(text)) {
      const existing = params[key];
      params[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    return params;
  }
}
