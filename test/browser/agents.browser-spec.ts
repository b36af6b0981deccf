import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { TestHub, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { eventually } from '../support/eventually.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage, openWidget } from './browser.js';

describe('Agents in a real browser: explicit outcome, Japanese refusals, withdrawn messages, the visitor’s pages', () => {
  let browser: Browser;
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let channelId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startTestHub();
    team = await createTeam(hub, '予約の歯科');
    channelId = await createWebchat(hub, team.admin);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('resolves a chat only with an outcome chosen, confirms a booking nobody asked for, and refuses in Japanese', async () => {
    const agent = await addMember(hub, team, { name: '小林 三郎' });
    // A chat the customer never wrote in (a LINE follow, a chat the agent opened), held by the agent.
    const db = hub.infra.db;
    const contact = await db.contact.create({ data: { teamId: team.teamId, name: '無言のお客様' } });
    const conversation = await db.conversation.create({
      data: { teamId: team.teamId, channelId, contactId: contact.id, threadKey: 'visitor:silent-browser', activeKey: `${channelId}:visitor:silent-browser`, status: 'open', assigneeId: agent.id, lastMessageAt: new Date() },
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const inbox = await openPage(context, `${hub.url}/app`);
    await logIn(inbox, agent.email);
    await inbox.goto(`${hub.url}/app/conversations/${conversation.id}`);
    const pane = inbox.getByRole('main', { name: '無言のお客様' });

    // Guards the select that defaulted to 予約あり: nothing is chosen, and 完了 waits for a choice.
    const outcome = pane.getByRole('combobox', { name: '結果' });
    expect(await outcome.inputValue()).toBe('');
    expect(await pane.getByRole('button', { name: '完了', exact: true }).isDisabled()).toBe(true);
    expect(await pane.getByRole('button', { name: '結果なしで完了' }).isEnabled()).toBe(true);

    // Booked on a chat without a word from the customer asks first; cancelling leaves it open.
    await outcome.selectOption('booked');
    await pane.getByRole('button', { name: '完了', exact: true }).click();
    const confirm = pane.getByRole('alertdialog');
    await confirm.getByText('お客様からのメッセージがありません').waitFor();
    await inbox.screenshot({ path: join(SCREENSHOTS, 'outcome-confirm-booked.png') });
    await confirm.getByRole('button', { name: 'キャンセル' }).click();
    expect((await db.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).status).toBe('open');

    // A refusal of the hub (here its validation: at most 5,000 characters, said in English by the hub) reaches the
    // Japanese inbox as the catalog's Japanese sentence.
    await pane.getByRole('textbox', { name: '返信' }).fill('あ'.repeat(5001));
    await pane.getByRole('button', { name: '送信' }).click();
    const alert = pane.getByRole('alert');
    await alert.getByText('入力内容に誤りがあります。').waitFor();
    expect(await alert.innerText()).not.toMatch(/[A-Za-z]{4,}/);
    await inbox.screenshot({ path: join(SCREENSHOTS, 'refusal-in-japanese.png') });

    // Confirmed, the booking is kept.
    await pane.getByRole('textbox', { name: '返信' }).fill('');
    await pane.getByRole('button', { name: '完了', exact: true }).click();
    await confirm.getByRole('button', { name: '予約ありで完了する' }).click();
    const resolved = await eventually(() => db.conversation.findUniqueOrThrow({ where: { id: conversation.id } }), (row) => row.status === 'resolved');
    expect(resolved.outcome).toBe('booked');
    await context.close();
  });

  it('withdraws the agent’s message in the inbox and the widget, and shows the visitor’s pages', async () => {
    const agent = await addMember(hub, team, { name: '森 四郎' });
    const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const inbox = await openPage(agentContext, `${hub.url}/app`);
    await logIn(inbox, agent.email);

    const shopContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const shop = await openPage(shopContext, `${hub.url}/demo?channel=${channelId}`);
    await openWidget(shop);
    const widgetInput = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await widgetInput.fill('初診の予約をしたいです');
    await widgetInput.press('Enter');

    const offer = inbox.locator('.offer').filter({ hasText: '初診の予約' });
    await offer.getByRole('button', { name: '受ける' }).click({ timeout: 10_000 });
    await inbox.locator('.thread').getByText('初診の予約をしたいです').waitFor();

    // The visitor's pages: the demo page the widget opened on.
    const pages = inbox.getByRole('complementary').getByRole('region', { name: '閲覧ページ' });
    await pages.locator('.visitor-pages li').first().waitFor();
    expect(await pages.locator('.visitor-pages a').first().getAttribute('href')).toContain('/demo');

    const composer = inbox.getByRole('textbox', { name: '返信' });
    await composer.fill('間違えた日付です');
    await composer.press('Enter');
    await shop.locator('.log .theirs .body').filter({ hasText: '間違えた日付です' }).waitFor({ timeout: 10_000 });
    const mine = inbox.locator('.thread .message.out').filter({ hasText: '間違えた日付です' });
    await mine.getByRole('button', { name: '送信を取り消す' }).click();

    await inbox.locator('.thread .message.out .withdrawn').filter({ hasText: 'このメッセージは取り消されました' }).waitFor();
    await shop.locator('.log .theirs.withdrawn .body').filter({ hasText: 'スタッフがこのメッセージを取り消しました' }).waitFor({ timeout: 10_000 });
    expect(await shop.locator('.log').innerText()).not.toContain('間違えた日付です');
    expect(await inbox.locator('.thread').innerText()).not.toContain('間違えた日付です');
    await inbox.screenshot({ path: join(SCREENSHOTS, 'withdrawn-inbox.png') });
    await shop.screenshot({ path: join(SCREENSHOTS, 'withdrawn-widget.png') });
    await agentContext.close();
    await shopContext.close();
  });
});
