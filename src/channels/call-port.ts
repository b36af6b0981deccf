import { Injectable } from '@nestjs/common';
import type { ChannelAccount } from './channel-adapter.js';
import type { CallEnded, CallIce, CallSignal, WidgetServerEvents } from '../common/realtime/events/index.js';

/**
 * What the widget's visitor does in a video call an agent started. `conversations` implements it (the call and its
 * events in the thread are its records); `channels` never imports `conversations`, so it is connected at start-up.
 * Each method refuses (`call_not_found`) a call that is not this visitor's on this channel, or is over.
 */
export interface VisitorCalls {
  /** The visitor answers: the call runs from now, and they get the ICE servers made for them. */
  accept(channel: ChannelAccount, visitorId: string, callId: string): Promise<CallIce>;
  decline(channel: ChannelAccount, visitorId: string, callId: string): Promise<void>;
  /** The visitor's browser's answer or ICE candidate, for the agent's. */
  signal(channel: ChannelAccount, visitorId: string, callId: string, signal: CallSignal): Promise<void>;
  end(channel: ChannelAccount, visitorId: string, callId: string, reason: 'hung_up' | 'media_unavailable' | 'connection_lost'): Promise<CallEnded>;
  /** The visitor's browser lost the connection: the agent's, which drives ICE restarts, is told. */
  restart(channel: ChannelAccount, visitorId: string, callId: string): Promise<void>;
}

/** The `/widget` events of a call, as `conversations` sends them to a visitor's tabs. */
export type VisitorCallEvents = Pick<WidgetServerEvents, 'call.invite' | 'call.accepted' | 'call.signal' | 'call.ended'>;

/** Whatever reaches a visitor's tabs (the web chat sender, on every hub process through socket.io's adapter). */
export interface VisitorRelay {
  emit<E extends keyof WidgetServerEvents>(channelId: string, visitorId: string, event: E, ...payload: Parameters<WidgetServerEvents[E]>): void;
}

/** The port between the widget's gateway and the calls of `conversations`, both ways. */
@Injectable()
export class WebchatCalls {
  private calls: VisitorCalls | null = null;
  private relay: VisitorRelay | null = null;

  connect(calls: VisitorCalls): void {
    this.calls = calls;
  }

  get target(): VisitorCalls {
    if (!this.calls) throw new Error('No calls are connected: the conversations module did not start');
    return this.calls;
  }

  /** Set by the widget's gateway once its namespace is up. */
  attach(relay: VisitorRelay): void {
    this.relay = relay;
  }

  /** A call's event to every tab of the visitor. */
  toVisitor<E extends keyof VisitorCallEvents>(channelId: string, visitorId: string, event: E, ...payload: Parameters<VisitorCallEvents[E]>): void {
    this.relay?.emit(channelId, visitorId, event, ...payload);
  }
}
