import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { startWebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import type { WebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import { eventually } from '../support/eventually.js';
import { MovableClock } from '../support/movable-clock.js';
import { TestHub, createTeam, startTestHub } from '../support/test-hub.js';
import { passRetries, publishLogged } from '../support/webhook-retries.js';
import { WIDTHS, launchBrowser, logIn, openPage } from './browser.js';

const HOUR = 3_600_000;
/** How `datetime-local` shows an instant in Tokyo, the browser's time zone here. */
const tokyoInput = (at: Date) => new Date(at.getTime() + 9 * HOUR).toISOString().slice(0, 16);

// Issue 23, outgoing webhooks: an administrator connects the clinic's reservation system from the admin page alone.
describe('Webhooks screen in a real browser', () => {
  // Retries wait on this clock: the log's failures come from three days of them, passed without waiting.
  const clock = new MovableClock(new Date());
  let browser: Browser;
  let hub: TestHub;
  let receiver: WebhookReceiverFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startTestHub({}, { clock });
    receiver = await startWebhookReceiverFake(clock);
    team = await createTeam(hub, 'つなぎクリニック');
    context = await browser.newContext({ ...WIDTHS[0].options, timezoneId: 'Asia/Tokyo', permissions: ['clipboard-read', 'clipboard-write'] });
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
    await publishLogged(hub, event);
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

  it('shows the older deliveries a page at a time, and replays every delivery that failed for good since a time', async () => {
    const created = await hub.http.post('/api/webhooks/endpoints').set(team.admin.auth).send({ url: `${receiver.url}/crm`, description: '顧客管理', events: ['message.created', 'sale.created'] }).expect(201);
    const endpointId = created.body.id as string;
    receiver.secrets.set('/crm', created.body.secret);
    const start = clock.now();
    const event = (type: string) => ({ id: uuidv7(), teamId: team.teamId, type, conversationId: null, data: { at: clock.now().toISOString() }, occurredAt: clock.now() });
    const publish = (e: ReturnType<typeof event>) => publishLogged(hub, e);

    // More than the log's first page (50): the three oldest are on the next one.
    const messages = Array.from({ length: 47 }, () => event('message.created'));
    for (const message of messages) await publish(message);
    // Two sales the CRM refuses through three days of retries, while other events go through (so it stays on).
    const sales = [event('sale.created'), event('sale.created')];
    const refused = new Set(sales.map((sale) => sale.id));
    receiver.refuse = (hit) => refused.has(hit.id);
    for (const sale of sales) await publish(sale);
    for (let day = 0; day < 4; day++) {
      await publish(event('message.created'));
      await passRetries(hub, clock, endpointId, new Date(clock.now().getTime() + 20 * HOUR));
    }
    const failed = await hub.http.get(`/api/webhooks/endpoints/${endpointId}/deliveries?state=failed`).set(team.admin.auth).expect(200);
    expect(failed.body.items.map((d: { eventId: string }) => d.eventId).sort()).toEqual([...refused].sort());
    receiver.refuse = () => false;

    // The administrator opens the page three days on, the browser's clock agreeing with the hub's.
    await page.clock.setFixedTime(clock.now());
    await page.goto(`${hub.url}/app/admin/webhooks`);
    const card = page.getByRole('article', { name: '顧客管理' });
    const log = card.getByRole('table', { name: '送信履歴' });
    const more = card.getByRole('button', { name: 'さらに表示' });
    await more.waitFor();
    const rows = log.getByRole('row');
    expect(await rows.count()).toBe(1 + 50);
    const oldest = messages.slice(0, 3);
    const rowOf = (id: string) => rows.filter({ has: page.locator('code.response', { hasText: id }) });
    for (const message of oldest) expect(await rowOf(message.id).count()).toBe(0);
    await more.click();
    await more.waitFor({ state: 'detached' });
    expect(await rows.count()).toBe(1 + 53);
    for (const message of oldest) await rowOf(message.id).getByText('送信済み').waitFor();
    const saleRows = rows.filter({ hasText: 'sale.created' });
    expect(await saleRows.filter({ hasText: '失敗（再試行終了）' }).filter({ hasText: 'HTTP 500' }).count()).toBe(2);

    const replay = card.getByRole('form', { name: '失敗した配信を再送' });
    const since = replay.getByLabel('この日時以降の出来事');
    // By default the last 24 hours: the sales failed for good, but their events are older.
    expect(await since.inputValue()).toBe(tokyoInput(new Date(clock.now().getTime() - 24 * HOUR)));
    await replay.getByRole('button', { name: '失敗した配信を再送' }).click();
    await replay.getByRole('status').filter({ hasText: '再送したものはありません' }).waitFor();
    expect(receiver.received.filter((hit) => refused.has(hit.id))).toEqual([]);

    // An emptied field is refused by the hub, in the catalog's words under the field.
    await since.fill('');
    await replay.getByRole('button', { name: '失敗した配信を再送' }).click();
    await replay.getByRole('alert').filter({ hasText: 'この項目の内容を確認してください' }).waitFor();

    await since.fill(tokyoInput(start));
    await replay.getByRole('button', { name: '失敗した配信を再送' }).click();
    await replay.getByRole('status').filter({ hasText: '失敗した配信を2件再送しました' }).waitFor();
    // The log was read again with the answer: neither sale shows as failed any more.
    expect(await saleRows.count()).toBe(2);
    expect(await saleRows.filter({ hasText: '失敗（再試行終了）' }).count()).toBe(0);
    const resent = await eventually(async () => receiver.received.filter((hit) => refused.has(hit.id)), (hits) => hits.length === 2);
    expect(new Set(resent.map((hit) => hit.id))).toEqual(refused);
    expect(receiver.unverified).toBe(0);
  });
});
