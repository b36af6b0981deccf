import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBarcodeVideo } from '../support/barcode-video.js';
import { eventually } from '../support/eventually.js';
import { TestHub, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import type { TestMember } from '../support/test-hub.js';
import { SCREENSHOTS, WIDTHS, fakeCamera, launchBrowser, logIn, openPage, openWidget } from './browser.js';

const fixture = (name: string) => join(process.cwd(), 'test', 'fixtures', 'catalog', name);

/** GTINs in merchant-feed.xml: the navy dress in S (on sale, two variants) and the tote bag. */
const DRESS_S = '4901234567894';
const TOTE = '4901234567917';
/** A well-formed EAN-13 (its check digit right) that no product of the feed has. */
const UNKNOWN = withCheckDigit('490123456799');

/** A 1x1 white PNG: the shop's product images, which the test's browser never fetches from the internet. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC', 'base64');

/**
 * In the page before any of the inbox's scripts: each camera stream the page opens kept where the test can see
 * whether its tracks were stopped, and the constraints it asked with.
 */
const CAMERA_SPY = `
  window.__cameraStreams = [];
  window.__cameraConstraints = [];
  // Not in every document the script runs in (about:blank before the inbox loads has no camera API).
  if (navigator.mediaDevices) {
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      window.__cameraConstraints.push(constraints);
      const stream = await getUserMedia(constraints);
      window.__cameraStreams.push(stream);
      return stream;
    };
  }
`;

/** The browser's own BarcodeDetector removed, so that the fallback decoder is the one tested whichever Chromium runs this. */
const WITHOUT_DETECTOR = 'delete window.BarcodeDetector;';

/**
 * A platform BarcodeDetector (as on Android) that knows `formats` and reports `rawValue` whatever the camera shows:
 * a product other than the one filmed opening tells that the platform's detector was the one used.
 */
const platformDetector = (formats: string[], rawValue: string) => `
  window.BarcodeDetector = class {
    static async getSupportedFormats() { return ${JSON.stringify(formats)}; }
    constructor(options) { window.__detectorFormats = options.formats; }
    async detect() { return [{ rawValue: ${JSON.stringify(rawValue)} }]; }
  };
`;

// Issue 22, the inbox's side: an agent in a web chat searches the catalog from the conversation's side panel and
// scans a product's barcode with the phone's camera (here Chromium's fake camera playing a video of an EAN-13).
describe('The catalog in the inbox’s side panel, in a real browser', () => {
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let agent: TestMember;
  let conversationId: string;
  let videos: string;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    videos = await mkdtemp(join(tmpdir(), 'catalog-scan-'));
    hub = await startTestHub();
    team = await createTeam(hub, 'さくら洋品店');
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    const source = (await hub.http.post('/api/catalog/sources').set(team.admin.auth).send({ name: 'Merchant Center', format: 'merchant_xml' }).expect(201)).body.id as string;
    const sync = (await hub.http.post(`/api/catalog/sources/${source}/feed`).set(team.admin.auth).attach('file', fixture('merchant-feed.xml'), 'feed.xml').expect(202)).body.id as string;
    await eventually(async () => (await hub.http.get(`/api/catalog/sources/${source}/syncs/${sync}`).set(team.admin.auth).expect(200)).body.status as string, (status) => status === 'done');
    agent = await addMember(hub, team, { name: '山本 二郎' });
  });

  afterAll(async () => {
    for (const browser of browsers) await browser.close();
    await hub?.stop();
    if (videos) await rm(videos, { recursive: true, force: true });
  });

  /** A browser whose camera shows the barcode of `gtin`. */
  async function browserFilming(gtin: string): Promise<Browser> {
    const video = join(videos, `${gtin}.y4m`);
    await writeBarcodeVideo(video, gtin);
    const browser = await launchBrowser({ args: fakeCamera(video) });
    browsers.push(browser);
    return browser;
  }

  /**
   * The agent's browser context: every request to another host than the hub is recorded and refused, except the
   * shop's product images, answered here with a pixel. Nothing of the inbox (the scanner's WebAssembly least of all)
   * may come from a CDN.
   */
  async function agentContext(browser: Browser, options: BrowserContextOptions, detector = WITHOUT_DETECTOR) {
    const context = await browser.newContext(options);
    const foreign: string[] = [];
    const wasm: { url: string; status: number; type: string | undefined }[] = [];
    await context.route('**', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === hub.url) return route.continue();
      if (url.origin === 'https://shop.example.jp' && url.pathname.startsWith('/images/')) return route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL });
      foreign.push(url.href);
      return route.abort();
    });
    context.on('response', (response) => {
      if (response.url().endsWith('.wasm')) wasm.push({ url: response.url(), status: response.status(), type: response.headers()['content-type'] });
    });
    // What the page threw or logged as an error: a crash the error boundary caught shows only here.
    const errors: string[] = [];
    context.on('weberror', (error) => errors.push(error.error().message));
    context.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await context.addInitScript(CAMERA_SPY + detector);
    return { context, foreign, wasm, errors };
  }

  async function openConversation(context: BrowserContext): Promise<Page & { dialogs: string[] }> {
    const inbox = await openPage(context, `${hub.url}/app`);
    await logIn(inbox, agent.email);
    await inbox.goto(`${hub.url}/app/conversations/${conversationId}`);
    return inbox;
  }

  it('finds a product written in half-width katakana, filters by stock and category, and opens it with its variants', async () => {
    const browser = await browserFilming(DRESS_S);
    const { context, foreign, errors } = await agentContext(browser, WIDTHS[0].options);
    const inbox = await openPage(context, `${hub.url}/app`);
    await logIn(inbox, agent.email);

    // The customer asks in the web chat; the agent takes the chat and the thread opens with its side panel.
    const channelId = await createWebchat(hub, team.admin);
    const shopContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const shop = await openPage(shopContext, `${hub.url}/demo?channel=${channelId}`);
    await openWidget(shop);
    const widgetInput = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await widgetInput.fill('紺のワンピースはまだありますか？');
    await widgetInput.press('Enter');
    const offer = inbox.locator('.offer').filter({ hasText: '紺のワンピース' });
    await offer.getByRole('button', { name: '受ける' }).click({ timeout: 15_000 });
    await inbox.locator('.thread').getByText('紺のワンピースはまだありますか？').waitFor();
    conversationId = (await hub.infra.db.conversation.findFirstOrThrow({ where: { channelId } })).id;
    await shopContext.close();

    const catalog = inbox.getByRole('region', { name: 'カタログ' });
    const search = catalog.getByRole('search', { name: '商品を検索' });
    const results = catalog.getByRole('list', { name: '検索結果' });
    // Typed as a customer's phone might have written it: half-width katakana finds the dresses, in stock first.
    await search.getByRole('searchbox').fill('ﾜﾝﾋﾟｰｽ');
    await results.getByRole('listitem').nth(1).waitFor();
    expect(await results.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringMatching(/リネン ワンピース ネイビー S\s+￥9,800\s+￥12,800\s+在庫あり/),
      expect.stringMatching(/リネン ワンピース ネイビー M\s+￥12,800\s+在庫なし/),
    ]);
    expect(await results.getByRole('img', { name: 'リネン ワンピース ネイビー S' }).getAttribute('src')).toBe('https://shop.example.jp/images/dress-001-navy.jpg');

    await search.getByRole('checkbox', { name: '在庫ありのみ' }).check();
    await eventually(() => results.getByRole('listitem').count(), (count) => count === 1);
    expect(await results.getByRole('listitem').innerText()).toContain('ネイビー S');
    await search.getByRole('checkbox', { name: '在庫ありのみ' }).uncheck();

    // A category alone (its start, as the API takes it): the bags, not the dresses.
    await search.getByRole('searchbox').fill('');
    await search.getByRole('combobox', { name: '商品カテゴリ' }).fill('バッグ');
    await results.getByRole('listitem').filter({ hasText: 'キャンバス トートバッグ' }).waitFor();
    expect(await results.getByRole('listitem').count()).toBe(1);
    await search.getByRole('combobox', { name: '商品カテゴリ' }).fill('');

    // The out-of-stock size opens with its price, stock, barcode and the other size of its group.
    await search.getByRole('searchbox').fill('ﾜﾝﾋﾟｰｽ');
    await results.getByRole('button', { name: /ネイビー M/ }).click();
    const product = catalog.getByRole('article', { name: '商品の詳細' });
    await product.getByRole('heading', { name: 'リネン ワンピース ネイビー M' }).waitFor();
    await product.getByText('在庫なし').first().waitFor();
    await product.getByText('4901234567900').waitFor();
    expect(await product.getByRole('link', { name: '商品ページを開く' }).getAttribute('href')).toBe('https://shop.example.jp/products/dress-001?size=M&color=navy');
    const variants = product.getByRole('list', { name: 'バリエーション' });
    await variants.getByRole('button').nth(1).waitFor();
    expect(await variants.getByRole('button').allInnerTexts()).toEqual([expect.stringContaining('S / ネイビー'), expect.stringContaining('M / ネイビー')]);
    await variants.getByRole('button', { name: /S \/ ネイビー/ }).click();
    await product.getByRole('heading', { name: 'リネン ワンピース ネイビー S' }).waitFor();
    await product.getByText('セール価格').waitFor();
    expect(await product.innerText()).toMatch(/￥9,800\s+￥12,800/);
    // Sent to the customer from here: the card lands in the thread, not yet opened.
    await product.getByRole('button', { name: 'カードで送る' }).click();
    const card = inbox.locator('.thread .product-card').filter({ hasText: 'リネン ワンピース ネイビー S' });
    await card.getByText('まだ開かれていません').waitFor();

    // A Latin word with a letter doubled finds nothing as typed: the closest spelling is offered, and says so.
    await product.getByRole('button', { name: '検索結果に戻る' }).click();
    await search.getByRole('searchbox').fill('silk scarff');
    await results.getByRole('listitem').filter({ hasText: 'Silk Scarf Ivory' }).waitFor();
    await catalog.getByText('入力どおりの商品はありません。近いつづりの商品です:').waitFor();

    await inbox.screenshot({ path: join(SCREENSHOTS, 'inbox-catalog-product.png'), fullPage: true });
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    expect(inbox.dialogs).toEqual([]);
    await context.close();
  });

  // Done when 5: a barcode scanned from the fake camera opens the product in the inbox, through the fallback decoder.
  // The other codes guard against a scanner that opens something whatever it sees.
  it.each([
    { gtin: DRESS_S, opens: 'リネン ワンピース ネイビー S' },
    { gtin: TOTE, opens: 'キャンバス トートバッグ' },
    { gtin: UNKNOWN, opens: null },
  ])('scans $gtin on a phone with the WebAssembly decoder served by the hub', async ({ gtin, opens }) => {
    expect(conversationId).toBeDefined();
    const browser = await browserFilming(gtin);
    const { context, foreign, wasm, errors } = await agentContext(browser, WIDTHS[1].options);
    const inbox = await openConversation(context);
    expect(await inbox.evaluate(`'BarcodeDetector' in window`)).toBe(false);

    const catalog = inbox.getByRole('region', { name: 'カタログ' });
    await catalog.getByRole('button', { name: 'バーコードを読み取る' }).click();
    // The scanner may read the code before the test looks at it: only its outcome is awaited.
    const scanner = inbox.getByRole('dialog', { name: 'バーコードの読み取り' });

    if (opens) {
      const product = catalog.getByRole('article', { name: '商品の詳細' });
      await product.getByRole('heading', { name: opens }).waitFor({ timeout: 20_000 });
      await product.getByText(gtin).waitFor();
    } else {
      await catalog.getByRole('status').filter({ hasText: `コード ${gtin} の商品はカタログにありません。` }).waitFor({ timeout: 20_000 });
      expect(await catalog.getByRole('article', { name: '商品の詳細' }).count()).toBe(0);
    }
    // The scanner closed and let go of the camera it asked for (the rear one).
    expect(await scanner.count()).toBe(0);
    // Read in the page (as text: the test's TypeScript has no DOM types).
    const camera = await inbox.evaluate(`({
      constraints: window.__cameraConstraints,
      live: window.__cameraStreams.flatMap((stream) => stream.getTracks()).filter((track) => track.readyState !== 'ended').length,
    })`);
    expect(camera).toEqual({ constraints: [{ video: { facingMode: 'environment' }, audio: false }], live: 0 });

    // The reader's WebAssembly came from the hub itself, as WebAssembly; nothing from anywhere else.
    expect(wasm).toEqual([{ url: expect.stringMatching(new RegExp(`^${hub.url}/app/assets/zxing_reader-[\\w-]+\\.wasm$`)), status: 200, type: 'application/wasm' }]);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    if (gtin === DRESS_S) await inbox.screenshot({ path: join(SCREENSHOTS, 'inbox-catalog-scanned-phone.png'), fullPage: true });
    await context.close();
  });

  // The platform's detector where it reads retail codes (no megabyte of WebAssembly fetched), and ZXing where the
  // platform offers a BarcodeDetector for QR codes only (as macOS Chrome did).
  it.each([
    { platform: 'reads retail codes', decoder: 'the platform’s', formats: ['qr_code', 'ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_128'], opens: 'キャンバス トートバッグ', detectorFormats: ['ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_128'], wasmFetched: 0 },
    { platform: 'reads only QR codes', decoder: 'ZXing’s', formats: ['qr_code'], opens: 'リネン ワンピース ネイビー S', detectorFormats: null, wasmFetched: 1 },
  ])('decodes with $decoder decoder where the browser’s BarcodeDetector $platform', async ({ formats, opens, detectorFormats, wasmFetched }) => {
    expect(conversationId).toBeDefined();
    const browser = await browserFilming(DRESS_S);
    const { context, foreign, wasm, errors } = await agentContext(browser, WIDTHS[1].options, platformDetector(formats, TOTE));
    const inbox = await openConversation(context);
    const catalog = inbox.getByRole('region', { name: 'カタログ' });
    await catalog.getByRole('button', { name: 'バーコードを読み取る' }).click();
    await catalog.getByRole('article', { name: '商品の詳細' }).getByRole('heading', { name: opens }).waitFor({ timeout: 20_000 });
    expect(await inbox.evaluate('window.__detectorFormats ?? null')).toEqual(detectorFormats);
    expect(wasm.length).toBe(wasmFetched);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  // Where the camera cannot be used the scanner says why, rather than showing a black picture. Chromium refuses a
  // camera the page was not granted (no fake prompt here); this machine has no camera of its own.
  it.each([
    { why: 'refused', args: ['--use-fake-device-for-media-stream'], permissions: [], sentence: 'カメラの使用が許可されていません。ブラウザの設定でこのサイトにカメラを許可してください。' },
    { why: 'absent', args: [], permissions: ['camera'], sentence: 'この端末では使えるカメラが見つかりません。' },
  ])('says so when the camera is $why', async ({ args, permissions, sentence }) => {
    const browser = await launchBrowser({ args });
    browsers.push(browser);
    const { context, foreign, errors } = await agentContext(browser, { ...WIDTHS[1].options, permissions });
    const inbox = await openConversation(context);
    await inbox.getByRole('region', { name: 'カタログ' }).getByRole('button', { name: 'バーコードを読み取る' }).click();
    const scanner = inbox.getByRole('dialog', { name: 'バーコードの読み取り' });
    await eventually(() => scanner.getByRole('status').innerText(), (text) => text === sentence);
    await scanner.getByRole('button', { name: '閉じる' }).click();
    expect(await scanner.count()).toBe(0);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

/** The EAN-13 check digit: the twelve digits weighted 1, 3, 1, 3... from the left, and what takes the sum to a ten. */
function withCheckDigit(twelve: string): string {
  const sum = [...twelve].reduce((total, digit, i) => total + Number(digit) * (i % 2 ? 3 : 1), 0);
  return `${twelve}${(10 - (sum % 10)) % 10}`;
}
