import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestHub, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { eventually } from '../support/eventually.js';
import { startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake } from '../fakes/sendgrid-fake.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage, openWidget } from './browser.js';

describe('The inbox and the widget in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let channelId: string;
  let sendgrid: SendgridFake;

  beforeAll(async () => {
    sendgrid = await startSendgridFake({ apiKey: 'SG.browser-proof-key-0123456789' });
    browser = await launchBrowser();
    hub = await startTestHub();
    team = await createTeam(hub, 'つなぎ雑貨店');
    channelId = await createWebchat(hub, team.admin, { greeting: 'いらっしゃいませ。ご質問はお気軽にどうぞ。' });
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    await hub.http.post('/api/canned-replies').set(team.admin.auth).send({ shortCode: '7', title: '担当のご挨拶', body: '{agent.surname}が承ります。' }).expect(201);
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await sendgrid?.close();
  });

  // Guards: the message form's typed address used without proof; here the visitor proves it in the widget's code field.
  it('asks for the code mailed to the address left in the message form, and confirms it', async () => {
    const shopTeam = await createTeam(hub, '確認テスト店');
    await hub.http.put('/api/members/me/status').set(shopTeam.admin.auth).send({ status: 'offline' }).expect(200);
    const shopChannel = await createWebchat(hub, shopTeam.admin);
    await hub.http
      .post('/api/channels')
      .set(shopTeam.admin.auth)
      .send({ type: 'email', provider: 'sendgrid', name: 'Support', config: { apiKey: 'SG.browser-proof-key-0123456789', fromEmail: 'support@shop.example.jp', inboundToken: 'browser-proof-token-0123456789', apiBaseUrl: sendgrid.url } })
      .expect(201);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const shop = await openPage(context, `${hub.url}/demo?channel=${shopChannel}`);
    await openWidget(shop);
    const input = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await input.fill('どなたかいますか');
    await input.press('Enter');
    const form = shop.getByRole('form', { name: 'メッセージを残す' });
    await form.getByRole('textbox', { name: 'メールアドレス' }).fill('visitor@customer.example');
    await form.getByRole('textbox', { name: 'お問い合わせ内容' }).fill('明日の予約はできますか');
    await form.getByRole('button', { name: '送る' }).click();

    const proof = shop.getByRole('form', { name: /確認コード/ });
    await proof.getByText('6桁の確認コード').waitFor();
    const mail = await eventually(async () => sendgrid.sent.find((m) => m.body.personalizations[0].to[0].email === 'visitor@customer.example'), (m) => !!m);
    const code = /\b(\d{6})\b/.exec(mail!.body.content![0].value)![1];
    await proof.getByRole('textbox', { name: '確認コード' }).fill(code);
    await proof.getByRole('button', { name: '確認' }).click();
    await shop.getByText('確認できました。').waitFor();
    await eventually(() => hub.infra.db.visitorClaim.findFirst({ where: { channelId: shopChannel, address: 'visitor@customer.example' } }), (claim) => !!claim?.provedAt);
    await context.close();
  });

  it('lets a customer and an agent talk both ways: the draft shows live, :7 expands, Shift+Enter breaks the line, Enter sends, and markup stays text', async () => {
    const agent = await addMember(hub, team, { name: '山本 二郎' });
    const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const inbox = await openPage(agentContext, `${hub.url}/app`);
    await logIn(inbox, agent.email);

    const shopContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const shop = await openPage(shopContext, `${hub.url}/demo?channel=${channelId}`);
    await openWidget(shop);
    const widgetInput = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await widgetInput.fill('こんにちは、湯のみの在庫はありますか？');
    await widgetInput.press('Enter');

    // The offer rings with a countdown; the agent takes it and the thread opens.
    const offer = inbox.locator('.offer').filter({ hasText: '湯のみの在庫' });
    await offer.getByRole('timer').filter({ hasText: /残り\d+秒/ }).waitFor({ timeout: 10_000 });
    await offer.getByRole('button', { name: '受ける' }).click();
    await inbox.locator('.thread').getByText('こんにちは、湯のみの在庫はありますか？').waitFor();

    // What the customer is typing reaches the agent before it is sent.
    await widgetInput.pressSequentially('予約もできますか', { delay: 30 });
    await inbox.getByText('入力中: 予約もできますか').waitFor({ timeout: 10_000 });

    const composer = inbox.getByRole('textbox', { name: '返信' });
    await composer.pressSequentially(':7 ', { delay: 30 });
    await eventually(() => composer.inputValue(), (value) => value === '山本が承ります。');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('在庫はございます。', { delay: 10 });
    expect(await composer.inputValue()).toBe('山本が承ります。\n在庫はございます。');
    await composer.press('Enter');
    await eventually(() => composer.inputValue(), (value) => value === '');
    const answer = shop.locator('.log .theirs .body').filter({ hasText: '山本が承ります。' });
    await answer.waitFor({ timeout: 10_000 });
    expect(await answer.innerText()).toBe('山本が承ります。\n在庫はございます。');
    const uses = await hub.http.get('/api/canned-replies').set(agent.auth).expect(200);
    expect(uses.body.items[0].uses).toEqual({ total: 1, mine: 1 });

    // Markup from a customer is shown as text: no image element, no dialog.
    await widgetInput.fill('<img src=x onerror=alert(1)>');
    await widgetInput.press('Enter');
    const hostile = inbox.locator('.thread .body').filter({ hasText: '<img src=x onerror=alert(1)>' });
    await hostile.waitFor({ timeout: 10_000 });
    expect(await inbox.locator('.thread img').count()).toBe(0);
    expect(await shop.locator('.log img').count()).toBe(0);
    expect(inbox.dialogs).toEqual([]);
    expect(shop.dialogs).toEqual([]);

    // The shop's server reports a purchase from this browser: the agent who chatted is credited and told.
    const visitorId = await shop.evaluate(`JSON.parse(localStorage.getItem('tsunagi:${channelId}')).visitorId`);
    const key = await hub.http.post('/api/teams/current/api-keys').set(team.admin.auth).send({ name: 'shop' }).expect(201);
    const purchase = await hub.http
      .post('/api/purchases')
      .set('Authorization', `Bearer ${key.body.key}`)
      .send({ orderId: 'ORD-1001', visitorId, amount: 2800, currency: 'JPY', occurredAt: new Date().toISOString() })
      .expect(201);
    expect(purchase.body.attributedTo).toMatchObject({ memberId: agent.id });
    await inbox.getByText(/売上が記録されました ORD-1001/).waitFor({ timeout: 10_000 });
    await inbox.getByText(/売上1件/).waitFor({ timeout: 10_000 });

    await inbox.screenshot({ path: join(SCREENSHOTS, 'inbox-desktop.png') });
    await shop.screenshot({ path: join(SCREENSHOTS, 'widget.png') });
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ja-JP' });
    const small = await openPage(phone, `${hub.url}/app`);
    await logIn(small, agent.email);
    await small.screenshot({ path: join(SCREENSHOTS, 'inbox-phone-list.png') });
    await small.locator('.row').first().click();
    await small.locator('.thread').getByText('在庫はございます。').waitFor();
    await small.screenshot({ path: join(SCREENSHOTS, 'inbox-phone-conversation.png') });
    await Promise.all([agentContext.close(), shopContext.close(), phone.close()]);
  });

  it('sends a message again while the hub answers it is busy, and it is stored once', async () => {
    const shopContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    // Between the page and the hub, the first two sends of the message are answered as a hub storing a burst answers
    // them (socket.io's ack of a refusal with ingest_busy); every other frame passes through.
    let refused = 0;
    await shopContext.routeWebSocket(/\/socket\.io\//, (page) => {
      const hub = page.connectToServer();
      page.onMessage((frame) => {
        const send = typeof frame === 'string' ? /^42\/widget,(\d+)\["message"/.exec(frame) : null;
        if (send && refused < 2) {
          refused++;
          page.send(`43/widget,${send[1]}[${JSON.stringify({ ok: false, code: 'ingest_busy', message: 'busy', retryAfterSeconds: 1 })}]`);
          return;
        }
        hub.send(frame);
      });
    });
    const shop = await openPage(shopContext, `${hub.url}/demo?channel=${channelId}`);
    await openWidget(shop);
    const input = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await input.fill('混雑中でも届きますか');
    await input.press('Enter');

    await shop.locator('.log .mine .body').filter({ hasText: '混雑中でも届きますか' }).waitFor({ timeout: 15_000 });
    expect(refused).toBe(2);
    expect(await input.inputValue()).toBe('');
    expect(await hub.infra.db.message.count({ where: { body: '混雑中でも届きますか' } })).toBe(1);
    await shopContext.close();
  });

  it('rings an offer on two agents’ pages with a countdown; when one accepts, it disappears from the other', async () => {
    const first = await addMember(hub, team, { name: '田中 一郎' });
    const second = await addMember(hub, team, { name: '鈴木 花子' });
    const contexts = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()]);
    const [pageA, pageB] = await Promise.all([openPage(contexts[0], `${hub.url}/app`), openPage(contexts[1], `${hub.url}/app`)]);
    await logIn(pageA, first.email);
    await logIn(pageB, second.email);
    const shop = await openPage(contexts[2], `${hub.url}/demo?channel=${channelId}`);
    await openWidget(shop);
    const input = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await input.fill('ギフト包装はできますか');
    await input.press('Enter');

    const offerA = pageA.locator('.offer').filter({ hasText: 'ギフト包装' });
    const offerB = pageB.locator('.offer').filter({ hasText: 'ギフト包装' });
    await offerA.getByRole('timer').filter({ hasText: /残り\d+秒/ }).waitFor({ timeout: 10_000 });
    await offerB.getByRole('timer').filter({ hasText: /残り\d+秒/ }).waitFor({ timeout: 10_000 });
    const secondsLeft = async () => Number((await offerA.getByRole('timer').innerText()).match(/\d+/)![0]);
    const before = await secondsLeft();
    await eventually(secondsLeft, (left) => left < before, 5_000);

    await offerB.getByRole('button', { name: '受ける' }).click();
    await offerA.waitFor({ state: 'detached', timeout: 10_000 });
    await pageB.locator('.thread').getByText('ギフト包装はできますか').waitFor();
    await Promise.all(contexts.map((context) => context.close()));
  });

  it('lets a supervisor approve a trainee’s draft from the supervision screen; only then does the customer see it', async () => {
    const trainee = await addMember(hub, team, { name: '新人 三郎', training: true });
    await hub.http.put('/api/members/me/status').set(trainee.auth).send({ status: 'offline' }).expect(200);
    const supervisor = await addMember(hub, team, { name: '主任 四郎', role: 'supervisor' });
    const contexts = await Promise.all([browser.newContext({ viewport: { width: 1280, height: 800 } }), browser.newContext()]);
    const shop = await openPage(contexts[1], `${hub.url}/demo?channel=${channelId}`);
    await openWidget(shop);
    const input = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await input.fill('営業時間を教えてください');
    await input.press('Enter');
    const conversation = await eventually(
      () => hub.infra.db.message.findFirst({ where: { body: '営業時間を教えてください' } }),
      (row) => row !== null);
    const draft = await hub.http.post(`/api/conversations/${conversation!.conversationId}/messages`).set(trainee.auth).send({ body: '10時から19時までです' }).expect(201);
    expect(draft.body.status).toBe('pending_approval');

    const page = await openPage(contexts[0], `${hub.url}/app`);
    await logIn(page, supervisor.email);
    await page.getByRole('link', { name: '監督' }).click();
    const item = page.locator('.draft').filter({ hasText: '10時から19時までです' });
    await item.waitFor();
    expect(await item.innerText()).toContain('新人 三郎');
    expect(await shop.locator('.log').innerText()).not.toContain('10時から19時までです');
    await page.screenshot({ path: join(SCREENSHOTS, 'inbox-supervision.png') });
    await item.getByRole('button', { name: '承認して送信' }).click();
    await shop.locator('.log .theirs').filter({ hasText: '10時から19時までです' }).waitFor({ timeout: 10_000 });
    await item.waitFor({ state: 'detached' });
    await Promise.all(contexts.map((context) => context.close()));
  });

  it('lets an administrator change the widget’s greeting from the admin screen; the shop page shows it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await openPage(context, `${hub.url}/app`);
    await logIn(page, team.admin.email);
    await page.getByRole('link', { name: '管理' }).click();
    await page.getByRole('link', { name: 'チャネル' }).click();
    expect(new URL(page.url()).pathname).toBe('/app/admin/channels');
    const settings = page.getByRole('form', { name: 'ウィジェットの設定' }).first();
    await settings.getByLabel('あいさつ').fill('本日は19時まで営業しています。');
    await settings.getByRole('button', { name: '保存' }).click();
    await eventually(
      async () => (await hub.http.get(`/api/channels/${channelId}`).set(team.admin.auth)).body.config.greeting,
      (greeting) => greeting === '本日は19時まで営業しています。');
    await page.screenshot({ path: join(SCREENSHOTS, 'inbox-admin.png') });
    const shop = await openPage(context, `${hub.url}/demo?channel=${channelId}`);
    await shop.evaluate('localStorage.clear()');
    await shop.reload();
    await shop.getByRole('button', { name: 'チャットで問い合わせる' }).click();
    await shop.getByText('本日は19時まで営業しています。').waitFor();
    await context.close();
  });

  it('shows what went wrong and a reload button, not a blank page, when an answer is not what the inbox expects', async () => {
    const context = await browser.newContext();
    // An answer shaped unlike the hub's: today's figure without its sales.
    await context.route('**/api/sales/figures*', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ items: [{ chats: 1 }] }) }));
    const page = await openPage(context, `${hub.url}/app`);
    await page.getByLabel('メールアドレス').fill(team.admin.email);
    await page.getByLabel('パスワード').fill('correct horse');
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByRole('alert').filter({ hasText: '画面を表示できませんでした' }).waitFor();
    await page.getByRole('button', { name: '再読み込み' }).waitFor();
    await context.close();
  });

  it('reconnects the widget after the hub restarts and shows every message once, in order', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-restart-'));
    const port = String(20000 + Math.floor(Math.random() * 20000));
    let persistent = await startTestHub({ PORT: port }, { dataDir, memoryDatabase: false });
    try {
      const owner = await createTeam(persistent, '本店');
      const chat = await createWebchat(persistent, owner.admin);
      const context = await browser.newContext();
      const shop = await openPage(context, `${persistent.url}/demo?channel=${chat}`);
      await openWidget(shop);
      const input = shop.getByRole('textbox', { name: /メッセージを入力/ });
      await input.fill('一通目');
      await input.press('Enter');
      await shop.locator('.log .mine').filter({ hasText: '一通目' }).waitFor();
      const conversation = await persistent.infra.db.conversation.findFirstOrThrow({ where: { channelId: chat } });
      await persistent.http.post(`/api/conversations/${conversation.id}/messages`).set(owner.admin.auth).send({ body: '二通目（再起動前）' }).expect(201);
      await shop.getByText('二通目（再起動前）').waitFor({ timeout: 10_000 });

      await persistent.stop();
      await shop.getByText('再接続しています…').waitFor({ timeout: 10_000 });
      persistent = await startTestHub({ PORT: port }, { dataDir, memoryDatabase: false });
      const admin = await persistent.http.post('/api/auth/login').send({ email: owner.admin.email, password: 'correct horse' }).expect(200);
      await persistent.http.post(`/api/conversations/${conversation.id}/messages`).set({ Authorization: `Bearer ${admin.body.accessToken}` }).send({ body: '三通目（再起動後）' }).expect(201);
      await shop.getByText('三通目（再起動後）').waitFor({ timeout: 20_000 });
      await input.fill('四通目');
      await input.press('Enter');
      await shop.locator('.log .mine').filter({ hasText: '四通目' }).waitFor();
      const texts = await shop.locator('.log li .body').allInnerTexts();
      expect(texts).toEqual(['一通目', '二通目（再起動前）', '三通目（再起動後）', '四通目']);
      // One page load, one page view: the reconnection did not count as another.
      expect(await persistent.infra.db.shopperEvent.count({ where: { channelId: chat, type: 'page_view' } })).toBe(1);
      await context.close();
    } finally {
      await persistent.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
