import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Locator, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../support/csv.js';
import { eventually } from '../support/eventually.js';
import { MovableClock, tokyo } from '../support/movable-clock.js';
import { emitWithAck, nextEvent, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage } from './browser.js';

/** A week into December in Tokyo: "last month" on the reports screen is the seeded November. */
const DECEMBER = tokyo('2026-12-07T10:00');
const BOM = '\uFEFF';
/** The day of the chat in which cards are sent, one bought, and a video call runs. */
const SHOPPING_DAY = '2026-11-20';
// Headless Chromium's own user agent says "HeadlessChrome", which the hub rightly counts as a robot opening a link.
const PHONE = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
/** The table's columns for the figures of product cards and calls, and the CSV's column of each. */
const CARD_AND_CALL_COLUMNS = [
  ['商品カード 送信', 'product_cards_sent'],
  ['商品カード 開封', 'product_cards_opened'],
  ['商品カード 購入', 'product_cards_bought'],
  ['ビデオ通話 件数', 'video_calls'],
  ['ビデオ通話 時間（分）', 'video_call_minutes'],
] as const;

interface DrawnChart {
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
}

// Issue 20, Done-when 2: the team report of a seeded month, its charts' numbers against the CSV each section downloads.
describe('The team report with charts in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  const clock = new MovableClock(DECEMBER);
  let team: Awaited<ReturnType<typeof createTeam>>;
  let supervisor: TestMember;
  let agents: { a: TestMember; b: TestMember };
  /** Conversations seeded per Tokyo day of November, and their first response times in seconds. */
  const seeded = new Map<string, number[]>();
  let channelId: string;
  /** An open chat of the shopping day, on a visitor id a widget can connect with. */
  let shoppingChat: { id: string; visitorId: string; assignee: TestMember };
  const { open, closeAll } = socketPool();

  /** A month of chats written straight into the tables, at times the hub's clock would have stamped. */
  async function seedNovember() {
    const db = hub.infra.db;
    channelId = await createWebchat(hub, team.admin);
    const categories = await Promise.all(['予約', '問い合わせ'].map((name) => db.category.create({ data: { teamId: team.teamId, name, level: 1 } })));
    let n = 0;
    const conversation = async (start: Date, spec: { assignee: string; replySeconds: number; resolveSeconds?: number; rating?: number; categoryId?: string; store?: string }) => {
      const contact = await db.contact.create({ data: { teamId: team.teamId, name: `お客様${++n}` } });
      const reply = new Date(start.getTime() + spec.replySeconds * 1000);
      // A visitor id as a browser's widget keeps one (16 characters or more), so a widget can join the chat.
      const visitorId = `report-visitor-${String(n).padStart(4, '0')}`;
      const row = await db.conversation.create({
        data: {
          teamId: team.teamId, channelId, contactId: contact.id, threadKey: `visitor:${visitorId}`, status: spec.resolveSeconds ? 'resolved' : 'open',
          assigneeId: spec.assignee, createdAt: start, resolvedAt: spec.resolveSeconds ? new Date(reply.getTime() + spec.resolveSeconds * 1000) : null,
          handled: spec.resolveSeconds ? true : null, ratingScore: spec.rating ?? null, categoryId: spec.categoryId ?? null,
        },
      });
      const message = (direction: 'in' | 'out', createdAt: Date) =>
        db.message.create({
          data: {
            teamId: team.teamId, conversationId: row.id, channelId, direction, body: 'x', createdAt,
            authorType: direction === 'in' ? 'contact' : 'member', authorId: direction === 'in' ? null : spec.assignee, status: direction === 'in' ? 'received' : 'sent',
          },
        });
      await message('in', start);
      await message('out', reply);
      if (spec.store) await db.conversationStore.create({ data: { conversationId: row.id, teamId: team.teamId, store: spec.store, setBy: supervisor.id } });
      return { id: row.id, visitorId };
    };
    for (let day = 1; day <= 30; day++) {
      const date = `2026-11-${String(day).padStart(2, '0')}`;
      for (let i = 0; i <= day % 3; i++) {
        const replySeconds = 30 + ((day * 13 + i * 7) % 10) * 30;
        const assignee = (day + i) % 2 ? agents.a : agents.b;
        const chat = await conversation(tokyo(`${date}T${10 + i}:00`), {
          assignee: assignee.id,
          replySeconds,
          resolveSeconds: i === 2 ? undefined : 600 + (day % 4) * 300,
          rating: i === 0 ? 1 + ((day + i) % 5) : undefined,
          categoryId: categories[(day + i) % 2].id,
          store: day % 2 === 0 && i === 0 ? '梅田店' : undefined,
        });
        if (date === SHOPPING_DAY && i === 2) shoppingChat = { ...chat, assignee };
        seeded.set(date, [...(seeded.get(date) ?? []), replySeconds]);
      }
    }
    // The team's day, not UTC's: 23:30 on the 30th in Tokyo is November; 00:10 on 1 December and 23:50 on 31 October are not.
    await conversation(tokyo('2026-11-30T23:30'), { assignee: agents.a.id, replySeconds: 60 });
    seeded.get('2026-11-30')!.push(60);
    await conversation(tokyo('2026-12-01T00:10'), { assignee: agents.a.id, replySeconds: 60 });
    await conversation(tokyo('2026-10-31T23:50'), { assignee: agents.b.id, replySeconds: 60 });
  }

  /**
   * On the shopping day, through the hub as it happens: the agent sends two product cards, the shopper opens one, the
   * shop reports it bought from that browser, and the agent's video call runs 2 minutes 5 seconds.
   */
  async function shopNovember() {
    const source = (await hub.http.post('/api/catalog/sources').set(team.admin.auth).send({ name: 'Merchant Center', format: 'merchant_xml' }).expect(201)).body.id as string;
    const feed = readFileSync(join(process.cwd(), 'test', 'fixtures', 'catalog', 'merchant-feed.xml'));
    const sync = (await hub.http.post(`/api/catalog/sources/${source}/feed`).set(team.admin.auth).attach('file', feed, 'feed.xml').expect(202)).body;
    await eventually(async () => (await hub.http.get(`/api/catalog/sources/${source}/syncs/${sync.id}`).set(team.admin.auth)).body.status, (status) => status === 'done');
    const find = async (q: string) => ((await hub.http.get('/api/catalog/products').query({ q }).set(team.admin.auth).expect(200)).body.items as { id: string }[])[0].id;
    const products = [await find('D001-S-NV'), await find('4901234567917')];

    const { id: conversationId, visitorId, assignee } = shoppingChat;
    clock.set(tokyo(`${SHOPPING_DAY}T14:00`));
    const widget = await open(hub.url, '/widget', { channelId, visitorId });
    const shown = nextEvent<{ products?: { link: string }[] }>(widget, 'message', (message) => Boolean(message.products));
    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(assignee.auth).send({ body: 'こちらはいかがでしょう', products }).expect(201);
    const cards = (await shown).products!;
    expect(cards).toHaveLength(2);
    await hub.http.get(new URL(cards[0].link).pathname).set('user-agent', PHONE).expect(302);

    clock.set(tokyo(`${SHOPPING_DAY}T14:10`));
    const key = (await hub.http.post('/api/teams/current/api-keys').set(team.admin.auth).send({ name: 'shop' }).expect(201)).body.key as string;
    const purchase = await hub.http
      .post('/api/purchases')
      .set('Authorization', `Bearer ${key}`)
      .send({ orderId: 'ORD-REPORT-1', visitorId, amount: 9800, currency: 'JPY', occurredAt: clock.now().toISOString(), items: [{ sku: 'D001-S-NV', name: 'リネン ワンピース ネイビー S', price: 9800, currency: 'JPY', quantity: 1 }] })
      .expect(201);
    expect(purchase.body.attributedTo).toEqual({ memberId: assignee.id, conversationId });

    const desk = await open(hub.url, '/inbox', { token: assignee.token });
    const ringing = nextEvent<{ callId: string }>(widget, 'call.invite');
    const { callId } = await emitWithAck<{ callId: string }>(desk, 'call.invite', { conversationId });
    await ringing;
    expect(await emitWithAck(widget, 'call.accept', { callId })).toMatchObject({ ok: true });
    clock.advance(125_000);
    expect(await emitWithAck(desk, 'call.end', { callId })).toMatchObject({ ok: true, call: { status: 'ended', durationSeconds: 125 } });
    closeAll();
    clock.set(DECEMBER);
  }

  const section = (page: Page, name: string) => page.getByRole('region', { name });

  /**
   * What the chart holds after drawing: Chart.js's own data, which a plugin copies onto the canvas after each
   * render (`data-chart`). Waits until it shows the figure asked for.
   */
  async function chartOf(region: Locator, title: string): Promise<DrawnChart> {
    const canvas = region.getByRole('img', { name: title });
    await canvas.waitFor();
    await region.page().waitForFunction((element) => element?.getAttribute('data-chart') !== null, await canvas.elementHandle(), { timeout: 10_000 });
    return JSON.parse((await canvas.getAttribute('data-chart'))!) as DrawnChart;
  }

  async function csvOf(region: Locator): Promise<string[][]> {
    const [download] = await Promise.all([region.page().waitForEvent('download'), region.getByRole('button', { name: 'CSVをダウンロード' }).click()]);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text.startsWith(BOM)).toBe(true);
    return parseCsv(text.slice(1));
  }

  /** A section's table as the page shows it: the header row, then each row's cells' text. */
  const tableOf = (region: Locator, name: string) =>
    region
      .getByRole('table', { name })
      .evaluate((table: { rows: ArrayLike<{ cells: ArrayLike<{ textContent: string | null }> }> }) => Array.from(table.rows, (row) => Array.from(row.cells, (cell) => cell.textContent ?? '')));

  /** The same rows' cells of a table column and of a CSV column, side by side. */
  const cellsOf = (rows: string[][], header: string) => {
    const index = rows[0].indexOf(header);
    expect(index).toBeGreaterThanOrEqual(0);
    return rows.slice(1).map((row) => [row[0], row[index]]);
  };

  /** A CSV column by its header, as the chart holds numbers (a blank cell is no figure). */
  const column = (rows: string[][], header: string) => {
    const index = rows[0].indexOf(header);
    expect(index).toBeGreaterThanOrEqual(0);
    return rows.slice(1).map((row) => (row[index] === '' ? null : Number(row[index])));
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startTestHub({}, { clock });
    team = await createTeam(hub, 'つなぎ商店');
    supervisor = await addMember(hub, team, { role: 'supervisor', name: '山田 監督' });
    agents = { a: await addMember(hub, team, { name: '井上 あや' }), b: await addMember(hub, team, { name: '木村 ゆう' }) };
    await seedNovember();
    await shopNovember();
  });

  afterAll(async () => {
    closeAll();
    await browser?.close();
    await hub?.stop();
  });

  it('shows last month per day and per member as charts whose numbers are the CSV’s, and saves the chart as a PNG', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    const page = await openPage(context, `${hub.url}/app/login`);
    await page.clock.setFixedTime(DECEMBER);
    await logIn(page, supervisor.email);
    await page.getByRole('navigation', { name: '画面' }).getByRole('link', { name: 'レポート' }).click();
    await page.getByRole('button', { name: '先月' }).click();
    await page.waitForURL(/from=2026-11-01&to=2026-11-30/);
    expect(await page.getByLabel('開始日').inputValue()).toBe('2026-11-01');
    expect(await page.getByLabel('終了日').inputValue()).toBe('2026-11-30');
    await page.getByText('日付はチームのタイムゾーン（Asia/Tokyo）で区切ります。').waitFor();

    const days = section(page, '日別');
    const conversations = await chartOf(days, '日別のグラフ：会話数');
    const daysCsv = await csvOf(days);
    expect(daysCsv[0][0]).toBe('day');
    // The chart's points are the CSV's rows, in order, figure for figure.
    expect(conversations.labels).toEqual(daysCsv.slice(1).map((row) => row[0]));
    expect(conversations.datasets).toHaveLength(1);
    expect(conversations.datasets[0].data).toEqual(column(daysCsv, 'conversations'));
    // And both are the month that was seeded, cut at Tokyo’s midnights: 61 chats, the 30th’s late one included.
    expect(Object.fromEntries(conversations.labels.map((day, index) => [day, conversations.datasets[0].data[index]]))).toEqual(
      Object.fromEntries([...seeded].map(([day, replies]) => [day, replies.length])),
    );
    expect(conversations.datasets[0].data.reduce((sum, value) => sum! + value!, 0)).toBe(61);

    await days.getByLabel('指標').selectOption({ label: '初回応答 中央値（秒）' });
    const medians = await chartOf(days, '日別のグラフ：初回応答 中央値（秒）');
    expect(medians.datasets[0].data).toEqual(column(daysCsv, 'first_response_median_seconds'));
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const middle = (sorted.length - 1) / 2;
      return Math.round((sorted[Math.floor(middle)] + sorted[Math.ceil(middle)]) / 2);
    };
    expect(medians.datasets[0].data).toEqual(medians.labels.map((day) => median(seeded.get(day)!)));
    // The table beside the chart holds the same rows.
    expect(await days.getByRole('table', { name: '日別の表' }).locator('tbody tr').count()).toBe(medians.labels.length);

    // Product cards and video calls: each of the table's columns is the CSV's, day for day, and the shopping day has them.
    const dayTable = await tableOf(days, '日別の表');
    for (const [header, csvHeader] of CARD_AND_CALL_COLUMNS) expect(cellsOf(dayTable, header)).toEqual(cellsOf(daysCsv, csvHeader));
    const shoppingDay = CARD_AND_CALL_COLUMNS.map(([header]) => cellsOf(dayTable, header).find(([day]) => day === SHOPPING_DAY)![1]);
    // Two cards sent, the dress opened and bought; one call of 125 s, 2.1 minutes as the CSV rounds it.
    expect(shoppingDay).toEqual(['2', '1', '1', '1', '2.1']);
    await days.getByLabel('指標').selectOption({ label: 'ビデオ通話 時間（分）' });
    const callMinutes = await chartOf(days, '日別のグラフ：ビデオ通話 時間（分）');
    expect(callMinutes.datasets[0].data).toEqual(column(daysCsv, 'video_call_minutes'));

    // Per member: one line per member over the days, each point that member's row of the CSV.
    const members = section(page, '担当者別');
    const perMember = await chartOf(members, '担当者別のグラフ：会話数');
    const memberCsv = await csvOf(members);
    const header = memberCsv[0];
    for (const dataset of perMember.datasets) {
      const rows = memberCsv.slice(1).filter((row) => row[header.indexOf('member')] === dataset.label);
      const fromCsv = perMember.labels.map((day) => {
        const row = rows.find((candidate) => candidate[header.indexOf('day')] === day);
        return row ? Number(row[header.indexOf('conversations')]) : null;
      });
      expect(dataset.data).toEqual(fromCsv);
    }
    expect(perMember.datasets.map((dataset) => dataset.label).sort()).toEqual(['井上 あや', '木村 ゆう']);
    // A member's day counts no product cards or calls, in the CSV as on the page: no such figure, no such column.
    expect(header).not.toContain('product_cards_sent');
    expect(await members.getByLabel('指標').getByRole('option', { name: '商品カード 送信' }).count()).toBe(0);
    expect((await tableOf(members, '担当者別の表'))[0]).not.toContain('商品カード 送信');

    // Per store: the stores an agent set, the rest under "(none)".
    const stores = await chartOf(section(page, '店舗別'), '店舗別のグラフ：会話数');
    const storeCsv = await csvOf(section(page, '店舗別'));
    expect(stores.labels).toEqual(['（なし）', '梅田店']);
    expect(stores.datasets[0].data).toEqual(column(storeCsv, 'conversations'));
    expect(stores.datasets[0].data).toEqual([46, 15]);

    const [png] = await Promise.all([page.waitForEvent('download'), days.getByRole('button', { name: '画像（PNG）をダウンロード' }).click()]);
    expect(png.suggestedFilename()).toBe('report-day-2026-11-01-2026-11-30.png');
    expect((await readFile((await png.path())!)).subarray(1, 4).toString('latin1')).toBe('PNG');

    await days.getByLabel('指標').selectOption({ label: '会話数' });
    await chartOf(days, '日別のグラフ：会話数');
    await page.screenshot({ path: join(SCREENSHOTS, 'reports-desktop.png'), fullPage: true });

    // A period the hub does not take: its sentence shows by the dates, and the last report goes away.
    await page.getByLabel('開始日').fill('2025-01-01');
    await page.getByRole('button', { name: '表示' }).click();
    // The hub's English field sentence is not shown in the Japanese inbox: the catalog's sentence for a field is.
    await page.getByRole('alert').filter({ hasText: 'この項目の内容を確認してください。' }).waitFor();
    expect(await page.getByLabel('終了日').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('region', { name: '日別' }).count()).toBe(0);
    expect(page.dialogs).toEqual([]);
    await context.close();
  });

  it('draws the same report on a phone, the table under its chart', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    const page = await openPage(context, `${hub.url}/app/login`);
    await page.clock.setFixedTime(DECEMBER);
    await logIn(page, supervisor.email);
    await page.goto(`${hub.url}/app/reports?from=2026-11-01&to=2026-11-30`);
    const days = section(page, '日別');
    const chart = await chartOf(days, '日別のグラフ：会話数');
    expect(chart.datasets[0].data.reduce((sum, value) => sum! + value!, 0)).toBe(61);
    const canvasBox = (await days.getByRole('img').boundingBox())!;
    const tableBox = (await days.getByRole('table').boundingBox())!;
    expect(tableBox.y).toBeGreaterThanOrEqual(canvasBox.y + canvasBox.height);
    // The wide table scrolls in its own box; the page itself never scrolls sideways.
    const frame = days.locator('.report-table');
    expect(await frame.evaluate((box: { scrollWidth: number; clientWidth: number }) => box.scrollWidth > box.clientWidth)).toBe(true);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOTS, 'reports-phone.png'), fullPage: true });
    await context.close();
  });
});
