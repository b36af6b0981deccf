import { parse as parseCsv } from 'csv-parse';
import sax from 'sax';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { barcodeDigits } from './search-text.js';

/** The feed formats a source can be. */
export const FEED_FORMATS = ['merchant_xml', 'merchant_tsv', 'shopify_json'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

export const AVAILABILITIES = ['in_stock', 'out_of_stock', 'preorder', 'backorder'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

/** One product (one variant) as the hub keeps it, whatever the feed's format. */
export interface CatalogItem {
  externalId: string;
  itemGroupId: string | null;
  sku: string | null;
  gtin: string | null;
  name: string;
  description: string | null;
  category: string | null;
  keywords: string[];
  brand: string | null;
  /** In the currency's minor unit (4999 yen, 1500 cents), as sales are. */
  price: number | null;
  salePrice: number | null;
  currency: string | null;
  availability: Availability;
  imageUrls: string[];
  url: string | null;
  variant: Record<string, string> | null;
}

/** A feed's row read: the item, or why it was refused (the row counts from 1, the header of a TSV not counted). */
export type FeedEntry = { row: number; item: CatalogItem } | { row: number; id: string | null; refused: string };

/** What the parsers read a feed's rows into before they are checked: attribute names as Merchant Center spells them. */
type RawRow = Map<string, string[]>;

const GOOGLE_NS = 'http://base.google.com/ns/1.0';
const MAX_TEXT = 5_000;

/**
 * A Google Merchant Center XML feed, RSS 2.0 (`<item>`) or Atom 1.0 (`<entry>`), with the `g:` attributes
 * (support.google.com/merchants/answer/14987622, answer/160593), read as a stream with sax: a feed of any size is
 * held one item at a time. Attributes outside the `g:` namespace count for the three RSS/Atom ones (title, link,
 * description or summary).
 */
export async function* merchantXmlEntries(input: Readable): AsyncGenerator<FeedEntry> {
  const parser = sax.createStream(true, { xmlns: true, trim: false });
  const ready: FeedEntry[] = [];
  let row = 0;
  let item: RawRow | null = null;
  let depth = 0;
  let field: string | null = null;
  let text = '';
  let failure: Error | null = null;
  parser.on('opentag', (tag) => {
    const node = tag as sax.QualifiedTag;
    if (!item) {
      if (node.local === 'item' || node.local === 'entry') {
        item = new Map();
        depth = 0;
      }
      return;
    }
    depth++;
    // The item's own attributes only (g:shipping's g:country is not the item's).
    if (depth !== 1) return;
    field = node.uri === GOOGLE_NS ? node.local : node.uri === '' || node.prefix === '' ? `rss:${node.local}` : null;
    text = '';
    // Atom's <link href="..."/> carries the address as an attribute.
    const href = node.attributes.href as sax.QualifiedAttribute | undefined;
    if (field === 'rss:link' && href?.value) text = href.value;
  });
  parser.on('text', (chunk) => {
    if (field) text += chunk;
  });
  parser.on('cdata', (chunk) => {
    if (field) text += chunk;
  });
  parser.on('closetag', () => {
    if (!item) return;
    if (depth === 0) {
      row++;
      ready.push(checkedRow(row, item, null));
      item = null;
      return;
    }
    if (depth === 1 && field) {
      const value = text.trim();
      if (value) item.set(field, [...(item.get(field) ?? []), value]);
      field = null;
    }
    depth--;
  });
  parser.on('error', (error) => {
    failure = error;
  });
  // A chunk can end inside a character (Japanese is three bytes in UTF-8): the decoder keeps the partial bytes for
  // the next chunk instead of turning them into replacement characters.
  const decoder = new StringDecoder('utf8');
  for await (const chunk of input) {
    parser.write(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    if (failure) throw new FeedUnreadable(`The feed is not well-formed XML: ${(failure as Error).message.split('\n')[0]}`);
    yield* ready.splice(0);
  }
  parser.write(decoder.end());
  parser.end();
  if (failure) throw new FeedUnreadable(`The feed is not well-formed XML: ${(failure as Error).message.split('\n')[0]}`);
  yield* ready.splice(0);
}

/**
 * A Merchant Center feed as tab-separated values: a header row of attribute names (`id`, `title`, `price`...), then
 * one product a row (support.google.com/merchants/answer/160567). Read with csv-parse, a row at a time.
 */
export async function* merchantTsvEntries(input: Readable): AsyncGenerator<FeedEntry> {
  const rows = input.pipe(parseCsv({ delimiter: '\t', columns: (header: string[]) => header.map((name) => name.trim().toLowerCase().replace(/^g:/, '')), bom: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: true }));
  let row = 0;
  try {
    for await (const record of rows as AsyncIterable<Record<string, string>>) {
      row++;
      const raw: RawRow = new Map();
      for (const [name, value] of Object.entries(record)) {
        const trimmed = (value ?? '').trim();
        if (!trimmed) continue;
        // A TSV names a list's items in one cell, separated by commas (additional_image_link).
        raw.set(name, name === 'additional_image_link' ? trimmed.split(',').map((v) => v.trim()).filter(Boolean) : [trimmed]);
      }
      yield checkedRow(row, raw, null);
    }
  } catch (error) {
    if (error instanceof FeedUnreadable) throw error;
    throw new FeedUnreadable(`The feed is not readable as tab-separated values: ${(error as Error).message}`);
  }
}

/** A Shopify store's `products.json` page (the storefront's public JSON, or the Admin API's product list). */
interface ShopifyProduct {
  id?: number | string;
  title?: string;
  handle?: string;
  body_html?: string | null;
  vendor?: string | null;
  product_type?: string | null;
  tags?: string[] | string;
  options?: { name?: string; position?: number }[];
  images?: { id?: number | string; src?: string }[];
  variants?: ShopifyVariant[];
}
interface ShopifyVariant {
  id?: number | string;
  title?: string;
  sku?: string | null;
  barcode?: string | null;
  price?: string | number | null;
  compare_at_price?: string | number | null;
  available?: boolean;
  option1?: string | null;
  option2?: string | null;
  option3?: string | null;
  featured_image?: { src?: string } | null;
}

/**
 * The products of one `products.json` page, one entry per variant (a variant is what a shopper buys: its own SKU,
 * barcode, price and stock); the product's id groups them. `storeUrl` makes each variant's link
 * (`/products/<handle>?variant=<id>`); `currency` is the store's, which the JSON does not name.
 */
export function* shopifyEntries(page: unknown, options: { storeUrl: string | null; currency: string | null; firstRow: number }): Generator<FeedEntry> {
  const products = (page as { products?: unknown } | null)?.products;
  if (!Array.isArray(products)) throw new FeedUnreadable('The file is not a Shopify products.json: it has no "products" list.');
  let row = options.firstRow;
  for (const product of products as ShopifyProduct[]) {
    const variants = product.variants?.length ? product.variants : [{} as ShopifyVariant];
    const images = (product.images ?? []).map((image) => image.src).filter((src): src is string => Boolean(src));
    const tags = Array.isArray(product.tags) ? product.tags : (product.tags ?? '').split(',');
    for (const variant of variants) {
      row++;
      const raw: RawRow = new Map();
      const set = (name: string, value: unknown) => {
        if (value === null || value === undefined || value === '') return;
        raw.set(name, [...(raw.get(name) ?? []), String(value)]);
      };
      set('id', variant.id);
      set('item_group_id', product.id);
      const variantTitle = variant.title && variant.title !== 'Default Title' ? variant.title : null;
      set('title', product.title ? (variantTitle ? `${product.title} (${variantTitle})` : product.title) : null);
      set('description', product.body_html ? plainText(product.body_html) : null);
      set('product_type', product.product_type);
      set('brand', product.vendor);
      for (const tag of tags.map((t) => t.trim()).filter(Boolean)) set('keyword', tag);
      set('mpn', variant.sku);
      set('gtin', variant.barcode);
      // A compare-at price above the price: the price is a sale, the compare-at price the usual one.
      const price = variant.price !== null && variant.price !== undefined ? String(variant.price) : null;
      const compareAt = variant.compare_at_price !== null && variant.compare_at_price !== undefined ? String(variant.compare_at_price) : null;
      const onSale = price !== null && compareAt !== null && Number(compareAt) > Number(price);
      const currency = options.currency ?? '';
      if (price !== null) set('price', `${onSale ? compareAt : price} ${currency}`.trim());
      if (onSale) set('sale_price', `${price} ${currency}`.trim());
      set('availability', variant.available === false ? 'out_of_stock' : 'in_stock');
      set('image_link', variant.featured_image?.src ?? images[0]);
      for (const src of images) if (src !== (variant.featured_image?.src ?? images[0])) set('additional_image_link', src);
      if (options.storeUrl && product.handle) set('link', `${options.storeUrl.replace(/\/+$/, '')}/products/${encodeURIComponent(product.handle)}${variant.id ? `?variant=${variant.id}` : ''}`);
      (product.options ?? []).forEach((option, index) => {
        const value = [variant.option1, variant.option2, variant.option3][index];
        if (option.name && value && option.name !== 'Title') set(`variant:${option.name}`, value);
      });
      yield checkedRow(row, raw, options.currency);
    }
  }
}

/** A feed that cannot be read at all (not XML, not JSON): the sync fails with this sentence, and nothing changes. */
export class FeedUnreadable extends Error {}

const first = (row: RawRow, ...names: string[]) => {
  for (const name of names) {
    const value = row.get(name)?.[0];
    if (value) return value;
  }
  return null;
};

/** Merchant Center's attributes (and the RSS ones) into a catalog item, or the reason the row is refused. */
function checkedRow(row: number, raw: RawRow, defaultCurrency: string | null): FeedEntry {
  const id = first(raw, 'id');
  if (!id) return { row, id: null, refused: 'id is missing' };
  if (id.length > 200) return { row, id: id.slice(0, 50), refused: 'id is longer than 200 characters' };
  const name = first(raw, 'title', 'rss:title');
  if (!name) return { row, id, refused: 'title is missing' };
  const price = amount(first(raw, 'price'), defaultCurrency);
  if (typeof price === 'string') return { row, id, refused: `price "${first(raw, 'price')}" ${price}` };
  const sale = amount(first(raw, 'sale_price'), defaultCurrency);
  if (typeof sale === 'string') return { row, id, refused: `sale_price "${first(raw, 'sale_price')}" ${sale}` };
  const availability = availabilityOf(first(raw, 'availability'));
  if (!availability) return { row, id, refused: `availability "${first(raw, 'availability')}" is not in stock, out of stock, preorder or backorder` };
  const variant: Record<string, string> = {};
  for (const key of ['size', 'color', 'material', 'pattern']) {
    const value = first(raw, key);
    if (value) variant[key] = value;
  }
  for (const [key, values] of raw) if (key.startsWith('variant:')) variant[key.slice('variant:'.length)] = values[0];
  const links = [first(raw, 'image_link'), ...(raw.get('additional_image_link') ?? [])].filter((link): link is string => Boolean(link && isWebAddress(link)));
  const url = first(raw, 'link', 'rss:link');
  const keywords = [...(raw.get('keyword') ?? []), ...['custom_label_0', 'custom_label_1', 'custom_label_2', 'custom_label_3', 'custom_label_4'].flatMap((label) => raw.get(label) ?? [])];
  return {
    row,
    item: {
      externalId: id,
      itemGroupId: first(raw, 'item_group_id'),
      sku: first(raw, 'mpn', 'sku'),
      gtin: barcodeDigits(first(raw, 'gtin') ?? ''),
      name: name.slice(0, 500),
      description: first(raw, 'description', 'rss:description', 'rss:summary')?.slice(0, MAX_TEXT) ?? null,
      category: first(raw, 'product_type', 'google_product_category'),
      keywords: [...new Set(keywords)].slice(0, 50),
      brand: first(raw, 'brand'),
      price: price?.value ?? null,
      salePrice: sale?.value ?? null,
      currency: price?.currency ?? sale?.currency ?? defaultCurrency,
      availability,
      imageUrls: [...new Set(links)].slice(0, 10),
      url: url && isWebAddress(url) ? url : null,
      variant: Object.keys(variant).length ? variant : null,
    },
  };
}

/**
 * `4999 JPY`, `15.00 USD`, `1,299.00 USD`: the amount in the currency's minor unit and its ISO 4217 code, or why it
 * cannot be read (not an amount, no currency, more decimals than the currency has).
 */
function amount(text: string | null, defaultCurrency: string | null): { value: number; currency: string } | null | string {
  if (!text) return null;
  const match = /^([0-9][0-9,]*)(?:\.([0-9]+))?\s*([A-Za-z]{3})?$/.exec(text.normalize('NFKC').trim());
  if (!match) return 'is not an amount with its currency (4999 JPY)';
  const currency = match[3]?.toUpperCase() ?? defaultCurrency;
  if (!currency) return 'names no currency, and the source has none set';
  const digits = minorDigits(currency);
  if (digits === null) return `names an unknown currency (${currency})`;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return `has more decimals than ${currency} has`;
  const value = Number(match[1].replace(/,/g, '') + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(value) || value > 2_147_483_647) return 'is too large';
  return { value, currency };
}

/** How many decimals a currency's minor unit has (JPY 0, USD 2), from the runtime's ISO 4217 data. */
function minorDigits(currency: string): number | null {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? null;
  } catch {
    return null;
  }
}

function availabilityOf(text: string | null): Availability | null {
  if (!text) return 'in_stock';
  const key = text.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return (AVAILABILITIES as readonly string[]).includes(key) ? (key as Availability) : null;
}

function isWebAddress(text: string): boolean {
  return /^https?:\/\/\S+$/i.test(text);
}

/** Shopify's `body_html` as text: tags dropped, the common entities read, spaces folded. */
function plainText(html: string): string {
  return html
    .replace(/<(br|\/p|\/div|\/li)\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim()
    .slice(0, MAX_TEXT);
}
