import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { STORAGE } from '../common/storage/storage.js';
import type { Storage } from '../common/storage/storage.js';
import { readUpload } from '../common/files/index.js';
import { CatalogSyncService } from './catalog-sync.service.js';
import type { createSourceBody, productSearchQuery, productView, sourceView, syncView, updateSourceBody } from './catalog.schema.js';
import { barcodeDigits, foldForSearch, gtinForms } from './search-text.js';
import type { InboxProductCard } from '../common/realtime/events/index.js';

/** An uploaded feed's largest size (a 100,000-item Merchant Center XML feed is about 60 MB). */
export const MAX_UPLOADED_FEED_BYTES = 200 * 1024 * 1024;

type SyncRow = Prisma.CatalogSyncGetPayload<object>;
type ProductRow = Prisma.ProductGetPayload<object>;

const PRODUCT_FIELDS = Prisma.sql`
  id, source_id AS "sourceId", external_id AS "externalId", item_group_id AS "itemGroupId", sku, gtin, name, description, category,
  keywords, brand, price, sale_price AS "salePrice", currency, availability, image_urls AS "imageUrls", url, variant, updated_at AS "updatedAt"`;

/** Products whose words are searched for the nearest spelling of a mistyped word. */
const CORRECTION_CANDIDATES = 50;

