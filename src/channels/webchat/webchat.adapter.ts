import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import type { ChannelAdapter, ChannelAddress, ChannelCapabilities, CustomerNotice, OutboundMessage, SendResult } from '../channel-adapter.js';
import { checkPassed } from '../channel-check.js';
import type { ChannelCheck } from '../channel-check.js';
import { webchatConfigSchema, webchatSecretsSchema, webchatSettingsSchema } from './webchat.schema.js';
import type { WebchatAccount, WebchatSecrets, WebchatSettings } from './webchat.schema.js';
import { WebchatSender } from './webchat.sender.js';

const MB = 1024 * 1024;

/** The embeddable widget: customers write over the `/widget` socket, so there is no webhook to verify. */
@Injectable()
export class WebchatAdapter implements ChannelAdapter<WebchatSettings, WebchatSecrets> {
  readonly provider = 'webchat' as const;
  readonly types = ['webchat'] as const;
  readonly capabilities: ChannelCapabilities = {
    // The widget shows images, video and audio in the chat and offers any other file to download.
    files: { kinds: { image: 'native', video: 'native', audio: 'native', document: 'native' }, maxBytes: 25 * MB, maxPerMessage: 10 },
    templates: false,
    typing: true,
    readReceipts: false,
    replyTokens: false,
    groups: false,
    // The widget's own limit, the same as a visitor's message.
    maxTextLength: 5000,
    replyWindowHours: null,
    maxMessagesPerCall: 1,
    // A socket emit: no provider limit to respect.
    sendsPerSecond: 1000,
  };
  readonly configSchema = webchatConfigSchema;
  readonly secretKeys = [] as const;
  readonly settingsSchema = webchatSettingsSchema;
  readonly secretsSchema = webchatSecretsSchema;
  readonly webhook = null;

  constructor(private readonly sender: WebchatSender) {}

  async verify(): Promise<void> {
    throw new DomainError('not_found', 'no_webhooks', 'Web chat has no webhooks: visitors connect to the /widget socket.');
  }

  async parse(): Promise<never> {
    throw new DomainError('not_found', 'no_webhooks', 'Web chat has no webhooks: visitors connect to the /widget socket.');
  }

  send(channel: WebchatAccount, message: OutboundMessage): Promise<SendResult> {
    return this.sender.send(channel, message);
  }

  /** Nothing to ask a provider: the widget talks to this hub. The channel works as soon as it exists. */
  async check(channel: WebchatAccount): Promise<ChannelCheck> {
    return checkPassed(channel.name, 'Web chat needs no provider credentials: the widget connects to this hub directly.');
  }

  /** The widget takes the message out of the visitor's thread (every tab), and shows it as withdrawn. */
  async withdraw(channel: WebchatAccount, message: { to: ChannelAddress; messageId: string }): Promise<void> {
    if (message.to.kind === 'visitor') this.sender.emit(channel.id, message.to.address, 'withdrawn', { id: message.messageId });
  }

  async notify(channel: WebchatAccount, to: ChannelAddress, notice: CustomerNotice): Promise<void> {
    // A web chat's conversations are all a visitor's; anything else was never the widget's to show.
    if (to.kind === 'visitor') this.sender.notify(channel.id, to.address, notice);
  }
}
