import { z } from 'zod';

// Video calls on web chat: the frames both namespaces share. The hub only relays what one browser says to the
// other (the WebRTC offer and answer, and ICE candidates); the media goes between the browsers, or through TURN.

/** A call is named by the hub's id for it (a UUID). */
export const callId = z.uuid();

/**
 * What one browser tells the other: a session description (an offer or its answer; an offer again for an ICE
 * restart) or one ICE candidate, as `RTCSessionDescription.toJSON()` and `RTCIceCandidate.toJSON()` give them.
 * Sizes are generous for SDP (a few KB with video) and refuse what could only be abuse of the relay.
 */
export const callSignal = z.union([
  z.strictObject({ description: z.strictObject({ type: z.enum(['offer', 'answer']), sdp: z.string().min(1).max(64_000) }) }),
  z.strictObject({
    candidate: z.strictObject({
      candidate: z.string().max(1000),
      sdpMid: z.string().max(64).nullable().optional(),
      sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
      usernameFragment: z.string().max(256).nullable().optional(),
    }),
  }),
]);

export const callSignalFrame = z.strictObject({ callId, signal: callSignal });

/** The agent starts a call in a web chat they hold. */
export const callInviteFrame = z.strictObject({ conversationId: z.string().min(1).max(64) });

/**
 * Why the agent's side ends a call: `hung_up` (it ran and the agent ended it, or the agent stopped it ringing:
 * `cancelled`), `no_answer` (it rang out), `connection_lost` (the connection did not come back within its 30 s of
 * ICE restarts), `media_unavailable` (no camera or microphone could be opened).
 */
export const agentCallEndReason = z.enum(['hung_up', 'cancelled', 'no_answer', 'connection_lost', 'media_unavailable']);
export const agentCallEndFrame = z.strictObject({ callId, reason: agentCallEndReason.default('hung_up') });

/**
 * The visitor hangs up (`hung_up`), their browser could not open a camera or microphone, or the connection stayed
 * lost past the caller's 30 s without the caller ending the call (its browser went away).
 */
export const visitorCallEndFrame = z.strictObject({ callId, reason: z.enum(['hung_up', 'media_unavailable', 'connection_lost']).default('hung_up') });

/** A frame that names only its call: accept, decline, or "the connection dropped, restart ICE" from the visitor. */
export const callFrame = z.strictObject({ callId });
