import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { parseInput } from '../../common/http/validation.js';
import type { ChannelAccount, ChannelAdapter, ChannelAddress, ChannelCapabilities, InboundEvent, OutboundMessage, SendResult, WebhookRequest } from '../channel-adapter.js';
import { normalizeLineEvents } from './line.normalizer.js';
import { lineConfigSchema, lineWebhookBody } from './line.schema.js';
import { LineSender } from './line.sender.js';
import { verifyLineSignature } from './line.verifier.js';

/** A LINE Official Account through the Messaging API: one-to-one chats, and the groups and rooms the bot is in. */
@Injectable()
export class LineAdapter implements ChannelAdapter {
  readonly provider = 'line' as const;
  readonly types = ['line'] as const;
  readonly capabilities: ChannelCapabilities = {
    media: true,
    templates: false,
    typing: false,
    readReceipts: false,
    replyTokens: true,
    groups: true,
    maxTextLength: 5000,
    replyWindowHours: null,
    maxMessagesPerCall: 5,
    sendsPerSecond: 2000,
  };
  readonly configSchema = lineConfigSchema;
  readonly secretKeys = ['channelSecret', 'channelAccessToken'] as const;
  readonly webhook = { route: 'line', hooks: { events: '' } };
  private readonly sender = new LineSender();

  async verify(channel: ChannelAccount, request: WebhookRequest): Promise<void> {
    verifyLineSignature(String(channel.secrets.channelSecret), request.rawBody, request.headers['x-line-signature']);
  }

  /** Read from the raw bytes that were verified, not from a body parser's copy. */
  async parse(_channel: ChannelAccount, request: WebhookRequest): Promise<InboundEvent[]> {
    let json: unknown;
    try {
      json = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new DomainError('invalid', 'invalid_payload', 'The webhook body is not valid JSON.');
    }
    // `{"events": []}` is the console's "Verify" button: a valid call with nothing in it.
    return normalizeLineEvents(parseInput(lineWebhookBody, json));
  }

  send(channel: ChannelAccount, message: OutboundMessage): Promise<SendResult> {
    return this.sender.send(channel, message);
  }

  fetchContent(channel: ChannelAccount, providerContentId: string) {
    return this.sender.fetchContent(channel, providerContentId);
  }

  profileName(channel: ChannelAccount, address: ChannelAddress) {
    return this.sender.profileName(channel, address.address);
  }

  groupName(channel: ChannelAccount, group: ChannelAddress) {
    return this.sender.groupName(channel, group.address);
  }
}
