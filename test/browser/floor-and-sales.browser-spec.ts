import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TestHub, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import type { TestMember } from '../support/test-hub.js';
import { eventually } from '../support/eventually.js';
import { parseCsv } from '../support/csv.js';
import { SCREENSHOTS, WIDTHS, launchBrowser, logIn, openPage, openWidget } from './browser.js';

/** The sales list's colours (styles.css): a sale not yet opened, and one opened. */
const NEW_BLUE = 'rgb(11, 92, 173)';
const SEEN_GREY = 'rgb(138, 143, 152)';

/**
 * Run in the page before its scripts: every WebSocket it opens is remembered so that `cutSockets()` can close them,
 * and while cut, new ones go to a closed port (socket.io keeps retrying) until `letSocketsThrough()`.
 */
const CUTTABLE_SOCKETS = `(() => {
  const Native = window.WebSocket;
  const opened = [];
  let cut = false;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(cut ? 'ws://127.0.0.1:9/' : url, protocols);
      opened.push(this);
    }
  };
  window.cutSockets = () => { cut = true; opened.forEach((socket) => socket.close()); };
  window.letSocketsThrough = () => { cut = false; };
})();`;

const colourOf = (row: Locator) =>
  row.evaluate((element) => (globalThis as unknown as { getComputedStyle(e: unknown): { borderLeftColor: string } }).getComputedStyle(element).borderLeftColor);

