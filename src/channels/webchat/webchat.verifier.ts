import { DomainError } from '../../common/errors/domain-error.js';
import type { ChannelAccount } from '../channel-adapter.js';

/**
 * Whether a browser may talk to this web chat, over the widget's socket or its HTTP events: the channel exists,
 * is on, and, when it is limited to the shop's pages, the request comes from one of them.
 */
export function verifyWidgetOrigin(channel: ChannelAccount | null, origin: string | undefined): ChannelAccount {
  if (!channel || channel.type !== 'webchat') throw new DomainError('not_found', 'unknown_channel', 'This web chat does not exist.');
  if (!channel.active) throw new DomainError('forbidden', 'channel_inactive', 'This web chat is switched off.');
  const allowed = (channel.settings.allowedOrigins as string[] | undefined) ?? [];
  if (allowed.length > 0 && (!origin || !allowed.includes(origin))) {
    throw new DomainError('forbidden', 'origin_not_allowed', `This web chat is not enabled on ${origin ?? 'this page'}.`);
  }
  return channel;
}
