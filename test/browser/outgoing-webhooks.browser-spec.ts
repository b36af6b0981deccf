import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { systemClock } from '../../src/common/clock.js';
import { OutgoingWebhooksService } from '../../src/webhooks/index.js';
import { startWebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import type { WebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import { eventually } from '../support/eventually.js';
import { TestHub, createTeam, startTestHub } from '../support/test-hub.js';
import { WIDTHS, launchBrowser, logIn, openPage } from './browser.js';

// Issue 23, outgoing webhooks: an administrator connects the clinic's reservation system from the admin page alone.
describe('Webhooks screen in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let receiver: WebhookReceiverFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startTestHub();
    receiver = await startWebhookReceiverFake(systemClock);
    team = await createTeam(hub, 'つなぎクリニック');
    context = await browser.newContext({ ...WIDTHS[0].options, permissions: ['clipboard-read', 'clipboard-write'] });
    page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, team.admin.email);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await receiver?.close();
    await hub?.stop();
  });

  it('creates an endpoint, copies its secret, sees a signed delivery in the log with the answer, and replays it', async () => {
    await page.goto(`${hub.url}/app/admin/webhooks`);
    await page.waitForLoadState('networkidle');
    const form = page.getByRole('form', { name: '送信先を追加' });
    await form.getByLabel('送信先URL').fill(`${receiver.url}/bookings`);
    await form.getByLabel('説明').fill('予約システム');
    await form.getByLabel(/会話の完了/).check();
    await form.getByRole('button', { name: '送信先を追加' }).click();

    const shown = page.getByRole('region', { name: '署名シークレット: 予約システム' });
    const secret = (await shown.getByLabel('署名シークレット').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await shown.getByRole('button', { name: 'コピー' }).click();
    await shown.getByRole('status').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    // The receiver is set up with what the administrator copied.
    receiver.secrets.set('/bookings', String(await page.evaluate('navigator.clipboard.readText()')));

    const card = page.getByRole('article', { name: '予約システム' });
    await card.getByRole('status').filter({ hasText: '有効' }).waitFor();
    const [endpoint] = (await hub.http.get('/api/webhooks/endpoints').set(team.admin.auth).expect(200)).body.items;
    expect(endpoint).toMatchObject({ url: `${receiver.url}/bookings`, events: ['conversation.resolved'], enabled: true });

    // A chat resolved "booked", as the event log publishes it.
    const event = { id: uuidv7(), teamId: team.teamId, type: 'conversation.resolved', conversationId: uuidv7(), data: { outcome: 'booked' }, occurredAt: new Date() };
    await hub.app.get(OutgoingWebhooksService).publish(event);
    await eventually(async () => receiver.received.map((hit) => hit.id), (ids) => ids.includes(event.id));

    await card.getByRole('button', { name: '更新' }).click();
    const log = card.getByRole('table', { name: '送信履歴' });
    const row = log.getByRole('row').filter({ hasText: 'conversation.resolved' });
    await row.getByText('送信済み').waitFor();
    // Exactly: the answer beside the status carries the event's id, which may hold "200".
    await row.getByText('200', { exact: true }).waitFor();
    expect(await row.locator('code.response').textContent()).toContain(event.id);

    await row.getByRole('button', { name: /^再送: conversation\.resolved/ }).click();
    await eventually(async () => receiver.received.filter((hit) => hit.id === event.id).length, (count) => count === 2);
    // The receiver has it before the hub records the answer: the log is read once the attempt's job is done.
    await hub.infra.jobs.idle();
    const detail = await hub.http.get(`/api/webhooks/endpoints/${endpoint.id}/deliveries`).set(team.admin.auth).expect(200);
    expect(detail.body.items[0]).toMatchObject({ eventId: event.id, state: 'delivered', attempts: 2 });
    expect(receiver.unverified).toBe(0);

    // A test event from the card lands in the log too.
    await card.getByRole('button', { name: 'テスト送信' }).click();
    await log.getByRole('row').filter({ hasText: 'webhook.ping' }).getByText('送信済み').waitFor();

    // Deleting asks first.
    await card.getByRole('button', { name: '削除' }).click();
    await card.getByRole('group', { name: '削除' }).getByRole('button', { name: 'はい' }).click();
    await page.getByText('送信先はまだありません').waitFor();
    expect((await hub.http.get('/api/webhooks/endpoints').set(team.admin.auth).expect(200)).body.items).toEqual([]);
  });
});
