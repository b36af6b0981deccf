import { z } from 'zod';
import { pageView } from '../common/http/validation.js';
import { inboxReportView } from '../common/realtime/events/index.js';

const reportTarget = z.strictObject({ channelId: z.string().min(1).max(64), groupId: z.string().min(1).max(100) });

/**
 * The whole mapping of report purposes to LINE groups: `callCenter` and `bookings` are the hub's own; a team may add
 * purposes of its own (letters, digits, `_` and `-`).
 */
export const reportTargetsBody = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/, 'must be a purpose name: a letter, then letters, digits, _ or -'), reportTarget)
  .refine((mapping) => Object.keys(mapping).length <= 50, { message: 'maps at most 50 purposes' });

export const reportListQuery = z.strictObject({
  conversationId: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
});

/** A handoff request; `note` is kept as an internal note on the conversation and carried by the post. */
export const handoffBody = z.strictObject({ note: z.string().trim().min(1).max(2000).optional() });

/** The store the agent learned from the customer; null returns to what the pages tell. */
export const storeBody = z.strictObject({ store: z.string().trim().min(1).max(60).nullable() });

// What the routes answer with (documented in openapi.json through @Answers, which holds each route to its view).

export const reportTargetView = z
  .object({
    channelId: z.string(),
    groupId: z.string(),
    /** The group's name from LINE's group summary, once known. */
    name: z.string().nullable(),
    /** `gone`: the bot was removed from the group; reports for this purpose fail until another is chosen. */
    status: z.enum(['active', 'gone']),
  })
  .meta({ id: 'ReportTarget' });
/** The LINE group each report purpose posts to, by purpose. */
export const reportTargetsView = z.record(z.string(), reportTargetView).meta({ id: 'ReportTargets' });

export const reportListView = pageView(inboxReportView);
/** The handoff report written (null when the team maps no group for handoffs). */
export const handoffView = z.object({ report: inboxReportView.nullable() });

/** The store a conversation is about: the agent's word, else what the pages the customer saw tell. */
export const detectedStoreView = z
  .object({
    store: z.string().nullable(),
    source: z.enum(['agent', 'page', 'access_log', 'unknown']),
    /** The page that told it, when a page did. */
    url: z.string().nullable(),
  })
  .meta({ id: 'DetectedStore' });
