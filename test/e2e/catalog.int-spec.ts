import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHttpFake } from '../fakes/http-fake.js';
import type { HttpFake } from '../fakes/http-fake.js';
import { eventually } from '../support/eventually.js';
import { TestHub, TestMember, addMember, createTeam, startTestHub } from '../support/test-hub.js';

const fixture = (name: string) => readFileSync(join(process.cwd(), 'test', 'fixtures', 'catalog', name));

type Sync = { id: string; status: string; added: number; updated: number; unchanged: number; unavailable: number; refusedCount: number; refused: { row: number; id: string | null; reason: string }[]; error: string | null };
type Product = { id: string; externalId: string; name: string; price: number | null; salePrice: number | null; currency: string | null; availability: string; gtin: string | null; category: string | null; variant: Record<string, string> | null; url: string | null };

describe('The catalog, imported from the shop’s feeds', () => {
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let admin: TestMember;
  let shop: HttpFake;
  // What the shop's feed address serves now: the test swaps it for the next day's feed.
  let feed = fixture('merchant-feed.xml');
  let merchant: string;

  beforeAll(async () => {
    shop = await startHttpFake(() => ({ status: 200, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: feed }));
    hub = await startTestHub();
    team = await createTeam(hub, 'さくら洋品店');
    admin = team.admin;
    merchant = (await hub.http.post('/api/catalog/sources').set(admin.auth).send({ name: 'Merchant Center', format: 'merchant_xml', url: `${shop.url}/feed.xml` }).expect(201)).body.id;
  });

  afterAll(async () => {
    await hub?.stop();
    await shop?.close();
  });

  async function synced(sourceId: string, started: { body: Sync }): Promise<Sync> {
    expect(started.body.status).toBe('running');
    const done = await eventually(
      async () => (await hub.http.get(`/api/catalog/sources/${sourceId}/syncs/${started.body.id}`).set(admin.auth).expect(200)).body as Sync,
      (sync) => sync.status !== 'running',
    );
    return done;
  }

  const search = async (query: Record<string, string>, member = admin) => ((await hub.http.get('/api/catalog/products').query(query).set(member.auth).expect(200)).body.items as Product[]);
  const ids = (products: Product[]) => products.map((p) => p.externalId).sort();

  it('imports a Merchant Center feed from its URL, and a second sync updates, marks the missing unavailable and reports what it refused', async () => {
    const first = await synced(merchant, await hub.http.post(`/api/catalog/sources/${merchant}/sync`).set(admin.auth).expect(202));
    expect(first).toMatchObject({ status: 'done', added: 4, updated: 0, unchanged: 0, unavailable: 0, refusedCount: 0, error: null });
    const [dress] = await search({ q: 'D001-S-NV' });
    expect(dress).toMatchObject({
      externalId: 'DRESS-001-S-NAVY',
      name: 'リネン ワンピース ネイビー S',
      price: 12800,
      salePrice: 9800,
      currency: 'JPY',
      availability: 'in_stock',
      gtin: '4901234567894',
      category: 'レディース > ワンピース',
      variant: { size: 'S', color: 'ネイビー' },
      url: 'https://shop.example.jp/products/dress-001?size=S&color=navy',
    });

    // The next day: a price cut, the scarf gone, a hat added, two rows that cannot be taken.
    feed = fixture('merchant-feed-changed.xml');
    const second = await synced(merchant, await hub.http.post(`/api/catalog/sources/${merchant}/sync`).set(admin.auth).expect(202));
    expect(second).toMatchObject({ status: 'done', added: 1, updated: 1, unchanged: 2, unavailable: 1, refusedCount: 2 });
    expect(second.refused).toEqual([
      { row: 5, id: 'SOCKS-040', reason: 'price "お問い合わせください" is not an amount with its currency (4999 JPY)' },
      { row: 6, id: null, reason: 'id is missing' },
    ]);
    expect((await search({ q: 'D001-S-NV' }))[0].salePrice).toBe(8800);
    // Kept, not deleted: a conversation or a sale may name it.
    expect(ids(await search({ availability: 'unavailable' }))).toEqual(['SCARF-020']);

    const source = (await hub.http.get(`/api/catalog/sources/${merchant}`).set(admin.auth).expect(200)).body;
    expect(source).toMatchObject({ products: 5, lastSync: { id: expect.any(String), status: 'done', added: 1 } });
    expect(source.lastSyncedAt).not.toBeNull();
  });

  it('finds products by half-width katakana, a JAN code written any way, a keyword and a category', async () => {
    expect(ids(await search({ q: 'ﾜﾝﾋﾟｰｽ' }))).toEqual(['DRESS-001-M-NAVY', 'DRESS-001-S-NAVY']);
    expect(ids(await search({ q: 'わんぴーす ｎａｖｙ' }))).toEqual([]);
    expect(ids(await search({ q: 'ワンピース ネイビー S' })).includes('DRESS-001-S-NAVY')).toBe(true);
    expect(ids(await search({ q: '４９０１２３４５６７９１７' }))).toEqual(['TOTE-010']);
    expect(ids(await search({ q: '夏物' }))).toEqual(['DRESS-001-S-NAVY']);
    expect(ids(await search({ category: 'レディース' }))).toEqual(['DRESS-001-M-NAVY', 'DRESS-001-S-NAVY']);
    expect(ids(await search({ category: 'レディース > ワンピース', availability: 'out_of_stock' }))).toEqual(['DRESS-001-M-NAVY']);
    // In stock first.
    expect((await search({ q: 'ワンピース' })).map((p) => p.availability)).toEqual(['in_stock', 'out_of_stock']);
    // A product's variants, for the inbox's product details: its item group, and nothing of another.
    expect(ids(await search({ itemGroupId: 'DRESS-001' }))).toEqual(['DRESS-001-M-NAVY', 'DRESS-001-S-NAVY']);
    expect(await search({ itemGroupId: 'DRESS-999' })).toEqual([]);
  });

  it('forgives a typing mistake in a Latin word when nothing matches as typed, and says the results are approximate', async () => {
    const answer = async (q: string) => (await hub.http.get('/api/catalog/products').query({ q }).set(admin.auth).expect(200)).body as { items: Product[]; approximate: boolean };
    expect(await answer('silk scarf')).toMatchObject({ approximate: false, items: [expect.objectContaining({ externalId: 'SCARF-020' })] });
    // A letter doubled, a letter wrong: close enough.
    expect(await answer('silk scarff')).toMatchObject({ approximate: true, items: [expect.objectContaining({ externalId: 'SCARF-020' })] });
    expect(await answer('ivori')).toMatchObject({ approximate: true, items: [expect.objectContaining({ externalId: 'SCARF-020' })] });
    // A Japanese word is never guessed at: it must be in the product as typed, beside the forgiven Latin one.
    expect(await answer('ivori ワンピース')).toEqual({ approximate: false, items: [] });
    // Nothing near: nothing, and not approximate.
    expect(await answer('umbrella')).toEqual({ approximate: false, items: [] });
  });

  it('imports a Shopify products.json uploaded as a file, a product per variant, with the store’s currency', async () => {
    const shopify = (await hub.http.post('/api/catalog/sources').set(admin.auth).send({ name: 'Shopify', format: 'shopify_json', currency: 'JPY' }).expect(201)).body.id;
    const noUrl = await hub.http.post(`/api/catalog/sources/${shopify}/sync`).set(admin.auth).expect(409);
    expect(noUrl.body.code).toBe('catalog_source_has_no_url');
    const started = await hub.http.post(`/api/catalog/sources/${shopify}/feed`).set(admin.auth).attach('file', fixture('shopify-products.json'), 'products.json').expect(202);
    expect(await synced(shopify, started)).toMatchObject({ status: 'done', added: 3, refusedCount: 0 });

    const shirts = await search({ q: 'リネンシャツ' });
    expect(shirts.map((p) => [p.name, p.price, p.salePrice, p.currency, p.availability, p.variant])).toEqual([
      ['ﾘﾈﾝｼｬﾂ (S / ホワイト)', 8800, 6600, 'JPY', 'in_stock', { サイズ: 'S', カラー: 'ホワイト' }],
      ['ﾘﾈﾝｼｬﾂ (M / ホワイト)', 6600, null, 'JPY', 'out_of_stock', { サイズ: 'M', カラー: 'ホワイト' }],
    ]);
    expect(ids(await search({ q: 'LS-M-WH' }))).toEqual(['41538476417213']);
    expect((await search({ q: 'gift' }))[0]).toMatchObject({ name: 'Gift Card', variant: null });
  });

  it('fails a sync whose feed is not XML, naming why, and changes nothing', async () => {
    const broken = (await hub.http.post('/api/catalog/sources').set(admin.auth).send({ name: 'Broken', format: 'merchant_xml' }).expect(201)).body.id;
    const started = await hub.http.post(`/api/catalog/sources/${broken}/feed`).set(admin.auth).attach('file', Buffer.from('<rss><channel><item><g:id>1</g:id></item'), 'feed.xml').expect(202);
    const failed = await synced(broken, started);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/not well-formed XML/);
  });

  it('fails a sync whose feed address does not answer, naming why, and keeps the products', async () => {
    const before = await hub.infra.db.product.count({ where: { teamId: team.teamId } });
    const down = (await hub.http.post('/api/catalog/sources').set(admin.auth).send({ name: 'Down', format: 'merchant_xml', url: 'http://127.0.0.1:9/feed.xml' }).expect(201)).body.id;
    const failed = await synced(down, await hub.http.post(`/api/catalog/sources/${down}/sync`).set(admin.auth).expect(202));
    expect(failed).toMatchObject({ status: 'failed', added: 0, error: expect.stringMatching(/could not be read/) });
    expect(await hub.infra.db.product.count({ where: { teamId: team.teamId } })).toBe(before);
  });

  it('keeps each team’s catalog its own, and sources to administrators', async () => {
    const [dress] = await search({ q: 'D001-S-NV' });
    const other = await createTeam(hub, 'Other');
    const sync = (await hub.http.get(`/api/catalog/sources/${merchant}/syncs`).set(admin.auth).expect(200)).body.items[0].id as string;
    for (const path of [`/api/catalog/sources/${merchant}`, `/api/catalog/sources/${merchant}/syncs`, `/api/catalog/sources/${merchant}/syncs/${sync}`, `/api/catalog/products/${dress.id}`]) {
      const refused = await hub.http.get(path).set(other.admin.auth).expect(404);
      expect(refused.body.code).toBe('not_found');
    }
    await hub.http.patch(`/api/catalog/sources/${merchant}`).set(other.admin.auth).send({ name: 'mine' }).expect(404);
    await hub.http.post(`/api/catalog/sources/${merchant}/sync`).set(other.admin.auth).expect(404);
    await hub.http.post(`/api/catalog/sources/${merchant}/feed`).set(other.admin.auth).attach('file', fixture('merchant-feed.xml'), 'feed.xml').expect(404);
    expect(await search({ q: 'ワンピース' }, other.admin)).toEqual([]);

    // Agents search the catalog; only administrators see and change its sources.
    const agent = await addMember(hub, team);
    expect((await search({ q: 'ワンピース' }, agent)).length).toBe(2);
    await hub.http.get(`/api/catalog/products/${dress.id}`).set(agent.auth).expect(200);
    await hub.http.get('/api/catalog/sources').set(agent.auth).expect(403);
    await hub.http.post(`/api/catalog/sources/${merchant}/sync`).set(agent.auth).expect(403);
  });
});
