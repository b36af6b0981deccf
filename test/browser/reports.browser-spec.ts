import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Locator, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsv } from '../support/csv.js';
import { MovableClock, tokyo } from '../support/movable-clock.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage } from './browser.js';

/** A week into December in Tokyo: "last month" on the reports screen is the seeded November. */
const DECEMBER = tokyo('2026-12-07T10:00');
const BOM = '\uFEFF';

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

  /** A month of chats written straight into the tables, at times the hub's clock would have stamped. */
  async function seedNovember() {
    const db = hub.infra.db;
    const channelId = await createWebchat(hub, team.admin);
    const categories = await Promise.all(['予約', '問い合わせ'].map((name) => db.category.create({ data: { teamId: team.teamId, name, level: 1 } })));
    let n = 0;
    const conversation = async (start: Date, spec: { assignee: string; replySeconds: number; resolveSeconds?: number; rating?: number; categoryId?: string; store?: string }) => {
      const contact = await db.contact.create({ data: { teamId: team.teamId, name: `お客様${++n}` } });
      const reply = new Date(start.getTime() + spec.replySeconds * 1000);
      const row = await db.conversation.create({
        data: {
          teamId: team.teamId, channelId, contactId: contact.id, threadKey: `visitor:report-${n}`, status: spec.resolveSeconds ? 'resolved' : 'open',
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
    };
    for (let day = 1; day <= 30; day++) {
      const date = `2026-11-${String(day).padStart(2, '0')}`;
      for (let i = 0; i <= day % 3; i++) {
        const replySeconds = 30 + ((day * 13 + i * 7) % 10) * 30;
        await conversation(tokyo(`${date}T${10 + i}:00`), {
          assignee: (day + i) % 2 ? agents.a.id : agents.b.id,
          replySeconds,
          resolveSeconds: i === 2 ? undefined : 600 + (day % 4) * 300,
          rating: i === 0 ? 1 + ((day + i) % 5) : undefined,
          categoryId: categories[(day + i) % 2].id,
          store: day % 2 === 0 && i === 0 ? '梅田店' : undefined,
        });
        seeded.set(date, [...(seeded.get(date) ?? []), replySeconds]);
      }
    }
    // The team's day, not UTC's: 23:30 on the 30th in Tokyo is November; 00:10 on 1 December and 23:50 on 31 October are not.
    await conversation(tokyo('2026-11-30T23:30'), { assignee: agents.a.id, replySeconds: 60 });
    seeded.get('2026-11-30')!.push(60);
    await conversation(tokyo('2026-12-01T00:10'), { assignee: agents.a.id, replySeconds: 60 });
    await conversation(tokyo('2026-10-31T23:50'), { assignee: agents.b.id, replySeconds: 60 });
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
  });

  afterAll(async () => {
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
    await page.screenshot({ path: join(SCREENSHOTS, 'reports-phone.png'), fullPage: true });
    await context.close();
  });
});
