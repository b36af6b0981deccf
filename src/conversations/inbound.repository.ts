import { v7 as uuidv7 } from 'uuid';
import type { Db, Tx } from '../common/database/database.js';
import type { IngestOutcome } from '../channels/index.js';
import type { ConversationRow } from './conversation.views.js';

/** The conversation row a customer's message lands in, as the ingest needs it for its view and its follow-ups. */
export type InboundConversationRow = Omit<ConversationRow, 'channel' | 'contact'> & {
  awayNoticeAt: Date | null;
  /** This message opened it. */
  started: boolean;
};

export interface InboundTouch {
  teamId: string;
  channelId: string;
  contactId: string;
  threadKey: string;
  activeKey: string;
  awaitingClaimId: string | null;
  at: Date;
  preview: string;
  replyToken: { token: string; expiresAt: Date } | null;
}

/**
 * Opens the customer's live conversation on this thread or joins it, and records the message's arrival on it, in one
 * statement: the unique `active_key` decides between two first messages racing (no read before the write, no
 * retry), and `xmax = 0` tells whether this statement inserted the row.
 */
export async function openOrJoinConversation(tx: Tx, touch: InboundTouch): Promise<InboundConversationRow> {
  const token = touch.replyToken?.token ?? null;
  const tokenExpiresAt = touch.replyToken?.expiresAt ?? null;
  const rows = await tx.$queryRaw<InboundConversationRow[]>`
    INSERT INTO conversations AS c (id, team_id, channel_id, contact_id, status, unreplied, thread_key, active_key, last_message_at,
      last_customer_message_at, last_message_preview, awaiting_claim_id, reply_token, reply_token_expires_at)
    VALUES (${uuidv7()}, ${touch.teamId}, ${touch.channelId}, ${touch.contactId}, 'waiting', true, ${touch.threadKey}, ${touch.activeKey},
      ${touch.at}::timestamp, ${touch.at}::timestamp, ${touch.preview}, ${touch.awaitingClaimId}, ${token}, ${tokenExpiresAt}::timestamp)
    ON CONFLICT (active_key) DO UPDATE SET
      last_message_at = EXCLUDED.last_message_at,
      last_customer_message_at = EXCLUDED.last_customer_message_at,
      last_message_preview = EXCLUDED.last_message_preview,
      unreplied = true,
      -- The token lives from the provider's event, not from our receipt: a message without one keeps the last.
      reply_token = COALESCE(EXCLUDED.reply_token, c.reply_token),
      reply_token_expires_at = CASE WHEN EXCLUDED.reply_token IS NULL THEN c.reply_token_expires_at ELSE EXCLUDED.reply_token_expires_at END
    RETURNING c.id, c.status::text AS status, c.assignee_id AS "assigneeId", c.unreplied, c.outcome, c.category_id AS "categoryId", c.handled,
      c.rating_score AS "ratingScore", c.rating_comment AS "ratingComment", c.last_message_at AS "lastMessageAt",
      c.last_customer_message_at AS "lastCustomerMessageAt", c.last_message_preview AS "lastMessagePreview", c.created_at AS "createdAt",
      c.resolved_at AS "resolvedAt", c.away_notice_at AS "awayNoticeAt", (c.xmax = 0) AS started`;
  return rows[0];
}

/** The message a provider event already brought in: a redelivery answers with it and stores nothing. */
export async function knownMessage(db: Db, channelId: string, eventKey: string): Promise<IngestOutcome | null> {
  const row = await db.message.findUnique({ where: { channelId_eventKey: { channelId, eventKey } }, select: { id: true, conversationId: true } });
  return row ? { stored: false, conversationId: row.conversationId, messageId: row.id } : null;
}
