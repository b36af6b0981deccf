import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { v7 as uuidv7 } from 'uuid';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { logger } from '../common/logging/logger.js';
import { OUTBOUND_GUARD, outboundRefusal } from '../common/outbound/index.js';
import type { OutboundGuard } from '../common/outbound/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { STORAGE } from '../common/storage/storage.js';
import type { Storage } from '../common/storage/storage.js';
import { FeedUnreadable, merchantTsvEntries, merchantXmlEntries, shopifyEntries } from './feeds.js';
import type { CatalogItem, FeedEntry, FeedFormat } from './feeds.js';
import { foldForSearch } from './search-text.js';

const SYNC_JOB = 'catalog.sync';
/** Items written a transaction at a time: the memory a sync holds is a batch, whatever the feed's size. */
const BATCH = 200;
/** The refused rows a sync report lists (it counts them all). */
const REFUSED_LISTED = 100;
/** A feed fetched from its URL: the most read, and how long the whole fetch may take. */
export const MAX_FEED_BYTES = 1024 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 10 * 60_000;
/** Shopify's pages of products.json: 250 a page at most; a store of 250,000 products is 1,000 pages. */
const SHOPIFY_PAGE_SIZE = 250;
const SHOPIFY_MAX_PAGES = 1_000;

interface SyncJob {
  syncId: string;
}

/** Where a sync reads its feed: the source's URL, or a file uploaded for it (kept in storage until the sync ran). */
type FeedOrigin = { kind: 'url' } | { kind: 'file'; key: string };

/**
 * Brings a source's products in line with its feed. A sync is a `catalog_syncs` row and a job: the row is the truth
 * (a sync left `running` by a stopped hub is run again at start), the job does the work. Items are read as a stream
 * and written in batches; an item whose content hash is unchanged is not written; an item the feed no longer lists is
 * marked unavailable (`missingSince`), never deleted, since conversations and sales may name it. Each URL source is
 * synced again `syncEveryHours` after its last sync.
 */
