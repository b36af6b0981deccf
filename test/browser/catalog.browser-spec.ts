import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHttpFake } from '../fakes/http-fake.js';
import type { HttpFake } from '../fakes/http-fake.js';
import { TestHub, createTeam, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, WIDTHS, launchBrowser, logIn, openPage } from './browser.js';

const fixture = (name: string) => join(process.cwd(), 'test', 'fixtures', 'catalog', name);

// Issue 22: the catalog's sources in the admin web app: a feed fetched from its URL with "sync now", a Shopify
// products.json and the next day's Merchant Center feed uploaded as files, each sync's report with the rows it could
// not take, and the search that finds what came in.
describe('The catalog screen in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let shop: HttpFake;
  let context: BrowserContext;
  let page: Page & { dialogs: string[] };
  let team: Awaited<ReturnType<typeof createTeam>>;

  beforeAll(async () => {
    shop = await startHttpFake(() => ({ status: 200, headers: { 'content-type': 'application/xml' }, body: readFileSync(fixture('merchant-feed.xml')) }));
    browser = await launchBrowser();
    hub = await startTestHub();
    team = await createTeam(hub, 'さくら洋品店');
    context = await browser.newContext(WIDTHS[0].options);
    page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, team.admin.email);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await hub?.stop();
    await shop?.close();
  });

  it('adds a feed, syncs it now, uploads a Shopify file and the next day’s feed, shows what each sync refused, and finds the products', async () => {
    await page.goto(`${hub.url}/app/admin/catalog`);
    const add = page.getByRole('form', { name: '取り込み元を追加' });
    await add.getByLabel('名前').fill('Merchant Center');
    await add.getByLabel('フィードの URL').fill(`${shop.url}/feed.xml`);
    await add.getByRole('button', { name: '取り込み元を追加' }).click();
    const merchant = page.getByRole('article', { name: 'Merchant Center' });
    await merchant.getByRole('button', { name: '今すぐ同期' }).click();
    await merchant.getByRole('status').filter({ hasText: '追加 4・更新 0・変更なし 0・掲載終了 0・取り込めない行 0' }).waitFor({ timeout: 20_000 });
    await merchant.locator('p').filter({ hasText: '商品数: 4 ·' }).waitFor();

    // A Shopify store's products.json, without a URL: uploaded as a file, with the store's currency.
    await add.getByLabel('名前').fill('Shopify');
    await add.getByLabel('形式').selectOption('shopify_json');
    await add.getByLabel('通貨').fill('jpy');
    await add.getByRole('button', { name: '取り込み元を追加' }).click();
    const shopify = page.getByRole('article', { name: 'Shopify' });
    expect(await shopify.getByRole('button', { name: '今すぐ同期' }).count()).toBe(0);
    await shopify.getByLabel('フィードをアップロード').setInputFiles(fixture('shopify-products.json'));
    await shopify.getByRole('status').filter({ hasText: '追加 3・' }).waitFor({ timeout: 20_000 });

    // The next day's Merchant Center feed, uploaded: its report lists the two rows it could not take, with why.
    await merchant.getByLabel('フィードをアップロード').setInputFiles(fixture('merchant-feed-changed.xml'));
    await merchant.getByRole('status').filter({ hasText: '追加 1・更新 1・変更なし 2・掲載終了 1・取り込めない行 2' }).waitFor({ timeout: 20_000 });
    await merchant.locator('p').filter({ hasText: '商品数: 5 ·' }).waitFor();
    const refused = merchant.getByRole('table', { name: '取り込めなかった行' });
    await refused.getByRole('row').filter({ hasText: 'SOCKS-040' }).filter({ hasText: 'お問い合わせください' }).waitFor();
    await refused.getByRole('row').filter({ hasText: 'id is missing' }).waitFor();

    // Half-width katakana finds the dresses; the Shopify shirt's sale price shows in yen.
    const search = page.getByRole('search', { name: '商品を検索' });
    await search.getByRole('searchbox').fill('ﾜﾝﾋﾟｰｽ');
    await search.getByRole('button', { name: '商品を検索' }).click();
    const results = search.getByRole('table');
    await results.getByRole('row').filter({ hasText: 'リネン ワンピース ネイビー S' }).filter({ hasText: '在庫あり' }).waitFor();
    expect(await results.getByRole('row').count()).toBe(3);
    await search.getByRole('searchbox').fill('リネンシャツ');
    await search.getByRole('button', { name: '商品を検索' }).click();
    await results.getByRole('row').filter({ hasText: 'ﾘﾈﾝｼｬﾂ (S / ホワイト)' }).filter({ hasText: '6,600' }).waitFor();

    await page.screenshot({ path: join(SCREENSHOTS, 'admin-catalog.png'), fullPage: true });
    expect(page.dialogs).toEqual([]);
  });
});
