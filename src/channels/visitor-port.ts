import { Injectable } from '@nestjs/common';
import type { ChannelAccount, ChannelAddress } from './channel-adapter.js';
import type { WidgetMessage } from '../common/realtime/events/widget.events.js';

/** What a visitor leaves in the widget's message form: an email or a phone number (at least one), and the message. */
export interface LeftMessage {
  email?: string;
  phone?: string;
  name?: string;
  body: string;
  /** The widget's id for this submission: a resend after a lost ack stores nothing new. */
  clientId?: string;
}

/** A code sent to an address a visitor typed, for them to enter in the widget (`prove`). */
export interface ProofSent {
  kind: 'email' | 'phone';
  /** false: no channel could carry it, or the address had enough codes for now (`retryAfterSeconds`). */
  sent: boolean;
  retryAfterSeconds?: number;
}

/** The team's state when the widget opens. `opensAt`: the next opening while closed (null without hours ahead). */
export interface LaunchState {
  status: 'open' | 'closed' | 'unavailable';
  opensAt: Date | null;
  timeZone: string;
}

/** A message as a web chat visitor sees it: the widget protocol's own wire type. */
export type VisitorMessage = WidgetMessage;

/** A page the widget says its visitor is on (the page that embeds it). */
export interface VisitorPage {
  url: string;
  title?: string;
}

/**
 * What the web chat widget asks of the hub about its visitor, beyond the messages they send (which go through the
 * inbound port like any provider's): their thread, who they say they are, the message form, ratings, pages, typing.
 * `conversations` implements it; `channels` never imports `conversations`, so it is connected at start-up.
 */
export interface VisitorSessions {
  /** A web chat visitor's open conversation and its messages after `afterSeq` (for resync after a reconnect). */
  visitorThread(channel: ChannelAccount, visitorId: string, afterSeq: string | null): Promise<{ conversationId: string | null; messages: VisitorMessage[] }>;
  /**
   * What a web visitor told about themselves (pre-chat form, `Tsunagi('set', ...)`): a name, and addresses that are
   * claims (a merge proposal, or a code sent to them) until proved.
   */
  identifyVisitor(channel: ChannelAccount, visitorId: string, details: { name?: string; email?: string; phone?: string }, clientAddress: string): Promise<{ contactId: string; proof: ProofSent | null }>;
  /** The code the visitor got at an address they claimed: right, the address is theirs (merged into its holder). */
  proveVisitor(channel: ChannelAccount, visitorId: string, code: string): Promise<{ kind: 'email' | 'phone' }>;
  /**
   * The widget's message form (nobody could answer, or the wait was long): an address and a message, answered by
   * email through the team's email channel when it has one, else in the chat.
   */
  leaveMessage(channel: ChannelAccount, visitorId: string, form: LeftMessage, clientAddress: string): Promise<{ conversationId: string; channelType: 'email' | 'sms' | 'webchat'; proof: ProofSent | null }>;
  /** Whether anybody can answer now: the team is closed (with its next opening), nobody is online, or it is open. */
  launchState(channel: ChannelAccount): Promise<LaunchState>;
  /** The visitor agreed to the data notice: recorded as consent evidence (once per version). */
  agreeToNotice(channel: ChannelAccount, visitorId: string, notice: { version: string; text: string | null; url: string }): Promise<void>;
  /** Whether the visitor agreed to this version of the channel's data notice. */
  agreedToNotice(channel: ChannelAccount, visitorId: string, version: string): Promise<boolean>;
  /** Whether the team has blocked this customer (their widget then stays closed). */
  isBlocked(channel: ChannelAccount, address: ChannelAddress): Promise<boolean>;
  /** The widget's rating form at the end of a chat: the score goes on the visitor's latest conversation. */
  rateVisitorConversation(channel: ChannelAccount, visitorId: string, rating: { score: number; comment?: string }): Promise<{ conversationId: string | null }>;
  /** The page the visitor opened the widget on, or moved to: their access log, which tells a report the store. */
  visitorPage(channel: ChannelAccount, visitorId: string, page: VisitorPage, at: Date): Promise<void>;
  /**
   * The widget's request for the chat's transcript by email (sent through the team's email channel). The methods
   * that may send a proof code take the socket's `clientAddress`: codes are rationed per client address too.
   */
  visitorTranscript(channel: ChannelAccount, visitorId: string, email: string, clientAddress: string): Promise<{ email: string }>;
  /** The customer's draft as they type, for the agent's preview. */
  customerTyping(channel: ChannelAccount, from: { kind: 'visitor'; address: string }, draft: string): Promise<void>;
}

@Injectable()
export class WebchatVisitors {
  private sessions: VisitorSessions | null = null;

  connect(sessions: VisitorSessions): void {
    this.sessions = sessions;
  }

  get target(): VisitorSessions {
    if (!this.sessions) throw new Error('No visitor sessions are connected: the conversations module did not start');
    return this.sessions;
  }
}