/** A word typing mistakes are forgiven in: Latin letters (and digits), four or more, where three-letter grams mean something. */
function isLatinWord(word: string): boolean {
  return word.length >= 4 && /^[a-z0-9'-]+$/.test(word) && /[a-z]/.test(word);
}

/** A product as a card copies it when an agent sends it (the card without its opening). */
export type CardProduct = Omit<InboxProductCard, 'openedAt'>;

/** A team's catalog: its sources (feeds), their syncs, and the search over its products. */
@Injectable()
export class CatalogService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly syncs: CatalogSyncService,
  ) {}

  async sources(teamId: string): Promise<z.output<typeof sourceView>[]> {
    const rows = await this.db.catalogSource.findMany({
      where: { teamId },
      orderBy: { createdAt: 'asc' },
      include: { _count: { select: { products: true } }, syncs: { orderBy: { startedAt: 'desc' }, take: 1 } },
    });
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      format: row.format as z.output<typeof sourceView>['format'],
      url: row.url,
      syncEveryHours: row.syncEveryHours,
      currency: row.currency,
      lastSyncedAt: row.lastSyncedAt?.toISOString() ?? null,
      products: row._count.products,
      lastSync: row.syncs[0] ? toSyncView(row.syncs[0]) : null,
    }));
  }

  async source(teamId: string, id: string): Promise<z.output<typeof sourceView>> {
    const found = (await this.sources(teamId)).find((source) => source.id === id);
    if (!found) throw notFound('The catalog source');
    return found;
  }

  /**
   * A feed's address is checked where it counts, by the outbound guard at every fetch (a public address, or an origin
   * the operator allowed): a refused one fails its sync with the guard's reason.
   */
  async create(teamId: string, body: z.output<typeof createSourceBody>) {
    const row = await this.db.catalogSource.create({
      data: { teamId, name: body.name, format: body.format, url: body.url ?? null, syncEveryHours: body.syncEveryHours ?? 24, currency: body.currency ?? null },
    });
    return this.source(teamId, row.id);
  }

  async update(teamId: string, id: string, body: z.output<typeof updateSourceBody>) {
    const { count } = await this.db.catalogSource.updateMany({ where: { id, teamId }, data: body });
    if (count === 0) throw notFound('The catalog source');
    return this.source(teamId, id);
  }

  /** "Sync now": fetched from the source's URL (409 `catalog_sync_running` while one runs). */
  async syncNow(teamId: string, id: string) {
    const source = await this.owned(teamId, id);
    if (!source.url) throw new DomainError('conflict', 'catalog_source_has_no_url', 'This source has no URL: upload its feed as a file.');
    await this.refuseWhileRunning(id);
    return toSyncView(await this.syncs.start(teamId, id));
  }

  /** A feed uploaded as a file (`multipart/form-data`, part `file`): kept until its sync has read it. */
  async upload(teamId: string, id: string, rawBody: Buffer | undefined, contentType: string | undefined) {
    await this.owned(teamId, id);
    await this.refuseWhileRunning(id);
    const file = await readUpload(rawBody, contentType, MAX_UPLOADED_FEED_BYTES);
    const key = `${teamId}/catalog/${randomUUID()}`;
    await this.storage.put(key, file.data);
    return toSyncView(await this.syncs.start(teamId, id, key));
  }

  async syncHistory(teamId: string, id: string) {
    await this.owned(teamId, id);
    const rows = await this.db.catalogSync.findMany({ where: { sourceId: id }, orderBy: { startedAt: 'desc' }, take: 20 });
    return { items: rows.map(toSyncView) };
  }

  async sync(teamId: string, sourceId: string, syncId: string) {
    const row = await this.db.catalogSync.findFirst({ where: { id: syncId, sourceId, teamId } });
    if (!row) throw notFound('The sync');
    return toSyncView(row);
  }

  /**
   * Products by words, barcode, category, availability and item group (a product's variants). Words are folded as the products' search text is (any
   * width, katakana or hiragana, any case) and each must be in the product; two characters or more are looked up by
   * their pairs of characters (the GIN index). A query of 8 to 14 digits is a barcode (JAN/EAN, UPC) or a SKU.
   * In stock first, then by name.
   */
  async search(teamId: string, query: z.output<typeof productSearchQuery>): Promise<{ items: z.output<typeof productView>[]; approximate: boolean }> {
    const filters: Prisma.Sql[] = [Prisma.sql`team_id = ${teamId}`];
    if (query.category) filters.push(Prisma.sql`(category = ${query.category} OR starts_with(category, ${`${query.category} > `}))`);
    if (query.availability) filters.push(Prisma.sql`availability = ${query.availability}`);
    if (query.itemGroupId) filters.push(Prisma.sql`item_group_id = ${query.itemGroupId}`);
    const q = query.q ?? '';
    const barcode = barcodeDigits(q);
    const words = foldForSearch(q).split(' ').filter(Boolean);
    const exact = (word: string) =>
      [...word].length >= 2 ? Prisma.sql`(search_bigrams(search_text) @@ search_bigram_query(${word}::text) AND strpos(search_text, ${word}) > 0)` : Prisma.sql`strpos(search_text, ${word}) > 0`;
    // A barcode is looked up as one (its index, or the SKU's), not as words: digits' pairs are in most products.
    const matching = barcode ? [Prisma.sql`(gtin = ANY(${gtinForms(barcode)}::text[]) OR sku = ${q.trim()})`] : words.map(exact);
    const rows = await this.db.$queryRaw<ProductRow[]>`
      SELECT ${PRODUCT_FIELDS}
      FROM products WHERE ${Prisma.join([...filters, ...matching], ' AND ')}
      ORDER BY (availability = 'in_stock') DESC, name, id
      LIMIT ${query.limit}`;
    if (rows.length > 0 || barcode) return { items: rows.map(toProductView), approximate: false };
    // Nothing as typed: a Latin word that no product of the team has as typed may be a typing mistake. It is replaced
    // by the closest word of the products that resemble it (pg_trgm: `<%` through products_search_trgm_idx, at its
    // default threshold 0.6, then the nearest of their words by `similarity`), and the search runs again as typed.
    // Correcting the word first keeps this as quick as an exact search: scoring every product that resembles the
    // word would score thousands ("linen" is in a sixth of a clothes shop).
    let corrected = false;
    const spelled: string[] = [];
    for (const word of words) {
      if (!isLatinWord(word) || (await this.hasWord(teamId, exact(word)))) {
        spelled.push(word);
        continue;
      }
      const [nearest] = await this.db.$queryRaw<Array<{ word: string }>>`
        SELECT w AS word
        FROM (SELECT search_text FROM products WHERE team_id = ${teamId} AND ${word}::text <% search_text LIMIT ${CORRECTION_CANDIDATES}) p,
             regexp_split_to_table(p.search_text, ' ') w
        WHERE w ~ '[a-z]'
        ORDER BY similarity(w, ${word}::text) DESC, w
        LIMIT 1`;
      if (!nearest) return { items: [], approximate: false };
      spelled.push(nearest.word);
      corrected = true;
    }
    if (!corrected) return { items: [], approximate: false };
    const approximate = await this.db.$queryRaw<ProductRow[]>`
      SELECT ${PRODUCT_FIELDS}
      FROM products WHERE ${Prisma.join([...filters, ...spelled.map(exact)], ' AND ')}
      ORDER BY (availability = 'in_stock') DESC, name, id
      LIMIT ${query.limit}`;
    return { items: approximate.map(toProductView), approximate: approximate.length > 0 };
  }

  async product(teamId: string, id: string) {
    const row = await this.db.product.findFirst({ where: { id, teamId } });
    if (!row) throw notFound('The product');
    return toProductView(row);
  }

  /**
   * The products an agent is about to send as cards, in the order asked: each must be the team's, still listed by
   * the shop (404 `not_found`, 422 `product_unavailable`), and have a page to lead to (422 `product_has_no_url`).
   * Out of stock is no refusal: "back on the 12th" is worth a card.
   */
  async cardsFor(teamId: string, ids: readonly string[]): Promise<CardProduct[]> {
    const rows = await this.db.product.findMany({ where: { teamId, id: { in: [...new Set(ids)] } } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id, index) => {
      const row = byId.get(id);
      if (!row) throw new DomainError('not_found', 'not_found', 'The product was not found.', [{ field: `products.${index}`, message: 'is not a product of this team' }]);
      if (row.availability === 'unavailable') {
        throw new DomainError('unprocessable', 'product_unavailable', `${row.name} is no longer listed by the shop.`, { productId: id });
      }
      if (!row.url) throw new DomainError('unprocessable', 'product_has_no_url', `${row.name} has no page on the shop to lead to.`, { productId: id });
      const variant = row.variant && typeof row.variant === 'object' ? Object.values(row.variant as Record<string, string>).filter(Boolean).join(' / ') : '';
      return {
        productId: row.id,
        name: row.name,
        price: row.price,
        salePrice: row.salePrice,
        currency: row.currency,
        variant: variant || null,
        imageUrl: row.imageUrls[0] ?? null,
        url: row.url,
      };
    });
  }

  /** Whether any product of the team has this word as typed. */
  private async hasWord(teamId: string, condition: Prisma.Sql): Promise<boolean> {
    const found = await this.db.$queryRaw<unknown[]>`SELECT 1 FROM products WHERE team_id = ${teamId} AND ${condition} LIMIT 1`;
    return found.length > 0;
  }

  private async owned(teamId: string, id: string) {
    const source = await this.db.catalogSource.findFirst({ where: { id, teamId } });
    if (!source) throw notFound('The catalog source');
    return source;
  }

  private async refuseWhileRunning(sourceId: string) {
    const running = await this.db.catalogSync.findFirst({ where: { sourceId, status: 'running' }, select: { id: true } });
    if (running) throw new DomainError('conflict', 'catalog_sync_running', 'A sync of this source is running; wait for it to finish.', { syncId: running.id });
  }
}

function toSyncView(row: SyncRow): z.output<typeof syncView> {
  return {
    id: row.id,
    sourceId: row.sourceId,
    status: row.status as z.output<typeof syncView>['status'],
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    added: row.added,
    updated: row.updated,
    unchanged: row.unchanged,
    unavailable: row.unavailable,
    refusedCount: row.refusedCount,
    refused: Array.isArray(row.refused) ? (row.refused as z.output<typeof syncView>['refused']) : [],
    error: row.error,
  };
}

function toProductView(row: ProductRow): z.output<typeof productView> {
  return {
    id: row.id,
    sourceId: row.sourceId,
    externalId: row.externalId,
    itemGroupId: row.itemGroupId,
    sku: row.sku,
    gtin: row.gtin,
    name: row.name,
    description: row.description,
    category: row.category,
    keywords: row.keywords,
    brand: row.brand,
    price: row.price,
    salePrice: row.salePrice,
    currency: row.currency,
    availability: row.availability as z.output<typeof productView>['availability'],
    imageUrls: row.imageUrls,
    url: row.url,
    variant: (row.variant as Record<string, string> | null) ?? null,
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}
