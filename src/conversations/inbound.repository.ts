import { v7 as uuidv7 } from 'uuid';
import { Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import type { IngestOutcome } from '../channels/index.js';
import type { ConversationRow } from './conversation.views.js';
import type { NamingRequest } from './contact-naming.service.js';
import type { FollowUpWork } from './follow-ups.service.js';

/** The conversation row a customer's message lands in, as the ingest needs it for its view and its follow-ups. */
export type InboundConversationRow = Omit<ConversationRow, 'channel' | 'contact'> & {
  awayNoticeAt: Date | null;
  /** This message opened it. */
  started: boolean;
};

export interface InboundTouch {
  teamId: string;
  channelId: string;
  threadKey: string;
  activeKey: string;
  awaitingClaimId: string | null;
  /** The web chat's intake answers and group: set on the conversation (a later intake replaces an earlier one). */
  intake?: { answers: unknown[]; groupId: string | null } | null;
  at: Date;
  preview: string;
  replyToken: { token: string; expiresAt: Date } | null;
}

/** The message row's own fields; the conversation and the author come from the statement. */
export interface InboundMessageFields {
  id: string;
  kind: 'text' | 'media' | 'event';
  body: string;
  attachments: unknown[];
  content: object | null;
  providerMessageId: string | null;
  eventKey: string;
  quoteToken: string | null;
  /** The author when it is not the sender (a member of a group); by default the sender. */
  authorId: string | null;
  /** What follows the message whatever its conversation (a consent keyword, naming, media): the marker's fixed part. */
  followUp: FollowUpWork;
  /** Added to the marker when the statement made the sender's contact: the provider is to name it. */
  namingIfMade?: NamingRequest[];
}

/**
 * The logged events of the message (`EventLog`), written by the same statement: `message.created`, and
 * `conversation.created` when it opened its conversation, each for the consumers listening to it (none: not written).
 */
export interface InboundLoggedEvents {
  insertSql: (select: Prisma.Sql) => Prisma.Sql;
  channelType: string;
  conversationCreated: { id: string; consumers: string[] } | null;
  messageCreated: { id: string; consumers: string[] } | null;
}

/** What one write stored: the conversation as it is now, its contact, and the message's place and marker. */
export type InboundWrite = InboundConversationRow & {
  contactId: string;
  contactName: string;
  authorId: string;
  seq: bigint;
  /** The follow-up marker written with the message (null: nothing to do). */
  followUp: FollowUpWork | null;
};

/**
 * The statement that stores a customer's message: the sender (`sender`, common table expressions ending in one named
 * `sender` with columns `id`, `name` and `created`: a contact at hand, or the one `senderFoundOrMade` finds or makes in
 * this statement), the live conversation on its thread opened or joined, and
 * the message inserted with its follow-up marker; one `InboundWrite` row. It yields no row when `sender` yields none (an unknown or blocked
 * sender: the caller takes the long way). The unique `active_key` decides between two first messages racing (no
 * read before the write), `xmax = 0` tells whether this statement opened the conversation, and the unique event key
 * per channel fails the whole statement on a redelivery, conversation included. Alone (no transaction around it)
 * it is one round trip, committed when it returns; the conversation's row lock, taken before the message's insert,
 * keeps one conversation's messages in the order they commit.
 */
export function inboundMessageWrite(sender: Prisma.Sql, touch: InboundTouch, message: InboundMessageFields, logged?: InboundLoggedEvents): Prisma.Sql {
  const token = touch.replyToken?.token ?? null;
  const tokenExpiresAt = touch.replyToken?.expiresAt ?? null;
  const intake = touch.intake ? JSON.stringify(touch.intake.answers) : null;
  const intakeGroupId = touch.intake?.groupId ?? null;
  // The parts of the marker that depend on the conversation are decided here, from the row as the upsert left it:
  // a new conversation is to be offered; a waiting one whose customer was told the team is away may be told again.
  return Prisma.sql`
    WITH ${sender},
    conversation AS (
      INSERT INTO conversations AS c (id, team_id, channel_id, contact_id, status, unreplied, thread_key, active_key, last_message_at,
        last_customer_message_at, last_message_preview, awaiting_claim_id, reply_token, reply_token_expires_at, intake, intake_group_id)
      SELECT ${uuidv7()}, ${touch.teamId}, ${touch.channelId}, sender.id, 'waiting'::"ConversationStatus", true, ${touch.threadKey}, ${touch.activeKey},
        ${touch.at}::timestamp, ${touch.at}::timestamp, ${touch.preview}, ${touch.awaitingClaimId}::text, ${token}::text, ${tokenExpiresAt}::timestamp,
        ${intake}::jsonb, ${intakeGroupId}::text
      FROM sender
      ON CONFLICT (active_key) DO UPDATE SET
        intake = COALESCE(EXCLUDED.intake, c.intake),
        intake_group_id = CASE WHEN EXCLUDED.intake IS NULL THEN c.intake_group_id ELSE EXCLUDED.intake_group_id END,
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
        c.resolved_at AS "resolvedAt", c.away_notice_at AS "awayNoticeAt", (c.xmax = 0) AS started
    ),
    message AS (
      INSERT INTO messages (id, team_id, conversation_id, channel_id, direction, kind, body, attachments, content, author_type, author_id, status,
        provider_message_id, event_key, quote_token, created_at, follow_up)
      SELECT ${message.id}, ${touch.teamId}, conversation.id, ${touch.channelId}, 'in'::"MessageDirection", ${message.kind}::"MessageKind", ${message.body},
        ${JSON.stringify(message.attachments)}::jsonb, ${message.content === null ? null : JSON.stringify(message.content)}::jsonb, 'contact'::"AuthorType",
        COALESCE(${message.authorId}::text, sender.id), 'received'::"MessageStatus", ${message.providerMessageId}::text, ${message.eventKey}, ${message.quoteToken}::text,
        ${touch.at}::timestamp,
        NULLIF(jsonb_strip_nulls(jsonb_build_object(
          'started', CASE WHEN conversation.started THEN true END,
          'waiting', CASE WHEN NOT conversation.started AND conversation.status = 'waiting' AND conversation."assigneeId" IS NULL AND conversation."awayNoticeAt" IS NOT NULL THEN true END
        )) || ${JSON.stringify(message.followUp)}::jsonb
          || CASE WHEN sender.created THEN ${JSON.stringify(message.namingIfMade?.length ? { naming: message.namingIfMade } : {})}::jsonb ELSE '{}'::jsonb END,
        '{}'::jsonb)
      FROM conversation, sender
      RETURNING author_id, seq, follow_up
    )${logged ? loggedEvents(touch, message, logged) : Prisma.empty}
    SELECT conversation.*, sender.id AS "contactId", sender.name AS "contactName", message.author_id AS "authorId", message.seq, message.follow_up AS "followUp"
    FROM conversation, sender, message`;
}

/** The message's logged events as one more part of its statement: no statement of their own on the hot path. */
function loggedEvents(touch: InboundTouch, message: InboundMessageFields, logged: InboundLoggedEvents): Prisma.Sql {
  const selects: Prisma.Sql[] = [];
  const channel = Prisma.sql`'channelId', ${touch.channelId}::text, 'channel', ${logged.channelType}::text, 'contactId', sender.id`;
  if (logged.conversationCreated) {
    const { id, consumers } = logged.conversationCreated;
    const intake = touch.intake ? JSON.stringify(touch.intake.answers) : null;
    selects.push(Prisma.sql`
      SELECT ${id}::text, ${touch.teamId}::text, 'conversation.created'::text, conversation.id,
        jsonb_build_object('conversationId', conversation.id, ${channel}, 'intake', ${intake}::jsonb), ${touch.at}::timestamp, ${consumers}::text[]
      FROM conversation, sender, message WHERE conversation.started`);
  }
  if (logged.messageCreated) {
    const { id, consumers } = logged.messageCreated;
    selects.push(Prisma.sql`
      SELECT ${id}::text, ${touch.teamId}::text, 'message.created'::text, conversation.id,
        jsonb_build_object('messageId', ${message.id}::text, 'conversationId', conversation.id, ${channel}, 'direction', 'in', 'kind', ${message.kind}::text,
          'text', ${message.body}::text), ${touch.at}::timestamp, ${consumers}::text[]
      FROM conversation, sender, message`);
  }
  if (selects.length === 0) return Prisma.empty;
  return Prisma.sql`,
    logged AS (${logged.insertSql(Prisma.join(selects, ' UNION ALL '))})`;
}

/** A contact already at hand (found or made in the caller's transaction), as the `sender` of `inboundMessageWrite`. */
export function givenSender(contact: { id: string; name: string }): Prisma.Sql {
  return Prisma.sql`sender AS (SELECT ${contact.id}::text AS id, ${contact.name}::text AS name, false AS created)`;
}

/** The message a provider event already brought in: a redelivery answers with it and stores nothing. */
export async function knownMessage(db: Db, channelId: string, eventKey: string): Promise<IngestOutcome | null> {
  const row = await db.message.findUnique({ where: { channelId_eventKey: { channelId, eventKey } }, select: { id: true, conversationId: true } });
  return row ? { stored: false, conversationId: row.conversationId, messageId: row.id } : null;
}
