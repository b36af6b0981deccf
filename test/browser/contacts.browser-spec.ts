import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext } from 'playwright-core';
import { join } from 'node:path';
import { postSignedTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { eventually } from '../support/eventually.js';
import { TestHub, createTeam, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage } from './browser.js';

const WIDTHS = [
  { name: 'desktop', options: { viewport: { width: 1280, height: 860 }, locale: 'ja-JP' } },
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ja-JP' } },
] as const;

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-contacts-page';
/** One customer per width, each with the number as stored and as a person types it (full-width, hyphens, 0 for +81). */
const CUSTOMERS = { desktop: { stored: '+819055556666', typed: '０９０－５５５５－６６６６' }, phone: { stored: '+819055557777', typed: '090 5555 7777' } };

let sids = 0;
const newSid = () => `SM${(Date.now().toString(16) + (sids++).toString(16)).padStart(32, '0')}`;

// Issue 20, Done-when 4: a contact page shows the consent ledger after an SMS STOP (live, no reload) and undoes a merge.
describe('Contact page in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let twilio: TwilioFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let sms: string;

  const smsIn = (from: string, body: string) =>
    postSignedTwilioForm(hub.url, PUBLIC_URL, `/webhooks/twilio/${sms}`, AUTH_TOKEN, { MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: from, To: '+15005550006', Body: body, NumMedia: '0' }).expect(200);

  beforeAll(async () => {
    twilio = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    browser = await launchBrowser();
    hub = await startTestHub({ PUBLIC_URL });
    team = await createTeam(hub, 'つなぎ整骨院');
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    const config = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: twilio.url, sendsPerSecond: 200, from: '+15005550006' };
    sms = (await hub.http.post('/api/channels').set(team.admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config }).expect(201)).body.id;
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await twilio?.close();
  });

  for (const width of WIDTHS) {
    it(`shows an SMS STOP in the ledger live and undoes a merge (${width.name})`, async () => {
      // A customer who wrote by SMS, and the same person added by hand with an email: the hub proposes a merge.
      const number = CUSTOMERS[width.name];
      await smsIn(number.stored, '予約の変更をお願いします');
      const customer = await eventually(
        async () => (await hub.http.get('/api/contacts').query({ q: number.stored }).set(team.admin.auth).expect(200)).body.items as { id: string; name: string }[],
        (items) => items.length === 1,
      );
      const smsContactId = customer[0].id;
      await hub.http.patch(`/api/contacts/${smsContactId}`).set(team.admin.auth).send({ name: `葛西 花子 ${width.name}` }).expect(200);
      const byHand = await hub.http.post('/api/contacts').set(team.admin.auth).send({ name: `かさい はなこ ${width.name}`, email: `hanako-${width.name}@example.com` }).expect(201);
      const refused = await hub.http.post(`/api/contacts/${byHand.body.id}/identities`).set(team.admin.auth).send({ kind: 'phone', address: number.stored }).expect(409);
      expect(refused.body.code).toBe('duplicate_contact');

      const context: BrowserContext = await browser.newContext(width.options);
      const page = await openPage(context, `${hub.url}/app/login`);
      await logIn(page, team.admin.email);
      await page.goto(`${hub.url}/app/contacts`);
      // Offline, so that the customer's chats do not ring over the page in the screenshots.
      await page.getByLabel('在席状況').selectOption('offline');

      await page.getByRole('searchbox', { name: '名前・メール・電話番号で検索' }).fill(number.typed);
      await page.getByRole('link', { name: new RegExp(`葛西 花子 ${width.name}`) }).click();
      await page.getByRole('heading', { name: `葛西 花子 ${width.name}` }).waitFor();
      const ledger = page.getByRole('table', { name: '同意の記録' });
      const consentTable = page.getByRole('table', { name: 'チャネルごとの同意' });
      await consentTable.waitFor();
      expect(await consentTable.getByRole('row', { name: /SMS/ }).textContent()).not.toContain('配信停止');

      // Marks this document: a reload would lose it.
      await page.evaluate(() => ((globalThis as unknown as { stillHere: boolean }).stillHere = true));
      await smsIn(number.stored, 'STOP');
      await ledger.getByRole('row', { name: /配信停止/ }).waitFor();
      expect(await ledger.getByRole('row', { name: /配信停止/ }).textContent()).toContain('STOP');
      await consentTable.getByRole('row', { name: /SMS.*配信停止/ }).waitFor();
      expect(await page.evaluate(() => (globalThis as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, `contact-ledger-${width.name}.png`), fullPage: true });

      // The proposal is listed on the page; merging brings the other contact's email here, and undo takes it back.
      const proposals = page.getByRole('region', { name: '統合の提案' });
      await proposals.getByRole('button', { name: `かさい はなこ ${width.name} をこの連絡先に統合` }).click();
      const identities = page.getByRole('list', { name: 'アドレス' });
      await identities.getByText(`hanako-${width.name}@example.com`).waitFor();
      const merged = await hub.http.get(`/api/contacts/${smsContactId}`).set(team.admin.auth).expect(200);
      expect(merged.body.identities).toEqual(expect.arrayContaining([{ kind: 'email', address: `hanako-${width.name}@example.com` }]));
      await page.getByRole('button', { name: '統合を取り消す' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOTS, `contact-merged-${width.name}.png`) });

      await page.getByRole('button', { name: '統合を取り消す' }).click();
      await page.getByRole('status').filter({ hasText: '統合を取り消しました' }).waitFor();
      expect(await identities.getByText(`hanako-${width.name}@example.com`).count()).toBe(0);
      const back = await hub.http.get('/api/contacts').query({ q: `hanako-${width.name}@example.com` }).set(team.admin.auth).expect(200);
      expect(back.body.items.map((c: { id: string }) => c.id)).toEqual([byHand.body.id]);
      expect((await hub.http.get(`/api/contacts/${smsContactId}`).set(team.admin.auth).expect(200)).body.identities).toEqual([{ kind: 'phone', address: number.stored }]);
      expect(page.dialogs).toEqual([]);
      await context.close();
    });
  }

  it('blocks and unblocks a contact, and erases it only after the confirmation', async () => {
    const contact = (await hub.http.post('/api/contacts').set(team.admin.auth).send({ name: '消去 太郎', email: 'erase-me@example.com' }).expect(201)).body.id as string;
    const context = await browser.newContext(WIDTHS[0].options);
    const page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, team.admin.email);
    await page.goto(`${hub.url}/app/contacts/${contact}`);
    await page.getByRole('heading', { name: '消去 太郎' }).waitFor();

    await page.getByRole('button', { name: 'ブロック', exact: true }).click();
    await page.getByText('ブロック中').waitFor();
    expect((await hub.http.get(`/api/contacts/${contact}`).set(team.admin.auth).expect(200)).body.blocked).toBe(true);
    await page.getByRole('button', { name: 'ブロックを解除' }).click();
    await page.getByRole('button', { name: 'ブロック', exact: true }).waitFor();
    expect((await hub.http.get(`/api/contacts/${contact}`).set(team.admin.auth).expect(200)).body.blocked).toBe(false);

    // The first click only asks; "cancel" leaves the contact as it was.
    await page.getByRole('button', { name: 'この連絡先を消去' }).click();
    const confirm = page.getByRole('alertdialog');
    expect(await confirm.textContent()).toContain('元に戻せません');
    await confirm.getByRole('button', { name: 'やめる' }).click();
    await hub.http.get(`/api/contacts/${contact}`).set(team.admin.auth).expect(200);
    await page.getByRole('button', { name: 'この連絡先を消去' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: '消去する' }).click();
    await page.getByRole('searchbox', { name: '名前・メール・電話番号で検索' }).waitFor();
    await hub.http.get(`/api/contacts/${contact}`).set(team.admin.auth).expect(404);
    expect(page.dialogs).toEqual([]);
    await context.close();
  });
});
