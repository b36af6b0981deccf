import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { join } from 'node:path';
import { startLineFake } from '../fakes/line-fake.js';
import { startWhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { bookingsGroup } from '../support/bookings-group.js';
import { eventually } from '../support/eventually.js';
import { emitWithAck, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, WIDTHS, launchBrowser, logIn, openPage } from './browser.js';

const LINE = { token: 'line-token-rules-page', secret: 'line-secret-rules-page' };
const REPORT = '【自動化】予約が入りました';

// Issue 23: an administrator builds a rule on the automation page, tries it on a past chat, and reads its run after
// a real resolution; the rules' order set with the buttons is the hub's.
describe('The automation rules page in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let line: LineFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let agent: TestMember;
  let channelId: string;
  let groupId: string;
  let context: BrowserContext;
  let page: Page & { dialogs: string[] };
  const { open, closeAll } = socketPool();

  /** A visitor's chat on the web widget, taken by the agent. */
  async function takenChat(body: string): Promise<string> {
    const visitor = await open(hub.url, '/widget', { channelId });
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body });
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(agent.auth).expect(200);
    return conversationId;
  }
  const rulesOnHub = async () => ((await hub.http.get('/api/automation/rules').set(team.admin.auth).expect(200)).body.items as { name: string }[]).map((rule) => rule.name);

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: LINE.token });
    browser = await launchBrowser();
    hub = await startTestHub();
    team = await createTeam(hub, 'つなぎ整骨院');
    agent = await addMember(hub, team, { name: '受付 花子' });
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    channelId = await createWebchat(hub, team.admin);
    groupId = await bookingsGroup(hub, team.admin, line, LINE);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, team.admin.email);
  });

  afterAll(async () => {
    closeAll();
    await context?.close();
    await browser?.close();
    await hub?.stop();
    await line?.close();
  });

  it('builds "resolved as booked: a note and a LINE report", tests it on a past chat, and shows its run after a real booking', async () => {
    // A booked chat from before the rule: the one the rule is tried on.
    const past = await takenChat('来週の予約をお願いします');
    await hub.http.post(`/api/conversations/${past}/resolve`).set(agent.auth).send({ outcome: 'booked' }).expect(200);

    await page.goto(`${hub.url}/app/admin`);
    await page.getByRole('navigation', { name: '管理' }).getByRole('link', { name: '自動化ルール' }).click();
    const rules = page.getByRole('region', { name: '自動化ルール' });
    await rules.getByText('ルールはまだありません。').waitFor();
    await rules.getByRole('button', { name: 'ルールを追加' }).click();
    const editor = rules.getByRole('form', { name: '新しいルール' });

    // A rule without its note's text: the hub's refusal is shown under that field, and nothing is saved.
    await editor.getByLabel('ルール名').fill('予約 → メモと報告');
    await editor.getByLabel('いつ').selectOption({ label: '会話が完了したとき' });
    await editor.getByLabel('追加する条件').selectOption({ label: '完了の結果' });
    await editor.getByRole('button', { name: '条件を追加' }).click();
    await editor.getByRole('group', { name: '結果（いずれか）' }).getByRole('checkbox', { name: '予約あり' }).check();
    await editor.getByLabel('追加する操作').selectOption({ label: 'メモを追加' });
    await editor.getByRole('button', { name: '操作を追加' }).click();
    await editor.getByRole('button', { name: '保存' }).click();
    const note = editor.getByLabel('メモの内容');
    await editor.getByRole('alert').filter({ hasText: 'この項目の内容を確認してください。' }).waitFor();
    expect(await note.getAttribute('aria-invalid')).toBe('true');
    expect(await rulesOnHub()).toEqual([]);

    await note.fill('予約あり：受付で確認済み');
    await editor.getByLabel('追加する操作').selectOption({ label: 'LINEグループに報告' });
    await editor.getByRole('button', { name: '操作を追加' }).click();
    await editor.getByLabel('報告の種類').selectOption({ label: '予約' });
    await editor.getByLabel('報告する文').fill(REPORT);
    // Actions run in the order of their rows: the report is moved above the note and back.
    await editor.getByRole('group', { name: '2. LINEグループに報告' }).getByRole('button', { name: '上へ' }).click();
    await editor.getByRole('group', { name: '2. メモを追加' }).waitFor();
    await editor.getByRole('group', { name: '1. LINEグループに報告' }).getByRole('button', { name: '下へ' }).click();
    expect(await editor.getByRole('group', { name: '1. メモを追加' }).getByLabel('メモの内容').inputValue()).toBe('予約あり：受付で確認済み');
    await page.screenshot({ path: join(SCREENSHOTS, 'automation-editor-desktop.png'), fullPage: true });
    await editor.getByRole('button', { name: '保存' }).click();
    await rules.getByRole('listitem', { name: '予約 → メモと報告' }).waitFor();
    const saved = (await hub.http.get('/api/automation/rules').set(team.admin.auth).expect(200)).body.items;
    expect(saved).toEqual([
      expect.objectContaining({
        event: 'conversation.resolved',
        conditions: [{ kind: 'outcome', outcomes: ['booked'] }],
        actions: [{ kind: 'note', text: '予約あり：受付で確認済み' }, { kind: 'report', purpose: 'bookings', text: REPORT }],
        stopProcessing: false,
      }),
    ]);

    // The dry run on the past chat: it matches, the two actions would run, and nothing was done.
    const tester = page.getByRole('region', { name: '過去の会話でテスト' });
    const conversation = tester.getByLabel('会話', { exact: true });
    await eventually(() => conversation.locator('option').count(), (n) => n > 1);
    // Found by a word the customer wrote: the one chat that has it is the only choice.
    await tester.getByLabel('メッセージの言葉').fill('来週');
    await tester.getByRole('button', { name: '会話を探す' }).click();
    await eventually(() => conversation.locator('option').allInnerTexts(), (texts) => texts.length === 2 && texts[1].includes('「来週の予約をお願いします」'));
    await conversation.selectOption({ index: 1 });
    expect(await conversation.inputValue()).toBe(past);
    await tester.getByLabel('テストするルール').selectOption({ label: '予約 → メモと報告' });
    await tester.getByRole('button', { name: 'テスト' }).click();
    const verdict = tester.getByRole('article', { name: '予約 → メモと報告' });
    await verdict.getByRole('heading', { name: '予約 → メモと報告: 一致' }).waitFor();
    expect(await verdict.getByRole('list', { name: '条件（すべて合うとき）' }).innerText()).toBe('完了の結果: 合う');
    expect(await verdict.getByRole('list', { name: '実行される操作' }).getByRole('listitem').allInnerTexts()).toEqual(['メモを追加', 'LINEグループに報告']);
    expect(await hub.infra.db.message.count({ where: { conversationId: past, kind: 'note' } })).toBe(0);
    expect(line.pushesTo(groupId).filter((push) => push.messages.some((m) => m.text === REPORT))).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'automation-test-desktop.png'), fullPage: true });

    // A real booking: the agent resolves a new chat as booked in the inbox.
    const booked = await takenChat('明日10時に予約したいです');
    const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const inbox = await openPage(agentContext, `${hub.url}/app`);
    await logIn(inbox, agent.email);
    await inbox.goto(`${hub.url}/app/conversations/${booked}`);
    await inbox.getByRole('combobox', { name: '結果' }).selectOption('booked');
    await inbox.getByRole('button', { name: '完了', exact: true }).click();
    await eventually(() => hub.infra.db.conversation.findUniqueOrThrow({ where: { id: booked } }), (row) => row.status === 'resolved');
    await agentContext.close();

    await eventually(async () => line.pushesTo(groupId).filter((push) => push.messages.some((m) => m.text === REPORT)).length, (n) => n === 1);
    const runs = page.getByRole('region', { name: '実行履歴（最新100件）' });
    const row = runs.getByRole('row').filter({ hasText: '予約 → メモと報告' });
    // The run is written as its actions finish: read again until it has finished.
    await eventually(
      async () => {
        await runs.getByRole('button', { name: '更新' }).click();
        return (await row.count()) === 1 ? row.getByRole('cell').nth(3).innerText() : '';
      },
      (status) => status === '一致',
    );
    expect(await row.getByRole('cell').nth(1).innerText()).toBe('会話が完了したとき');
    expect(await row.getByRole('link', { name: '会話を開く' }).getAttribute('href')).toBe(`/app/conversations/${booked}`);
    expect(await row.getByRole('cell').nth(3).innerText()).toBe('一致');
    expect(await row.getByRole('listitem').allInnerTexts()).toEqual(['メモを追加: 完了', 'LINEグループに報告: 完了']);
    expect(await hub.infra.db.message.findMany({ where: { conversationId: booked, kind: 'note' }, select: { body: true } })).toEqual([{ body: '予約あり：受付で確認済み' }]);
    await page.screenshot({ path: join(SCREENSHOTS, 'automation-runs-desktop.png'), fullPage: true });
  });

  it('moves a rule up and keeps the order over a reload, switches one off, tries every rule of an event, and deletes one after asking', async () => {
    await page.goto(`${hub.url}/app/admin/automation`);
    const rules = page.getByRole('region', { name: '自動化ルール' });
    await rules.getByRole('button', { name: 'ルールを追加' }).click();
    const editor = rules.getByRole('form', { name: '新しいルール' });
    await editor.getByLabel('ルール名').fill('夜間の問い合わせ');
    await editor.getByLabel('いつ').selectOption({ label: '会話が始まったとき' });
    await editor.getByLabel('追加する条件').selectOption({ label: '営業時間' });
    await editor.getByRole('button', { name: '条件を追加' }).click();
    await editor.getByLabel('いつ起きたか').selectOption({ label: '営業時間外' });
    await editor.getByLabel('追加する操作').selectOption({ label: 'メモを追加' });
    await editor.getByRole('button', { name: '操作を追加' }).click();
    await editor.getByLabel('メモの内容').fill('営業時間外のお問い合わせ');
    await editor.getByRole('checkbox', { name: '一致したら、以降のルールを処理しない' }).check();
    await editor.getByRole('button', { name: '保存' }).click();
    const list = rules.getByRole('list', { name: '自動化ルール' });
    await list.getByRole('listitem', { name: '夜間の問い合わせ' }).waitFor();
    expect(await list.getByRole('listitem').locator('strong').allInnerTexts()).toEqual(['予約 → メモと報告', '夜間の問い合わせ']);

    await list.getByRole('listitem', { name: '夜間の問い合わせ' }).getByRole('button', { name: '上へ' }).click();
    await eventually(rulesOnHub, (names) => names[0] === '夜間の問い合わせ');
    await page.reload();
    await list.getByRole('listitem').first().waitFor();
    expect(await list.getByRole('listitem').locator('strong').allInnerTexts()).toEqual(['夜間の問い合わせ', '予約 → メモと報告']);
    expect(await list.getByRole('listitem', { name: '夜間の問い合わせ' }).getByRole('button', { name: '上へ' }).isDisabled()).toBe(true);

    // Switched off in the list: the hub keeps the rule and its order, and stops running it.
    // The box shows the hub's state: it clears once the hub has taken the change.
    const enabledBox = list.getByRole('listitem', { name: '夜間の問い合わせ' }).getByRole('checkbox', { name: '有効' });
    await enabledBox.click();
    await eventually(() => enabledBox.isChecked(), (checked) => !checked);
    const enabled = async () => ((await hub.http.get('/api/automation/rules').set(team.admin.auth).expect(200)).body.items as { name: string; enabled: boolean }[]).map((r) => [r.name, r.enabled]);
    expect(await eventually(enabled, (rows) => rows[0][1] === false)).toEqual([
      ['夜間の問い合わせ', false],
      ['予約 → メモと報告', true],
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, 'automation-order-desktop.png'), fullPage: true });
    expect(page.dialogs).toEqual([]);

    // Every rule of an event, in order, against a chat still open: the booked rule names the condition that failed,
    // and the rule switched off (of another event besides) is not tried.
    const open = await takenChat('予約の相談です');
    await page.reload();
    const tester = page.getByRole('region', { name: '過去の会話でテスト' });
    const conversation = tester.getByLabel('会話', { exact: true });
    await eventually(() => conversation.locator(`option[value="${open}"]`).count(), (n) => n === 1);
    await conversation.selectOption(open);
    await tester.getByLabel('テストするルール').selectOption({ label: 'すべてのルール（順番どおり）' });
    await tester.getByLabel('イベント').selectOption({ label: '会話が完了したとき' });
    await tester.getByRole('button', { name: 'テスト' }).click();
    const verdict = tester.getByRole('article', { name: '予約 → メモと報告' });
    await verdict.getByRole('heading', { name: '予約 → メモと報告: 不一致' }).waitFor();
    expect(await verdict.getByRole('list', { name: '条件（すべて合うとき）' }).innerText()).toBe('完了の結果: 合わない');
    expect(await verdict.getByRole('list', { name: '実行される操作' }).count()).toBe(0);
    expect(await tester.getByRole('article').count()).toBe(1);

    // The same page on a phone: the list and its buttons fit the width.
    const phone = await browser.newContext(WIDTHS[1].options);
    const small = await openPage(phone, `${hub.url}/app/login`);
    await logIn(small, team.admin.email);
    await small.goto(`${hub.url}/app/admin/automation`);
    const item = small.getByRole('list', { name: '自動化ルール' }).getByRole('listitem', { name: '予約 → メモと報告' });
    await item.waitFor();
    const box = (await item.getByRole('button', { name: '削除' }).boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await small.screenshot({ path: join(SCREENSHOTS, 'automation-phone.png'), fullPage: true });
    await phone.close();

    // Deleting asks first, in the page; the rule's past runs stay in the log.
    const bookedRule = list.getByRole('listitem', { name: '予約 → メモと報告' });
    await bookedRule.getByRole('button', { name: '削除' }).click();
    const asked = bookedRule.getByRole('group', { name: '削除' });
    await asked.getByText('このルールを削除しますか？').waitFor();
    await asked.getByRole('button', { name: '削除' }).click();
    await bookedRule.waitFor({ state: 'detached' });
    expect(await rulesOnHub()).toEqual(['夜間の問い合わせ']);
    await page.reload();
    await page.getByRole('region', { name: '実行履歴（最新100件）' }).getByRole('row').filter({ hasText: '予約 → メモと報告' }).waitFor();
  });

  it('sends an approved WhatsApp template: picked from the channels’ templates, a field for each of its variables', async () => {
    const whatsapp = await startWhatsAppCloudFake({ accessToken: 'wa-token-rules', phoneNumberId: '106540352242922' });
    try {
      const config = { accessToken: 'wa-token-rules', appSecret: 'wa-secret-rules', verifyToken: 'wa-verify-rules', phoneNumberId: '106540352242922', apiBaseUrl: whatsapp.apiBaseUrl };
      const templates = [
        { name: 'order_ready', language: 'ja', variables: ['name', 'order'], text: '{{1}}様、ご注文{{2}}の準備ができました。' },
        { name: 'hello_world', language: 'en_US' },
      ];
      const channel = await hub.http.post('/api/channels').set(team.admin.auth).send({ type: 'whatsapp', provider: 'whatsapp-cloud', name: '店舗WhatsApp', config: { ...config, templates } }).expect(201);
      await page.goto(`${hub.url}/app/admin/automation`);
      const rules = page.getByRole('region', { name: '自動化ルール' });
      await rules.getByRole('button', { name: 'ルールを追加' }).click();
      const editor = rules.getByRole('form', { name: '新しいルール' });
      await editor.getByLabel('ルール名').fill('受け取り案内');
      await editor.getByLabel('いつ').selectOption({ label: '会話が始まったとき' });
      await editor.getByLabel('追加する操作').selectOption({ label: 'テンプレートを送信（WhatsApp）' });
      await editor.getByRole('button', { name: '操作を追加' }).click();
      const template = editor.getByLabel('テンプレート', { exact: true });
      expect(await template.locator('option').allInnerTexts()).toEqual(['選んでください', 'order_ready (店舗WhatsApp)', 'hello_world (店舗WhatsApp)']);
      await template.selectOption({ label: 'order_ready (店舗WhatsApp)' });
      await editor.getByLabel('変数「name」（{contact.name} で顧客名）').fill('{contact.name}');
      await editor.getByLabel('変数「order」（{contact.name} で顧客名）').fill('A-1001');
      await editor.getByRole('button', { name: '保存' }).click();
      await rules.getByRole('list', { name: '自動化ルール' }).getByRole('listitem', { name: '受け取り案内' }).waitFor();
      const saved = ((await hub.http.get('/api/automation/rules').set(team.admin.auth).expect(200)).body.items as { id: string; name: string; actions: unknown[] }[]).find((rule) => rule.name === '受け取り案内')!;
      expect(saved.actions).toEqual([{ kind: 'template', name: 'order_ready', variables: { name: '{contact.name}', order: 'A-1001' } }]);
      await hub.http.delete(`/api/automation/rules/${saved.id}`).set(team.admin.auth).expect(204);
      await hub.http.delete(`/api/channels/${channel.body.id}`).set(team.admin.auth).expect(204);
      expect(page.dialogs).toEqual([]);
    } finally {
      await whatsapp.close();
    }
  });
});
