import { Injectable } from '@nestjs/common';
import type { ChannelAccount } from './channel-adapter.js';
import type { ShopperEventInput } from './webchat/webchat.schema.js';

/**
 * Where the widget hands what a shopper does on the shop's pages. `sales` implements it; `channels` never imports
 * `sales` (the dependency runs one way), so the implementation is connected at start-up.
 */
export interface ShopperEventSink {
  /** Stores one event of a visitor's browser; refuses with `rate_limited` when that browser sends too many. */
  record(channel: ChannelAccount, visitorId: string, event: ShopperEventInput): Promise<void>;
}

@Injectable()
export class ChannelShopperEvents {
  private sink: ShopperEventSink | null = null;

  connect(sink: ShopperEventSink): void {
    this.sink = sink;
  }

  get target(): ShopperEventSink {
    if (!this.sink) throw new Error('No shopper event sink is connected: the sales module did not start');
    return this.sink;
  }
}