@Injectable()
export class CatalogSyncService implements OnModuleInit, ResumableWork {
  readonly name = 'catalog syncs';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    @Inject(OUTBOUND_GUARD) private readonly guard: OutboundGuard,
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<SyncJob>(SYNC_JOB, ({ syncId }) => this.run(syncId), { concurrency: 1 });
    this.jobs.register<{ sourceId: string }>(`${SYNC_JOB}-due`, ({ sourceId }) => this.due(sourceId), { concurrency: 1 });
  }

  /** Syncs a stopped hub left running, and the next scheduled sync of every URL source. */
  async resume(): Promise<number> {
    const running = await this.db.catalogSync.findMany({ where: { status: 'running' }, select: { id: true } });
    for (const sync of running) await this.jobs.add<SyncJob>(SYNC_JOB, { syncId: sync.id }, { jobId: sync.id });
    const sources = await this.db.catalogSource.findMany({ where: { url: { not: null } }, select: { id: true, lastSyncedAt: true, syncEveryHours: true } });
    for (const source of sources) await this.scheduleNext(source);
    return running.length + sources.length;
  }

  /** Starts a sync of the source (from its URL, or from a file already stored under `fileKey`); answers its row. */
  async start(teamId: string, sourceId: string, fileKey?: string) {
    const sync = await this.db.catalogSync.create({ data: { teamId, sourceId, status: 'running', feedFile: fileKey ?? null } });
    await this.jobs.add<SyncJob>(SYNC_JOB, { syncId: sync.id }, { jobId: sync.id });
    return sync;
  }

  /** A scheduled sync: started unless one is running already. */
  private async due(sourceId: string): Promise<void> {
    const source = await this.db.catalogSource.findUnique({ where: { id: sourceId }, select: { teamId: true, url: true } });
    if (!source?.url) return;
    const running = await this.db.catalogSync.findFirst({ where: { sourceId, status: 'running' }, select: { id: true } });
    if (!running) await this.start(source.teamId, sourceId);
  }

  private scheduleNext(source: { id: string; lastSyncedAt: Date | null; syncEveryHours: number }): Promise<void> {
    const dueAt = (source.lastSyncedAt?.getTime() ?? 0) + source.syncEveryHours * 3600_000;
    const delayMs = Math.max(0, dueAt - this.clock.now().getTime());
    // One per source and due time: a resume that finds it scheduled already adds nothing.
    return this.jobs.add(`${SYNC_JOB}-due`, { sourceId: source.id }, { jobId: `${source.id}:${dueAt}`, delayMs });
  }

  private async run(syncId: string): Promise<void> {
    const sync = await this.db.catalogSync.findUnique({ where: { id: syncId }, include: { source: true } });
    if (!sync || sync.status !== 'running') return;
    const origin: FeedOrigin = sync.feedFile ? { kind: 'file', key: sync.feedFile } : { kind: 'url' };
    const report = { added: 0, updated: 0, unchanged: 0, unavailable: 0, refusedCount: 0, refused: [] as { row: number; id: string | null; reason: string }[] };
    try {
      const seen = new Set<string>();
      let batch: FeedEntry[] = [];
      for await (const entry of this.entries(sync.source, origin)) {
        batch.push(entry);
        if (batch.length >= BATCH) {
          await this.write(sync.source, batch, seen, report);
          batch = [];
        }
      }
      await this.write(sync.source, batch, seen, report);
      report.unavailable = await this.markMissing(sync.sourceId, seen);
      const now = this.clock.now();
      await this.db.$transaction([
        this.db.catalogSync.update({ where: { id: syncId }, data: { status: 'done', finishedAt: now, ...report } }),
        this.db.catalogSource.update({ where: { id: sync.sourceId }, data: { lastSyncedAt: now } }),
      ]);
      logger.info({ sourceId: sync.sourceId, syncId, added: report.added, updated: report.updated, unavailable: report.unavailable, refused: report.refusedCount }, 'catalog synced');
    } catch (error) {
      const message = error instanceof FeedUnreadable ? error.message : (outboundRefusal(error)?.message ?? `The feed could not be read: ${(error as Error).message}`);
      await this.db.catalogSync.update({ where: { id: syncId }, data: { status: 'failed', finishedAt: this.clock.now(), error: message, ...report } });
      logger.warn({ sourceId: sync.sourceId, syncId, err: error }, 'catalog sync failed');
    } finally {
      if (origin.kind === 'file') await this.storage.remove(origin.key);
      if (sync.source.url) await this.scheduleNext({ id: sync.sourceId, lastSyncedAt: this.clock.now(), syncEveryHours: sync.source.syncEveryHours });
    }
  }

  private async *entries(source: { format: string; url: string | null; currency: string | null }, origin: FeedOrigin): AsyncGenerator<FeedEntry> {
    const format = source.format as FeedFormat;
    if (format === 'shopify_json') {
      if (origin.kind === 'file') {
        const data = await this.storage.get(origin.key);
        yield* shopifyEntries(parseJson(data), { storeUrl: null, currency: source.currency, firstRow: 0 });
        return;
      }
      // products.json is paged: each page read whole (250 products), until an empty one.
      let row = 0;
      for (let page = 1; page <= SHOPIFY_MAX_PAGES; page++) {
        const url = new URL(source.url!);
        url.searchParams.set('limit', String(SHOPIFY_PAGE_SIZE));
        url.searchParams.set('page', String(page));
        const body = await this.guard.readLimited((await this.fetch(url.toString())).body as AsyncIterable<Uint8Array> | null, null);
        const products = parseJson(body);
        const count = Array.isArray((products as { products?: unknown[] })?.products) ? (products as { products: unknown[] }).products.length : 0;
        for (const entry of shopifyEntries(products, { storeUrl: url.origin, currency: source.currency, firstRow: row })) {
          row = entry.row;
          yield entry;
        }
        if (count < SHOPIFY_PAGE_SIZE) return;
      }
      return;
    }
    const input = origin.kind === 'file' ? Readable.from([(await this.storage.get(origin.key)) ?? Buffer.alloc(0)]) : await this.stream(source.url!);
    yield* format === 'merchant_tsv' ? merchantTsvEntries(input) : merchantXmlEntries(input);
  }

  private async fetch(url: string): Promise<Response> {
    const response = await this.guard.fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/xml, text/xml, text/tab-separated-values, application/json, */*' } });
    if (!response.ok) throw new FeedUnreadable(`The feed's address answered HTTP ${response.status}.`);
    return response;
  }

  /** The feed's body as a stream, refused past MAX_FEED_BYTES. */
  private async stream(url: string): Promise<Readable> {
    const response = await this.fetch(url);
    if (!response.body) throw new FeedUnreadable('The feed\'s address answered with no body.');
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        received += chunk.length;
        if (received > MAX_FEED_BYTES) callback(new FeedUnreadable(`The feed is larger than ${MAX_FEED_BYTES / 1024 / 1024} MB.`));
        else callback(null, chunk);
      },
    });
    return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(limit);
  }

  /** One batch: new items inserted, changed ones updated (and available again), unchanged ones left alone. */
  private async write(source: { id: string; teamId: string }, batch: FeedEntry[], seen: Set<string>, report: { added: number; updated: number; unchanged: number; refusedCount: number; refused: { row: number; id: string | null; reason: string }[] }) {
    const items: CatalogItem[] = [];
    for (const entry of batch) {
      if ('refused' in entry) refuse(report, entry.row, entry.id, entry.refused);
      else if (seen.has(entry.item.externalId)) refuse(report, entry.row, entry.item.externalId, 'id appears more than once in the feed');
      else {
        seen.add(entry.item.externalId);
        items.push(entry.item);
      }
    }
    if (items.length === 0) return;
    // Raw statements with the batch as one JSON parameter: an ORM's insert of 500 rows builds 10,000 parameters, and the
    // garbage of a 100,000-item import grew the hub by more than the catalog's own size.
    const existing = new Map(
      (
        await this.db.$queryRaw<{ id: string; external_id: string; content_hash: string; missing: boolean }[]>`
          SELECT id, external_id, content_hash, missing_since IS NOT NULL AS missing FROM products
          WHERE source_id = ${source.id} AND external_id = ANY (${items.map((i) => i.externalId)}::text[])`
      ).map((row) => [row.external_id, row]),
    );
    const now = this.clock.now();
    const fresh: ProductRowInput[] = [];
    const changed: ProductRowInput[] = [];
    for (const item of items) {
      const hash = contentHash(item);
      const row = existing.get(item.externalId);
      if (!row) fresh.push(productRow(uuidv7(), item, hash));
      else if (row.content_hash !== hash || row.missing) changed.push(productRow(row.id, item, hash));
      else report.unchanged++;
    }
    await this.db.$transaction(async (tx: Tx) => {
      if (fresh.length) {
        await tx.$executeRaw`
          INSERT INTO products (id, team_id, source_id, external_id, item_group_id, sku, gtin, name, description, category, keywords, brand, price,
                                sale_price, currency, availability, image_urls, url, variant, search_text, content_hash, created_at, updated_at)
          SELECT x.id, ${source.teamId}, ${source.id}, x.external_id, x.item_group_id, x.sku, x.gtin, x.name, x.description, x.category, x.keywords, x.brand,
                 x.price, x.sale_price, x.currency, x.availability, x.image_urls, x.url, x.variant, x.search_text, x.content_hash, ${now}::timestamp, ${now}::timestamp
          FROM jsonb_to_recordset(${JSON.stringify(fresh)}::jsonb) AS x(${PRODUCT_RECORD})`;
      }
      if (changed.length) {
        await tx.$executeRaw`
          UPDATE products p SET item_group_id = x.item_group_id, sku = x.sku, gtin = x.gtin, name = x.name, description = x.description, category = x.category,
                 keywords = x.keywords, brand = x.brand, price = x.price, sale_price = x.sale_price, currency = x.currency, availability = x.availability,
                 image_urls = x.image_urls, url = x.url, variant = x.variant, search_text = x.search_text, content_hash = x.content_hash,
                 missing_since = NULL, updated_at = ${now}::timestamp
          FROM jsonb_to_recordset(${JSON.stringify(changed)}::jsonb) AS x(${PRODUCT_RECORD})
          WHERE p.id = x.id`;
      }
    });
    report.added += fresh.length;
    report.updated += changed.length;
  }

  /** What the feed no longer lists: unavailable from now, kept for the conversations and sales that name it. */
  private async markMissing(sourceId: string, seen: Set<string>): Promise<number> {
    const now = this.clock.now();
    return this.db.$executeRaw`
      UPDATE products SET availability = 'unavailable', missing_since = ${now}, updated_at = ${now}
      WHERE source_id = ${sourceId} AND missing_since IS NULL AND NOT (external_id = ANY (${[...seen]}::text[]))`;
  }
}

