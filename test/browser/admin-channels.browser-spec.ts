import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { join } from 'node:path';
import request from 'supertest';
import { WHATSAPP_WEB_RUNTIME } from '../../src/channels/index.js';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import { startSendgridFake } from '../fakes/sendgrid-fake.js';
import { startTwilioFake } from '../fakes/twilio-fake.js';
import { startWhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import { fakeWhatsAppWebRuntime } from '../fakes/whatsapp-web-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import type { SendgridFake } from '../fakes/sendgrid-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import type { WhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import { eventually } from '../support/eventually.js';
import { TestHub, createTeam, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage } from './browser.js';

/** The widths every screen is shot at: a desk and a phone. */
const WIDTHS = [
  { name: 'desktop', options: { viewport: { width: 1280, height: 860 }, locale: 'ja-JP' } },
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ja-JP' } },
] as const;

const PUBLIC_URL = 'https://hub.example.test';
const LINE_TOKEN = 'line-channel-access-token';
const LINE_SECRET = 'line-channel-secret';
const TWILIO_SID = 'AC' + 'c'.repeat(32);
const TWILIO_TOKEN = 'twilio-auth-token';
const SENDGRID_KEY = 'SG.browser-form-key-0123456789';
const WHATSAPP_TOKEN = 'meta-system-user-token';
const PHONE_NUMBER_ID = '106540352242922';

type ChannelBody = { id: string; name: string; type: string; provider: string; active: boolean; config: Record<string, unknown>; secretsSet: string[] };

// Issue 19, Done-when 1 and 4: an administrator adds channels through the provider's form, never through the HTTP
// API; the check says whether the provider takes the credentials; the hub's refusal shows under the field it names.
describe('Channels screen in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let line: LineFake;
  let twilio: TwilioFake;
  let sendgrid: SendgridFake;
  let cloud: WhatsAppCloudFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let context: BrowserContext;
  let page: Page & { dialogs: string[] };
  // WhatsApp Web's library stands in for the phone's session: the test emits its QR code and its `ready`.
  const whatsappWeb = fakeWhatsAppWebRuntime(1_000);

  const channels = async (): Promise<ChannelBody[]> => (await hub.http.get('/api/channels').set(team.admin.auth).expect(200)).body.items;
  const card = (name: string) => page.getByRole('listitem', { name });
  /** The hub's sentence under a field: the error its input names in aria-describedby (what a screen reader reads with it). */
  const refusalUnder = async (field: Locator): Promise<string> => {
    const described = await eventually(async () => (await field.getAttribute('aria-describedby')) ?? '', (ids) => ids.includes('-error'));
    const errorId = described.split(' ').find((id) => id.endsWith('-error'))!;
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    return (await page.locator(`[id="${errorId}"]`).textContent()) ?? '';
  };
  const startAdding = async (kind: string) => {
    await page.getByLabel('種類').selectOption(kind);
    await page.getByRole('button', { name: 'チャネルを追加' }).click();
  };

  beforeAll(async () => {
    [line, twilio, sendgrid, cloud] = await Promise.all([
      startLineFake({ channelAccessToken: LINE_TOKEN, botName: 'つなぎ整骨院 Bot' }),
      startTwilioFake({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, friendlyName: 'つなぎ整骨院 Twilio' }),
      startSendgridFake({ apiKey: SENDGRID_KEY }),
      startWhatsAppCloudFake({ accessToken: WHATSAPP_TOKEN, phoneNumberId: PHONE_NUMBER_ID, verifiedName: 'つなぎ整骨院', displayPhoneNumber: '+81 3-1234-5678' }),
    ]);
    browser = await launchBrowser();
    hub = await startTestHub({ PUBLIC_URL }, { providers: [{ provide: WHATSAPP_WEB_RUNTIME, useValue: whatsappWeb }] });
    team = await createTeam(hub, 'つなぎ整骨院');
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    context = await browser.newContext(WIDTHS[0].options);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
    page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, team.admin.email);
    await page.goto(`${hub.url}/app/admin/channels`);
    await page.getByText('チャネルはまだありません').waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await hub?.stop();
    await Promise.all([line, twilio, sendgrid, cloud].map((fake) => fake?.close()));
  });

  it('adds a web chat, previews the widget as it is typed, refuses a bad site under its field, and copies the snippet', async () => {
    await startAdding('webchat');
    const form = page.getByRole('form', { name: /Webチャット.*を追加/ });
    await form.getByLabel('表示名').fill('サイトのチャット');
    await form.getByRole('button', { name: '追加する' }).click();
    const chat = card('サイトのチャット');
    await chat.waitFor();
    const [created] = await channels();
    expect(created).toMatchObject({ type: 'webchat', provider: 'webchat', name: 'サイトのチャット', active: true });

    const widget = chat.getByRole('form', { name: 'ウィジェットの設定' });
    const preview = chat.getByRole('region', { name: 'プレビュー' });
    await widget.getByLabel('あいさつ').fill('こんにちは、つなぎ整骨院です。');
    await widget.getByLabel('個人情報の取り扱いについての同意文').fill('お名前と相談内容を予約の対応に使います。');
    await widget.getByLabel('最初の質問（クイック返信）').fill('初めてのご来院ですか？');
    await widget.getByLabel('選択肢（1行に1つ、2〜6個）').fill('はい\nいいえ');
    // The preview follows the typing, before anything is saved.
    await preview.getByText('こんにちは、つなぎ整骨院です。').waitFor();
    await preview.getByText('お名前と相談内容を予約の対応に使います。').waitFor();
    await preview.getByText('初めてのご来院ですか？').waitFor();
    await preview.getByText('いいえ', { exact: true }).waitFor();

    // A site that is not a URL: the hub's sentence shows under that field, and nothing is saved.
    const sites = widget.getByLabel('ウィジェットを置けるサイト（1行に1つ）');
    await sites.fill('shop.example.jp');
    await widget.getByRole('button', { name: '保存' }).click();
    expect(await refusalUnder(sites)).not.toBe('');
    expect((await channels())[0].config.greeting).toBeUndefined();

    await sites.fill('https://shop.example.jp');
    await widget.getByRole('button', { name: '保存' }).click();
    await widget.getByRole('status').filter({ hasText: '保存しました' }).waitFor();
    expect((await channels())[0].config).toMatchObject({
      greeting: 'こんにちは、つなぎ整骨院です。',
      consentText: 'お名前と相談内容を予約の対応に使います。',
      preChat: { question: '初めてのご来院ですか？', options: ['はい', 'いいえ'] },
      allowedOrigins: ['https://shop.example.jp'],
    });

    await chat.getByRole('button', { name: /コピー: 埋め込みコード/ }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(`<script src="${hub.url}/widget.js" data-channel="${created.id}"></script>`);
  });

  it('adds a LINE channel against the LINE fake, checks it, shows a wrong token’s refusal, and copies the webhook address', async () => {
    await startAdding('line');
    const form = page.getByRole('form', { name: /LINE公式アカウント.*を追加/ });
    await form.getByLabel('表示名').fill('LINE公式');
    // Without the credentials: the hub's refusal shows under the field it names.
    await form.getByRole('button', { name: '追加する' }).click();
    const secret = form.getByLabel('チャネルシークレット');
    expect(await refusalUnder(secret)).not.toBe('');
    expect(await channels()).toHaveLength(1);

    await secret.fill(LINE_SECRET);
    await form.getByLabel('チャネルアクセストークン（長期）').fill(LINE_TOKEN);
    // The fake stands in for api.line.me through the advanced "API address", which self-hosters use for a proxy.
    await form.getByText('詳細設定（通常は空欄のまま）').click();
    await form.getByLabel('APIの接続先', { exact: true }).fill(line.url);
    await form.getByRole('button', { name: '追加する' }).click();
    const lineCard = card('LINE公式');
    await lineCard.waitFor();
    const stored = (await channels()).find((c) => c.name === 'LINE公式')!;
    expect(stored).toMatchObject({ type: 'line', provider: 'line', config: { apiBaseUrl: line.url } });
    expect(stored.secretsSet.sort()).toEqual(['channelAccessToken', 'channelSecret']);
    // Secrets are write-only: neither appears anywhere in the page.
    expect(await page.content()).not.toContain(LINE_TOKEN);

    await lineCard.getByRole('button', { name: '接続を確認' }).click();
    const passed = lineCard.getByRole('status').filter({ hasText: '接続できました' });
    await passed.waitFor();
    await passed.getByText('アカウント: つなぎ整骨院 Bot').waitFor();

    // A wrong token, typed in the edit form with the secret left blank: LINE refuses it and the page says what to fix.
    await lineCard.getByRole('button', { name: '設定を変更' }).click();
    const edit = lineCard.getByRole('form', { name: '設定を変更: LINE公式' });
    expect(await edit.getByLabel('チャネルシークレット').inputValue()).toBe('');
    expect(await edit.getByLabel('チャネルシークレット').getAttribute('placeholder')).toBe('保存済み（変更するときだけ入力）');
    await edit.getByLabel('チャネルアクセストークン（長期）').fill('not-the-token');
    await edit.getByRole('button', { name: '保存' }).click();
    await edit.waitFor({ state: 'detached' });
    await lineCard.getByRole('button', { name: '接続を確認' }).click();
    const refused = lineCard.getByRole('alert').filter({ hasText: '接続できません' });
    await refused.waitFor();
    await refused.getByText(/コピーし直し/).waitFor();
    await refused.getByText(/サービスの応答: 401/).waitFor();

    // The secret left blank was kept: a webhook signed with it is still accepted.
    const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events: [] });
    await request(hub.url).post(`/webhooks/line/${stored.id}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(LINE_SECRET, body)).send(body).expect(200);

    await lineCard.getByRole('button', { name: '設定を変更' }).click();
    await edit.getByLabel('チャネルアクセストークン（長期）').fill(LINE_TOKEN);
    await edit.getByRole('button', { name: '保存' }).click();
    await edit.waitFor({ state: 'detached' });
    await lineCard.getByRole('button', { name: '接続を確認' }).click();
    await passed.waitFor();

    await lineCard.getByRole('button', { name: 'コピー: Webhook URL' }).click();
    await lineCard.getByRole('status').filter({ hasText: 'コピーしました' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(`${PUBLIC_URL}/webhooks/line/${stored.id}`);
  });

  it('switches a channel off and on, and removes one', async () => {
    const lineCard = card('LINE公式');
    const lineActive = async () => (await channels()).find((c) => c.name === 'LINE公式')!.active;
    await lineCard.getByRole('button', { name: '停止する' }).click();
    await lineCard.getByRole('status').filter({ hasText: '停止中' }).waitFor();
    expect(await lineActive()).toBe(false);
    await lineCard.getByRole('button', { name: '再開する' }).click();
    await lineCard.getByRole('status').filter({ hasText: '受付中' }).waitFor();
    expect(await lineActive()).toBe(true);

    const chat = card('サイトのチャット');
    await chat.getByRole('button', { name: '削除' }).click();
    await chat.getByRole('button', { name: '本当に削除する' }).click();
    await chat.waitFor({ state: 'detached' });
    expect((await channels()).map((c) => c.name)).toEqual(['LINE公式']);
    expect(page.dialogs).toEqual([]);
  });

  it('keeps a WhatsApp Cloud number’s templates through the form, with a bad name refused under the list', async () => {
    const created = await hub.http
      .post('/api/channels')
      .set(team.admin.auth)
      .send({ type: 'whatsapp', provider: 'whatsapp-cloud', name: 'WhatsApp 本店', config: { phoneNumberId: '1234567890', accessToken: 'meta-access-token', appSecret: 'meta-app-secret', verifyToken: 'meta-verify-token' } })
      .expect(201);
    await page.reload();
    const templates = card('WhatsApp 本店').getByRole('form', { name: 'メッセージテンプレート' });
    await templates.getByText('テンプレートはまだありません').waitFor();
    await templates.getByRole('button', { name: 'テンプレートを追加' }).click();
    await templates.getByLabel('テンプレート名').fill('Reservation Reminder');
    await templates.getByLabel('変数（{{1}}, {{2}}… の順にカンマ区切り）').fill('お名前, 日時');
    await templates.getByLabel('本文（{{1}} などを含めて）').fill('{{1}}様、{{2}}のご予約をお待ちしております。');
    await templates.getByRole('button', { name: '保存' }).click();
    // WhatsApp Manager's names are lower case: the refusal shows under the list, in Japanese (the error catalog's
    // sentence, never the hub's English), and nothing is kept.
    await templates.getByRole('alert').filter({ hasText: /入力内容に誤りがあります|この項目の内容を確認してください/ }).waitFor();
    const stored = async () => (await hub.http.get(`/api/channels/${created.body.id}`).set(team.admin.auth).expect(200)).body.config.templates;
    expect(await stored()).toEqual([]);

    await templates.getByLabel('テンプレート名').fill('reservation_reminder');
    await templates.getByRole('button', { name: '保存' }).click();
    await templates.getByRole('status').filter({ hasText: '保存しました' }).waitFor();
    expect(await stored()).toEqual([{ name: 'reservation_reminder', language: 'ja', variables: ['お名前', '日時'], text: '{{1}}様、{{2}}のご予約をお待ちしております。' }]);
    // The secrets the API was given stay unseen in the page.
    expect(await page.content()).not.toContain('meta-access-token');
  });

  it('adds a WhatsApp Web channel and shows its QR code while it waits for the phone, then that it is paired', async () => {
    await startAdding('whatsapp-web');
    const form = page.getByRole('form', { name: /WhatsApp Web.*を追加/ });
    await form.getByLabel('表示名').fill('WhatsApp 店頭');
    await form.getByLabel('セッション名').fill('店頭の電話');
    await form.getByRole('button', { name: '追加する' }).click();
    // The session name becomes a folder name of the library's: the hub's rule shows under the field.
    expect(await refusalUnder(form.getByLabel('セッション名'))).toBe('この項目の内容を確認してください。');
    await form.getByLabel('セッション名').fill('shop-front');
    await form.getByRole('button', { name: '追加する' }).click();
    const webCard = card('WhatsApp 店頭');
    const pairing = webCard.getByRole('region', { name: 'WhatsAppとの連携' });
    await pairing.waitFor();

    const client = await eventually(async () => whatsappWeb.clients.find((c) => c.options.sessionName === 'shop-front'), (c) => c !== undefined);
    client!.emit('qr', '2@pairing-code-from-whatsapp');
    await pairing.getByRole('img', { name: 'WhatsApp Web の QRコード' }).waitFor({ timeout: 15_000 });
    await webCard.getByRole('button', { name: '接続を確認' }).click();
    await webCard.getByRole('alert').filter({ hasText: 'リンク済みデバイス' }).waitFor();

    client!.emit('ready');
    await pairing.getByRole('status').filter({ hasText: '連携済み' }).waitFor({ timeout: 15_000 });
    expect(await pairing.getByRole('img').count()).toBe(0);
    await webCard.getByRole('button', { name: '接続を確認' }).click();
    await webCard.getByRole('status').filter({ hasText: '接続できました' }).waitFor();
  });

  // Done-when 4 for the providers the cases above do not add: each form walked once and its check asked of the fake.
  it('adds a Twilio SMS number, a Twilio WhatsApp sender, a SendGrid address and a WhatsApp Cloud number through their forms, and checks each', async () => {
    const kinds = [
      { kind: 'twilio-sms', title: /SMS（Twilio）.*を追加/, name: 'SMS 受付', type: 'sms', provider: 'twilio', apiBaseUrl: twilio.url, account: 'つなぎ整骨院 Twilio', fields: { 'Account SID': TWILIO_SID, 'Auth Token': TWILIO_TOKEN, 送信元の番号: '+15005550006' } },
      { kind: 'twilio-whatsapp', title: /WhatsApp（Twilio）.*を追加/, name: 'WhatsApp Twilio', type: 'whatsapp', provider: 'twilio', apiBaseUrl: twilio.url, account: 'つなぎ整骨院 Twilio', fields: { 'Account SID': TWILIO_SID, 'Auth Token': TWILIO_TOKEN, 送信元の番号: 'whatsapp:+14155238886' } },
      { kind: 'sendgrid', title: /メール（SendGrid）.*を追加/, name: 'メール受付', type: 'email', provider: 'sendgrid', apiBaseUrl: sendgrid.url, account: 'support@clinic.example.jp', fields: { 送信元メールアドレス: 'support@clinic.example.jp', 送信者名: 'つなぎ整骨院', APIキー: SENDGRID_KEY } },
      { kind: 'whatsapp-cloud', title: /WhatsApp（Meta Cloud API）.*を追加/, name: 'WhatsApp Cloud', type: 'whatsapp', provider: 'whatsapp-cloud', apiBaseUrl: cloud.apiBaseUrl, account: 'つなぎ整骨院 +81 3-1234-5678', fields: { 電話番号ID: PHONE_NUMBER_ID, アクセストークン: WHATSAPP_TOKEN, アプリシークレット: 'meta-app-secret' } },
    ];
    for (const { kind, title, name, type, provider, apiBaseUrl, account, fields } of kinds) {
      await startAdding(kind);
      const form = page.getByRole('form', { name: title });
      await form.getByLabel('表示名').fill(name);
      for (const [label, value] of Object.entries(fields)) await form.getByLabel(label, { exact: true }).fill(value);
      // The token pasted into the provider's console (SendGrid's Inbound Parse, Meta's verify token) is made by the page.
      const generate = form.getByRole('button', { name: '作成' });
      if ((await generate.count()) > 0) await generate.click();
      await form.getByText('詳細設定（通常は空欄のまま）').click();
      await form.getByLabel('APIの接続先', { exact: true }).fill(apiBaseUrl);
      await form.getByRole('button', { name: '追加する' }).click();
      const added = card(name);
      await added.getByRole('button', { name: '接続を確認' }).click();
      await added.getByRole('status').filter({ hasText: '接続できました' }).getByText(`アカウント: ${account}`).waitFor();
      const stored = (await channels()).find((c) => c.name === name);
      expect(stored).toMatchObject({ type, provider, active: true, config: { apiBaseUrl } });
    }
    expect((await channels()).find((c) => c.name === 'メール受付')!.secretsSet.sort()).toEqual(['apiKey', 'inboundToken']);
    expect((await channels()).find((c) => c.name === 'WhatsApp Cloud')!.secretsSet.sort()).toEqual(['accessToken', 'appSecret', 'verifyToken']);
    // Each check reached its provider with the credentials typed in the form.
    expect(twilio.requests.filter((r) => r.path === `/2010-04-01/Accounts/${TWILIO_SID}.json`)).toHaveLength(2);
    expect(sendgrid.requests.some((r) => r.path === '/v3/scopes' && r.headers.authorization === `Bearer ${SENDGRID_KEY}`)).toBe(true);
    expect(cloud.requests.some((r) => r.path.endsWith(`/${PHONE_NUMBER_ID}`) && r.headers.authorization === `Bearer ${WHATSAPP_TOKEN}`)).toBe(true);
    expect(page.dialogs).toEqual([]);
  });

  it('shows the channels screen and each provider’s form at desktop and phone width (screenshots)', async () => {
    // A web chat again, so the list shows both kinds of card.
    await hub.http.post('/api/channels').set(team.admin.auth).send({ type: 'webchat', provider: 'webchat', name: 'ホームページ', config: { greeting: 'こんにちは' } }).expect(201);
    for (const { name, options } of WIDTHS) {
      const shots = await browser.newContext(options);
      const shot = await openPage(shots, `${hub.url}/app/login`);
      await logIn(shot, team.admin.email);
      await shot.goto(`${hub.url}/app/admin/channels`);
      await shot.getByRole('listitem', { name: 'WhatsApp 本店' }).waitFor();
      await shot.waitForLoadState('networkidle');
      await shot.screenshot({ path: join(SCREENSHOTS, `admin-channels-${name}.png`), fullPage: true });
      for (const kind of ['webchat', 'line', 'twilio-sms', 'twilio-whatsapp', 'whatsapp-cloud', 'whatsapp-web', 'sendgrid']) {
        await shot.getByLabel('種類').selectOption(kind);
        const add = shot.getByRole('button', { name: 'チャネルを追加' });
        if (await add.isEnabled()) await add.click();
        const form = shot.locator('form.channel-form');
        await form.waitFor();
        await form.screenshot({ path: join(SCREENSHOTS, `admin-channels-add-${kind}-${name}.png`) });
      }
      expect(shot.dialogs).toEqual([]);
      await shots.close();
    }
  });
});
