import { Inject, Injectable } from '@nestjs/common';
import { OUTBOUND_GUARD } from '../../common/outbound/index.js';
import type { OutboundGuard } from '../../common/outbound/index.js';
import type {
  ChannelAdapter,
  ChannelAddress,
  ChannelCapabilities,
  InboundEvent,
  OutboundMessage,
  SendResult,
  WebhookRequest,
} from '../channel-adapter.js';
import type { ChannelCheck } from '../channel-check.js';
import { normalizeLineEvents } from './line.normalizer.js';
import { LINE_SECRET_KEYS, lineConfigSchema, lineGroupKind, lineSecretsSchema, lineSettingsSchema, parseLineWebhook } from './line.schema.js';
import type { LineAccount, LineGroupKind, LineSecrets, LineSettings } from './line.schema.js';
import { LINE_API_ORIGINS, LineSender } from './line.sender.js';
import { verifyLineSignature } from './line.verifier.js';
import { CLOCK } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';

const MB = 1024 * 1024;

/** A LINE Official Account through the Messaging API: one-to-one chats, and the groups and rooms the bot is in. */
@Injectable()
export class LineAdapter implements ChannelAdapter<LineSettings, LineSecrets> {
  readonly provider = 'line' as const;
  readonly types = ['line'] as const;
  readonly capabilities: ChannelCapabilities = {
    // Images, videos and audio go as LINE's own messages (from a signed link LINE fetches: JPEG or PNG up to 10 MB,
    // MP4 and M4A up to 200 MB). A bot cannot send a file, so a PDF goes as a signed link in a text.
    files: { kinds: { image: 'native', video: 'native', audio: 'native', document: 'link' }, maxBytes: 10 * MB, maxPerMessage: 4 },
    templates: false,
    typing: false,
    readReceipts: false,
    replyTokens: true,
    groups: true,
    // Per text object (UTF-16 units); the sender splits a longer text over several objects.
    maxTextLength: 5000,
    // LINE has no customer-service window: push works any time while the user follows the account.
    replyWindowHours: null,
    maxMessagesPerCall: 5,
    // LINE's rate limit for push and reply: 2,000 requests a second per channel.
    sendsPerSecond: 2000,
  };
  readonly configSchema = lineConfigSchema;
  readonly secretKeys = LINE_SECRET_KEYS;
  readonly settingsSchema = lineSettingsSchema;
  readonly secretsSchema = lineSecretsSchema;
  readonly webhook = { route: 'line', hooks: { events: '' } };
  readonly apiOrigins = LINE_API_ORIGINS;
  private readonly sender: LineSender;

  constructor(@Inject(CLOCK) private readonly clock: Clock, @Inject(OUTBOUND_GUARD) guard: OutboundGuard) {
    this.sender = new LineSender(guard);
  }

  async verify(channel: LineAccount, request: WebhookRequest): Promise<void> {
    await verifyLineSignature(channel.secrets.channelSecret ?? '', request.rawBody, request.headers['x-line-signature']);
  }

  /** `{"events": []}` is the console's "Verify" button: a valid call with nothing in it. */
  async parse(_channel: LineAccount, request: WebhookRequest): Promise<InboundEvent[]> {
    return normalizeLineEvents(parseLineWebhook(request.rawBody), this.clock.now());
  }

  send(channel: LineAccount, message: OutboundMessage): Promise<SendResult> {
    return this.sender.send(channel, message);
  }

  check(channel: LineAccount): Promise<ChannelCheck> {
    return this.sender.check(channel);
  }

  fetchContent(channel: LineAccount, providerContentId: string): Promise<{ data: Buffer; contentType: string }> {
    return this.sender.fetchContent(channel, providerContentId);
  }

  displayName(channel: LineAccount, address: ChannelAddress): Promise<string | null> {
    return address.kind === 'line_group' ? this.sender.groupName(channel, address.address) : this.sender.profileName(channel, address.address);
  }

  groupKind(groupId: string): LineGroupKind {
    return lineGroupKind(groupId);
  }
}
