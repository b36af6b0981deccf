import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { iceServersFor } from '../common/realtime/ice-servers.js';
import type { CallEndReason, CallEnded, CallIce, CallSignal } from '../common/realtime/events/index.js';
import { ThreadKey, WebchatCalls } from '../channels/index.js';
import type { ChannelAccount, VisitorCalls } from '../channels/index.js';
import { CallEventsService } from './call-events.service.js';
import { ConversationEvents } from './conversation.events.js';

/**
 * How long a call may ring. The agent's browser stops it at this point (`no_answer`); a call found still ringing
 * later (that browser closed meanwhile) is ended so when the conversation's next call starts.
 */
export const CALL_RING_SECONDS = 45;

/** The member a call frame comes from (the inbox socket's). */
export interface CallMember {
  id: string;
  teamId: string;
  name: string;
}

type CallRow = NonNullable<Awaited<ReturnType<Db['call']['findUnique']>>>;

const LIVE = ['ringing', 'active'] as const;
const END_REASONS: readonly CallEndReason[] = ['hung_up', 'declined', 'no_answer', 'cancelled', 'connection_lost', 'media_unavailable'];

/**
 * Video calls on web chat: an agent calls the visitor of a chat they hold, the visitor accepts or declines in the
 * widget, and the hub relays the two browsers' WebRTC signals (offers and answers, ICE candidates) until one side
 * ends it. The row is the truth: each step is one conditional update, so a frame from a second tab, or both sides
 * hanging up at once, changes nothing twice. Its start and end go into the thread (`CallEventsService`).
 */
