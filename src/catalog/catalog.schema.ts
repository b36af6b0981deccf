import { z } from 'zod';
import { AVAILABILITIES, FEED_FORMATS } from './feeds.js';

const sourceFields = {
  name: z.string().trim().min(1).max(100),
  /** Where the feed is fetched from (https); none: the feed is uploaded as a file. */
  url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }).max(2048).nullable().optional(),
  /** How often a source with a URL is synced again (hours; daily unless set). */
  syncEveryHours: z.int().min(1).max(24 * 7).optional(),
  /** The store's currency, for a Shopify products.json (which names none): ISO 4217, `JPY`. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as JPY').nullable().optional(),
};

export const createSourceBody = z.strictObject({ ...sourceFields, format: z.enum(FEED_FORMATS) });
export const updateSourceBody = z.strictObject(sourceFields).partial();

export const syncView = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    status: z.enum(['running', 'done', 'failed']),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    added: z.int(),
    updated: z.int(),
    unchanged: z.int(),
    unavailable: z.int(),
    refusedCount: z.int(),
    /** The first 100 rows refused, each with its row in the feed (from 1), its id when it had one, and why. */
    refused: z.array(z.object({ row: z.int(), id: z.string().nullable(), reason: z.string() })),
    error: z.string().nullable(),
  })
  .meta({ id: 'CatalogSync' });
export const syncListView = z.object({ items: z.array(syncView) }).meta({ id: 'CatalogSyncList' });

export const sourceView = z
  .object({
    id: z.string(),
    name: z.string(),
    format: z.enum(FEED_FORMATS),
    url: z.string().nullable(),
    syncEveryHours: z.int(),
    currency: z.string().nullable(),
    lastSyncedAt: z.string().nullable(),
    products: z.int(),
    lastSync: syncView.nullable(),
  })
  .meta({ id: 'CatalogSource' });
export const sourceListView = z.object({ items: z.array(sourceView) }).meta({ id: 'CatalogSourceList' });

export const productView = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    externalId: z.string(),
    itemGroupId: z.string().nullable(),
    sku: z.string().nullable(),
    gtin: z.string().nullable(),
    name: z.string(),
    description: z.string().nullable(),
    category: z.string().nullable(),
    keywords: z.array(z.string()),
    brand: z.string().nullable(),
    /** In the currency's minor unit (yen, cents), as sales are. */
    price: z.int().nullable(),
    salePrice: z.int().nullable(),
    currency: z.string().nullable(),
    availability: z.enum([...AVAILABILITIES, 'unavailable']),
    imageUrls: z.array(z.string()),
    url: z.string().nullable(),
    variant: z.record(z.string(), z.string()).nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Product' });
export const productListView = z
  .object({
    items: z.array(productView),
    /**
     * Nothing matched as typed, and these are the products whose words are closest to the query's Latin words (a
     * typing mistake: `lenin` for `linen`), the closest first.
     */
    approximate: z.boolean(),
  })
  .meta({ id: 'ProductList' });

export const productSearchQuery = z.strictObject({
  /** Words of the name, keywords, category, brand or SKU (any width, katakana or hiragana), or a barcode's digits. */
  q: z.string().trim().max(200).optional(),
  /** A category path or its start: `レディース` takes `レディース > ワンピース` too. */
  category: z.string().trim().max(300).optional(),
  availability: z.enum([...AVAILABILITIES, 'unavailable']).optional(),
  /** The variants of one product (its sizes, its colours): the products sharing this `itemGroupId`. */
  itemGroupId: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
