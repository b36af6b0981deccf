import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { eventually } from '../support/eventually.js';
import { TestHub, createTeam, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage } from './browser.js';

/** The widths every screen is shot at: a desk and a phone. */
const WIDTHS = [
  { name: 'desktop', options: { viewport: { width: 1280, height: 860 }, locale: 'ja-JP' } },
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ja-JP' } },
] as const;

const LINE_TOKEN = 'line-channel-access-token';
const LINE_SECRET = 'line-channel-secret';
const STAFF_GROUP = 'C' + 'a'.repeat(32);

// Issue 19, Done-when 4: every routing and replies setting is set through the pages, none through the HTTP API or
// typed JSON. Each case changes values, saves, reloads, and reads them back both in the page and from the API.
describe('Routing and replies screens in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let line: LineFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let context: BrowserContext;
  let page: Page;
  let lineChannelId: string;

  const settings = async () => (await hub.http.get('/api/teams/current').set(team.admin.auth).expect(200)).body.settings;
  const open = async (section: string) => {
    await page.goto(`${hub.url}/app/admin/${section}`);
    await page.waitForLoadState('networkidle');
  };
  const saveIn = async (form: Locator) => {
    await form.getByRole('button', { name: '保存' }).click();
    await form.getByRole('status').filter({ hasText: '保存しました' }).waitFor();
  };

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: LINE_TOKEN });
    browser = await launchBrowser();
    hub = await startTestHub({ PUBLIC_URL: 'https://hub.example.test' });
    team = await createTeam(hub, 'つなぎ整骨院');
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    // A LINE channel whose bot has joined a staff group: the group reports can go to.
    const channel = await hub.http
      .post('/api/channels')
      .set(team.admin.auth)
      .send({ type: 'line', provider: 'line', name: 'LINE公式', config: { channelSecret: LINE_SECRET, channelAccessToken: LINE_TOKEN, apiBaseUrl: line.url } })
      .expect(201);
    lineChannelId = channel.body.id;
    line.setGroup(STAFF_GROUP, 'スタッフ連絡');
    const fixture = JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'providers', 'line', 'single-join-group.json'), 'utf8'));
    const events = (fixture.events as Record<string, unknown>[]).map((event) => ({ ...event, source: { ...(event.source as object), groupId: STAFF_GROUP } }));
    const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events });
    await request(hub.url).post(`/webhooks/line/${channel.body.id}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(LINE_SECRET, body)).send(body).expect(200);
    await eventually(
      async () => (await hub.http.get(`/api/channels/${channel.body.id}/groups`).set(team.admin.auth).expect(200)).body.items as { name: string | null }[],
      (groups) => groups.some((g) => g.name === 'スタッフ連絡'),
    );

    context = await browser.newContext(WIDTHS[0].options);
    page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, team.admin.email);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await hub?.stop();
    await line?.close();
  });

  it('sets the routing settings and the attribution, shows the hub’s refusal under its field, and keeps them over a reload', async () => {
    await open('routing');
    const form = page.getByRole('form', { name: 'チャットの振り分け' });
    // Out of the hub's range: the page sends it, and the hub's sentence shows under that field.
    await form.getByLabel('同時に通知する人数').fill('0');
    await form.getByRole('button', { name: '保存' }).click();
    const refusal = page.locator('[id="field-settings.offerFanout-error"]');
    await refusal.waitFor();
    // In Japanese: the hub words its field problems in English, which never reaches the Japanese inbox.
    expect(await refusal.textContent()).toBe('この項目の内容を確認してください。');
    expect(await form.getByLabel('同時に通知する人数').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('同時に通知する人数').fill('5');
    await form.getByLabel('通知の待ち時間（秒）').fill('45');
    await form.getByLabel('誰も受けないとき通知を広げる').check();
    await form.getByLabel('追加する人数').fill('2');
    await form.getByLabel('間隔（秒）').fill('20');
    await form.getByLabel('前回対応したメンバーに優先して通知する').check();
    await form.getByLabel('休憩にするまでの見送り回数').fill('4');
    await form.getByLabel('メールでの連絡を案内するまでの秒数').fill('');
    await form.getByLabel('オフラインにするまでの秒数').fill('60');
    await form.getByLabel('新しいメンバーの同時対応数').fill('3');
    await saveIn(form);
    expect(await refusal.count()).toBe(0);

    const attribution = page.getByRole('form', { name: '売上の計上' });
    await attribution.getByLabel('計上する期間（日）').fill('7');
    await attribution.getByLabel('複数のメンバーが対応したとき').selectOption('first_touch');
    await saveIn(attribution);

    expect(await settings()).toMatchObject({
      offerFanout: 5,
      offerTimeoutSeconds: 45,
      offerWaves: { size: 2, everySeconds: 20 },
      stickyRouting: true,
      ignoredOffersBeforeBreak: 4,
      slowReplySeconds: null,
      presenceGraceSeconds: 60,
      defaultCapacity: 3,
      attributionWindowDays: 7,
      attributionModel: 'first_touch',
    });
    await page.reload();
    await form.waitFor();
    expect(await form.getByLabel('同時に通知する人数').inputValue()).toBe('5');
    expect(await form.getByLabel('間隔（秒）').inputValue()).toBe('20');
    expect(await form.getByLabel('前回対応したメンバーに優先して通知する').isChecked()).toBe(true);
    expect(await form.getByLabel('メールでの連絡を案内するまでの秒数').inputValue()).toBe('');
    expect(await attribution.getByLabel('複数のメンバーが対応したとき').inputValue()).toBe('first_touch');
  });

  it('sets the away replies, the consent keywords and replies, and the rating question, kept over a reload', async () => {
    await open('replies');
    const away = page.getByRole('form', { name: '不在時の自動返信' });
    await away.getByLabel('営業時間外', { exact: true }).fill('ただいま営業時間外です。{opensAt}にご返信します。');
    await away.getByLabel('送らない: 対応できるメンバーがいないとき').check();
    await saveIn(away);

    const consent = page.getByRole('form', { name: '配信停止・再開のキーワード（SMS・WhatsApp）' });
    // A team without lists of its own sees the hub's defaults, the lists it answers to today.
    expect((await consent.getByLabel('配信停止のキーワード').inputValue()).split('\n')).toEqual(expect.arrayContaining(['STOP', '配信停止']));
    await consent.getByLabel('配信停止のキーワード').fill('STOP\n停止');
    await consent.getByLabel('配信再開のキーワード').fill('START');
    await consent.getByLabel('ヘルプのキーワード').fill('HELP\nヘルプ');
    await consent.getByLabel('配信停止の確認', { exact: true }).fill('{team.name}からの配信を止めました。');
    await saveIn(consent);

    const rating = page.getByRole('form', { name: '評価のお願い' });
    await rating.getByLabel('評価をお願いする文').fill('本日の対応を1〜5でお知らせください。');
    await saveIn(rating);

    expect(await settings()).toMatchObject({
      awayReplies: { closed: 'ただいま営業時間外です。{opensAt}にご返信します。', unavailable: null },
      consentKeywords: { optOut: ['STOP', '停止'], optIn: ['START'], help: ['HELP', 'ヘルプ'] },
      consentReplies: { optOut: '{team.name}からの配信を止めました。' },
      ratingQuestion: '本日の対応を1〜5でお知らせください。',
    });
    await page.reload();
    await away.waitFor();
    expect(await away.getByLabel('送らない: 対応できるメンバーがいないとき').isChecked()).toBe(true);
    expect(await consent.getByLabel('配信停止のキーワード').inputValue()).toBe('STOP\n停止');
    expect(await rating.getByLabel('評価をお願いする文').inputValue()).toBe('本日の対応を1〜5でお知らせください。');
  });

  it('adds, edits and deletes canned replies, team-wide and personal, with their use counts', async () => {
    await open('replies');
    const add = page.getByRole('form', { name: '定型文を追加' });
    // A short code the hub refuses: its sentence under the short code field.
    await add.getByLabel('短縮コード').fill('営業 時間');
    await add.getByLabel('タイトル').fill('営業時間');
    await add.getByLabel('本文').fill('営業時間は10時から19時です。');
    await add.getByRole('button', { name: '定型文を追加' }).click();
    await page.locator('[id="canned-new-shortCode-error"]').waitFor();
    await add.getByLabel('短縮コード').fill('hours');
    await add.getByRole('button', { name: '定型文を追加' }).click();
    const table = page.getByRole('table');
    await table.getByText(':hours').waitFor();
    await add.getByLabel('短縮コード').fill('me');
    await add.getByLabel('タイトル').fill('自分用');
    await add.getByLabel('本文').fill('少々お待ちください。');
    await add.getByLabel('自分だけが使う').check();
    await add.getByRole('button', { name: '定型文を追加' }).click();
    await table.getByText(':me').waitFor();
    expect(await table.getByRole('row').filter({ hasText: ':hours' }).textContent()).toContain('チーム共通');
    expect(await table.getByRole('row').filter({ hasText: ':me' }).textContent()).toContain('個人');

    await page.getByRole('button', { name: '編集 :hours' }).click();
    const editor = page.getByRole('form', { name: '定型文を編集' });
    await editor.getByLabel('タイトル').fill('営業時間のご案内');
    await editor.getByRole('button', { name: '保存' }).click();
    await table.getByText('営業時間のご案内').waitFor();
    await page.getByRole('button', { name: '削除 :me' }).click();
    await table.getByText(':me').waitFor({ state: 'detached' });

    const replies = (await hub.http.get('/api/canned-replies').set(team.admin.auth).expect(200)).body.items;
    expect(replies).toEqual([expect.objectContaining({ shortCode: 'hours', title: '営業時間のご案内', ownerId: null, uses: { total: 0, mine: 0 } })]);
    await page.reload();
    expect(await page.getByRole('table').getByRole('row').filter({ hasText: ':hours' }).textContent()).toContain('0');
  });

  it('builds a three-level category tree, moves a branch, renames and deletes', async () => {
    await open('categories');
    const add = page.getByRole('form', { name: 'カテゴリを追加' });
    const addCategory = async (name: string, parent?: string) => {
      await add.getByLabel('名前', { exact: true }).fill(name);
      await add.getByLabel('親カテゴリ').selectOption({ label: parent ?? '（最上位）' });
      await add.getByRole('button', { name: 'カテゴリを追加' }).click();
      await page.getByRole('listitem', { name: parent ? `${parent} › ${name}` : name, exact: true }).waitFor();
    };
    await addCategory('予約');
    await addCategory('変更', '予約');
    await addCategory('日時', '予約 › 変更');
    await addCategory('問い合わせ');
    // A level-3 category is no parent to choose: three levels at most.
    expect(await add.getByLabel('親カテゴリ').locator('option').allTextContents()).not.toContain('予約 › 変更 › 日時');

    // The 変更 branch (with 日時 under it) moves under 問い合わせ, renamed on the way.
    const branch = page.getByRole('listitem', { name: '予約 › 変更', exact: true });
    await branch.getByLabel('名前を変更').fill('日程変更');
    await branch.getByLabel('移動先').selectOption({ label: '問い合わせ' });
    await branch.getByRole('button', { name: '保存' }).click();
    await page.getByRole('listitem', { name: '問い合わせ › 日程変更 › 日時' }).waitFor();

    // Moving 問い合わせ under 予約 would put 日時 at level 4: the hub's refusal shows under the move field.
    const top = page.getByRole('listitem', { name: '問い合わせ', exact: true });
    await top.getByLabel('移動先').selectOption({ label: '予約' });
    await top.getByRole('button', { name: '保存' }).click();
    expect(await top.getByRole('alert').textContent()).toMatch(/カテゴリは3階層までです|この項目の内容を確認してください/);

    await page.getByRole('listitem', { name: '予約', exact: true }).getByRole('button', { name: '削除' }).click();
    await page.getByRole('listitem', { name: '予約', exact: true }).waitFor({ state: 'detached' });
    const categories = (await hub.http.get('/api/categories').set(team.admin.auth).expect(200)).body.items as { id: string; path: string[]; level: number }[];
    expect(categories.map((c) => c.path.join('/')).sort()).toEqual(['問い合わせ', '問い合わせ/日程変更', '問い合わせ/日程変更/日時']);
    expect(categories.find((c) => c.path.length === 3)!.level).toBe(3);
    await page.reload();
    await page.getByRole('listitem', { name: '問い合わせ › 日程変更 › 日時' }).waitFor();

    // A canned reply filed under the new level-3 category.
    await open('replies');
    await page.getByRole('button', { name: '編集 :hours' }).click();
    const editor = page.getByRole('form', { name: '定型文を編集' });
    await editor.getByLabel('カテゴリ').selectOption({ label: '問い合わせ › 日程変更 › 日時' });
    await editor.getByRole('button', { name: '保存' }).click();
    await editor.waitFor({ state: 'detached' });
    const leaf = categories.find((c) => c.path.length === 3)!;
    expect((await hub.http.get('/api/canned-replies').set(team.admin.auth).expect(200)).body.items[0].categoryId).toBe(leaf.id);
  });

  it('edits the store URL patterns, tells the store of a pasted URL as the hub would, and keeps the table', async () => {
    await open('stores');
    const form = page.getByRole('form', { name: '店舗とURL' });
    await form.getByRole('button', { name: '行を追加' }).click();
    await form.getByLabel('URLパターン 1').fill('https://clinic.example/shibuya/*');
    await form.getByLabel('店舗 1').fill('渋谷');
    await form.getByRole('button', { name: '行を追加' }).click();
    await form.getByLabel('URLパターン 2').fill('https://clinic.example/reserve*');
    // A pattern without a store and no default store: the hub refuses it, naming the row's store.
    await form.getByRole('button', { name: '保存' }).click();
    await page.locator('[id="field-settings.stores.patterns.1.store-error"]').waitFor();
    await form.getByLabel('既定の店舗').fill('葛西');

    const tester = page.getByRole('region', { name: 'URLを試す' });
    const tryUrl = async (url: string) => {
      await tester.getByLabel('試すURL').fill(url);
      return tester.getByRole('status').textContent();
    };
    // The query string does not decide the store; case does not matter; the default store's pages name none.
    expect(await tryUrl('https://Clinic.example/shibuya/menu?utm_source=line')).toBe('店舗: 渋谷');
    expect(await tryUrl('https://clinic.example/reserve/form')).toBe('店舗: 葛西');
    expect(await tryUrl('https://clinic.example/ikebukuro/')).toBe('どのパターンにも一致しません（店舗不明）');
    await saveIn(form);
    expect((await settings()).stores).toEqual({
      patterns: [{ pattern: 'https://clinic.example/shibuya/*', store: '渋谷' }, { pattern: 'https://clinic.example/reserve*' }],
      defaultStore: '葛西',
    });
    await page.reload();
    expect(await form.getByLabel('店舗 1').inputValue()).toBe('渋谷');
    expect(await form.getByLabel('既定の店舗').inputValue()).toBe('葛西');
  });

  it('edits a report text with its placeholders and preview, refuses an unknown placeholder, and picks the report group', async () => {
    await open('reports');
    const form = page.getByRole('form', { name: 'LINEグループへの報告文' });
    const text = form.getByLabel('対応を始めたとき', { exact: true });
    await text.fill('{agent.surname}が対応します {customer}');
    await form.getByRole('button', { name: '保存' }).click();
    expect(await page.locator('[id="field-settings.reportTexts.taking-error"]').textContent()).toBe('この項目の内容を確認してください。');

    await text.fill('{agent.surname}が対応します ');
    await form.getByRole('button', { name: '{store}' }).click();
    expect(await text.inputValue()).toBe('{agent.surname}が対応します {store}');
    expect(await form.getByRole('figure').textContent()).toContain('山田が対応します 渋谷店');
    await saveIn(form);
    expect((await settings()).reportTexts).toEqual({ taking: '{agent.surname}が対応します {store}' });

    const targets = page.getByRole('region', { name: '報告先のLINEグループ' });
    await targets.getByLabel(/コールセンター/).selectOption({ label: 'スタッフ連絡' });
    await eventually(
      async () => (await hub.http.get('/api/teams/current/report-targets').set(team.admin.auth).expect(200)).body,
      (body) => body.callCenter?.groupId === STAFF_GROUP,
    );
    await page.reload();
    expect(await text.inputValue()).toBe('{agent.surname}が対応します {store}');
    // The targets load on their own after the texts: wait for the choice to be drawn.
    await eventually(() => targets.getByLabel(/コールセンター/).inputValue(), (value) => value === `${lineChannelId}|${STAFF_GROUP}`);
  });

  it('creates an API key shown once with a copy button, and revokes it', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
    await open('api-keys');
    const form = page.getByRole('form', { name: 'キーを作る' });
    await form.getByLabel('キーの名前').fill('ECサイト');
    await form.getByRole('button', { name: 'キーを作る' }).click();
    const created = page.getByRole('region', { name: 'ECサイト' });
    const key = (await created.locator('code').textContent())!;
    expect(key.length).toBeGreaterThan(20);
    await created.getByRole('button', { name: 'コピー' }).click();
    await created.getByRole('status').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key);

    const listed = (await hub.http.get('/api/teams/current/api-keys').set(team.admin.auth).expect(200)).body.items;
    expect(listed).toEqual([expect.objectContaining({ name: 'ECサイト', revokedAt: null })]);
    expect(key.startsWith(listed[0].prefix)).toBe(true);
    // Shown once: after a reload only the prefix is on the page.
    await page.reload();
    await page.getByRole('table').getByText('ECサイト').waitFor();
    expect(await page.getByText(key).count()).toBe(0);

    await page.getByRole('button', { name: '無効にする: ECサイト' }).click();
    await page.getByRole('table').getByText(/無効（/).waitFor();
    expect((await hub.http.get('/api/teams/current/api-keys').set(team.admin.auth).expect(200)).body.items[0].revokedAt).not.toBeNull();
  });

  it('shows every routing and replies screen at desktop and phone width (screenshots)', async () => {
    for (const { name, options } of WIDTHS) {
      const shots = await browser.newContext(options);
      const shot = await openPage(shots, `${hub.url}/app/login`);
      await logIn(shot, team.admin.email);
      for (const section of ['routing', 'replies', 'categories', 'stores', 'reports', 'api-keys']) {
        await shot.goto(`${hub.url}/app/admin/${section}`);
        await shot.locator('main.pane section').first().waitFor();
        await shot.waitForLoadState('networkidle');
        await shot.screenshot({ path: join(SCREENSHOTS, `admin-${section}-${name}.png`), fullPage: true });
      }
      expect(shot.dialogs).toEqual([]);
      await shots.close();
    }
  });
});
