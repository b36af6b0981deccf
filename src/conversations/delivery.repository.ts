import { Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import type { MessageRow, MessageView } from './conversation.views.js';

/**
 * A delivery as the outbox sends it: its row, its message, what the message's conversation says about where and
 * how to send (the thread, a claim it waits for, the contact, LINE's reply token) and the author's name. One
 * statement: this runs for every message that leaves the hub.
 */
export interface DeliveryToSend {
  state: string;
  attempts: number;
  partsSent: number;
  messageId: string;
  teamId: string;
  channelId: string;
  conversationId: string;
  body: string;
  /** The row's attachments, as stored (`Attachment[]`). */
  attachments: unknown;
  authorType: MessageView['author']['type'];
  authorId: string | null;
  authorName: string | null;
  seq: bigint;
  template: unknown;
  /** The row's product cards, as stored (`StoredProductCard[]`), or null. */
  products: unknown;
  createdAt: Date;
  threadKey: string;
  awaitingClaimId: string | null;
  contactId: string;
  replyToken: string | null;
  replyTokenExpiresAt: Date | null;
}

export async function deliveryToSend(db: Db, deliveryId: string): Promise<DeliveryToSend | null> {
  const [row] = await db.$queryRaw<DeliveryToSend[]>`
    SELECT d.state::text AS state, d.attempts, d.parts_sent AS "partsSent",
           m.id AS "messageId", m.team_id AS "teamId", m.channel_id AS "channelId", m.conversation_id AS "conversationId",
           m.body, m.attachments, m.author_type::text AS "authorType", m.author_id AS "authorId", a.name AS "authorName", m.seq, m.template, m.products,
           m.created_at AS "createdAt",
           c.thread_key AS "threadKey", c.awaiting_claim_id AS "awaitingClaimId", c.contact_id AS "contactId",
           c.reply_token AS "replyToken", c.reply_token_expires_at AS "replyTokenExpiresAt"
      FROM deliveries d
      JOIN messages m ON m.id = d.message_id
      JOIN conversations c ON c.id = m.conversation_id
      LEFT JOIN members a ON a.id = m.author_id
     WHERE d.id = ${deliveryId}`;
  return row ?? null;
}

/** The message row as `toMessageView` reads it, named as Prisma names its fields. */
const MESSAGE_FIELDS = Prisma.sql`
  id, conversation_id AS "conversationId", seq, direction::text AS direction, kind::text AS kind, body, attachments, content,
  author_type::text AS "authorType", author_id AS "authorId", status::text AS status, error, unsent_at AS "unsentAt", template, products,
  reviewed_by_id AS "reviewedById", reviewed_at AS "reviewedAt", review_feedback AS "reviewFeedback", created_at AS "createdAt"`;

export type SentMessageRow = MessageRow & {
  /** Status callbacks that came before the send's answer wait in early_statuses for this message's provider id. */
  hasEarlyStatuses: boolean;
};

/**
 * A send the provider accepted, recorded in one statement: the delivery done; the message sent (only from queued: a
 * status callback may already have moved it on), with the provider's ids. Answers the message as it now is, and
 * whether status callbacks are waiting for it (rare: the caller applies them).
 */
export async function recordSent(
  db: Db,
  sent: { deliveryId: string; messageId: string; channelId: string; providerMessageId: string | null; quoteToken: string | null; at: Date },
): Promise<SentMessageRow> {
  const [row] = await db.$queryRaw<SentMessageRow[]>`
    WITH done AS (
      UPDATE deliveries SET state = 'done', completed_at = ${sent.at}::timestamp, last_error = NULL WHERE id = ${sent.deliveryId}
    ), message AS (
      UPDATE messages
         SET status = CASE WHEN status = 'queued' THEN 'sent'::"MessageStatus" ELSE status END,
             error = CASE WHEN status = 'queued' THEN NULL ELSE error END,
             provider_message_id = ${sent.providerMessageId}::text,
             quote_token = ${sent.quoteToken}::text
       WHERE id = ${sent.messageId}
   RETURNING ${MESSAGE_FIELDS}
    )
    SELECT message.*,
           EXISTS (SELECT 1 FROM early_statuses e WHERE e.channel_id = ${sent.channelId} AND e.provider_message_id = ${sent.providerMessageId}::text) AS "hasEarlyStatuses"
      FROM message`;
  if (!row) throw new Error(`message ${sent.messageId} of delivery ${sent.deliveryId} is gone`);
  return row;
}

/**
 * One opening of a product card's link: the link counts it and, on its first opening, the card in its message gets
 * `openedAt`. Answers where the link leads, and the message when this was the first opening (only then has the
 * thread anything new to show); null for an unknown token. The update locks the link's row, so of two first
 * openings at once only one reads `first` (the second waits on the lock and reads the row as the first left it).
 */
export async function productCardOpened(db: Db, token: string, at: Date): Promise<{ teamId: string; targetUrl: string; message: MessageRow | null } | null> {
  const [link] = await db.$queryRaw<Array<{ teamId: string; messageId: string; position: number; targetUrl: string; first: boolean }>>`
    UPDATE product_links l
       SET opens = l.opens + 1, last_opened_at = ${at}::timestamp, first_opened_at = COALESCE(l.first_opened_at, ${at}::timestamp)
      FROM (SELECT first_opened_at AS was FROM product_links WHERE token = ${token} FOR UPDATE) before
     WHERE l.token = ${token}
 RETURNING l.team_id AS "teamId", l.message_id AS "messageId", l.position, l.target_url AS "targetUrl", before.was IS NULL AS first`;
  if (!link) return null;
  if (!link.first) return { teamId: link.teamId, targetUrl: link.targetUrl, message: null };
  const [message] = await db.$queryRaw<MessageRow[]>`
    UPDATE messages SET products = jsonb_set(products, ARRAY[${String(link.position)}::text, 'openedAt'], to_jsonb(${at.toISOString()}::text))
     WHERE id = ${link.messageId} AND products IS NOT NULL
 RETURNING ${MESSAGE_FIELDS}`;
  return { teamId: link.teamId, targetUrl: link.targetUrl, message: message ?? null };
}
