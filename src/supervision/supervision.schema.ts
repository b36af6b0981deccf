import { z } from 'zod';
import { CHANNEL_TYPES } from '../common/channel-types.js';

const id = z.string().min(1).max(64);
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with its offset, such as 2026-12-01T00:00:00+09:00' });

export const createCategoryBody = z.strictObject({
  name: z.string().trim().min(1).max(80),
  parentId: id.nullable().optional(),
});

export const updateCategoryBody = z.strictObject({ name: z.string().trim().min(1).max(80) });

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

export const searchQuery = z.strictObject({
  q: z.string().trim().min(1, 'give the words to look for').max(200),
  ...period,
  channelType: z.enum(CHANNEL_TYPES).optional(),
  memberId: id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const searchExportQuery = searchQuery.omit({ limit: true, cursor: true });

export const conversationExportQuery = z.strictObject({
  from: instant,
  to: instant,
  channelType: z.enum(CHANNEL_TYPES).optional(),
});

export const reportQuery = z.strictObject({
  /** The first and last day, in the team's time zone. */
  from: z.iso.date({ message: 'must be a day such as 2026-12-01' }),
  to: z.iso.date({ message: 'must be a day such as 2026-12-01' }),
  format: z.enum(['json', 'csv']).default('json'),
});
