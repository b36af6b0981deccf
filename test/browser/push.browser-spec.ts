import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { startPushServiceFake } from '../fakes/push-service-fake.js';
import type { PushServiceFake } from '../fakes/push-service-fake.js';
import { eventually } from '../support/eventually.js';
import { connect, emitWithAck, sessionOf } from '../support/sockets.js';
import { TestHub, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage } from './browser.js';

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  actions: { action: string; title: string }[];
  data: { offerId?: string; conversationId?: string };
}

/** The notifications the inbox's worker shows, read in the page. */
const SHOWN_NOTIFICATIONS = `navigator.serviceWorker.ready
  .then((registration) => registration.getNotifications())
  .then((list) => list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, actions: [...(n.actions || [])].map((a) => ({ action: a.action, title: a.title })), data: n.data })))`;

// Issue 21: an offer pushed to a member's phone shows a notification whose Accept takes the chat. Chromium's own
// `pushManager.subscribe()` needs Google's push service, so the subscription's keys are made by the test and the hub
// pushes to a fake push service that decrypts it; that same payload is then delivered to the inbox's service worker
// through the DevTools protocol, as Chromium's push service would.
describe('The installable inbox and its push notifications in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let push: PushServiceFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let channelId: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    push = await startPushServiceFake();
    hub = await startTestHub();
    team = await createTeam(hub, 'つなぎ整骨院');
    channelId = await createWebchat(hub, team.admin);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await browser?.close();
    await hub?.stop();
    await push?.close();
  });

  it('serves a manifest with home-screen icons, and a service worker whose scope covers /app', async () => {
    const page = await hub.http.get('/app').expect(200);
    const href = /<link rel="manifest" href="([^"]+)"/.exec(page.text)?.[1];
    expect(href).toBe('/app/manifest.webmanifest');
    const manifest = await hub.http.get(href!).expect(200);
    expect(manifest.headers['content-type']).toMatch(/^application\/manifest\+json/);
    const parsed = JSON.parse(manifest.text) as { start_url: string; scope: string; display: string; icons: { src: string; sizes: string; purpose: string }[] };
    expect(parsed).toMatchObject({ start_url: '/app', scope: '/app', display: 'standalone' });
    expect(parsed.icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    for (const icon of parsed.icons) {
      const image = await hub.http.get(icon.src).buffer(true).expect(200);
      expect(image.headers['content-type']).toBe('image/png');
      // The size the manifest says: PNG's IHDR holds the width and height.
      const size = Number(icon.sizes.split('x')[0]);
      expect([(image.body as Buffer).readUInt32BE(16), (image.body as Buffer).readUInt32BE(20)]).toEqual([size, size]);
    }
    const worker = await hub.http.get('/app/sw.js').expect(200);
    expect(worker.headers['content-type']).toMatch(/^application\/javascript/);
    expect(worker.headers['service-worker-allowed']).toBe('/app');
    expect(worker.headers['cache-control']).toBe('no-cache');
  });

  it('shows a pushed offer as a notification whose Accept takes the chat', async () => {
    const member = await addMember(hub, team, { name: '受付 花子' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'ja-JP' });
    await context.grantPermissions(['notifications'], { origin: hub.url });
    const page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, member.email);
    await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'online' }).expect(200);

    // The inbox registered its worker for /app, and left its token where the worker reads it.
    expect(await page.evaluate<string>('navigator.serviceWorker.ready.then((r) => r.scope)')).toBe(`${hub.url}/app`);
    const cdp = await context.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (event: { registrations: typeof registrations }) => registrations.push(...event.registrations));
    await cdp.send('ServiceWorker.enable');
    const registration = await eventually(async () => registrations.find((r) => r.scopeURL === `${hub.url}/app` && !r.isDeleted), (r) => r !== undefined);
    const worker = await eventually(async () => context.serviceWorkers().find((w) => w.url() === `${hub.url}/app/sw.js`), (w) => w !== undefined);

    // The member's phone, as far as the hub knows: a subscription whose keys the test holds.
    const subscription = push.subscribe();
    await hub.http.post('/api/push/subscriptions').set(member.auth).send({ ...subscription.toJSON(), language: 'ja' }).expect(201);

    const visitor = await connect(hub.url, '/widget', { channelId });
    sockets.push(visitor);
    await sessionOf(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: '初診の予約をしたいです' });
    const [pushed] = await eventually(async () => push.received.filter((p) => p.path === new URL(subscription.endpoint).pathname), (list) => list.length === 1);
    expect(pushed.payload).toMatchObject({ kind: 'offers', conversationId });

    await cdp.send('ServiceWorker.deliverPushMessage', { origin: hub.url, registrationId: registration!.registrationId, data: JSON.stringify(pushed.payload) });
    const [shown] = await eventually(() => page.evaluate<ShownNotification[]>(SHOWN_NOTIFICATIONS), (list) => list.length === 1);
    expect(shown).toMatchObject({
      title: '新しいチャット',
      body: 'Webチャット: 初診の予約をしたいです',
      tag: pushed.payload.tag,
      data: { offerId: pushed.payload.offerId, conversationId },
    });
    expect(shown.actions).toEqual([
      { action: 'accept', title: '受ける' },
      { action: 'open', title: '開く' },
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, 'push-offer-inbox.png') });

    // The member taps Accept on the notification: the worker hears notificationclick with that action.
    await worker!.evaluate(`self.registration.getNotifications({ tag: ${JSON.stringify(pushed.payload.tag)} }).then(([notification]) =>
      self.dispatchEvent(new NotificationEvent('notificationclick', { notification, action: 'accept' })))`);

    const taken = await eventually(() => hub.infra.db.conversation.findUniqueOrThrow({ where: { id: conversationId } }), (c) => c.assigneeId === member.id);
    expect(taken.assigneeId).toBe(member.id);
    const answered = await hub.http.get(`/api/conversations/${conversationId}`).set(member.auth).expect(200);
    expect(answered.body.assigneeId).toBe(member.id);
    // The notification is gone once acted on, and the inbox open in the tab is taken to the conversation.
    expect(await page.evaluate<ShownNotification[]>(SHOWN_NOTIFICATIONS)).toEqual([]);
    await page.waitForURL(`${hub.url}/app/conversations/${conversationId}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'push-offer-accepted.png') });
    expect(page.dialogs).toEqual([]);
    await context.close();
  });

  it('lets the member choose which news is pushed, on the account page', async () => {
    const member = await addMember(hub, team, { name: '受付 次郎' });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ja-JP' });
    const page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, member.email);
    await page.goto(`${hub.url}/app/account`);
    const section = page.getByRole('region', { name: 'プッシュ通知' });
    const sales = section.getByRole('checkbox', { name: '自分に計上された売上' });
    await sales.waitFor();
    expect(await sales.isChecked()).toBe(true);
    await sales.uncheck();
    await eventually(async () => (await hub.http.get('/api/push').set(member.auth).expect(200)).body.settings.sales as boolean, (on) => !on);
    await page.screenshot({ path: join(SCREENSHOTS, 'push-settings-phone.png'), fullPage: true });
    await context.close();
  });
});
