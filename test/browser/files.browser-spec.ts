import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { eventually } from '../support/eventually.js';
import { TestHub, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage, openWidget } from './browser.js';

const LINE_TOKEN = 'line-browser-token';
const LINE_SECRET = 'line-browser-secret';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** A free port, so that the hub's public URL (where its signed links point) is one the browser can open. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('Files both ways in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let line: LineFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let photo: Buffer;

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: LINE_TOKEN });
    browser = await launchBrowser();
    const port = await freePort();
    hub = await startTestHub({ PORT: String(port), PUBLIC_URL: `http://localhost:${port}` });
    team = await createTeam(hub, '写真テスト店');
    // A phone's photo: the camera and where it was taken (Tokyo Tower) are in its EXIF.
    photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#d94' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'PhoneCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 39/1 2904/100', GPSLongitudeRef: 'E', GPSLongitude: '139/1 44/1 2896/100' } })
      .toBuffer();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await line?.close();
  });

  async function attachAndSend(inbox: Page, file: { name: string; mimeType: string; buffer: Buffer }, preview: 'img' | 'span'): Promise<void> {
    await inbox.locator('.composer input[type=file]').setInputFiles(file);
    await inbox.locator(`.pending-files ${preview}`).first().waitFor();
    await inbox.getByRole('button', { name: '送信', exact: true }).click();
    await inbox.locator('.pending-files').waitFor({ state: 'detached' });
  }

  it('sends a photo on web chat and LINE, a PDF on LINE as a link, and takes a visitor’s PDF, each with its preview', async () => {
    const webchat = await createWebchat(hub, team.admin);
    const lineChannel = (
      await hub.http.post('/api/channels').set(team.admin.auth).send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: LINE_SECRET, channelAccessToken: LINE_TOKEN, apiBaseUrl: line.url } }).expect(201)
    ).body.id as string;

    // The visitor writes first in the widget.
    const shopContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const shop = await openPage(shopContext, `${hub.url}/demo?channel=${webchat}`);
    await openWidget(shop);
    const widgetInput = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await widgetInput.fill('商品の写真を見せてください');
    await widgetInput.press('Enter');
    const chat = await eventually(() => hub.infra.db.conversation.findFirst({ where: { channelId: webchat } }), (c) => c !== null);

    const inboxContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const inbox = await openPage(inboxContext, `${hub.url}/app`);
    await logIn(inbox, team.admin.email);

    // Web chat: the agent's photo shows in the thread and in the widget, from a signed link, without its GPS.
    await inbox.goto(`${hub.url}/app/conversations/${chat!.id}`);
    await attachAndSend(inbox, { name: 'IMG_0001.JPG', mimeType: 'image/jpeg', buffer: photo }, 'img');
    await inbox.locator('.thread .files img[alt="IMG_0001.jpg"]').waitFor({ timeout: 10_000 });
    const widgetImage = shop.locator('.log .theirs img.preview');
    await widgetImage.waitFor({ timeout: 10_000 });
    await eventually(() => widgetImage.evaluate((img) => {
      // The page's element, typed without the DOM library: loaded, and as wide as the hub's thumbnail.
      const image = img as { complete?: boolean; naturalWidth?: number };
      return image.complete ? image.naturalWidth : 0;
    }), (width) => width === 480);
    const full = (await shop.locator('.log .theirs a.file').getAttribute('href'))!;
    const served = await request(full).get('').expect(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(served.body as Buffer).metadata()).exif).toBeUndefined();
    expect((served.body as Buffer).includes(Buffer.from('PhoneCam'))).toBe(false);

    // The visitor sends a PDF from the widget, over HTTP: it shows in their chat and in the agent's thread.
    await shop.locator('.attach input[type=file]').setInputFiles({ name: 'receipt.pdf', mimeType: 'application/pdf', buffer: PDF });
    await shop.locator('.log .mine a.document').filter({ hasText: 'receipt.pdf' }).waitFor({ timeout: 10_000 });
    await inbox.locator('.thread .file-link').filter({ hasText: 'receipt.pdf' }).waitFor({ timeout: 10_000 });
    await shop.screenshot({ path: join(SCREENSHOTS, 'files-widget.png') });
    await inbox.screenshot({ path: join(SCREENSHOTS, 'files-inbox-webchat.png') });

    // LINE: the photo goes as an image message (the thread previews it), the PDF as a text with its signed link.
    const userId = 'U' + randomBytes(16).toString('hex');
    const events = (JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/providers/line/single-user-text.json'), 'utf8')).events as object[]).map((e) => ({
      ...e,
      webhookEventId: `01BROWSERFILES${randomBytes(6).toString('hex')}`,
      source: { type: 'user', userId },
      message: { type: 'text', id: '99001', text: 'パンフレットはありますか' },
    }));
    const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events });
    await request(hub.url).post(`/webhooks/line/${lineChannel}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(LINE_SECRET, body)).send(body).expect(200);
    const lineChat = await eventually(() => hub.infra.db.conversation.findFirst({ where: { channelId: lineChannel } }), (c) => c !== null);
    await inbox.goto(`${hub.url}/app/conversations/${lineChat!.id}`);
    await attachAndSend(inbox, { name: 'IMG_0002.JPG', mimeType: 'image/jpeg', buffer: photo }, 'img');
    await inbox.locator('.thread .files img[alt="IMG_0002.jpg"]').waitFor({ timeout: 10_000 });
    const [imagePush] = await eventually(() => Promise.resolve(line.pushesTo(userId)), (pushes) => pushes.length === 1);
    const image = imagePush.messages[0] as Record<string, string>;
    expect(image).toMatchObject({ type: 'image', originalContentUrl: expect.stringContaining('/files/') });
    const linePhoto = await request(image.originalContentUrl).get('').expect(200);
    expect((await sharp(linePhoto.body as Buffer).metadata()).exif).toBeUndefined();

    await attachAndSend(inbox, { name: 'パンフレット.pdf', mimeType: 'application/pdf', buffer: PDF }, 'span');
    await inbox.locator('.thread .file-link').filter({ hasText: 'パンフレット.pdf' }).waitFor({ timeout: 10_000 });
    const pushes = await eventually(() => Promise.resolve(line.pushesTo(userId)), (all) => all.length === 2);
    const linkText = (pushes[1].messages[0] as Record<string, string>).text;
    expect(linkText).toMatch(/^📎 パンフレット\.pdf\nhttp:\/\/localhost:\d+\/files\/\S+signature=/);
    const pdf = await request(linkText.split('\n')[1]).get('').expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    await inbox.screenshot({ path: join(SCREENSHOTS, 'files-inbox-line.png') });

    expect(inbox.dialogs).toEqual([]);
    await inboxContext.close();
    await shopContext.close();
  });
});
