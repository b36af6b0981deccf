import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { merchantTsvEntries, merchantXmlEntries, shopifyEntries } from './feeds.js';
import type { FeedEntry } from './feeds.js';

async function all(entries: AsyncIterable<FeedEntry>): Promise<FeedEntry[]> {
  const out: FeedEntry[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
}

describe('Merchant Center feeds', () => {
  it('reads an Atom feed, a chunk at a time, its link from href', async () => {
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0"><title>Shop</title>
      <entry><g:id>A1</g:id><title>Blue Mug</title><link href="https://shop.example/mug"/><summary>A mug.</summary><g:price>15.00 USD</g:price><g:availability>backorder</g:availability></entry></feed>`;
    // Split in the middle of a tag: the parser takes the stream as it comes.
    const entries = await all(merchantXmlEntries(Readable.from([atom.slice(0, 120), atom.slice(120)])));
    expect(entries).toEqual([
      { row: 1, item: expect.objectContaining({ externalId: 'A1', name: 'Blue Mug', url: 'https://shop.example/mug', description: 'A mug.', price: 1500, currency: 'USD', availability: 'backorder' }) },
    ]);
  });

  it('keeps a character whole when a chunk ends inside it', async () => {
    const xml = Buffer.from('<rss xmlns:g="http://base.google.com/ns/1.0"><channel><item><g:id>J1</g:id><g:title>ワンピース</g:title></item></channel></rss>');
    const cut = xml.indexOf(Buffer.from('ワ')) + 1;
    const [entry] = await all(merchantXmlEntries(Readable.from([xml.subarray(0, cut), xml.subarray(cut)])));
    expect(entry).toEqual({ row: 1, item: expect.objectContaining({ name: 'ワンピース' }) });
  });

  it('reads a TSV feed with its header, lists in one cell, and refuses what it cannot take', async () => {
    const tsv = [
      'id\ttitle\tprice\tavailability\tadditional_image_link\tgtin',
      'T1\tカップ\t1,200 JPY\tin stock\thttps://a.example/1.jpg,https://a.example/2.jpg\t4901234567894',
      'T2\tお皿\t12.345 USD\tin stock\t\t',
      'T3\t小皿\t300 JPY\tsold out\t\t',
      'T4\t大皿\t1.50 JPY\tin stock\t\t',
    ].join('\n');
    const entries = await all(merchantTsvEntries(Readable.from([tsv])));
    expect(entries[0]).toEqual({ row: 1, item: expect.objectContaining({ externalId: 'T1', price: 1200, currency: 'JPY', gtin: '4901234567894', imageUrls: ['https://a.example/1.jpg', 'https://a.example/2.jpg'] }) });
    expect(entries.slice(1)).toEqual([
      { row: 2, id: 'T2', refused: 'price "12.345 USD" has more decimals than USD has' },
      { row: 3, id: 'T3', refused: 'availability "sold out" is not in stock, out of stock, preorder or backorder' },
      { row: 4, id: 'T4', refused: 'price "1.50 JPY" has more decimals than JPY has' },
    ]);
  });
});

describe(shopifyEntries.name, () => {
  it('refuses a price when neither the JSON nor the source names a currency', () => {
    const page = { products: [{ id: 1, title: 'Cap', handle: 'cap', variants: [{ id: 11, title: 'Default Title', price: '20.00' }] }] };
    expect([...shopifyEntries(page, { storeUrl: 'https://shop.example', currency: null, firstRow: 0 })]).toEqual([{ row: 1, id: '11', refused: 'price "20.00" names no currency, and the source has none set' }]);
    expect([...shopifyEntries(page, { storeUrl: 'https://shop.example', currency: 'USD', firstRow: 0 })]).toEqual([
      { row: 1, item: expect.objectContaining({ name: 'Cap', price: 2000, currency: 'USD', url: 'https://shop.example/products/cap?variant=11' }) },
    ]);
  });
});
