import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { postSignedTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { MovableClock } from '../support/movable-clock.js';
import { TestHub, TestMember, addMember, createTeam, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage } from './browser.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'e'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-browser-tickets';
const HUB_NUMBER = '+15005550006';
const CUSTOMER = '+819055556666';

let sidCounter = 0;
const newSid = () => `SM${(Date.now().toString(16) + (sidCounter++).toString(16)).padStart(32, '0')}`;

/** `2026-12-07T12:00` as a Tokyo wall time, the way a `datetime-local` field in Tokyo takes it. */
const tokyoInput = (at: Date) => new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 16);

// Issue 23, tickets: an agent turns an SMS chat into a ticket, comments, sets its due time, finds it under "mine" and,
// once the hub's clock passes the due time, under "overdue"; the customer's reply joins the open ticket page live.
describe('Tickets in a real browser', () => {
  const clock = new MovableClock(new Date('2026-12-07T01:00:00Z'));
  let browser: Browser;
  let hub: TestHub;
  let fake: TwilioFake;
  let agent: TestMember;
  let admin: TestMember;
  let sms: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    hub = await startTestHub({ PUBLIC_URL }, { clock });
    const team = await createTeam(hub, 'つなぎ通販');
    admin = team.admin;
    agent = await addMember(hub, team, { name: '担当 ネネ' });
    const config = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: fake.url, from: HUB_NUMBER, sendsPerSecond: 200 };
    sms = (await hub.http.post('/api/channels').set(team.admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config }).expect(201)).body.id;
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await fake?.close();
  });

  async function textIn(body: string): Promise<string> {
    const params = { MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: CUSTOMER, To: HUB_NUMBER, Body: body, NumMedia: '0' };
    await postSignedTwilioForm(hub.url, PUBLIC_URL, `/webhooks/twilio/${sms}`, AUTH_TOKEN, params).expect(200);
    return (await hub.infra.db.message.findFirstOrThrow({ where: { channelId: sms, eventKey: params.MessageSid } })).conversationId;
  }

  it('turns a chat into a ticket, comments, sets its due time, lists it as mine and overdue, and shows the customer’s reply', async () => {
    const conversationId = await textIn('注文した商品がまだ届きません');
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(agent.auth).expect(200);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    const page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, agent.email);
    await page.goto(`${hub.url}/app/conversations/${conversationId}`);

    // 「チケットにする」 in the conversation: the ticket shows among the conversation's tickets.
    const tickets = page.getByRole('region', { name: 'この会話のチケット' });
    await tickets.getByLabel('件名').fill('配送遅延の確認');
    await tickets.getByRole('button', { name: 'チケットにする' }).click();
    const link = tickets.getByRole('link', { name: '#1 配送遅延の確認' });
    await link.waitFor();
    await link.click();

    // The ticket's page: the chat's history is there; a comment, a due time and "waiting on the customer".
    await page.getByRole('heading', { name: '#1 配送遅延の確認' }).waitFor();
    await page.getByRole('region', { name: '会話の履歴' }).getByText('注文した商品がまだ届きません').waitFor();
    await page.getByRole('textbox', { name: 'コメント' }).fill('配送業者に確認中です');
    await page.getByRole('button', { name: 'コメントする' }).click();
    await page.getByRole('region', { name: '社内コメント' }).getByText('配送業者に確認中です').waitFor();
    const dueAt = new Date(clock.now().getTime() + 2 * 3_600_000);
    await page.getByLabel('期限', { exact: true }).fill(tokyoInput(dueAt));
    await page.getByRole('button', { name: '期限を設定' }).click();
    await page.getByRole('status').filter({ hasText: '保存しました' }).waitFor();
    await page.getByLabel('ステータス').selectOption({ label: 'お客様の返信待ち' });
    await page.getByRole('region', { name: '変更履歴' }).getByText('ステータス変更: お客様の返信待ち').waitFor();
    const row = await hub.infra.db.ticket.findFirstOrThrow({ where: { teamId: agent.teamId } });
    expect(row.dueAt?.toISOString()).toBe(new Date(Math.floor(dueAt.getTime() / 60_000) * 60_000).toISOString());
    expect(row.status).toBe('pending_customer');

    // The lists: mine now; overdue once the hub's clock passes the due time (the list follows the hub's frame).
    await page.getByRole('navigation', { name: '画面' }).getByRole('link', { name: 'チケット' }).click();
    const mine = page.getByRole('list', { name: '自分の担当' });
    await mine.getByRole('link', { name: '#1 配送遅延の確認' }).waitFor();
    await page.getByRole('radio', { name: '期限切れ' }).check();
    await page.getByText('該当するチケットはありません').waitFor();
    clock.set(new Date(row.dueAt!.getTime() + 60_000));
    const overdue = page.getByRole('list', { name: '期限切れ' });
    await overdue.getByRole('link', { name: '#1 配送遅延の確認' }).waitFor();
    await overdue.getByText('期限切れ').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'tickets-overdue.png') });

    // The customer answers by SMS: the open ticket page shows the reply join and the ticket waiting on us.
    await overdue.getByRole('link', { name: '#1 配送遅延の確認' }).click();
    await page.getByRole('heading', { name: '#1 配送遅延の確認' }).waitFor();
    await textIn('追跡番号は 1234 です');
    await page.getByRole('region', { name: 'お客様からの返信' }).getByText('追跡番号は 1234 です').waitFor();
    expect(await page.getByLabel('ステータス').inputValue()).toBe('pending_us');
    await page.screenshot({ path: join(SCREENSHOTS, 'tickets-reply-joined.png') });
    expect(page.dialogs).toEqual([]);
    await context.close();
  });

  it('shows a supervisor the tickets opened, solved and gone overdue by day', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    const page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, admin.email);
    await page.goto(`${hub.url}/app/tickets`);
    const report = page.getByRole('region', { name: '日別のチケット' });
    await report.getByText('合計: 作成 1件 / 解決 0件 / 期限切れ 1件').waitFor();
    expect(await report.getByRole('row').count()).toBe(2);
    await context.close();
  });
});