function refuse(report: { refusedCount: number; refused: { row: number; id: string | null; reason: string }[] }, row: number, id: string | null, reason: string) {
  report.refusedCount++;
  if (report.refused.length < REFUSED_LISTED) report.refused.push({ row, id, reason });
}

function parseJson(data: Buffer | null): unknown {
  try {
    return JSON.parse((data ?? Buffer.alloc(0)).toString('utf8'));
  } catch {
    throw new FeedUnreadable('The feed is not JSON.');
  }
}

function contentHash(item: CatalogItem): string {
  return createHash('sha256').update(JSON.stringify(item)).digest('base64url');
}

/** A product row as the batch statements read it (`jsonb_to_recordset` with PRODUCT_RECORD). */
type ProductRowInput = ReturnType<typeof productRow>;

const PRODUCT_RECORD = Prisma.raw(
  'id text, external_id text, item_group_id text, sku text, gtin text, name text, description text, category text, keywords text[], brand text, ' +
    'price int, sale_price int, currency text, availability text, image_urls text[], url text, variant jsonb, search_text text, content_hash text',
);

function productRow(id: string, item: CatalogItem, hash: string) {
  const searchable = [item.name, ...item.keywords, item.category, item.brand, item.sku, item.gtin, ...Object.values(item.variant ?? {})].filter(Boolean).join(' ');
  return {
    id,
    external_id: item.externalId,
    item_group_id: item.itemGroupId,
    sku: item.sku,
    gtin: item.gtin,
    name: item.name,
    description: item.description,
    category: item.category,
    keywords: item.keywords,
    brand: item.brand,
    price: item.price,
    sale_price: item.salePrice,
    currency: item.currency,
    availability: item.availability,
    image_urls: item.imageUrls,
    url: item.url,
    variant: item.variant,
    search_text: foldForSearch(searchable),
    content_hash: hash,
  };
}
