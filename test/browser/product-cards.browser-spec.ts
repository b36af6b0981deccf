import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHub, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/hub-process.js';
import { launchBrowser, logIn, openPage, openWidget } from './browser.js';

const PHONE = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const DRESS_PAGE = 'https://shop.example.jp/products/dress-001?size=S&color=navy';

describe('Product cards in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let channelId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    // The cards' links name the hub's public address: here, the port this hub listens on.
    const port = await freePort();
    hub = await startTestHub({ PORT: String(port), PUBLIC_URL: `http://localhost:${port}` });
    team = await createTeam(hub, 'さくら洋品店');
    channelId = await createWebchat(hub, team.admin);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    const source = (await hub.http.post('/api/catalog/sources').set(team.admin.auth).send({ name: 'Merchant Center', format: 'merchant_xml' }).expect(201)).body.id as string;
    const feed = readFileSync(join(process.cwd(), 'test', 'fixtures', 'catalog', 'merchant-feed.xml'));
    const sync = (await hub.http.post(`/api/catalog/sources/${source}/feed`).set(team.admin.auth).attach('file', feed, 'feed.xml').expect(202)).body;
    await eventually(async () => (await hub.http.get(`/api/catalog/sources/${source}/syncs/${sync.id}`).set(team.admin.auth)).body.status, (status) => status === 'done');
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('sends a product the shopper viewed back as a card; the shopper opens it from the widget and the agent sees it opened, live', async () => {
    const agent = await addMember(hub, team, { name: '佐藤 花子' });
    const agentContext = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    const inbox = await openPage(agentContext, `${hub.url}/app`);
    await logIn(inbox, agent.email);

    // A shopper's phone: headless Chromium's own user agent says "HeadlessChrome", which the hub rightly counts as a robot.
    const shopContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'ja-JP', userAgent: PHONE });
    // The shop's own site is not on this machine: its product page is answered here, as the shop would.
    await shopContext.route('https://shop.example.jp/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>リネン ワンピース</title><h1>リネン ワンピース</h1>' }));
    const shop = await openPage(shopContext, `${hub.url}/demo?channel=${channelId}`);
    await openWidget(shop);
    // The shop's product page tells the widget what the shopper is looking at.
    await shop.evaluate(`Tsunagi('track', 'product_view', { sku: 'D001-S-NV', name: 'リネン ワンピース ネイビー S', price: 9800, currency: 'JPY', url: 'https://shop.example.jp/products/dress-001' })`);
    const input = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await input.fill('このワンピースのサイズ感を教えてください');
    await input.press('Enter');

    const offer = inbox.locator('.offer').filter({ hasText: 'サイズ感' });
    await offer.getByRole('button', { name: '受ける' }).click({ timeout: 10_000 });
    await inbox.locator('.thread').getByText('このワンピースのサイズ感を教えてください').waitFor();

    // From what the shopper viewed, the agent sends that product back as a card.
    await inbox.getByRole('button', { name: 'リネン ワンピース ネイビー Sをカードで送る' }).click({ timeout: 10_000 });
    const sent = inbox.locator('.thread .product-card').filter({ hasText: 'リネン ワンピース ネイビー S' });
    await sent.getByText('まだ開かれていません').waitFor();
    expect(await sent.locator('.product-card-price').innerText()).toBe('￥9,800 通常 ￥12,800');

    // The widget draws the card; its button opens the product page through the hub's link.
    const card = shop.locator('.product').filter({ hasText: 'リネン ワンピース ネイビー S' });
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator('.product-price').innerText()).toBe('￥9,800 (was ￥12,800)');
    const link = await card.getByRole('link', { name: '詳しく見る' }).getAttribute('href');
    expect(link).toMatch(new RegExp(`/p/[A-Za-z0-9_-]{12}$`));
    const [page] = await Promise.all([shopContext.waitForEvent('page'), card.getByRole('link', { name: '詳しく見る' }).click()]);
    await page.waitForURL(DRESS_PAGE);

    // The agent sees that this card was opened, without reloading.
    await sent.getByText(/\d{2}:\d{2}にお客様が開きました/).waitFor({ timeout: 10_000 });
    expect(await sent.evaluate((node) => node.classList.contains('opened'))).toBe(true);
    expect(inbox.dialogs).toEqual([]);
    await agentContext.close();
    await shopContext.close();
  });
});
