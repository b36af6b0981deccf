import { DomainError } from '../../common/errors/domain-error.js';
import type { ChannelAccount } from '../channel-adapter.js';
import { readAccount } from '../channel-registry.js';
import { webchatSecretsSchema, webchatSettingsSchema } from './webchat.schema.js';
import type { WebchatAccount } from './webchat.schema.js';

/**
 * Whether a browser may talk to this web chat, over the widget's socket or its HTTP events: the channel exists,
 * is on, and, when it is limited to the shop's pages, the request comes from one of them. The account comes back
 * with its settings read, for the widget's socket.
 */
export function verifyWidgetOrigin(stored: ChannelAccount | null, origin: string | undefined): WebchatAccount {
  if (!stored || stored.type !== 'webchat' || stored.provider !== 'webchat') throw new DomainError('not_found', 'unknown_channel', 'This web chat does not exist.');
  if (!stored.active) throw new DomainError('forbidden', 'channel_inactive', 'This web chat is switched off.');
  const channel = readAccount({ provider: 'webchat', settingsSchema: webchatSettingsSchema, secretsSchema: webchatSecretsSchema }, stored);
  const allowed = channel.settings.allowedOrigins ?? [];
  if (allowed.length > 0 && (!origin || !allowed.includes(origin))) {
    throw new DomainError('forbidden', 'origin_not_allowed', `This web chat is not enabled on ${origin ?? 'this page'}.`);
  }
  return channel;
}
