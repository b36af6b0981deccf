import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import type { CallEndReason, CallEnded } from '../common/realtime/events/index.js';
import { ConversationEvents } from './conversation.events.js';
import { toMessageView } from './conversation.views.js';

/** A call as its thread events need it. */
export interface CallRecord {
  id: string;
  teamId: string;
  conversationId: string;
  channelId: string;
  memberId: string;
}

/** What a failure says in the thread and the export (the inbox shows its own words for each, by `meta.reason`). */
const FAILURE_TEXT: Record<CallEndReason, string> = {
  hung_up: 'ビデオ通話が終了しました',
  declined: 'お客様がビデオ通話を辞退しました',
  no_answer: 'ビデオ通話にお客様が応答しませんでした',
  cancelled: 'ビデオ通話の呼び出しを取り消しました',
  connection_lost: 'ビデオ通話の接続が切れ、つながり直せませんでした',
  media_unavailable: 'カメラまたはマイクが使えず、ビデオ通話ができませんでした',
};

/** `2分05秒`: how long a call ran, as the export reads it (the inbox writes the same from `durationSeconds`). */
export function callDurationText(seconds: number): string {
  return `${Math.floor(seconds / 60)}分${String(seconds % 60).padStart(2, '0')}秒`;
}

/**
 * A video call's start and end in its conversation's thread: system event messages, as a LINE group's comings and
 * goings are, with the details in `attachments[0].meta` (`call_started`; `call_ended` with `durationSeconds`;
 * `call_failed` with `reason`, and `durationSeconds` when it had run). Each is written once per call: its event
 * key is the call's, so the two sides hanging up together, or an end told twice, add nothing.
 */
@Injectable()
export class CallEventsService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly events: ConversationEvents,
  ) {}

  started(call: CallRecord, at: Date): Promise<void> {
    return this.write(call, `call:${call.id}:started`, 'ビデオ通話が始まりました', { type: 'call_started', callId: call.id, memberId: call.memberId }, at);
  }

  finished(call: CallRecord, end: CallEnded, at: Date): Promise<void> {
    const duration = `（${callDurationText(end.durationSeconds)}）`;
    if (end.status === 'ended') {
      return this.write(call, `call:${call.id}:end`, `ビデオ通話が終了しました${duration}`, { type: 'call_ended', callId: call.id, memberId: call.memberId, durationSeconds: end.durationSeconds }, at);
    }
    const meta = { type: 'call_failed', callId: call.id, memberId: call.memberId, reason: end.reason, durationSeconds: end.durationSeconds };
    // A call that never ran has no length to tell.
    return this.write(call, `call:${call.id}:end`, `${FAILURE_TEXT[end.reason]}${end.durationSeconds > 0 ? duration : ''}`, meta, at);
  }

  private async write(call: CallRecord, eventKey: string, body: string, meta: Record<string, string | number>, at: Date): Promise<void> {
    try {
      const message = await this.db.message.create({
        data: {
          teamId: call.teamId,
          conversationId: call.conversationId,
          channelId: call.channelId,
          // As the hub's other events in a thread: neither side's words, so no delivery status and no reply.
          direction: 'in',
          kind: 'event',
          body,
          attachments: [{ meta }],
          authorType: 'system',
          status: 'received',
          eventKey,
          createdAt: at,
        },
      });
      this.events.emit('message.created', { teamId: call.teamId, message: toMessageView(message) });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
}