// Issue 20: the supervisors' live floor view and the sales list with its new/seen state, in a real browser.
describe('The floor view and the sales list in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let channelId: string;
  const contexts: BrowserContext[] = [];

  const context = async (width: (typeof WIDTHS)[number] = WIDTHS[0]) => {
    const made = await browser.newContext(width.options);
    contexts.push(made);
    return made;
  };
  const signedIn = async (member: TestMember, path: string, width: (typeof WIDTHS)[number] = WIDTHS[0]): Promise<Page & { dialogs: string[] }> => {
    const page = await openPage(await context(width), `${hub.url}/app/login`);
    await logIn(page, member.email);
    await page.goto(`${hub.url}/app${path}`);
    return page;
  };
  /** The administrator at the floor view: signing in made them available, but they take no chats here. */
  const supervising = async (path: string, width: (typeof WIDTHS)[number] = WIDTHS[0]) => {
    const page = await signedIn(team.admin, path, width);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    return page;
  };
  /** A visitor writes in the widget; the conversation their message opened. */
  const visitorWrites = async (body: string) => {
    const shop = await openPage(await context(), `${hub.url}/demo?channel=${channelId}`);
    await openWidget(shop);
    const input = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await input.fill(body);
    await input.press('Enter');
    const message = await eventually(() => hub.infra.db.message.findFirst({ where: { body } }), (row) => row !== null);
    const visitorId = (await shop.evaluate(`JSON.parse(localStorage.getItem('tsunagi:${channelId}')).visitorId`)) as string;
    return { shop, conversationId: message!.conversationId, visitorId };
  };
  /** A marker set in the page: still there afterwards means the page was never reloaded. */
  const markNoReload = (page: Page) => page.evaluate('window.floorMark = "kept"');
  const notReloaded = async (page: Page) => expect(await page.evaluate('window.floorMark')).toBe('kept');

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startTestHub();
    team = await createTeam(hub, 'つなぎ雑貨店');
    channelId = await createWebchat(hub, team.admin);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await hub?.stop();
  });

  // Done-when 5: the floor view updates live when a member goes on break and when a chat is accepted.
  it('shows a member going on break and a chat being accepted, without a reload', async () => {
    const agent = await addMember(hub, team, { name: '山本 二郎' });
    await hub.http.put('/api/members/me/status').set(agent.auth).send({ status: 'online' }).expect(200);

    const floor = await supervising('/');
    await floor.getByRole('navigation', { name: '画面' }).getByRole('link', { name: '監督' }).click();
    const members = floor.getByRole('table', { name: 'メンバーの状況' });
    const agentRow = members.getByRole('row').filter({ hasText: '山本 二郎' });
    await agentRow.getByRole('cell', { name: '対応可能' }).waitFor();
    await markNoReload(floor);

    // The member goes on break from elsewhere (their phone, through the API): the floor shows it.
    await hub.http.put('/api/members/me/status').set(agent.auth).send({ status: 'break' }).expect(200);
    await agentRow.getByRole('cell', { name: '休憩中' }).waitFor({ timeout: 10_000 });
    await hub.http.put('/api/members/me/status').set(agent.auth).send({ status: 'online' }).expect(200);
    await agentRow.getByRole('cell', { name: '対応可能' }).waitFor({ timeout: 10_000 });

    // A visitor writes: the chat waits in the queue, offered to the agent (one offer pending on their row).
    const inbox = await signedIn(agent, '/');
    const { conversationId } = await visitorWrites('配送日を変更できますか');
    const contact = (await hub.http.get(`/api/conversations/${conversationId}`).set(team.admin.auth).expect(200)).body.contact.name as string;
    const queue = floor.getByRole('list', { name: '待機キュー' });
    const waiting = queue.getByRole('listitem').filter({ hasText: '配送日を変更できますか' });
    await waiting.waitFor({ timeout: 10_000 });
    await waiting.getByText(/待機 \d+:\d\d/).waitFor();
    await waiting.getByText('通知中: 山本 二郎').waitFor({ timeout: 10_000 });
    await agentRow.getByRole('cell', { name: '通知中 1件' }).waitFor({ timeout: 10_000 });
    await agentRow.getByRole('cell', { name: '0 / 1' }).waitFor();

    // The agent accepts in their own browser: the queue empties and the chat is in the agent's hands, waiting for a reply.
    const offer = inbox.locator('.offer').filter({ hasText: '配送日を変更' });
    await offer.getByRole('button', { name: '受ける' }).click();
    await waiting.waitFor({ state: 'detached', timeout: 10_000 });
    await agentRow.getByRole('cell', { name: '1 / 1' }).waitFor({ timeout: 10_000 });
    const held = agentRow.getByRole('listitem').filter({ hasText: contact });
    await held.getByText(/返信待ち \d+:\d\d/).waitFor({ timeout: 10_000 });
    await agentRow.getByRole('cell', { name: '通知中 0件' }).waitFor();

    // Its reply ends the wait, still live.
    await inbox.getByRole('textbox', { name: '返信' }).fill('はい、承ります。');
    await inbox.getByRole('textbox', { name: '返信' }).press('Enter');
    await held.getByText('返信済み').waitFor({ timeout: 10_000 });
    // Today's figures come from the team report: one chat today, taken by the agent.
    const today = floor.getByRole('region', { name: '今日の数字' });
    await today.getByRole('definition').filter({ hasText: /^1$/ }).first().waitFor({ timeout: 10_000 });
    expect(await today.innerText()).toMatch(/チャット\s*1/);
    await notReloaded(floor);
    expect(floor.dialogs).toEqual([]);

    await floor.screenshot({ path: join(SCREENSHOTS, 'floor-desktop.png'), fullPage: true });
    const phone = await supervising('/supervision', WIDTHS[1]);
    await phone.getByRole('table', { name: 'メンバーの状況' }).getByRole('row').filter({ hasText: '山本 二郎' }).getByRole('cell', { name: '1 / 1' }).waitFor();
    await phone.screenshot({ path: join(SCREENSHOTS, 'floor-phone.png'), fullPage: true });
  });

  // Guards: events sent while the page's socket was away are lost; the floor must not keep showing what was before.
  it('reads the floor again when its socket comes back after being cut off', async () => {
    const member = await addMember(hub, team, { name: '森 六郎' });
    await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'online' }).expect(200);
    // The page's WebSockets can be cut, and kept from connecting again until let through.
    const cuttable = await context();
    await cuttable.addInitScript(CUTTABLE_SOCKETS);
    const floor = await openPage(cuttable, `${hub.url}/app/login`);
    await logIn(floor, team.admin.email);
    await floor.goto(`${hub.url}/app/supervision`);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    const row = floor.getByRole('table', { name: 'メンバーの状況' }).getByRole('row').filter({ hasText: '森 六郎' });
    await row.getByRole('cell', { name: '対応可能' }).waitFor();
    await markNoReload(floor);

    await floor.evaluate('window.cutSockets()');
    await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'break' }).expect(200);
    expect(await row.getByRole('cell', { name: '対応可能' }).count()).toBe(1);
    await floor.evaluate('window.letSocketsThrough()');
    await row.getByRole('cell', { name: '休憩中' }).waitFor({ timeout: 20_000 });
    await notReloaded(floor);
    await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'offline' }).expect(200);
  });

  it('switches a member’s presence and assigns a waiting chat past a full member’s capacity', async () => {
    const busy = await addMember(hub, team, { name: '田中 三郎' });
    await hub.http.put('/api/members/me/status').set(busy.auth).send({ status: 'online' }).expect(200);
    const floor = await supervising('/supervision');
    const busyRow = floor.getByRole('table', { name: 'メンバーの状況' }).getByRole('row').filter({ hasText: '田中 三郎' });
    await busyRow.getByRole('cell', { name: '対応可能' }).waitFor();

    // The supervisor sends them on a break, with the reason every device of theirs is told.
    const presence = floor.getByRole('form', { name: 'メンバーの状態を変える' });
    await presence.getByLabel('メンバー').selectOption({ label: '田中 三郎' });
    await presence.getByLabel('状態').selectOption({ label: '休憩中' });
    await presence.getByLabel('理由').fill('昼休憩');
    await presence.getByRole('button', { name: '変更' }).click();
    await busyRow.getByRole('cell', { name: '休憩中' }).waitFor({ timeout: 10_000 });
    const changes = await hub.http.get(`/api/members/${busy.id}/status-changes`).set(team.admin.auth).expect(200);
    expect(changes.body.items[0]).toMatchObject({ status: 'break', reason: '昼休憩' });
    await hub.http.put('/api/members/me/status').set(busy.auth).send({ status: 'offline' }).expect(200);

    // Two chats wait (nobody online takes them); the first goes to them, filling their one seat.
    const others = await hub.infra.db.member.findMany({ where: { teamId: team.teamId, id: { notIn: [busy.id, team.admin.id] } }, select: { id: true } });
    for (const other of others) await hub.http.put(`/api/members/${other.id}/status`).set(team.admin.auth).send({ status: 'offline', reason: 'テスト' }).expect(200);
    const first = await visitorWrites('ギフト包装はできますか');
    const second = await visitorWrites('領収書を発行できますか');
    const queue = floor.getByRole('list', { name: '待機キュー' });
    const firstItem = queue.getByRole('listitem').filter({ hasText: 'ギフト包装はできますか' });
    await firstItem.getByLabel('割り当てる相手').selectOption({ label: '田中 三郎 (0/1)' });
    await firstItem.getByRole('button', { name: '割り当てる' }).click();
    await busyRow.getByRole('cell', { name: '1 / 1' }).waitFor({ timeout: 10_000 });

    // Full: the hub refuses without the override, and the page says so; with it, the chat is theirs.
    const secondItem = queue.getByRole('listitem').filter({ hasText: '領収書を発行できますか' });
    await secondItem.getByLabel('割り当てる相手').selectOption({ label: '田中 三郎 (1/1)' });
    await secondItem.getByRole('button', { name: '割り当てる' }).click();
    await floor.getByRole('alert').waitFor();
    expect(await secondItem.count()).toBe(1);
    await secondItem.getByLabel('上限を超えて割り当てる').check();
    await secondItem.getByRole('button', { name: '割り当てる' }).click();
    await secondItem.waitFor({ state: 'detached', timeout: 10_000 });
    await busyRow.getByRole('cell', { name: '2 / 1' }).waitFor({ timeout: 10_000 });
    for (const { conversationId } of [first, second]) {
      const assigned = await hub.http.get(`/api/conversations/${conversationId}`).set(team.admin.auth).expect(200);
      expect(assigned.body.assigneeId).toBe(busy.id);
    }
  });

  // Done-when 3: the sales list shows a new sale in blue, and grey after it is opened, in the agent's own browser.
  it('shows the agent a sale credited to them in blue, and grey once they open it', async () => {
    const agent = await addMember(hub, team, { name: '小林 五郎' });
    await hub.http.put('/api/members/me/status').set(agent.auth).send({ status: 'offline' }).expect(200);
    const { conversationId, visitorId } = await visitorWrites('湯のみのギフトはありますか');
    await hub.http.post(`/api/conversations/${conversationId}/assign`).set(team.admin.auth).send({ memberId: agent.id, override: true }).expect(200);
    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(agent.auth).send({ body: 'ございます。' }).expect(201);

    // The list is open in the agent's browser when the shop reports the purchase: it arrives live, in blue.
    const page = await signedIn(agent, '/');
    await page.getByRole('navigation', { name: '画面' }).getByRole('link', { name: '売上' }).click();
    const list = page.getByRole('list', { name: '自分の売上' });
    await page.getByText('まだ売上はありません').waitFor();
    const key = await hub.http.post('/api/teams/current/api-keys').set(team.admin.auth).send({ name: 'shop' }).expect(201);
    const purchase = await hub.http
      .post('/api/purchases')
      .set('Authorization', `Bearer ${key.body.key}`)
      .send({ orderId: 'ORD-2001', visitorId, amount: 4200, currency: 'JPY', occurredAt: new Date().toISOString() })
      .expect(201);
    expect(purchase.body.attributedTo).toMatchObject({ memberId: agent.id });
    const row = list.getByRole('listitem').filter({ hasText: 'ORD-2001' });
    await row.waitFor({ timeout: 10_000 });
    await row.getByText('新着').waitFor();
    expect(await colourOf(row)).toBe(NEW_BLUE);
    await page.screenshot({ path: join(SCREENSHOTS, 'sales-new-desktop.png'), fullPage: true });

    // Opened: why it was credited shows, and the row turns grey, in the page and on the hub.
    await row.getByRole('button', { name: /ORD-2001/ }).click();
    const why = row.getByRole('region', { name: '計上の理由' });
    await why.getByText(purchase.body.reason.explanation).waitFor();
    await eventually(() => colourOf(row), (colour) => colour === SEEN_GREY);
    expect(await row.getByText('新着').count()).toBe(0);
    const stored = await hub.http.get('/api/sales').set(agent.auth).expect(200);
    expect(stored.body.items.find((sale: { orderId: string }) => sale.orderId === 'ORD-2001')).toMatchObject({ new: false, seenAt: expect.any(String) });
    await page.reload();
    await list.getByRole('listitem').filter({ hasText: 'ORD-2001' }).waitFor();
    expect(await colourOf(list.getByRole('listitem').filter({ hasText: 'ORD-2001' }))).toBe(SEEN_GREY);
    await page.screenshot({ path: join(SCREENSHOTS, 'sales-seen-desktop.png'), fullPage: true });

    const phone = await signedIn(agent, '/sales', WIDTHS[1]);
    await phone.getByRole('list', { name: '自分の売上' }).getByRole('listitem').filter({ hasText: 'ORD-2001' }).waitFor();
    await phone.screenshot({ path: join(SCREENSHOTS, 'sales-phone.png'), fullPage: true });
  });

  it('shows a supervisor the team’s sales, the unattributed ones, the refunds and the report by day and member', async () => {
    const key = await hub.http.post('/api/teams/current/api-keys').set(team.admin.auth).send({ name: 'shop-2' }).expect(201);
    const shopAuth = { Authorization: `Bearer ${key.body.key}` };
    await hub.http.post('/api/purchases').set(shopAuth).send({ orderId: 'ORD-3001', amount: 1500, currency: 'JPY', occurredAt: new Date().toISOString() }).expect(201);
    await hub.http.post('/api/purchases/ORD-2001/refund').set(shopAuth).send({}).expect(200);

    const page = await supervising('/sales');
    const teamList = page.getByRole('list', { name: 'チームの売上' });
    await teamList.getByRole('listitem').filter({ hasText: 'ORD-2001' }).getByText('小林 五郎').waitFor();
    await teamList.getByRole('listitem').filter({ hasText: 'ORD-3001' }).getByText('担当なし').waitFor();
    // Each filter is asked of the hub: what it leaves out leaves the list.
    await page.getByRole('radio', { name: '担当なし' }).check();
    await teamList.getByRole('listitem').filter({ hasText: 'ORD-2001' }).waitFor({ state: 'detached' });
    expect(await teamList.getByRole('listitem').filter({ hasText: 'ORD-3001' }).count()).toBe(1);
    await page.getByRole('radio', { name: '返金・取消' }).check();
    await teamList.getByRole('listitem').filter({ hasText: 'ORD-3001' }).waitFor({ state: 'detached' });
    await teamList.getByRole('listitem').filter({ hasText: 'ORD-2001' }).getByText('返金').waitFor();

    // The report by day and member: the same rows the CSV holds (refunds left out).
    const report = page.getByRole('table', { name: '日別・メンバー別の売上' });
    const csv = await hub.http.get('/api/sales/report?format=csv').set(team.admin.auth).expect(200);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1);
    await report.waitFor();
    expect(await report.locator('tbody tr').count()).toBe(lines.length);
    await report.getByRole('row').filter({ hasText: '担当なし' }).filter({ hasText: '1' }).waitFor();

    // The same report as a chart: each bar is one CSV row (yen have no minor unit), and the CSV is the page's download.
    const section = page.getByRole('region', { name: '日別・メンバー別の売上' });
    const [download] = await Promise.all([page.waitForEvent('download'), section.getByRole('button', { name: 'CSVをダウンロード' }).click()]);
    const saved = await readFile((await download.path())!, 'utf8');
    expect(saved).toBe(csv.text);
    const rows = parseCsv(saved.slice(1)).slice(1);
    const canvas = section.getByRole('img', { name: '日別・メンバー別の売上（JPY）' });
    await canvas.waitFor();
    await page.waitForFunction((element) => element?.getAttribute('data-chart') !== null, await canvas.elementHandle(), { timeout: 10_000 });
    const chart = JSON.parse((await canvas.getAttribute('data-chart'))!) as { labels: string[]; datasets: { label: string; data: (number | null)[] }[] };
    const bars = chart.datasets.flatMap((dataset) => dataset.data.flatMap((amount, day) => (amount === null ? [] : [[chart.labels[day], dataset.label, amount]])));
    expect(bars.sort()).toEqual(rows.map(([date, , name, , , amount]) => [date, name || '担当なし', Number(amount)]).sort());
    expect(bars.length).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'sales-team-desktop.png'), fullPage: true });
    const phone = await supervising('/sales', WIDTHS[1]);
    await phone.getByRole('table', { name: '日別・メンバー別の売上' }).waitFor();
    await phone.screenshot({ path: join(SCREENSHOTS, 'sales-team-phone.png'), fullPage: true });
  });
});
