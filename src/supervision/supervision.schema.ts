import { z } from 'zod';
import { CHANNEL_TYPES } from '../common/channel-types.js';
import { pageView } from '../common/http/validation.js';
import { inboxMessageView } from '../common/realtime/events/index.js';

const id = z.string().min(1).max(64);
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with its offset, such as 2026-12-01T00:00:00+09:00' });

export const createCategoryBody = z.strictObject({
  name: z.string().trim().min(1).max(80),
  parentId: id.nullable().optional(),
});

/** A rename, a move (`parentId`; null makes it a top-level category), or both at once. */
export const updateCategoryBody = z
  .strictObject({ name: z.string().trim().min(1).max(80).optional(), parentId: id.nullable().optional() })
  .refine((body) => body.name !== undefined || body.parentId !== undefined, { message: 'give a new name, a new parentId, or both', path: ['name'] });

export const conversationCategoryBody = z.strictObject({ categoryId: id.nullable() });

/** A short code as typed after the colon: letters of any script, digits, `_` and `-`. */
const shortCode = z
  .string()
  .trim()
  .transform((code) => code.replace(/^:/, ''))
  .pipe(z.string().regex(/^[\p{L}\p{N}_-]{1,32}$/u, 'must be 1-32 letters, digits, _ or - (typed after a colon, as in :7)'));

export const createCannedReplyBody = z.strictObject({
  shortCode,
  title: z.string().trim().min(1).max(120),
  body: z.string().trim().min(1).max(5000),
  categoryId: id.nullable().optional(),
  /** A personal reply, seen and used by its owner only; team-wide replies are for administrators to write. */
  personal: z.boolean().default(false),
});

export const updateCannedReplyBody = z.strictObject({
  shortCode: shortCode.optional(),
  title: z.string().trim().min(1).max(120).optional(),
  body: z.string().trim().min(1).max(5000).optional(),
  categoryId: id.nullable().optional(),
});

export const expandQuery = z.strictObject({ code: shortCode, conversationId: id.optional() });

export const rejectDraftBody = z.strictObject({ feedback: z.string().trim().min(1, 'tell the trainee what to change').max(2000) });

export const ratingBody = z.strictObject({
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(2000).optional(),
});

const period = {
  from: instant.optional(),
  to: instant.optional(),
};

const page = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
};

export const searchQuery = z.strictObject({
  q: z.string().trim().min(1, 'give the words to look for').max(200),
  ...period,
  channelType: z.enum(CHANNEL_TYPES).optional(),
  memberId: id.optional(),
  /** A category at any level: its sub-categories' conversations are in it too. */
  categoryId: id.optional(),
  ...page,
});

export const searchExportQuery = searchQuery.omit({ limit: true, cursor: true });

/** What a conversation of the history is picked by; the list and the CSV take the same. */
const conversationFilters = {
  channelType: z.enum(CHANNEL_TYPES).optional(),
  /** The member holding (or who held) the conversation. */
  memberId: id.optional(),
  /** A category at any level: its sub-categories' conversations are in it too. */
  categoryId: id.optional(),
  outcome: z.string().trim().min(1).max(40).optional(),
  /** Resolved with an agent's reply (`true`) or with none (`false`); an unresolved conversation is neither. */
  handled: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  rating: z.coerce.number().int().min(1).max(5).optional(),
  /** As an agent set it, or as detected from the visitor's pages when the conversation was resolved. */
  store: z.string().trim().min(1).max(60).optional(),
};

/** Started in [from, to): a period that ends before it starts is refused naming `to`. */
const startedIn = <T extends { from?: string; to?: string }>(query: T, context: z.RefinementCtx) => {
  if (query.from && query.to && new Date(query.to) <= new Date(query.from)) context.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
};

export const conversationExportQuery = z.strictObject({ from: instant, to: instant, ...conversationFilters }).superRefine(startedIn);

/** The history pages newest first; without a period, over every conversation of the team. */
export const conversationHistoryQuery = z.strictObject({ ...period, ...conversationFilters, ...page }).superRefine(startedIn);

/** The rows a team report's CSV can hold: the members' days, or one of the groups the JSON answer has. */
export const REPORT_BREAKDOWNS = ['member', 'day', 'category', 'channel', 'store'] as const;
export type ReportBreakdown = (typeof REPORT_BREAKDOWNS)[number];

export const reportQuery = z.strictObject({
  /** The first and last day, in the team's time zone. */
  from: z.iso.date({ message: 'must be a day such as 2026-12-01' }),
  to: z.iso.date({ message: 'must be a day such as 2026-12-01' }),
  format: z.enum(['json', 'csv']).default('json'),
  /** Which rows the CSV holds: per member and day (the default), or one of the report's breakdowns. */
  breakdown: z.enum(REPORT_BREAKDOWNS).default('member'),
});

// What the routes answer with (documented in openapi.json through @Answers, which holds each route to its view).

