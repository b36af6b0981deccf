import { z } from 'zod';

// The `/inbox` namespace's inbound side: the frames an agent's device may send, parsed by the inbox gateway.

/** The agent is typing in a conversation: a web chat visitor sees an indicator. */
export const inboxTypingFrame = z.strictObject({ conversationId: z.string().min(1).max(64) });

/** Every frame an agent's device may send on `/inbox`, by event name. */
export const inboxFrames = {
  typing: inboxTypingFrame,
} as const;
