import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Download, Locator, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsv } from '../support/csv.js';
import { eventually } from '../support/eventually.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage } from './browser.js';

/** The widths every screen is shot at: a desk and a phone. */
const WIDTHS = [
  { name: 'desktop', options: { viewport: { width: 1280, height: 860 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' } },
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' } },
] as const;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** A customer's message a spreadsheet would run as a formula if the CSV wrote it as it is. */
const FORMULA = '=HYPERLINK("http://evil.example","予約の確認")';

/** What the browser saved from a click: its name, whether it starts with the UTF-8 BOM, and its rows. */
async function saved(page: Page, click: () => Promise<void>): Promise<{ name: string; bom: boolean; rows: string[][] }> {
  const [download]: [Download, void] = await Promise.all([page.waitForEvent('download'), click()]);
  const bytes = await readFile((await download.path())!);
  return { name: download.suggestedFilename(), bom: bytes.subarray(0, 3).equals(BOM), rows: parseCsv(bytes.subarray(3).toString('utf8')) };
}

/** The day after today in Tokyo, as a date field takes it. */
function tomorrowInTokyo(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date(Date.now() + 86_400_000));
}

// Issue 20: the search page and the conversation history page, walked through in the page by a supervisor.
describe('Search and conversation history in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let supervisor: TestMember;
  let operator: TestMember;
  const seeded = { asked: '', askedMessage: '', tanaka: '', sato: '', suzuki: '' };

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startTestHub();
    team = await createTeam(hub, 'つなぎ整骨院');
    supervisor = await addMember(hub, team, { role: 'supervisor', name: '主任 花子' });
    operator = await addMember(hub, team, { name: '新人 次郎' });
    for (const member of [team.admin, supervisor, operator]) await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'offline' }).expect(200);
    const db = hub.infra.db;
    const channelId = await createWebchat(hub, team.admin);
    const booking = await db.category.create({ data: { teamId: team.teamId, name: '予約', level: 1 } });
    // Two hours ago, a minute a message, in order: the hits' order and the thread's are the test's.
    let minute = 0;
    const at = () => new Date(Date.now() - 2 * 3_600_000 + minute++ * 60_000);
    async function chat(name: string, visitor: string, data: { assigneeId?: string; resolved?: boolean; handled?: boolean; ratingScore?: number; categoryId?: string }) {
      const contact = await db.contact.create({ data: { teamId: team.teamId, name } });
      const created = at();
      const resolved = data.resolved ? { status: 'resolved' as const, resolvedAt: new Date(created.getTime() + 30 * 60_000), outcome: 'booked' } : { status: 'open' as const };
      const { resolved: _resolved, ...rest } = data;
      const conversation = await db.conversation.create({ data: { teamId: team.teamId, channelId, contactId: contact.id, threadKey: `visitor:${visitor}`, createdAt: created, ...resolved, ...rest } });
      const say = async (direction: 'in' | 'out', body: string) =>
        (
          await db.message.create({
            data: {
              teamId: team.teamId, conversationId: conversation.id, channelId, direction, body, createdAt: at(),
              authorType: direction === 'in' ? 'contact' : 'member', authorId: direction === 'in' ? null : supervisor.id, status: direction === 'in' ? 'received' : 'sent',
            },
          })
        ).id;
      return { id: conversation.id, say };
    }
    const tanaka = await chat('田中 様', 'v-tanaka', { assigneeId: supervisor.id });
    seeded.tanaka = tanaka.id;
    // Enough of a thread before and after the hit that opening the chat at its start or its end would leave the hit out of view.
    for (let i = 1; i <= 30; i++) await tanaka.say(i % 2 ? 'in' : 'out', `それまでのやりとり ${i}`);
    seeded.askedMessage = await tanaka.say('in', '来週の予約をお願いしたいのですが');
    await tanaka.say('out', 'ご予約ですね。ご希望の日時を教えてください。');
    await tanaka.say('in', FORMULA);
    await tanaka.say('in', '予 約'); // its characters apart: not the word
    for (let i = 1; i <= 30; i++) await tanaka.say(i % 2 ? 'in' : 'out', `その後のやりとり ${i}`);
    const sato = await chat('佐藤 様', 'v-sato', { assigneeId: supervisor.id, resolved: true, handled: true, ratingScore: 4, categoryId: booking.id });
    seeded.sato = sato.id;
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { stores: { patterns: [{ pattern: 'https://clinic.example/shibuya/*', store: '渋谷' }] } } }).expect(200);
    await hub.http.put(`/api/conversations/${sato.id}/store`).set(supervisor.auth).send({ store: '渋谷' }).expect(200);
    await sato.say('in', '予約の変更はできますか');
    await sato.say('out', '変更できます。');
    const suzuki = await chat('鈴木 様', 'v-suzuki', { resolved: true, handled: false });
    seeded.suzuki = suzuki.id;
    await suzuki.say('in', 'ありがとうございました');
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  async function signedIn(width: (typeof WIDTHS)[number], member: TestMember): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ ...width.options, acceptDownloads: true });
    const page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, member.email);
    return { context, page };
  }

  // Issue 20, Done-when 1.
  it('searches 予約 and shows the hit count and the highlighted match, opens the conversation at it, and downloads the CSV (BOM, defused cells)', async () => {
    const { context, page } = await signedIn(WIDTHS[0], supervisor);
    await page.getByRole('navigation', { name: '画面' }).getByRole('link', { name: '検索' }).click();
    const filters = page.getByRole('search', { name: '絞り込み' });
    await filters.getByLabel('検索する言葉').fill('予約');
    await filters.getByRole('button', { name: '検索' }).click();

    const results = page.getByRole('region', { name: '検索結果' });
    // The exact count: the customer's two questions, the reply and the formula-looking message; not 予 約.
    await results.getByRole('status').filter({ hasText: '4件見つかりました' }).waitFor();
    const hits = results.getByRole('listitem');
    expect(await hits.count()).toBe(4);
    const asked = hits.filter({ hasText: '来週の予約をお願いしたいのですが' });
    expect(await asked.locator('mark').allTextContents()).toEqual(['予約']);
    expect(await asked.locator('.body').textContent()).toBe('来週の予約をお願いしたいのですが');
    expect(await results.locator('mark').allTextContents()).toEqual(['予約', '予約', '予約', '予約']);
    // The address keeps the search: a reload shows the same hits.
    expect(new URL(page.url()).searchParams.get('q')).toBe('予約');
    await page.screenshot({ path: join(SCREENSHOTS, 'search-desktop.png'), fullPage: true });

    const csv = await saved(page, () => results.getByRole('button', { name: 'CSVでダウンロード' }).click());
    expect(csv.name).toBe('messages.csv');
    expect(csv.bom).toBe(true);
    expect(csv.rows[0]).toEqual(['time', 'conversation_id', 'channel', 'contact', 'direction', 'kind', 'author', 'body', 'time_zone']);
    expect(csv.rows.slice(1).map((row) => row[7]).sort()).toEqual([`'${FORMULA}`, 'ご予約ですね。ご希望の日時を教えてください。', '予約の変更はできますか', '来週の予約をお願いしたいのですが'].sort());
    // No cell of the file starts as a formula would.
    expect(csv.rows.flat().filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);

    await asked.getByRole('link', { name: '会話のこの位置を開く' }).click();
    const address = new URL(page.url());
    expect(address.pathname).toBe(`/app/conversations/${seeded.tanaka}`);
    expect(address.searchParams.get('message')).toBe(seeded.askedMessage);
    const marked = page.locator('.thread [aria-current="true"]');
    await marked.waitFor();
    expect(await marked.getAttribute('data-message')).toBe(seeded.askedMessage);
    expect(await marked.locator('.body').textContent()).toBe('来週の予約をお願いしたいのですが');
    // Scrolled to it: the marked message is inside the thread's visible part, the thread's start and end are not.
    const inThread = async (item: Locator) => {
      const [frame, box] = await Promise.all([page.locator('.thread').boundingBox(), item.boundingBox()]);
      return frame !== null && box !== null && box.y >= frame.y && box.y + box.height <= frame.y + frame.height;
    };
    await eventually(() => inThread(marked), (shown) => shown);
    expect(await inThread(page.locator('.thread > li').first())).toBe(false);
    expect(await inThread(page.locator('.thread > li').last())).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'search-opened-at-message-desktop.png') });

    // Back to the search: the address brought it back, searched again.
    await page.goBack();
    await page.getByRole('region', { name: '検索結果' }).getByRole('status').filter({ hasText: '4件見つかりました' }).waitFor();
    expect(await page.getByRole('search', { name: '絞り込み' }).getByLabel('検索する言葉').inputValue()).toBe('予約');
    // A period in the team's days: from tomorrow on, nothing yet, and nothing to download.
    const search = page.getByRole('search', { name: '絞り込み' });
    await search.getByLabel('開始日').fill(tomorrowInTokyo());
    await search.getByRole('button', { name: '検索' }).click();
    await page.getByRole('region', { name: '検索結果' }).getByRole('status').filter({ hasText: '見つかりませんでした' }).waitFor();
    expect(await page.getByRole('region', { name: '検索結果' }).getByRole('button', { name: 'CSVでダウンロード' }).isDisabled()).toBe(true);
    await context.close();

    const phone = await signedIn(WIDTHS[1], supervisor);
    await phone.page.goto(`${hub.url}/app/search?q=${encodeURIComponent('予約')}`);
    await phone.page.getByRole('region', { name: '検索結果' }).getByRole('status').filter({ hasText: '4件見つかりました' }).waitFor();
    await phone.page.screenshot({ path: join(SCREENSHOTS, 'search-phone.png'), fullPage: true });
    await phone.context.close();
  });

  it('lists past conversations filtered by the hub, downloads the list and one conversation’s log as CSV, and opens one', async () => {
    const { context, page } = await signedIn(WIDTHS[0], supervisor);
    await page.getByRole('navigation', { name: '画面' }).getByRole('link', { name: '履歴' }).click();
    const list = page.getByRole('table', { name: '会話の一覧' });
    // The last 30 days by default: all three chats, newest first.
    await list.getByRole('row').filter({ hasText: '鈴木 様' }).waitFor();
    expect(await list.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-conversation')))).toEqual([seeded.suzuki, seeded.sato, seeded.tanaka]);
    await page.screenshot({ path: join(SCREENSHOTS, 'history-desktop.png'), fullPage: true });

    const filters = page.getByRole('form', { name: '絞り込み' });
    // A period that ends before it starts: the hub's refusal shows under the field it names.
    const [from, to] = [await filters.getByLabel('開始日').inputValue(), await filters.getByLabel('終了日').inputValue()];
    await filters.getByLabel('開始日').fill(tomorrowInTokyo());
    await filters.getByLabel('終了日').fill(from);
    await filters.getByRole('button', { name: '表示' }).click();
    await page.locator('#field-to-error').waitFor();
    await filters.getByLabel('開始日').fill(from);
    await filters.getByLabel('終了日').fill(to);

    await filters.getByLabel('対応').selectOption({ label: '対応済み' });
    await filters.getByLabel('分類').selectOption({ label: '予約' });
    await filters.getByLabel('評価').selectOption({ label: '★4' });
    await filters.getByLabel('店舗').selectOption('渋谷');
    await filters.getByRole('button', { name: '表示' }).click();
    await list.locator('tbody tr').filter({ hasText: '鈴木 様' }).waitFor({ state: 'detached' });
    const rows = list.locator('tbody tr');
    expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-conversation')))).toEqual([seeded.sato]);
    expect(await rows.first().textContent()).toContain('対応済み');
    expect(await rows.first().textContent()).toContain('★4');
    const address = new URL(page.url()).searchParams;
    expect({ handled: address.get('handled'), rating: address.get('rating'), store: address.get('store') }).toEqual({ handled: 'true', rating: '4', store: '渋谷' });

    // The CSV asks the hub with the same filters: one row, the same conversation.
    const csv = await saved(page, () => page.getByRole('region', { name: '会話の一覧' }).getByRole('button', { name: 'CSVでダウンロード' }).click());
    expect(csv).toMatchObject({ name: 'conversations.csv', bom: true });
    expect(csv.rows[0].slice(0, 5)).toEqual(['id', 'channel', 'channel_name', 'contact', 'category']);
    expect(csv.rows.slice(1).map((row) => [row[0], row[3], row[4], row[10], row[11]])).toEqual([[seeded.sato, '佐藤 様', '予約', 'handled', '4']]);

    const log = await saved(page, () => rows.first().getByRole('button', { name: 'ログをCSVで 佐藤 様' }).click());
    expect(log).toMatchObject({ name: `conversation-${seeded.sato}.csv`, bom: true });
    expect(log.rows.slice(1).map((row) => row[6])).toEqual(['予約の変更はできますか', '変更できます。']);

    await rows.first().getByRole('link', { name: '会話を開く 佐藤 様' }).click();
    expect(new URL(page.url()).pathname).toBe(`/app/conversations/${seeded.sato}`);
    await page.locator('.thread').getByText('予約の変更はできますか').waitFor();
    await context.close();

    const phone = await signedIn(WIDTHS[1], supervisor);
    await phone.page.goto(`${hub.url}/app/history`);
    await phone.page.getByRole('table', { name: '会話の一覧' }).getByRole('row').filter({ hasText: '鈴木 様' }).waitFor();
    await phone.page.screenshot({ path: join(SCREENSHOTS, 'history-phone.png'), fullPage: true });
    await phone.context.close();
  });

  // The hub refuses both to operators (403): the pages are not offered to them, and their addresses lead to the inbox.
  it('offers neither page to an operator', async () => {
    const { context, page } = await signedIn(WIDTHS[0], operator);
    const sections = page.getByRole('navigation', { name: '画面' });
    await sections.getByRole('link', { name: '受信箱' }).waitFor();
    expect(await sections.getByRole('link', { name: '検索' }).count()).toBe(0);
    expect(await sections.getByRole('link', { name: '履歴' }).count()).toBe(0);
    for (const address of ['/app/search', '/app/history']) {
      await page.goto(`${hub.url}${address}`);
      await page.getByRole('tablist', { name: '表示' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/app');
    }
    await context.close();
  });
});
