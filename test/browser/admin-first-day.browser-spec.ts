import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { eventually } from '../support/eventually.js';
import { MovableClock, tokyo } from '../support/movable-clock.js';
import { TestHub, startTestHub } from '../support/test-hub.js';
import { launchBrowser, openPage, openWidget } from './browser.js';

const DESKTOP = { viewport: { width: 1280, height: 860 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' } as const;
const LINE_TOKEN = 'line-channel-access-token';
const LINE_SECRET = 'line-channel-secret';

// The test's own days, so the wall clock of the machine that runs it (lunchtime, a holiday) changes nothing.
/** 成人の日 2027: a Monday, and a national holiday. */
const COMING_OF_AGE_DAY = tokyo('2027-01-11T10:00');
const TUESDAY_MORNING = tokyo('2027-01-12T11:00');
const TUESDAY_LUNCH = tokyo('2027-01-12T12:30');
const TUESDAY_AFTER_LUNCH = tokyo('2027-01-12T13:00');

// Issue 19, Done-when 1: from an empty hub, everything an administrator sets up on the first day, through the pages
// only (the HTTP API and the database are read, never written, to check what the pages did); then a visitor's chat
// reaches the colleague who was invited. The hub's clock and each page's clock are the test's and move together.
describe('An administrator’s first day, from an empty hub, in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let line: LineFake;
  let shopSite: Server;
  let shopOrigin: string;
  const clock = new MovableClock(COMING_OF_AGE_DAY);
  const contexts: BrowserContext[] = [];
  let admin: Page & { dialogs: string[] };
  let adminAuth: { Authorization: string };
  let colleague: Page & { dialogs: string[] };
  let snippet = '';

  /** A browser of its own (the administrator's, the colleague's, the visitor's), its page clock at the hub's time. */
  const newContext = async () => {
    const context = await browser.newContext(DESKTOP);
    await context.clock.setFixedTime(clock.now());
    contexts.push(context);
    return context;
  };
  /** Moves the hub's clock (firing the business hours' timers that come due) and every open page's clock with it. */
  const moveClocksTo = async (at: Date) => {
    for (const context of contexts) await context.clock.setFixedTime(at);
    clock.set(at);
  };
  /** The hub sets its next opening or closing timer after it has applied new hours: moving the clock waits for it. */
  const boundaryPending = (at: Date) => eventually(async () => clock.pending().map((due) => due.getTime()), (due) => due.includes(at.getTime()));
  const hoursPreview = () => admin.getByRole('form', { name: '営業時間' }).getByRole('region', { name: 'いまの状態（保存前の設定で）' }).getByRole('status');
  const presenceOf = async (memberEmail: string) => {
    const members = (await hub.http.get('/api/members').set(adminAuth).expect(200)).body.items as Array<{ email: string; status: string; id: string }>;
    return members.find((m) => m.email === memberEmail);
  };

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: LINE_TOKEN, botName: 'つなぎ整骨院 Bot' });
    browser = await launchBrowser();
    // Started as `npm start` starts on an empty database: the hub creates the first team and prints its login.
    hub = await startTestHub({ PUBLIC_URL: 'https://hub.example.test' }, { clock, bootstrap: true });
    // The clinic's own site, on an origin of its own, where the administrator pastes the widget's snippet.
    shopSite = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>つなぎ整骨院</title></head><body><h1>つなぎ整骨院</h1>${snippet}</body></html>`);
    });
    await new Promise<void>((resolve) => shopSite.listen(0, '127.0.0.1', resolve));
    shopOrigin = `http://127.0.0.1:${(shopSite.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await hub?.stop();
    await line?.close();
    await new Promise((resolve) => shopSite?.close(resolve));
  });

  it('starts empty; the administrator signs in with the login the hub printed and adds a web chat and a LINE channel through their forms', async () => {
    const db = hub.infra.db;
    expect(await db.team.count()).toBe(1);
    expect(await db.member.count()).toBe(1);
    expect(await db.channel.count()).toBe(0);
    expect(hub.login).toMatchObject({ created: true, password: expect.any(String) });

    const context = await newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
    admin = await openPage(context, `${hub.url}/app`);
    await admin.getByLabel('メールアドレス').fill(hub.login!.email);
    await admin.getByLabel('パスワード').fill(hub.login!.password!);
    await admin.getByRole('button', { name: 'ログイン' }).click();
    await admin.getByRole('tablist', { name: '表示' }).waitFor();
    // The API is read with the page's own session: signing in again elsewhere would switch the manager on.
    adminAuth = { Authorization: `Bearer ${await admin.evaluate<string>("localStorage.getItem('tsunagi:token')")}` };
    // The manager sets up and does not take chats: signing in put them on, the top bar takes them off.
    await admin.getByLabel('在席状況').selectOption('offline');
    await eventually(async () => (await presenceOf(hub.login!.email))?.status, (status) => status === 'offline');

    await admin.getByRole('navigation', { name: '画面' }).getByRole('link', { name: '管理' }).click();
    await admin.getByRole('link', { name: 'チャネル' }).click();
    await admin.getByText('チャネルはまだありません').waitFor();

    await admin.getByLabel('種類').selectOption('webchat');
    await admin.getByRole('button', { name: 'チャネルを追加' }).click();
    const chatForm = admin.getByRole('form', { name: /Webチャット.*を追加/ });
    await chatForm.getByLabel('表示名').fill('ホームページのチャット');
    await chatForm.getByRole('button', { name: '追加する' }).click();
    const chatCard = admin.getByRole('listitem', { name: 'ホームページのチャット' });
    const widget = chatCard.getByRole('form', { name: 'ウィジェットの設定' });
    await widget.getByLabel('あいさつ').fill('つなぎ整骨院です。ご予約・ご相談はこちらからどうぞ。');
    await widget.getByLabel('ウィジェットを置けるサイト（1行に1つ）').fill(shopOrigin);
    await widget.getByRole('button', { name: '保存' }).click();
    await widget.getByRole('status').filter({ hasText: '保存しました' }).waitFor();
    await chatCard.getByRole('button', { name: /コピー: 埋め込みコード/ }).click();
    snippet = await admin.evaluate<string>('navigator.clipboard.readText()');
    expect(snippet).toMatch(/^<script src="[^"]+\/widget\.js" data-channel="[^"]+"><\/script>$/);

    await admin.getByLabel('種類').selectOption('line');
    await admin.getByRole('button', { name: 'チャネルを追加' }).click();
    const lineForm = admin.getByRole('form', { name: /LINE公式アカウント.*を追加/ });
    await lineForm.getByLabel('表示名').fill('LINE公式');
    await lineForm.getByLabel('チャネルシークレット').fill(LINE_SECRET);
    await lineForm.getByLabel('チャネルアクセストークン（長期）').fill(LINE_TOKEN);
    // The LINE fake stands in for api.line.me through the form's advanced API address.
    await lineForm.getByText('詳細設定（通常は空欄のまま）').click();
    await lineForm.getByLabel('APIの接続先', { exact: true }).fill(line.url);
    await lineForm.getByRole('button', { name: '追加する' }).click();
    const lineCard = admin.getByRole('listitem', { name: 'LINE公式' });
    await lineCard.getByRole('button', { name: '接続を確認' }).click();
    await lineCard.getByRole('status').filter({ hasText: '接続できました' }).getByText('アカウント: つなぎ整骨院 Bot').waitFor();
    // The check asked the fake with the token typed in the form.
    expect(line.requests.some((r) => r.path === '/v2/bot/info' && r.headers.authorization === `Bearer ${LINE_TOKEN}`)).toBe(true);

    const channels = (await hub.http.get('/api/channels').set(adminAuth).expect(200)).body.items as Array<Record<string, unknown>>;
    expect(channels).toEqual([
      expect.objectContaining({ type: 'webchat', name: 'ホームページのチャット', active: true, config: expect.objectContaining({ allowedOrigins: [shopOrigin] }) }),
      expect.objectContaining({ type: 'line', name: 'LINE公式', active: true, config: expect.objectContaining({ apiBaseUrl: line.url }) }),
    ]);
    expect(snippet).toContain(`data-channel="${channels[0].id as string}"`);
  });

  it('sets weekday hours with a lunch break and Japanese holidays, and the preview says closed on the holiday it is', async () => {
    await admin.getByRole('link', { name: '営業時間' }).click();
    const form = admin.getByRole('form', { name: '営業時間' });
    await hoursPreview().filter({ hasText: '常に営業' }).waitFor();
    await form.getByLabel('常に営業（営業時間を使わない）').uncheck();
    await form.getByLabel('タイムゾーン').selectOption('Asia/Tokyo');
    await form.getByLabel('月曜日 時間帯1 開始').fill('09:00');
    await form.getByLabel('月曜日 時間帯1 終了').fill('12:00');
    await form.getByRole('button', { name: '月曜日 時間帯を追加' }).click();
    await form.getByLabel('月曜日 時間帯2 開始').fill('13:00');
    await form.getByLabel('月曜日 時間帯2 終了').fill('18:00');
    await form.getByRole('button', { name: '月曜日の時間を火〜金曜日にも使う' }).click();
    // Before the holidays are on, this Monday morning is an ordinary open one.
    await hoursPreview().filter({ hasText: '営業中 12:00まで' }).waitFor();
    await form.getByLabel('日本の祝日は休業').check();
    await hoursPreview().filter({ hasText: /^営業時間外 · 次は 1\/12\(火\) 09:00$/ }).waitFor();
    await form.getByRole('button', { name: '保存' }).click();
    await form.getByRole('status').filter({ hasText: '保存しました' }).waitFor();

    const team = (await hub.http.get('/api/teams/current').set(adminAuth).expect(200)).body;
    expect(team.timeZone).toBe('Asia/Tokyo');
    expect(team.settings.businessHours).toMatchObject({ nationalHolidays: 'JP', switchMembers: true });
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) {
      const rows = (team.settings.businessHours.weekly as Array<{ days: string[]; open: string; close: string }>).filter((row) => row.days.includes(day));
      expect(rows.map((row) => `${row.open}-${row.close}`)).toEqual(['09:00-12:00', '13:00-18:00']);
    }
    expect((await hub.http.get('/api/business-hours/preview').set(adminAuth).expect(200)).body).toMatchObject({ openNow: false, next: tokyo('2027-01-12T09:00').toISOString() });
  });

  it('invites a colleague, who signs up through the join link on Tuesday morning and is on', async () => {
    await admin.getByRole('link', { name: 'メンバー' }).click();
    const invite = admin.getByRole('region', { name: 'メンバーを招待' });
    await invite.getByRole('button', { name: 'リンクをコピー' }).click();
    await invite.getByRole('status').filter({ hasText: 'コピーしました' }).waitFor();
    const joinLink = await admin.evaluate<string>('navigator.clipboard.readText()');
    const { inviteCode } = (await hub.http.get('/api/teams/current').set(adminAuth).expect(200)).body;
    expect(joinLink).toBe(`${hub.url}/app/join?code=${encodeURIComponent(inviteCode as string)}`);

    await boundaryPending(tokyo('2027-01-12T09:00'));
    await moveClocksTo(TUESDAY_MORNING);
    colleague = await openPage(await newContext(), joinLink);
    const join = colleague.getByRole('form', { name: '招待コードで登録' });
    expect(await join.getByLabel('招待コード').inputValue()).toBe(inviteCode);
    await join.getByLabel('名前').fill('鈴木 一郎');
    await join.getByLabel('メールアドレス').fill('suzuki@clinic.example');
    await join.getByLabel('パスワード').fill('a long enough pass');
    await join.getByRole('button', { name: '登録する' }).click();
    await colleague.getByRole('tablist', { name: '表示' }).waitFor();
    // Signed in during opening hours: on, and shown so in their own top bar.
    await eventually(() => colleague.getByLabel('在席状況').inputValue(), (value) => value === 'online');
    expect(await presenceOf('suzuki@clinic.example')).toMatchObject({ status: 'online' });
  });

  it('keeps a visitor’s chat waiting through the lunch break, then offers it to the colleague, who takes it and answers', async () => {
    const suzuki = (await presenceOf('suzuki@clinic.example'))!;
    // Lunch: the hub's closing at 12:00 switches the colleague off, and their page shows it.
    await boundaryPending(tokyo('2027-01-12T12:00'));
    await moveClocksTo(TUESDAY_LUNCH);
    await eventually(() => colleague.getByLabel('在席状況').inputValue(), (value) => value === 'offline');
    await admin.getByRole('link', { name: '営業時間' }).click();
    await hoursPreview().filter({ hasText: /^営業時間外 · 次は 13:00$/ }).waitFor();

    const visitor = await openPage(await newContext(), `${shopOrigin}/`);
    await openWidget(visitor);
    await visitor.getByText('つなぎ整骨院です。ご予約・ご相談はこちらからどうぞ。').waitFor();
    const input = visitor.getByRole('textbox', { name: /メッセージを入力/ });
    await input.fill('今日の夕方に予約できますか？');
    await input.press('Enter');
    await visitor.getByText('ただいま営業時間外です。').waitFor();
    const message = await eventually(() => hub.infra.db.message.findFirst({ where: { body: '今日の夕方に予約できますか？' } }), (row) => row !== null);
    const waiting = await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: message!.conversationId } });
    // The widget says closed once routing has passed the chat by: nobody was offered it.
    expect(waiting).toMatchObject({ status: 'waiting', assigneeId: null });
    expect(await hub.infra.db.offer.count({ where: { conversationId: waiting.id } })).toBe(0);
    expect(await colleague.locator('.offer').count()).toBe(0);

    // 13:00: the hub opens again, switches the colleague back on and offers the chat that waited.
    await boundaryPending(TUESDAY_AFTER_LUNCH);
    await moveClocksTo(TUESDAY_AFTER_LUNCH);
    const offer = colleague.locator('.offer').filter({ hasText: '今日の夕方に予約できますか？' });
    // Both clocks agree: the countdown is the whole offer time, not an offer dated a month from the machine's today.
    const { offerTimeoutSeconds } = (await hub.http.get('/api/teams/current').set(adminAuth).expect(200)).body.settings;
    await offer.getByRole('timer').filter({ hasText: `残り${offerTimeoutSeconds as number}秒` }).waitFor({ timeout: 10_000 });
    expect(await colleague.getByLabel('在席状況').inputValue()).toBe('online');
    await offer.getByRole('button', { name: '受ける' }).click();
    await colleague.locator('.thread').getByText('今日の夕方に予約できますか？').waitFor();
    expect(await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: waiting.id } })).toMatchObject({ assigneeId: suzuki.id });

    const composer = colleague.getByRole('textbox', { name: '返信' });
    await composer.fill('鈴木です。17時からご予約いただけます。');
    await composer.press('Enter');
    await visitor.locator('.log .theirs .body').filter({ hasText: '鈴木です。17時からご予約いただけます。' }).waitFor({ timeout: 10_000 });
    expect([admin.dialogs, colleague.dialogs, visitor.dialogs]).toEqual([[], [], []]);
  });
});
