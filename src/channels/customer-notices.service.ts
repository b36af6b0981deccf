import { Injectable } from '@nestjs/common';
import { isChannelProvider } from './channel-adapter.js';
import type { ChannelProvider, CustomerNotice } from './channel-adapter.js';
import { ChannelRegistry } from './channel-registry.js';
import { ChannelsService } from './channels.service.js';
import { ThreadKey } from './thread-key.js';

/**
 * Tells a conversation's customer what the hub has to say besides messages (waiting, missed, slow reply, typing)
 * through their channel's adapter, for modules that must not know which channel that is. A channel whose adapter
 * shows no notices is skipped.
 */
@Injectable()
export class CustomerNotices {
  constructor(
    private readonly channels: ChannelsService,
    private readonly registry: ChannelRegistry,
  ) {}

  /** Shows the notice; false when the conversation's channel shows none (nothing reached the customer). */
  async notify(conversation: { channelId: string; threadKey: string }, notice: CustomerNotice): Promise<boolean> {
    const channel = await this.channels.account(conversation.channelId);
    const notify = channel ? this.registry.get(channel.provider).notify : undefined;
    if (!channel || !notify) return false;
    await notify(channel, ThreadKey.parse(conversation.threadKey), notice);
    return true;
  }

  /** Whether channels of this provider (as a row stores it) show notices. */
  shownBy(provider: string): boolean {
    return isChannelProvider(provider) && this.registry.get(provider).notify !== undefined;
  }

  /** The providers whose channels show notices, for a query that looks only at their conversations. */
  providers(): ChannelProvider[] {
    return this.registry
      .all()
      .filter((adapter) => adapter.notify)
      .map((adapter) => adapter.provider);
  }
}
