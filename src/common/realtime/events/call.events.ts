import type { z } from 'zod';
import type { callSignal } from './call.schema.js';

// The wire types of video calls that `/inbox` and `/widget` share.

/** A session description or an ICE candidate, relayed as one browser gave it. */
export type CallSignal = z.output<typeof callSignal>;

/** One entry of `RTCConfiguration.iceServers`: TURN entries carry credentials made for this side of this call. */
export interface CallIceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** What a side of a call sets its `RTCPeerConnection` up with: the servers, and whether to use TURN only. */
export interface CallIce {
  iceServers: CallIceServer[];
  iceTransportPolicy: 'all' | 'relay';
}

/**
 * Why a call ended. A call that ran ends `hung_up` (by either side) or `connection_lost`; one that never ran fails
 * `declined`, `no_answer`, `cancelled` (the agent stopped it ringing) or `media_unavailable`.
 */
export type CallEndReason = 'hung_up' | 'declined' | 'no_answer' | 'cancelled' | 'connection_lost' | 'media_unavailable';

/** A call is over: `ended` after it ran, `failed` when it never did or lost its connection; the thread has its event. */
export interface CallEnded {
  callId: string;
  conversationId: string;
  status: 'ended' | 'failed';
  reason: CallEndReason;
  /** Seconds from the visitor's accept to the end; 0 for a call that never ran. */
  durationSeconds: number;
}
