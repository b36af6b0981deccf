import { z } from 'zod';
import { FILE_KINDS } from '../common/files/index.js';
import { CHANNEL_TYPES } from '../common/channel-types.js';
import { pageView } from '../common/http/validation.js';
import { MAX_PRODUCT_CARDS } from '../channels/index.js';
import { inboxConversationView, inboxMessageView } from '../common/realtime/events/index.js';

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

export const conversationListQuery = z.strictObject({
  view: z.enum(['all', 'mine', 'waiting']).default('all'),
  unreplied: flag.optional(),
  favorite: flag.optional(),
  channelType: z.enum(CHANNEL_TYPES).optional(),
  status: z.enum(['waiting', 'open', 'resolved']).optional(),
  /** One contact's conversations on every channel (their contact page), blocked contacts' included. */
  contactId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const postMessageBody = z
  .strictObject({
    body: z.string().trim().min(1, 'must not be empty').max(5000).optional(),
    kind: z.enum(['text', 'note']).default('text'),
    /**
     * Files uploaded first (`POST /api/conversations/:id/uploads`), by the ids that route answered; sent with the text,
     * or alone (then `body` may be left out).
     */
    attachments: z.array(z.string().min(1).max(64)).min(1).max(10).optional(),
    /**
     * Catalog products to send as cards (`GET /api/catalog/products` ids), after the text, which may then be left out:
     * each channel shows them its own way, each with a tracked link that tells the thread when the customer opens it.
     */
    products: z.array(z.string().min(1).max(64)).min(1).max(MAX_PRODUCT_CARDS).optional(),
    /** The canned reply the text came from (`:7` expanded): its use is counted once the message is written. */
    cannedReplyId: z.string().min(1).max(64).optional(),
    /** One of the channel's approved templates (WhatsApp Cloud API), with a value for each of its variables. */
    template: z
      .strictObject({
        name: z.string().min(1).max(512),
        variables: z.record(z.string().max(60), z.string().max(1024)).default({}),
      })
      .optional(),
  })
  .superRefine((value, context) => {
    if (value.template && value.kind === 'note') context.addIssue({ code: 'custom', path: ['template'], message: 'a note cannot be a template' });
    if (value.attachments && (value.template || value.kind === 'note')) context.addIssue({ code: 'custom', path: ['attachments'], message: 'go with a reply, not with a note or a template' });
    if (value.products && (value.template || value.kind === 'note' || value.attachments)) context.addIssue({ code: 'custom', path: ['products'], message: 'go with a reply of text, not with a note, a template or files' });
    if (!value.template && value.body === undefined && !value.attachments && !value.products) context.addIssue({ code: 'custom', path: ['body'], message: 'is required (or a template, attachments or products)' });
  });

export const startConversationBody = z.strictObject({
  contactId: z.string().min(1).max(64),
  channelId: z.string().min(1).max(64),
  body: z.string().trim().min(1, 'must not be empty').max(5000),
});

export const invitationBody = z.strictObject({
  channel: z.enum(['sms', 'whatsapp', 'email']),
  channelId: z.string().min(1).max(64),
});

export const assignBody = z.strictObject({
  memberId: z.string().min(1).max(64),
  /** Supervisors only: assign even though the member is at capacity. */
  override: z.boolean().default(false),
});

export const transferBody = z
  .strictObject({
    memberId: z.string().min(1).max(64).optional(),
    groupId: z.string().min(1).max(64).optional(),
    /** Goes with the chat as an internal note: colleagues see it, the customer never does. */
    note: z.string().trim().min(1).max(2000).optional(),
  })
  .refine((body) => (body.memberId === undefined) !== (body.groupId === undefined), { message: 'give either memberId or groupId, not both', path: ['memberId'] });

/** A chat's transcript by email; `channelId` picks one of several email channels (the oldest active one otherwise). */
export const transcriptBody = z.strictObject({
  email: z.string().max(320),
  channelId: z.string().min(1).max(64).optional(),
});

/**
 * No outcome is an outcome of its own (resolved without one). `confirmed`: the agent confirmed a booked outcome on
 * a chat where the customer never wrote, which is refused otherwise (`outcome_needs_confirmation`).
 */
export const resolveBody = z.strictObject({
  outcome: z.string().trim().min(1).max(40).optional(),
  categoryId: z.string().max(64).optional(),
  confirmed: z.boolean().optional(),
});

// What the routes answer with (documented in openapi.json through @Answers, which holds each route to its view).

export const conversationListView = pageView(inboxConversationView);
export const messageListView = pageView(inboxMessageView);
/** A conversation an agent started (SMS, WhatsApp, email, LINE) and its first message. */
export const startedConversationView = z.object({ conversation: inboxConversationView, message: inboxMessageView });

const sendFacts = {
  /** The approved templates the channel may open a conversation with (WhatsApp). */
  templates: z.array(z.object({ name: z.string(), language: z.string(), variables: z.array(z.string()), text: z.string().nullable() })),
  maxTextLength: z.number(),
};
/** Whether free text may go out now; when not, why (`code`) and whether a template still may. */
/** A web chat's intake answers, in the order asked (empty when the chat had none). */
export const intakeView = z
  .object({
    answers: z.array(z.object({ key: z.string(), question: z.string(), answer: z.string() })),
    groupId: z.string().nullable().describe('The member group an intake step sent the chat to.'),
  })
  .meta({ id: 'ConversationIntake' });

export const sendabilityView = z
  .discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), templateOnly: z.literal(false), ...sendFacts }),
    z.object({ ok: z.literal(false), code: z.string(), reason: z.string(), templateOnly: z.boolean(), ...sendFacts }),
  ])
  .meta({ id: 'Sendability' });

/** The pages a web chat visitor was on, newest first (empty for other channels). */
export const visitorPagesView = z
  .object({ items: z.array(z.object({ url: z.string(), title: z.string().nullable(), seenAt: z.string() })) })
  .meta({ id: 'VisitorPages' });

/** The transcript is on its way to this address, over this email channel. */
export const transcriptView = z.object({ email: z.string(), channelId: z.string() });
export const favoriteView = z.object({ favorite: z.boolean() });
export const mergeView = z.object({ mergeId: z.string() });
export const undoneView = z.object({ undone: z.boolean() });
export const invitationView = z.object({ invitationId: z.string(), conversationId: z.string() });


/** What an upload answers: the id a reply names in `attachments`, and the file as the hub keeps it. */
export const uploadView = z
  .object({
    id: z.string(),
    name: z.string(),
    /** As the bytes show it (an image: `image/jpeg` or `image/png` after re-encoding). */
    contentType: z.string(),
    kind: z.enum(FILE_KINDS),
    size: z.number(),
  })
  .meta({ id: 'Upload' });

/** The multipart form of an upload, for the API's documentation (the parts are read from the raw body). */
export const uploadForm = { type: 'object' as const, required: ['file'], properties: { file: { type: 'string' as const, format: 'binary' } } };
