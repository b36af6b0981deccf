import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { logger } from '../../common/logging/logger.js';
import { OUTBOUND_GUARD } from '../../common/outbound/index.js';
import type { OutboundGuard } from '../../common/outbound/index.js';
import type {
  ChannelAdapter,
  ChannelAddress,
  ChannelCapabilities,
  ChannelTemplate,
  InboundEvent,
  OutboundMessage,
  OutboundTemplate,
  SendResult,
  TemplateChoice,
  WebhookRequest,
} from '../channel-adapter.js';
import type { ChannelCheck } from '../channel-check.js';
import { WHATSAPP_WINDOW_HOURS, whatsappWindowVerdict } from '../reply-window.js';
import { normalizeWhatsAppCloud } from './whatsapp-cloud.normalizer.js';
import { WHATSAPP_CLOUD_SECRET_KEYS, parseWhatsAppCloudWebhook, whatsappCloudConfigSchema, whatsappCloudSecretsSchema, whatsappCloudSettingsSchema } from './whatsapp-cloud.schema.js';
import type { WhatsAppCloudAccount, WhatsAppCloudSecrets, WhatsAppCloudSettings } from './whatsapp-cloud.schema.js';
import { GRAPH_API_ORIGINS, MAX_DOCUMENT_BYTES, MAX_TEXT_LENGTH, WhatsAppCloudSender } from './whatsapp-cloud.sender.js';
import { verifyHandshake, verifyHubSignature } from './whatsapp-cloud.verifier.js';
import { CLOCK } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';


/** A WhatsApp Business phone number on Meta's Cloud API: webhooks signed with the app secret, sends through Graph. */
@Injectable()
export class WhatsAppCloudAdapter implements ChannelAdapter<WhatsAppCloudSettings, WhatsAppCloudSecrets> {
  readonly provider = 'whatsapp-cloud' as const;
  readonly types = ['whatsapp'] as const;
  readonly capabilities: ChannelCapabilities = {
    // Each file is uploaded to the number's media, then sent as a message naming it (one a message, as Twilio's).
    // Documents go up to 100 MB; an image, video or audio past its own limit goes as a document (see the sender).
    files: { kinds: { image: 'native', video: 'native', audio: 'native', document: 'native' }, maxBytes: MAX_DOCUMENT_BYTES, maxPerMessage: 1 },
    templates: true,
    typing: true,
    readReceipts: true,
    replyTokens: false,
    groups: false,
    maxTextLength: MAX_TEXT_LENGTH,
    replyWindowHours: WHATSAPP_WINDOW_HOURS,
    maxMessagesPerCall: 1,
    // Meta's default throughput per business number.
    sendsPerSecond: 80,
  };
  readonly configSchema = whatsappCloudConfigSchema;
  readonly secretKeys = WHATSAPP_CLOUD_SECRET_KEYS;
  readonly settingsSchema = whatsappCloudSettingsSchema;
  readonly secretsSchema = whatsappCloudSecretsSchema;
  readonly webhook = { route: 'whatsapp', hooks: { messages: '' } };
  readonly apiOrigins = { apiBaseUrl: GRAPH_API_ORIGINS };
  private readonly sender: WhatsAppCloudSender;

  constructor(@Inject(CLOCK) private readonly clock: Clock, @Inject(OUTBOUND_GUARD) guard: OutboundGuard) {
    this.sender = new WhatsAppCloudSender(guard);
  }

  async verify(channel: WhatsAppCloudAccount, request: WebhookRequest): Promise<void> {
    verifyHubSignature(channel.secrets.appSecret ?? '', request.rawBody, request.headers['x-hub-signature-256']);
  }

  handshake(channel: WhatsAppCloudAccount, request: WebhookRequest): string {
    return verifyHandshake(channel.secrets.verifyToken ?? '', request.query);
  }

  async parse(channel: WhatsAppCloudAccount, request: WebhookRequest): Promise<InboundEvent[]> {
    const body = parseWhatsAppCloudWebhook(request.rawBody);
    // Account-level errors (the number's rate limit, a payment problem) name no message: they are logged.
    for (const change of body.entry.flatMap((e) => e.changes)) {
      for (const error of change.value.errors ?? []) logger.warn({ channelId: channel.id, code: error.code, title: error.title }, 'WhatsApp reported an error');
    }
    return normalizeWhatsAppCloud(body, channel.settings.phoneNumberId, this.clock.now());
  }

  send(channel: WhatsAppCloudAccount, message: OutboundMessage): Promise<SendResult> {
    return this.sender.send(channel, message);
  }

  check(channel: WhatsAppCloudAccount): Promise<ChannelCheck> {
    return this.sender.check(channel);
  }

  canSend(_channel: Pick<WhatsAppCloudAccount, 'type'>, message: { to: ChannelAddress; lastCustomerMessageAt: Date | null; now: Date; template?: boolean }) {
    return whatsappWindowVerdict(message.lastCustomerMessageAt, message.now, message.template);
  }

  templates(channel: WhatsAppCloudAccount): ChannelTemplate[] {
    return channel.settings.templates.map((t) => ({ name: t.name, language: t.language, variables: t.variables, text: t.text ?? null }));
  }

  resolveTemplate(channel: WhatsAppCloudAccount, choice: TemplateChoice): { template: OutboundTemplate; preview: string } {
    const { templates } = channel.settings;
    const found = templates.find((t) => t.name === choice.name);
    if (!found) {
      const known = templates.map((t) => t.name).join(', ') || 'none yet';
      throw new DomainError('invalid', 'unknown_template', `This channel has no template named ${choice.name}; its templates: ${known}.`, [
        { field: 'template.name', message: `must be one of the channel’s templates (${known})` },
      ]);
    }
    const missing = found.variables.filter((name) => !choice.variables[name]?.trim());
    if (missing.length > 0) {
      throw new DomainError(
        'invalid',
        'invalid_request',
        `The template ${found.name} needs a value for ${missing.join(', ')}.`,
        missing.map((name) => ({ field: `template.variables.${name}`, message: 'is required by the template' })),
      );
    }
    const parameters = found.variables.map((name) => choice.variables[name].trim());
    // {{1}}, {{2}}... are the variables in order, as WhatsApp Manager numbers them.
    const preview = found.text ? found.text.replace(/\{\{(\d+)\}\}/g, (all, n: string) => parameters[Number(n) - 1] ?? all) : `[${found.name}] ${parameters.join(' / ')}`.trim();
    return { template: { name: found.name, language: found.language, parameters }, preview };
  }

  fetchContent(channel: WhatsAppCloudAccount, providerContentId: string): Promise<{ data: Buffer; contentType: string }> {
    return this.sender.fetchContent(channel, providerContentId);
  }
}