@Injectable()
export class CallsService implements VisitorCalls, OnModuleInit {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly port: WebchatCalls,
    private readonly events: ConversationEvents,
    private readonly thread: CallEventsService,
  ) {}

  onModuleInit(): void {
    this.port.connect(this);
  }

  /**
   * The agent calls: only in a web chat of their team that they hold and that is not resolved. Rings in every tab
   * of the visitor's; answered with the call's id and the ICE servers made for this member.
   */
  async invite(member: CallMember, conversationId: string): Promise<{ callId: string } & CallIce> {
    const conversation = await this.db.conversation.findFirst({
      where: { id: conversationId, teamId: member.teamId },
      select: { id: true, teamId: true, channelId: true, threadKey: true, status: true, assigneeId: true, channel: { select: { type: true } } },
    });
    if (!conversation) throw notFound('The conversation');
    const visitorId = ThreadKey.visitorOf(conversation.threadKey);
    if (conversation.channel.type !== 'webchat' || !visitorId) {
      throw new DomainError('unprocessable', 'call_unsupported', 'Video calls work only in web chat conversations.', { channel: conversation.channel.type });
    }
    if (conversation.status === 'resolved') throw new DomainError('conflict', 'conversation_resolved', 'The conversation is resolved.');
    if (conversation.assigneeId !== member.id) throw new DomainError('forbidden', 'not_assigned', 'Only the agent who holds the conversation can call its customer.');
    await this.endStale(member, conversation.id);
    const now = this.clock.now();
    let call: CallRow;
    try {
      call = await this.db.call.create({
        data: { teamId: member.teamId, conversationId: conversation.id, channelId: conversation.channelId, memberId: member.id, visitorId, liveKey: conversation.id, invitedAt: now },
      });
    } catch (error) {
      // The live key: one call at a time per conversation, even when two devices of the member call at once.
      if (isUniqueViolation(error)) throw new DomainError('conflict', 'call_in_progress', 'This conversation already has a video call ringing or running.');
      throw error;
    }
    this.port.toVisitor(call.channelId, visitorId, 'call.invite', { callId: call.id, conversationId: conversation.id, agentName: member.name });
    return { callId: call.id, ...this.ice(member.id, now) };
  }

  /** Fresh ICE servers for an ICE restart (TURN credentials expire). */
  async memberIce(member: CallMember, callId: string): Promise<CallIce> {
    await this.memberCall(member, callId, ['active']);
    return this.ice(member.id, this.clock.now());
  }

  /** The agent's browser's offer (again for an ICE restart) or candidate, to the visitor's tabs. */
  async memberSignal(member: CallMember, callId: string, signal: CallSignal): Promise<void> {
    const call = await this.memberCall(member, callId, ['active']);
    this.port.toVisitor(call.channelId, call.visitorId, 'call.signal', { callId, signal });
  }

  /**
   * The agent ends it: hung up (a call that never ran was `cancelled`), rang out, or its connection did not come
   * back. A call already over answers how it ended.
   */
  async memberEnd(member: CallMember, callId: string, reason: 'hung_up' | 'cancelled' | 'no_answer' | 'connection_lost' | 'media_unavailable'): Promise<CallEnded> {
    const call = await this.db.call.findFirst({ where: { id: callId, memberId: member.id, teamId: member.teamId } });
    if (!call) throw callNotFound();
    return this.finish(call, reason);
  }

  async accept(channel: ChannelAccount, visitorId: string, callId: string): Promise<CallIce> {
    const call = await this.visitorCall(channel, visitorId, callId, ['ringing']);
    const now = this.clock.now();
    // A second tab's accept, or one after the agent stopped it ringing, finds nothing to update.
    const { count } = await this.db.call.updateMany({ where: { id: call.id, status: 'ringing' }, data: { status: 'active', acceptedAt: now } });
    if (count === 0) throw callNotFound();
    await this.thread.started(call, now);
    this.events.emit('call.accepted', { teamId: call.teamId, memberId: call.memberId, callId: call.id, conversationId: call.conversationId });
    this.port.toVisitor(call.channelId, call.visitorId, 'call.accepted', { callId: call.id });
    return this.ice(visitorId, now);
  }

  async decline(channel: ChannelAccount, visitorId: string, callId: string): Promise<void> {
    const call = await this.visitorCall(channel, visitorId, callId, ['ringing']);
    await this.finish(call, 'declined');
  }

  async signal(channel: ChannelAccount, visitorId: string, callId: string, signal: CallSignal): Promise<void> {
    const call = await this.visitorCall(channel, visitorId, callId, ['active']);
    this.events.emit('call.signal', { teamId: call.teamId, memberId: call.memberId, callId, signal });
  }

  async end(channel: ChannelAccount, visitorId: string, callId: string, reason: 'hung_up' | 'media_unavailable' | 'connection_lost'): Promise<CallEnded> {
    const call = await this.db.call.findFirst({ where: { id: callId, channelId: channel.id, visitorId } });
    if (!call) throw callNotFound();
    return this.finish(call, reason);
  }

  async restart(channel: ChannelAccount, visitorId: string, callId: string): Promise<void> {
    const call = await this.visitorCall(channel, visitorId, callId, ['active']);
    this.events.emit('call.restart', { teamId: call.teamId, memberId: call.memberId, callId });
  }

  /**
   * Ends a call once: one conditional update from the state it was read in. A call that ran and was hung up has
   * `ended`; everything else `failed`, with its reason. Both sides hear it, and the thread gets its event.
   */
  private async finish(call: CallRow, asked: CallEndReason): Promise<CallEnded> {
    if (call.status === 'ended' || call.status === 'failed') return endedOf(call);
    const now = this.clock.now();
    const reason: CallEndReason = call.status === 'ringing' && asked === 'hung_up' ? 'cancelled' : asked;
    const status = call.status === 'active' && reason === 'hung_up' ? 'ended' : 'failed';
    const { count } = await this.db.call.updateMany({ where: { id: call.id, status: call.status }, data: { status, endReason: reason, endedAt: now, liveKey: null } });
    // Someone else's end (the other side, another tab) won: theirs is how it ended.
    if (count === 0) return endedOf(await this.db.call.findUniqueOrThrow({ where: { id: call.id } }));
    const ended = endedOf({ ...call, status, endReason: reason, endedAt: now });
    await this.thread.finished(call, ended, now);
    this.events.emit('call.ended', { teamId: call.teamId, memberId: call.memberId, call: ended });
    this.port.toVisitor(call.channelId, call.visitorId, 'call.ended', ended);
    return ended;
  }

  /**
   * A call the member's closed browser left behind would block the next one: one that rang past its time rang out,
   * and the member's own that still looks live lost its connection (they would not call again while in it). One
   * still ringing in its time stays, and the new call is refused (`call_in_progress`).
   */
  private async endStale(member: CallMember, conversationId: string): Promise<void> {
    const live = await this.db.call.findMany({ where: { conversationId, status: { in: [...LIVE] } } });
    const rangOut = this.clock.now().getTime() - CALL_RING_SECONDS * 1000;
    for (const call of live) {
      if (call.status === 'ringing' && call.invitedAt.getTime() < rangOut) await this.finish(call, 'no_answer');
      else if (call.status === 'active' && call.memberId === member.id) await this.finish(call, 'connection_lost');
    }
  }

  private ice(who: string, now: Date): CallIce {
    return { iceServers: iceServersFor(this.config.calls, who, now), iceTransportPolicy: this.config.calls.iceTransportPolicy };
  }

  private async memberCall(member: CallMember, callId: string, states: readonly ('ringing' | 'active')[]): Promise<CallRow> {
    const call = await this.db.call.findFirst({ where: { id: callId, memberId: member.id, teamId: member.teamId, status: { in: [...states] } } });
    if (!call) throw callNotFound();
    return call;
  }

  private async visitorCall(channel: ChannelAccount, visitorId: string, callId: string, states: readonly ('ringing' | 'active')[]): Promise<CallRow> {
    const call = await this.db.call.findFirst({ where: { id: callId, channelId: channel.id, visitorId, status: { in: [...states] } } });
    if (!call) throw callNotFound();
    return call;
  }
}

function callNotFound(): DomainError {
  return new DomainError('not_found', 'call_not_found', 'No call of yours by that id is ringing or running.');
}

function endedOf(call: Pick<CallRow, 'id' | 'conversationId' | 'status' | 'endReason' | 'acceptedAt' | 'endedAt'>): CallEnded {
  const durationSeconds = call.acceptedAt && call.endedAt ? Math.max(0, Math.round((call.endedAt.getTime() - call.acceptedAt.getTime()) / 1000)) : 0;
  return {
    callId: call.id,
    conversationId: call.conversationId,
    status: call.status === 'ended' ? 'ended' : 'failed',
    reason: END_REASONS.find((reason) => reason === call.endReason) ?? 'hung_up',
    durationSeconds,
  };
}
