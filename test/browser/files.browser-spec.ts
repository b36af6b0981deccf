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
import { inboundParseBody, startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake } from '../fakes/sendgrid-fake.js';
import { formBody, signTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { signWhatsAppBody, startWhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import type { WhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import { eventually } from '../support/eventually.js';
import { TestHub, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage, openWidget } from './browser.js';

const LINE_TOKEN = 'line-browser-token';
const LINE_SECRET = 'line-browser-secret';
const TWILIO = { accountSid: 'AC' + 'e'.repeat(32), authToken: 'twilio-browser-files-token' };
const SENDGRID = { apiKey: 'SG.browser-files-api-key-0123456', inboundToken: 'sendgrid-browser-files-token' };
const WHATSAPP = { accessToken: 'whatsapp-browser-files-token', appSecret: 'whatsapp-browser-files-secret', phoneNumberId: '106540352242777' };
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
  let twilio: TwilioFake;
  let sendgrid: SendgridFake;
  let whatsapp: WhatsAppCloudFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let photo: Buffer;

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: LINE_TOKEN });
    twilio = await startTwilioFake(TWILIO);
    sendgrid = await startSendgridFake({ apiKey: SENDGRID.apiKey });
    whatsapp = await startWhatsAppCloudFake({ accessToken: WHATSAPP.accessToken, phoneNumberId: WHATSAPP.phoneNumberId });
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
    await twilio?.close();
    await sendgrid?.close();
    await whatsapp?.close();
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

  it('sends a photo on Twilio WhatsApp, by email and on WhatsApp Cloud from the inbox, each previewed in the thread and without GPS', async () => {
    const channel = async (body: object): Promise<string> => (await hub.http.post('/api/channels').set(team.admin.auth).send(body).expect(201)).body.id;
    const twilioChannel = await channel({ type: 'whatsapp', provider: 'twilio', name: 'WhatsApp', config: { ...TWILIO, apiBaseUrl: twilio.url, from: 'whatsapp:+14155238886', sendsPerSecond: 200 } });
    const mailChannel = await channel({ type: 'email', provider: 'sendgrid', name: 'Mail', config: { ...SENDGRID, fromEmail: 'support@shop.example.jp', apiBaseUrl: sendgrid.url } });
    const cloudChannel = await channel({ type: 'whatsapp', provider: 'whatsapp-cloud', name: 'WhatsApp Cloud', config: { ...WHATSAPP, verifyToken: 'browser-files-verify', apiBaseUrl: whatsapp.apiBaseUrl } });

    // A customer writes first on each.
    const twilioParams = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: TWILIO.accountSid, From: 'whatsapp:+819087650001', To: 'whatsapp:+14155238886', Body: '色違いは？', NumMedia: '0' };
    const twilioPath = `/webhooks/twilio/${twilioChannel}`;
    await request(hub.url).post(twilioPath).set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signTwilioForm(TWILIO.authToken, hub.url + twilioPath, twilioParams)).send(formBody(twilioParams)).expect(200);
    const mail = inboundParseBody([
      { name: 'headers', value: 'From: Yamada <yamada@example.jp>\r\nMessage-ID: <browser-files@example.jp>\r\nSubject: 写真' },
      { name: 'from', value: 'Yamada <yamada@example.jp>' },
      { name: 'to', value: 'support@shop.example.jp' },
      { name: 'subject', value: '写真' },
      { name: 'text', value: '写真を送ってください' },
    ]);
    await request(hub.url).post(`/webhooks/sendgrid/${mailChannel}/inbound?token=${SENDGRID.inboundToken}`).set('content-type', mail.contentType).send(mail.body).expect(200);
    const waId = '819087650002';
    const cloudBody = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: WHATSAPP.phoneNumberId }, contacts: [{ profile: { name: 'Hanako' }, wa_id: waId }], messages: [{ from: waId, id: `wamid.browser-${waId}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: '在庫は？' } }] } }] }],
    });
    await request(hub.url).post(`/webhooks/whatsapp/${cloudChannel}`).set('content-type', 'application/json').set('x-hub-signature-256', signWhatsAppBody(WHATSAPP.appSecret, cloudBody)).send(cloudBody).expect(200);
    const chatOn = (channelId: string) => eventually(() => hub.infra.db.conversation.findFirst({ where: { channelId } }), (c) => c !== null).then((c) => c!.id);

    const inboxContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const inbox = await openPage(inboxContext, `${hub.url}/app`);
    await logIn(inbox, team.admin.email);
    const sendPhoto = async (conversationId: string, name: string) => {
      await inbox.goto(`${hub.url}/app/conversations/${conversationId}`);
      await attachAndSend(inbox, { name, mimeType: 'image/jpeg', buffer: photo }, 'img');
      await inbox.locator(`.thread .files img[alt="${name.replace('.JPG', '.jpg')}"]`).waitFor({ timeout: 10_000 });
    };

    // Twilio WhatsApp: media from the hub's signed link, which Twilio fetches.
    await sendPhoto(await chatOn(twilioChannel), 'IMG_0101.JPG');
    const media = await eventually(() => Promise.resolve(twilio.sent.find((m) => m.form.To === 'whatsapp:+819087650001')), (m) => m !== undefined);
    const twilioPhoto = await request(media!.form.MediaUrl as string).get('').expect(200);
    expect((await sharp(twilioPhoto.body as Buffer).metadata()).exif).toBeUndefined();
    await inbox.screenshot({ path: join(SCREENSHOTS, 'files-inbox-twilio-whatsapp.png') });

    // Email: a SendGrid attachment.
    await sendPhoto(await chatOn(mailChannel), 'IMG_0102.JPG');
    const sentMail = await eventually(() => Promise.resolve(sendgrid.sent.find((m) => m.body.attachments?.length)), (m) => m !== undefined);
    const attached = Buffer.from(sentMail!.body.attachments![0].content, 'base64');
    expect((await sharp(attached).metadata()).exif).toBeUndefined();
    expect(attached.includes(Buffer.from('PhoneCam'))).toBe(false);

    // WhatsApp Cloud: uploaded to the number's media, then sent as an image message naming it.
    await sendPhoto(await chatOn(cloudChannel), 'IMG_0103.JPG');
    const image = await eventually(() => Promise.resolve(whatsapp.sent.find((m) => m.body.type === 'image')), (m) => m !== undefined);
    const uploaded = whatsapp.uploads.find((u) => u.id === (image!.body.image as { id: string }).id)!;
    expect((await sharp(uploaded.data).metadata()).exif).toBeUndefined();
    // WhatsApp cannot take a message back from the customer's phone: the inbox offers no withdraw button there.
    expect(await inbox.locator('.thread button.withdraw').count()).toBe(0);
    await inbox.screenshot({ path: join(SCREENSHOTS, 'files-inbox-whatsapp-cloud.png') });

    expect(inbox.dialogs).toEqual([]);
    await inboxContext.close();
  });
});
