import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import type { ChannelAdapter, ChannelCapabilities, ChannelPairing, InboundEvent, OutboundMessage, SendResult } from '../channel-adapter.js';
import { checkFailed, checkPassed } from '../channel-check.js';
import type { ChannelCheck } from '../channel-check.js';
import { WhatsAppWebSessions } from './whatsapp-web-sessions.service.js';
import { whatsappWebConfigSchema, whatsappWebSecretsSchema, whatsappWebSettingsSchema } from './whatsapp-web.schema.js';
import type { WhatsAppWebAccount, WhatsAppWebSecrets, WhatsAppWebSettings } from './whatsapp-web.schema.js';

/**
 * A shop's own WhatsApp account, linked as a WhatsApp Web device (whatsapp-web.js), for a shop without a
 * Business API account. No webhooks: messages arrive as the session's events. No 24-hour window either (it is
 * a person's account), but WhatsApp bans accounts that send like robots, so sends are slow by default.
 */
@Injectable()
export class WhatsAppWebAdapter implements ChannelAdapter<WhatsAppWebSettings, WhatsAppWebSecrets> {
  readonly provider = 'whatsapp-web' as const;
  readonly types = ['whatsapp'] as const;
  readonly capabilities: ChannelCapabilities = {
    // Files through a linked device are not sent yet: refused before the reply, never lost after it.
    files: { kinds: {}, maxBytes: 0, maxPerMessage: 0 },
    templates: false,
    typing: false,
    readReceipts: true,
    replyTokens: false,
    groups: false,
    // WhatsApp's own apps take 65,536 characters in one message (4,096 is the Business API's limit, not a linked device's).
    maxTextLength: 65_536,
    replyWindowHours: null,
    maxMessagesPerCall: 1,
    sendsPerSecond: 1,
  };
  readonly configSchema = whatsappWebConfigSchema;
  readonly secretKeys = [] as const;
  readonly settingsSchema = whatsappWebSettingsSchema;
  readonly secretsSchema = whatsappWebSecretsSchema;
  readonly webhook = null;

  constructor(private readonly sessions: WhatsAppWebSessions) {}

  async verify(): Promise<void> {
    throw new DomainError('not_found', 'unknown_channel', 'A WhatsApp Web channel receives no webhooks.');
  }

  async parse(): Promise<InboundEvent[]> {
    return [];
  }

  send(channel: WhatsAppWebAccount, message: OutboundMessage): Promise<SendResult> {
    return this.sessions.send(channel.id, message);
  }

  fetchContent(channel: WhatsAppWebAccount, providerContentId: string): Promise<{ data: Buffer; contentType: string }> {
    return this.sessions.fetchContent(channel.id, providerContentId);
  }

  activate(channel: WhatsAppWebAccount): Promise<void> {
    return this.sessions.activate(channel);
  }

  deactivate(channelId: string): Promise<void> {
    return this.sessions.deactivate(channelId);
  }

  /** From the session's own state (the hub holds the connection): paired and connected, or what it waits for. */
  async check(channel: WhatsAppWebAccount): Promise<ChannelCheck> {
    const { state, detail } = await this.sessions.pairing(channel.id);
    if (state === 'ready') return checkPassed(channel.name, 'The phone is linked and the WhatsApp Web session is connected.');
    const why: Record<Exclude<ChannelPairing['state'], 'ready'>, string> = {
      starting: 'The WhatsApp Web session is starting; check again in a moment.',
      pairing: 'The phone is not linked yet: scan the QR code (WhatsApp > Linked devices) from the pairing view.',
      disconnected: `The WhatsApp Web session is disconnected${detail ? ` (${detail})` : ''}; link the phone again.`,
    };
    return checkFailed('not_paired', why[state]);
  }

  pairing(channel: WhatsAppWebAccount): Promise<ChannelPairing> {
    return this.sessions.pairing(channel.id);
  }
}
