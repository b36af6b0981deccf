import { z } from 'zod';
import { currencyCode, minorUnits, shopperProduct, visitorIdSchema } from '../channels/index.js';

const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time such as 2026-12-04T12:00:00Z' });
const day = z.iso.date({ error: 'must be a date such as 2026-12-04' });

/** `POST /api/purchases`: the shop's server reports an order. */
export const purchaseBody = z.strictObject({
  orderId: z.string().trim().min(1).max(100),
  visitorId: visitorIdSchema.optional(),
  email: z.string().trim().min(1).max(320).optional(),
  phone: z.string().trim().min(1).max(40).optional(),
  amount: minorUnits,
  currency: currencyCode,
  occurredAt: isoTime,
  items: z.array(shopperProduct).max(500).optional(),
});

export type PurchaseInput = z.output<typeof purchaseBody>;

export const reverseBody = z.strictObject({ reason: z.string().trim().max(500).optional() });

export const salesQuery = z.strictObject({
  memberId: z.uuid().optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  /** true: only credited sales; false: only unattributed ones (supervisors). */
  attributed: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export type SalesQuery = z.output<typeof salesQuery>;

export const figuresQuery = z.strictObject({ memberId: z.uuid().optional() });

/** Days in the team's time zone, both included; at most a year at once. */
export const reportQuery = z
  .strictObject({
    from: day.optional(),
    to: day.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, { path: ['to'], message: 'must not be before from' });

export type ReportQuery = z.output<typeof reportQuery>;
