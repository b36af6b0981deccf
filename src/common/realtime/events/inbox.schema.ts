import { z } from 'zod';
import { agentCallEndFrame, callFrame, callInviteFrame, callSignalFrame } from './call.schema.js';

// The `/inbox` namespace's inbound side: the frames an agent's device may send, parsed by the inbox gateway.

/** The agent is typing in a conversation: a web chat visitor sees an indicator. */
export const inboxTypingFrame = z.strictObject({ conversationId: z.string().min(1).max(64) });

/** Every frame an agent's device may send on `/inbox`, by event name. */
export const inboxFrames = {
  typing: inboxTypingFrame,
  'call.invite': callInviteFrame,
  'call.signal': callSignalFrame,
  'call.end': agentCallEndFrame,
  /** Fresh ICE servers (TURN credentials) for an ICE restart of a call the member started. */
  'call.ice': callFrame,
} as const;
