import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { bookingsGroup } from '../support/bookings-group.js';
import { eventually } from '../support/eventually.js';
import { TestHub, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, WIDTHS, launchBrowser, logIn, openPage } from './browser.js';

const ACCOUNT_SID = 'AC' + 'd'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-browser-widget';
const LINE_TOKEN = 'line-access-token-browser-widget';
const LINE_SECRET = 'line-secret-browser-widget';

/** Today in Tokyo, as business hours name a holiday (`2026-12-07`). */
function tokyoToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Tomorrow at 10:00 in Tokyo, written as the widget writes an opening for a Japanese visitor in Tokyo. */
function tomorrowAtTenInTokyo(): string {
  const tomorrow = new Date(`${tokyoToday()}T10:00:00+09:00`);
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
  return new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', month: 'long', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(tomorrow);
}

describe('The widget’s launch state, message form by SMS and intake in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let twilio: TwilioFake;
  let line: LineFake;

  beforeAll(async () => {
    twilio = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    line = await startLineFake({ channelAccessToken: LINE_TOKEN });
    browser = await launchBrowser();
    hub = await startTestHub();
    // A hub, a browser and two fakes: slow to start on a loaded machine.
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await twilio?.close();
    await line?.close();
  });

  async function shopPage(channelId: string, width: (typeof WIDTHS)[number] = WIDTHS[0]): Promise<Page> {
    const context = await browser.newContext({ ...width.options, timezoneId: 'Asia/Tokyo' });
    return openPage(context, `${hub.url}/demo?channel=${channelId}`);
  }

  // Done when 3: closed, the widget says when it opens and offers the form at once; a proved phone is answered by SMS.
  it('shows the next opening time and the message form at once on a closed team; a phone proved with its code is answered by SMS, an unproved one gets nothing', async () => {
    const team = await createTeam(hub, 'つなぎ整骨院');
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    // Every day 10:00-18:00, and today a holiday: closed now, open tomorrow at 10:00.
    const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { businessHours: { weekly: [{ days: everyDay, open: '10:00', close: '18:00' }], holidays: [tokyoToday()] } } }).expect(200);
    const channelId = await createWebchat(hub, team.admin);
    await hub.http
      .post('/api/channels')
      .set(team.admin.auth)
      .send({ type: 'sms', provider: 'twilio', name: 'SMS', config: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: twilio.url, from: '+15005550006', sendsPerSecond: 200 } })
      .expect(201);

    for (const width of WIDTHS) {
      const shop = await shopPage(channelId, width);
      await shop.getByRole('button', { name: 'チャットで問い合わせる' }).click();
      await shop.getByRole('status').filter({ hasText: `次の営業開始は ${tomorrowAtTenInTokyo()} です` }).waitFor();
      // The form is there before the visitor has written anything.
      await shop.getByRole('form', { name: 'メッセージを残す' }).waitFor();
      expect(await hub.infra.db.message.count({ where: { channelId } })).toBe(0);
      await shop.screenshot({ path: join(SCREENSHOTS, `widget-closed-${width.name}.png`) });
      await shop.context().close();
    }

    const shop = await shopPage(channelId);
    await shop.getByRole('button', { name: 'チャットで問い合わせる' }).click();
    await shop.getByRole('checkbox').check();
    const form = shop.getByRole('form', { name: 'メッセージを残す' });
    // Neither an email nor a phone: the widget says what is missing.
    await form.getByRole('textbox', { name: 'お問い合わせ内容' }).fill('明日の予約を変更したいです');
    await form.getByRole('button', { name: '送る' }).click();
    await shop.getByRole('status').filter({ hasText: 'メールアドレスか電話番号のどちらかをご入力ください。' }).waitFor();
    await form.getByRole('textbox', { name: /電話番号/ }).fill('090-2222-3333');
    await form.getByRole('button', { name: '送る' }).click();
    const proof = shop.getByRole('form', { name: /確認コード/ });
    await proof.getByText('SMSで6桁の確認コード').waitFor();
    const toVisitor = () => twilio.sent.filter((m) => m.form.To === '+819022223333');
    const [codeSms] = await eventually(async () => toVisitor(), (sent) => sent.length === 1);
    const conversation = await eventually(() => hub.infra.db.conversation.findFirst({ where: { teamId: team.teamId, threadKey: 'phone:+819022223333' } }), (row) => !!row);
    // Before the proof the agent's answer does not go.
    expect((await hub.http.post(`/api/conversations/${conversation!.id}/messages`).set(team.admin.auth).send({ body: '承知しました' }).expect(409)).body.code).toBe('address_unproven');
    await proof.getByRole('textbox', { name: '確認コード' }).fill(/\b(\d{6})\b/.exec(String(codeSms.form.Body))![1]);
    await proof.getByRole('button', { name: '確認' }).click();
    await shop.getByText('確認できました。').waitFor();
    await hub.http.post(`/api/conversations/${conversation!.id}/messages`).set(team.admin.auth).send({ body: '明日11時に変更しました' }).expect(201);
    await eventually(async () => toVisitor(), (sent) => sent.some((m) => String(m.form.Body) === '明日11時に変更しました'));
    await shop.context().close();

    // Another visitor leaves a number and never enters its code: the number gets the code, nothing else.
    const other = await shopPage(channelId);
    await other.getByRole('button', { name: 'チャットで問い合わせる' }).click();
    await other.getByRole('checkbox').check();
    const otherForm = other.getByRole('form', { name: 'メッセージを残す' });
    await otherForm.getByRole('textbox', { name: /電話番号/ }).fill('080-4444-5555');
    await otherForm.getByRole('textbox', { name: 'お問い合わせ内容' }).fill('折り返しお願いします');
    await otherForm.getByRole('button', { name: '送る' }).click();
    await other.getByRole('form', { name: /確認コード/ }).getByText('SMSで6桁の確認コード').waitFor();
    const toOther = () => twilio.sent.filter((m) => m.form.To === '+818044445555');
    await eventually(async () => toOther(), (sent) => sent.length === 1);
    const unproved = await hub.infra.db.conversation.findFirstOrThrow({ where: { teamId: team.teamId, threadKey: 'phone:+818044445555' } });
    expect((await hub.http.post(`/api/conversations/${unproved.id}/messages`).set(team.admin.auth).send({ body: '承知しました' }).expect(409)).body.code).toBe('address_unproven');
    expect(toOther().map((m) => String(m.form.Body))).toEqual([expect.stringMatching(/確認コード: \d{6}/)]);
    await other.context().close();
  }, 180_000);

  // Done when 4: the clinic's intake is stored on the conversation, shown to the agent and used in the booked report.
  it('walks the clinic intake 予約希望 -> 初診 -> date, shows the answers to the agent, and puts them in the booked report; Escape closes and focus returns', async () => {
    const team = await createTeam(hub, 'つなぎクリニック');
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    const desk = await addMember(hub, team, { name: '山本 予約' });
    const group = await hub.http.post('/api/groups').set(team.admin.auth).send({ name: '予約デスク', memberIds: [desk.id] }).expect(201);
    const channelId = await createWebchat(hub, team.admin, {
      appearance: { color: '#8e24aa', launcherText: 'ご予約・ご相談' },
      intake: {
        steps: [
          { key: 'purpose', kind: 'buttons', question: 'ご用件をお選びください', options: [{ label: '予約希望', next: 'visit' }, { label: 'その他', next: 'other' }] },
          { key: 'visit', kind: 'buttons', question: '初診ですか、再診ですか？', options: [{ label: '初診', next: 'date', groupId: group.body.id }, { label: '再診', next: 'date' }] },
          { key: 'date', kind: 'text', question: 'ご希望の日時をご入力ください', placeholder: '例: 12月10日 10時' },
          { key: 'other', kind: 'text', question: 'ご用件をご入力ください' },
        ],
      },
    });
    const bookings = await bookingsGroup(hub, team.admin, line, { token: LINE_TOKEN, secret: LINE_SECRET });
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { reportTexts: { booked: '{agent.surname}: {contact.name}様 {intake.visit} 希望日時 {intake.date}' } } }).expect(200);

    const inbox = await openPage(await browser.newContext({ ...WIDTHS[0].options }), `${hub.url}/app`);
    await logIn(inbox, desk.email);

    const shop = await shopPage(channelId);
    const launcher = shop.getByRole('button', { name: 'チャットで問い合わせる' });
    await launcher.getByText('ご予約・ご相談').waitFor();
    await launcher.click();
    // Escape closes the chat and puts the focus back on the launcher; it opens again where it was.
    await shop.keyboard.press('Escape');
    await shop.getByRole('dialog', { name: 'チャット' }).waitFor({ state: 'hidden' });
    expect(await shop.evaluate("document.getElementById('tsunagi-widget').shadowRoot.activeElement.className")).toContain('launcher');
    await launcher.click();
    await shop.getByRole('checkbox').check();
    await shop.getByRole('group', { name: 'ご用件をお選びください' }).getByRole('button', { name: '予約希望' }).click();
    await shop.getByRole('group', { name: '初診ですか、再診ですか？' }).getByRole('button', { name: '初診' }).click();
    const date = shop.getByRole('form', { name: 'ご希望の日時をご入力ください' });
    await date.getByRole('textbox').fill('12月10日 10時');
    await shop.screenshot({ path: join(SCREENSHOTS, 'widget-intake-desktop.png') });
    await date.getByRole('button', { name: '次へ' }).click();
    await shop.locator('.log .mine .body').filter({ hasText: '予約希望 / 初診 / 12月10日 10時' }).waitFor();

    const offer = inbox.locator('.offer').filter({ hasText: '予約希望' });
    await offer.getByRole('button', { name: '受ける' }).click();
    const answers = inbox.getByRole('region', { name: '事前質問の回答' });
    await answers.getByText('初診ですか、再診ですか？').waitFor();
    expect(await answers.locator('dd').allInnerTexts()).toEqual(['予約希望', '初診', '12月10日 10時']);
    await inbox.screenshot({ path: join(SCREENSHOTS, 'inbox-intake-desktop.png') });

    // The agent's reply is added to the widget's log, a live region screen readers read additions of.
    const composer = inbox.getByRole('textbox', { name: '返信' });
    await composer.fill('12月10日 10時でお取りしました');
    await composer.press('Enter');
    await shop.locator('.log[aria-live="polite"][aria-relevant="additions"] .theirs').filter({ hasText: '12月10日 10時でお取りしました' }).waitFor();

    const conversation = await hub.infra.db.conversation.findFirstOrThrow({ where: { channelId } });
    expect(conversation.intakeGroupId).toBe(group.body.id);
    await hub.http.post(`/api/conversations/${conversation.id}/resolve`).set(desk.auth).send({ outcome: 'booked' }).expect(200);
    const [push] = await eventually(async () => line.pushesTo(bookings), (pushes) => pushes.length === 1);
    expect(push.messages.map((m) => m.text ?? '').join('')).toMatch(/^山本: .+様 初診 希望日時 12月10日 10時$/);

    const phone = await shopPage(channelId, WIDTHS[1]);
    await phone.getByRole('button', { name: 'チャットで問い合わせる' }).click();
    await phone.getByRole('group', { name: 'ご用件をお選びください' }).waitFor();
    await phone.screenshot({ path: join(SCREENSHOTS, 'widget-intake-phone.png') });
    await phone.context().close();
    await shop.context().close();
    await inbox.context().close();
  }, 180_000);

  it('previews the widget’s colour, corner and launcher words in the admin page, and names a bad intake under its field', async () => {
    const team = await createTeam(hub, 'つなぎ雑貨店');
    const channelId = await createWebchat(hub, team.admin);
    for (const width of WIDTHS) {
      const page = await openPage(await browser.newContext({ ...width.options }), `${hub.url}/app`);
      await logIn(page, team.admin.email);
      await page.goto(`${hub.url}/app/admin/channels`);
      const settings = page.getByRole('form', { name: 'ウィジェットの設定' }).first();
      await settings.getByLabel('起動ボタンの文言').fill('お問い合わせ');
      await settings.getByLabel('位置').selectOption('left');
      await settings.getByLabel('色').fill('#c2185b');
      const preview = page.getByRole('region', { name: 'プレビュー' }).first();
      const launcher = preview.getByLabel('起動ボタンのプレビュー');
      await launcher.getByText('お問い合わせ').waitFor();
      expect(await launcher.getAttribute('style')).toMatch(/background: (rgb\(194, 24, 91\)|#c2185b)/i);

      if (width.name === 'desktop') {
        await settings.getByLabel('事前質問フロー（JSON）').fill(JSON.stringify({ steps: [{ key: 'purpose', kind: 'buttons', question: 'ご用件', options: [{ label: '予約', next: 'date' }, { label: 'その他' }] }] }));
        await settings.getByRole('button', { name: '保存' }).click();
        // The Japanese admin page names the field with the catalog's sentence, not the hub's English one.
        await settings.getByText('この項目の内容を確認してください。').first().waitFor();
        await settings.getByLabel('事前質問フロー（JSON）').fill(JSON.stringify({ steps: [{ key: 'purpose', kind: 'buttons', question: 'ご用件', options: [{ label: '予約' }, { label: 'その他' }] }] }));
        await preview.getByText('ご用件').waitFor();
        await settings.getByRole('button', { name: '保存' }).click();
        await settings.getByRole('status').filter({ hasText: '保存しました' }).waitFor();
        const saved = (await hub.http.get(`/api/channels/${channelId}`).set(team.admin.auth).expect(200)).body.config;
        expect(saved).toMatchObject({ appearance: { color: '#c2185b', position: 'left', launcherText: 'お問い合わせ' }, intake: { steps: [expect.objectContaining({ key: 'purpose' })] } });
      }
      await page.screenshot({ path: join(SCREENSHOTS, `admin-widget-appearance-${width.name}.png`), fullPage: true });
      await page.context().close();
    }
    // The shop shows the launcher as saved, in the left corner.
    const shop = await shopPage(channelId);
    const launcher = shop.getByRole('button', { name: 'チャットで問い合わせる' });
    await launcher.getByText('お問い合わせ').waitFor();
    const box = await launcher.boundingBox();
    expect(box!.x).toBeLessThan(100);
    await shop.context().close();
  }, 180_000);
});
