import { z } from 'zod';

// The queue's answer, as `GET /api/queue` documents it (openapi.json's `Queue`): QueueService builds it.

/** A chat a member holds, and since when its customer has waited for an answer (null: answered). */
const heldChat = z.object({
  conversationId: z.string(),
  channel: z.object({ id: z.string(), type: z.string() }),
  contact: z.object({ id: z.string(), name: z.string() }),
  /** The customer's first message since the last answer; null when nothing waits for one. */
  awaitingReplySince: z.string().nullable(),
  awaitingReplySeconds: z.number().nullable(),
});

/** The waiting queue, oldest first (the order they are offered in), and who could take them. */
export const queueView = z
  .object({
    waiting: z.array(
      z.object({
        conversationId: z.string(),
        channel: z.object({ id: z.string(), type: z.string() }),
        contact: z.object({ id: z.string(), name: z.string() }),
        preview: z.string().nullable(),
        createdAt: z.string(),
        waitingSeconds: z.number(),
        /** Offered to nobody's acceptance in time at least once. */
        missed: z.boolean(),
        /** Members it is offered to right now. */
        offeredTo: z.array(z.string()),
      }),
    ),
    members: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        status: z.string(),
        load: z.number(),
        capacity: z.number(),
        groupIds: z.array(z.string()),
        /** Offers ringing on their devices right now. */
        offersPending: z.number(),
        /** The open chats they hold, the longest wait for a reply first. */
        chats: z.array(heldChat),
      }),
    ),
  })
  .meta({ id: 'Queue' });

export type QueueView = z.output<typeof queueView>;
export type HeldChat = z.output<typeof heldChat>;
