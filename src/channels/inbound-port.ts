import { Injectable } from '@nestjs/common';
import type { ChannelAccount, InboundEvent } from './channel-adapter.js';

/** What the hub made of one inbound event. */
export interface IngestOutcome {
  /** false when the event was a redelivery (or otherwise already known) and nothing new was stored. */
  stored: boolean;
  conversationId?: string;
  messageId?: string;
}

/**
 * Where channels hand what customers send: normalized events, whichever provider they came from. `conversations` implements it; `channels` never imports
 * `conversations` (the dependency runs one way), so the implementation is connected at start-up.
 */
export interface InboundSink {
  ingest(channel: ChannelAccount, events: InboundEvent[]): Promise<IngestOutcome[]>;
}

@Injectable()
export class ChannelInbound {
  private sink: InboundSink | null = null;

  connect(sink: InboundSink): void {
    this.sink = sink;
  }

  get target(): InboundSink {
    if (!this.sink) throw new Error('No inbound sink is connected: the conversations module did not start');
    return this.sink;
  }
}