export const cannedReplyView = z
  .object({
    id: z.string(),
    shortCode: z.string(),
    title: z.string(),
    body: z.string(),
    categoryId: z.string().nullable(),
    /** The owner's id for a personal reply; null for a team-wide one. */
    ownerId: z.string().nullable(),
    /** How often it was sent: by the whole team, and by the member asking. */
    uses: z.object({ total: z.number(), mine: z.number() }),
  })
  .meta({ id: 'CannedReply' });
export const cannedReplyListView = z.object({ items: z.array(cannedReplyView), nextCursor: z.null() });

export const categoryView = z
  .object({
    id: z.string(),
    name: z.string(),
    parentId: z.string().nullable(),
    level: z.number(),
    /** The names from the top level down to this one. */
    path: z.array(z.string()),
  })
  .meta({ id: 'Category' });
export const categoryListView = z.object({ items: z.array(categoryView), nextCursor: z.null() });

/** A trainee's message waiting for a supervisor, with what the review list shows beside it. */
export const draftView = inboxMessageView
  .extend({ conversation: z.object({ id: z.string(), contactName: z.string(), channelType: z.string() }), authorName: z.string().nullable() })
  .meta({ id: 'Draft' });
export const draftListView = z.object({ items: z.array(draftView), nextCursor: z.null() });

export const messageHitView = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    channelType: z.string(),
    contactName: z.string(),
    direction: z.enum(['in', 'out']),
    kind: z.enum(['text', 'media', 'note']),
    author: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() }),
    body: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'MessageHit' });
/** `total` is counted on the first page only (null on the next ones). */
export const messageSearchView = pageView(messageHitView).extend({ total: z.number().nullable() });

/** A conversation of the history: what the conversation CSV's row holds, as JSON. */
export const conversationHistoryView = z
  .object({
    id: z.string(),
    channelType: z.string(),
    channelName: z.string(),
    contactName: z.string(),
    /** The names from the top level down, joined by ` > `. */
    category: z.string().nullable(),
    assignee: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
    createdAt: z.string(),
    firstResponseSeconds: z.number().nullable(),
    resolvedAt: z.string().nullable(),
    outcome: z.string().nullable(),
    handled: z.boolean().nullable(),
    rating: z.number().nullable(),
    messagesIn: z.number(),
    messagesOut: z.number(),
    /** Sales credited through the conversation, per currency in minor units. */
    sales: z.array(z.object({ currency: z.string(), amount: z.number() })),
  })
  .meta({ id: 'ConversationHistoryItem' });
export const conversationHistoryListView = pageView(conversationHistoryView);

const timeFigures = z.object({ count: z.number(), medianSeconds: z.number().nullable(), p90Seconds: z.number().nullable() });
const ratingFigures = z.object({ count: z.number(), average: z.number().nullable() });
const salesFigures = z.object({ count: z.number(), amounts: z.array(z.object({ currency: z.string(), amount: z.number() })) });
/** The figures of a member's day and of a group alike. */
const reportFigures = z.object({
  conversations: z.number(),
  /** Offers that expired unanswered: a member's on the day offered; a group's, those of its conversations. */
  missed: z.number(),
  handled: z.number(),
  unhandled: z.number(),
  firstResponse: timeFigures,
  handleTime: timeFigures,
  ratings: ratingFigures,
  cannedReplyUses: z.number(),
  /** Sales credited, per currency in minor units: a member's that day (by the purchase's time); a group's, through its conversations. */
  sales: salesFigures,
});
/**
 * One day, category, channel or store: every figure counts with the conversation, on the day it started (its missed
 * offers, the canned replies used in it and the sales credited through it, whenever they happened).
 */
const groupReport = z
  .object({
    key: z.string(),
    ...reportFigures.shape,
    /**
     * Product cards sent in its conversations, those the customer opened, and those bought: a sale credited through
     * the conversation after the card, naming the card's product by its SKU.
     */
    productCards: z.object({ sent: z.number(), opened: z.number(), bought: z.number() }),
    /** Video calls that ran (the customer answered) in its conversations, and their length in all. */
    calls: z.object({ count: z.number(), seconds: z.number() }),
  })
  .meta({ id: 'TeamReportGroup' });
export const memberDayReportView = z.object({
  day: z.string(),
  memberId: z.string(),
  memberName: z.string(),
  offered: z.number(),
  accepted: z.number(),
  ...reportFigures.shape,
});
/** Per member and day, and per day, category, channel and store, over [from, to] in the team's time zone. */
export const teamReportView = z
  .object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    /** Whether response and handle times count only the team's business hours. */
    businessHoursOnly: z.boolean(),
    members: z.array(memberDayReportView),
    /** The whole team's conversations of the period, each once (assigned or not): its median is not the members' medians'. */
    team: groupReport,
    /** The team's days, each day of the period that had a conversation. */
    days: z.array(groupReport),
    categories: z.array(groupReport),
    channels: z.array(groupReport),
    /** By the store an agent set on the conversation (`''`: none set). */
    stores: z.array(groupReport),
  })
  .meta({ id: 'TeamReport' });
