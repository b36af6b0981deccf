import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { FILE_LINKS } from '../../src/common/files/index.js';
import type { FileLinks } from '../../src/common/files/index.js';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { inboundParseBody, startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake } from '../fakes/sendgrid-fake.js';
import { formBody, signTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { signWhatsAppBody, startWhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import type { WhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import { existsSync } from 'node:fs';
import { eventually } from '../support/eventually.js';
import { MovableClock } from '../support/movable-clock.js';
import { emitWithAck, nextEvent, sessionOf, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCESS_TOKEN = 'line-channel-access-token';
const SECRET = 'line-channel-secret';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const TWILIO = { accountSid: 'AC' + 'f'.repeat(32), authToken: 'twilio-files-auth-token-01' };
const SENDGRID = { apiKey: 'SG.files-test-api-key-0123456789', inboundToken: 'sendgrid-files-inbound-token' };
const WHATSAPP = { accessToken: 'whatsapp-files-access-token', appSecret: 'whatsapp-files-app-secret', phoneNumberId: '106540352242999' };

/** A photo as the hub passes it on: re-encoded, with neither the camera nor the place in it. */
async function expectNoMetadata(image: Buffer): Promise<void> {
  expect((await sharp(image).metadata()).exif).toBeUndefined();
  expect(image.includes(Buffer.from('PhoneCam'))).toBe(false);
}

/** A phone's photo: the camera and where it was taken are in its EXIF. */
const photoWithGps = () =>
  sharp({ create: { width: 800, height: 600, channels: 3, background: '#3a6' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '35/1 39/1 2904/100', GPSLongitudeRef: 'E', GPSLongitude: '139/1 44/1 2896/100' } })
    .toBuffer();

describe('Files both ways', () => {
  let hub: TestHub;
  let admin: TestMember;
  let line: LineFake;
  let lineChannel: string;
  let twilio: TwilioFake;
  let sendgrid: SendgridFake;
  let whatsapp: WhatsAppCloudFake;
  const { open, closeAll } = socketPool();

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: ACCESS_TOKEN });
    twilio = await startTwilioFake(TWILIO);
    sendgrid = await startSendgridFake({ apiKey: SENDGRID.apiKey });
    whatsapp = await startWhatsAppCloudFake({ accessToken: WHATSAPP.accessToken, phoneNumberId: WHATSAPP.phoneNumberId });
    hub = await startTestHub({ PUBLIC_URL });
    admin = (await createTeam(hub)).admin;
    lineChannel = (await hub.http.post('/api/channels').set(admin.auth).send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: SECRET, channelAccessToken: ACCESS_TOKEN, apiBaseUrl: line.url } }).expect(201)).body.id;
  });

  afterAll(async () => {
    closeAll();
    await hub?.stop();
    await line?.close();
    await twilio?.close();
    await sendgrid?.close();
    await whatsapp?.close();
  });

  const channel = async (body: object): Promise<string> => (await hub.http.post('/api/channels').set(admin.auth).send(body).expect(201)).body.id;

  /** A LINE customer who wrote first: the conversation an agent answers. */
  async function lineConversation(): Promise<{ conversationId: string; userId: string }> {
    const userId = 'U' + randomBytes(16).toString('hex');
    const events = (JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/providers/line/single-user-text.json'), 'utf8')).events as object[]).map((e) => ({
      ...e,
      webhookEventId: `01FILES${randomBytes(8).toString('hex')}`,
      source: { type: 'user', userId },
      message: { type: 'text', id: String(Date.now()), text: '写真を送ってください' },
    }));
    const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events });
    await request(hub.url).post(`/webhooks/line/${lineChannel}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(SECRET, body)).send(body).expect(200);
    const message = await eventually(() => hub.infra.db.message.findFirst({ where: { channelId: lineChannel, conversation: { threadKey: `line:${userId}` } } }), (m) => m !== null);
    return { conversationId: message!.conversationId, userId };
  }

  const upload = (conversationId: string, data: Buffer, name: string) => hub.http.post(`/api/conversations/${conversationId}/uploads`).set(admin.auth).attach('file', data, name);

  it('sends a photo on LINE as an image message from a signed link that serves it without its GPS metadata', async () => {
    const { conversationId, userId } = await lineConversation();
    const uploaded = await upload(conversationId, await photoWithGps(), 'IMG_0001.JPG').expect(201);
    expect(uploaded.body).toMatchObject({ name: 'IMG_0001.jpg', contentType: 'image/jpeg', kind: 'image' });

    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'こちらです', attachments: [uploaded.body.id] }).expect(201);
    expect(reply.body.attachments).toEqual([expect.objectContaining({ kind: 'image', url: `/api/messages/${reply.body.id}/attachments/0`, thumbnailUrl: expect.stringContaining('variant=thumbnail') })]);

    const push = await eventually(() => Promise.resolve(line.pushesTo(userId)), (pushes) => pushes.length > 0);
    const [text, image] = push[0].messages as Array<Record<string, string>>;
    expect(text).toMatchObject({ type: 'text', text: 'こちらです' });
    expect(image).toMatchObject({ type: 'image', originalContentUrl: expect.stringMatching(new RegExp(`^${PUBLIC_URL}/files/${reply.body.id}/0\\?expires=\\d+&signature=`)) });
    expect(image.previewImageUrl).toContain('variant=thumbnail');

    // LINE's app fetches the link: the bytes are the re-encoded photo, with nothing of its EXIF left.
    const fetched = await request(hub.url).get(image.originalContentUrl.slice(PUBLIC_URL.length)).expect(200);
    expect(fetched.headers['content-type']).toBe('image/jpeg');
    expect(fetched.headers['content-disposition']).toBe("inline; filename*=UTF-8''IMG_0001.jpg");
    const metadata = await sharp(fetched.body as Buffer).metadata();
    expect(metadata.exif).toBeUndefined();
    expect((fetched.body as Buffer).includes(Buffer.from('PhoneCam'))).toBe(false);
    const thumbnail = await request(hub.url).get(image.previewImageUrl.slice(PUBLIC_URL.length)).expect(200);
    expect((await sharp(thumbnail.body as Buffer).metadata()).width).toBe(480);

    // The inbox reads the same file with the member's sign-in.
    await hub.http.get(`/api/messages/${reply.body.id}/attachments/0`).set(admin.auth).expect(200).expect('content-type', 'image/jpeg');
    // An upload goes out once: a second reply naming it finds nothing.
    const again = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ attachments: [uploaded.body.id] }).expect(404);
    expect(again.body.code).toBe('upload_not_found');
  });

  it('sends a PDF on LINE as a text with a signed link, since LINE bots cannot send files', async () => {
    const { conversationId, userId } = await lineConversation();
    const uploaded = await upload(conversationId, PDF, '予約表.pdf').expect(201);
    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ attachments: [uploaded.body.id] }).expect(201);
    expect(reply.body.kind).toBe('media');
    const push = await eventually(() => Promise.resolve(line.pushesTo(userId)), (pushes) => pushes.length > 0);
    const [message] = push[0].messages as Array<Record<string, string>>;
    expect(message.type).toBe('text');
    const link = /https:\/\/hub\.example\.test(\/files\/\S+)/.exec(message.text)![1];
    expect(message.text.startsWith('📎 予約表.pdf\n')).toBe(true);
    const fetched = await request(hub.url).get(link).expect(200);
    expect(fetched.headers['content-type']).toBe('application/pdf');
    expect(fetched.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''${encodeURIComponent('予約表.pdf')}`);
    expect(Buffer.from(fetched.body as Buffer).equals(PDF)).toBe(true);

    // A link with another signature, or another file's, or stretched in time, opens nothing.
    const forged = await request(hub.url).get(link.replace(/signature=[^&]+/, `signature=${'A'.repeat(43)}`)).expect(403);
    expect(forged.body.code).toBe('link_invalid');
    const stretched = await request(hub.url).get(link.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 1}`)).expect(403);
    expect(stretched.body.code).toBe('link_invalid');
    const links = hub.app.get<symbol, FileLinks>(FILE_LINKS);
    const expired = await request(hub.url).get(links.path({ messageId: reply.body.id, index: 0, variant: 'file' }, new Date(Date.now() - 1000))).expect(404);
    expect(expired.body.code).toBe('link_expired');
  });

  it('sends a photo on Twilio WhatsApp as media from a signed link Twilio fetches, without its GPS metadata', async () => {
    const channelId = await channel({ type: 'whatsapp', provider: 'twilio', name: 'WhatsApp', config: { ...TWILIO, apiBaseUrl: twilio.url, from: 'whatsapp:+14155238886', sendsPerSecond: 200 } });
    const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: TWILIO.accountSid, From: 'whatsapp:+819012345001', To: 'whatsapp:+14155238886', Body: '写真ありますか', NumMedia: '0' };
    const path = `/webhooks/twilio/${channelId}`;
    await request(hub.url).post(path).set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signTwilioForm(TWILIO.authToken, PUBLIC_URL + path, params)).send(formBody(params)).expect(200);
    const { id: conversationId } = await hub.infra.db.conversation.findFirstOrThrow({ where: { channelId } });

    const uploaded = await upload(conversationId, await photoWithGps(), 'shelf.jpg').expect(201);
    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: '棚の写真です', attachments: [uploaded.body.id] }).expect(201);
    const sent = await eventually(() => Promise.resolve(twilio.sent.find((m) => m.form.Body === '棚の写真です')), (m) => m !== undefined);
    expect(sent!.form).toMatchObject({ To: 'whatsapp:+819012345001', MediaUrl: expect.stringMatching(new RegExp(`^${PUBLIC_URL}/files/${reply.body.id}/0\\?expires=\\d+&signature=`)) });

    // Twilio fetches the media from the link: the photo, re-encoded.
    const fetched = await request(hub.url).get((sent!.form.MediaUrl as string).slice(PUBLIC_URL.length)).expect(200).expect('content-type', 'image/jpeg');
    await expectNoMetadata(fetched.body as Buffer);
  });

  it('sends a photo by email as a SendGrid attachment, without its GPS metadata', async () => {
    const channelId = await channel({ type: 'email', provider: 'sendgrid', name: 'Mail', config: { ...SENDGRID, fromEmail: 'support@shop.example.jp', apiBaseUrl: sendgrid.url } });
    const { body, contentType } = inboundParseBody([
      { name: 'headers', value: 'From: Yamada <yamada@example.jp>\r\nMessage-ID: <files-1@example.jp>\r\nSubject: 色違い' },
      { name: 'from', value: 'Yamada <yamada@example.jp>' },
      { name: 'to', value: 'support@shop.example.jp' },
      { name: 'subject', value: '色違い' },
      { name: 'text', value: '青の写真はありますか' },
    ]);
    await request(hub.url).post(`/webhooks/sendgrid/${channelId}/inbound?token=${SENDGRID.inboundToken}`).set('content-type', contentType).send(body).expect(200);
    const { id: conversationId } = await eventually(() => hub.infra.db.conversation.findFirst({ where: { channelId } }), (c) => c !== null).then((c) => c!);

    const uploaded = await upload(conversationId, await photoWithGps(), 'blue.jpg').expect(201);
    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: '青はこちらです', attachments: [uploaded.body.id] }).expect(201);
    const mail = await eventually(() => Promise.resolve(sendgrid.sent.find((m) => m.body.content?.some((c) => c.value.includes('青はこちらです')))), (m) => m !== undefined);
    const [attachment] = mail!.body.attachments!;
    expect(attachment).toMatchObject({ filename: 'blue.jpg', type: 'image/jpeg', disposition: 'attachment' });
    await expectNoMetadata(Buffer.from(attachment.content, 'base64'));
  });

  it('sends a photo on WhatsApp Cloud as an uploaded media message, and a PDF as a document with its name', async () => {
    const channelId = await channel({
      type: 'whatsapp',
      provider: 'whatsapp-cloud',
      name: 'WhatsApp Cloud',
      config: { ...WHATSAPP, verifyToken: 'files-verify-token', apiBaseUrl: whatsapp.apiBaseUrl },
    });
    const waId = '819012345002';
    const webhook = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: WHATSAPP.phoneNumberId }, contacts: [{ profile: { name: 'Hanako' }, wa_id: waId }], messages: [{ from: waId, id: `wamid.files-${waId}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: '在庫の写真を' } }] } }] }],
    });
    await request(hub.url).post(`/webhooks/whatsapp/${channelId}`).set('content-type', 'application/json').set('x-hub-signature-256', signWhatsAppBody(WHATSAPP.appSecret, webhook)).send(webhook).expect(200);
    const { id: conversationId } = await hub.infra.db.conversation.findFirstOrThrow({ where: { channelId } });

    const photo = await upload(conversationId, await photoWithGps(), 'stock.jpg').expect(201);
    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: '在庫です', attachments: [photo.body.id] }).expect(201);
    const image = await eventually(() => Promise.resolve(whatsapp.sent.find((m) => m.body.type === 'image')), (m) => m !== undefined);
    const mediaId = (image!.body.image as { id: string }).id;
    expect(image!.body).toMatchObject({ to: waId, image: { id: mediaId, caption: '在庫です' } });
    const stored = whatsapp.uploads.find((u) => u.id === mediaId)!;
    expect(stored).toMatchObject({ type: 'image/jpeg', contentType: 'image/jpeg', filename: 'stock.jpg' });
    await expectNoMetadata(stored.data);

    const pdf = await upload(conversationId, PDF, '見積書.pdf').expect(201);
    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ attachments: [pdf.body.id] }).expect(201);
    const document = await eventually(() => Promise.resolve(whatsapp.sent.find((m) => m.body.type === 'document')), (m) => m !== undefined);
    const sentDocument = document!.body.document as { id: string; filename: string; caption?: string };
    expect(sentDocument).toEqual({ id: expect.any(String), filename: '見積書.pdf' });
    expect(whatsapp.uploads.find((u) => u.id === sentDocument.id)!.data.equals(PDF)).toBe(true);
  });

  it('refuses a file whose bytes are not what its name says, and one above the team’s cap', async () => {
    const { conversationId } = await lineConversation();
    const html = await upload(conversationId, Buffer.from('<html><script>alert(1)</script></html>'), 'invoice.pdf').expect(422);
    expect(html.body).toMatchObject({ code: 'file_type_not_allowed', details: { detectedType: null } });

    await hub.http.patch('/api/teams/current').set(admin.auth).send({ settings: { uploads: { maxBytes: 2048, visitorTypes: ['image', 'pdf'] } } }).expect(200);
    try {
      const large = await upload(conversationId, Buffer.concat([PDF, randomBytes(4096)]), 'large.pdf').expect(422);
      expect(large.body).toMatchObject({ code: 'file_too_large', details: { maxBytes: 2048 } });
    } finally {
      await hub.http.patch('/api/teams/current').set(admin.auth).send({ settings: { uploads: { maxBytes: 10 * 1024 * 1024, visitorTypes: ['image', 'pdf'] } } }).expect(200);
    }
    // Nothing was kept for either.
    expect(await hub.infra.db.message.count({ where: { conversationId, direction: 'out' } })).toBe(0);
  });

  it('shows an agent’s photo in the widget and takes a visitor’s PDF over HTTP as their message', async () => {
    const webchat = await createWebchat(hub, admin);
    const visitorId = randomBytes(16).toString('base64url');
    const socket = await open(hub.url, '/widget', { channelId: webchat, visitorId });
    await sessionOf(socket);
    const ack = await emitWithAck<{ ok: boolean; conversationId: string }>(socket, 'message', { body: 'メニューはありますか' });

    const uploaded = await upload(ack.conversationId, await photoWithGps(), 'menu.jpg').expect(201);
    const shown = nextEvent<{ attachments?: Array<{ url: string; kind: string; thumbnailUrl: string | null }> }>(socket, 'message', (m) => Boolean(m.attachments));
    await hub.http.post(`/api/conversations/${ack.conversationId}/messages`).set(admin.auth).send({ attachments: [uploaded.body.id] }).expect(201);
    const [photo] = (await shown).attachments!;
    expect(photo).toMatchObject({ kind: 'image', url: expect.stringContaining(`${PUBLIC_URL}/files/`), thumbnailUrl: expect.stringContaining('variant=thumbnail') });

    const sent = await request(hub.url).post(`/api/widget/${webchat}/uploads`).field('visitorId', visitorId).attach('file', PDF, 'receipt.pdf').expect(201);
    expect(sent.body).toEqual({ conversationId: ack.conversationId, id: expect.any(String) });
    const message = await hub.http.get(`/api/conversations/${ack.conversationId}/messages`).set(admin.auth).expect(200);
    const received = (message.body.items as Array<{ id: string; attachments: Array<{ url: string; name: string; contentType: string }> }>).find((m) => m.id === sent.body.id)!;
    expect(received.attachments).toEqual([expect.objectContaining({ name: 'receipt.pdf', contentType: 'application/pdf', kind: 'document' })]);
    const bytes = await hub.http.get(received.attachments[0].url).set(admin.auth).expect(200);
    expect(Buffer.from(bytes.body as Buffer).equals(PDF)).toBe(true);

    // The team's kinds for visitors: images and PDF unless set, so a video is refused, and so is no visitor at all.
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(12)]);
    const video = await request(hub.url).post(`/api/widget/${webchat}/uploads`).field('visitorId', visitorId).attach('file', mp4, 'clip.mp4').expect(422);
    expect(video.body).toMatchObject({ code: 'file_type_not_allowed', details: { detectedType: 'video/mp4' } });
    const nobody = await request(hub.url).post(`/api/widget/${webchat}/uploads`).attach('file', PDF, 'receipt.pdf').expect(401);
    expect(nobody.body.code).toBe('visitor_unknown');
  });
});

describe('Uploads nobody sent', () => {
  const clock = new MovableClock(new Date());
  let hub: TestHub;
  let admin: TestMember;
  const { open, closeAll } = socketPool();

  beforeAll(async () => {
    hub = await startTestHub({ PUBLIC_URL }, { clock });
    admin = (await createTeam(hub)).admin;
  });

  afterAll(async () => {
    closeAll();
    await hub?.stop();
  });

  it('removes a file an agent attached and never sent a minute after its day, also when a restart scheduled it again', async () => {
    const webchat = await createWebchat(hub, admin);
    const socket = await open(hub.url, '/widget', { channelId: webchat, visitorId: randomBytes(16).toString('base64url') });
    await sessionOf(socket);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(socket, 'message', { body: '見積もりをください' });
    const uploaded = await hub.http.post(`/api/conversations/${conversationId}/uploads`).set(admin.auth).attach('file', PDF, 'estimate.pdf').expect(201);
    const file = join(hub.dataDir, 'files', admin.teamId, 'uploads', uploaded.body.id);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(`${file}.json`)).toBe(true);

    // A start takes up the waiting upload's removal again (the in-process runner's timers die with a process).
    expect((await hub.infra.resumableWork.resumeAll())['unsent uploads to remove']).toBe(1);
    clock.advance(24 * 3600_000);
    expect(existsSync(file)).toBe(true);
    clock.advance(61_000);
    await eventually(async () => existsSync(file) || existsSync(`${file}.json`), (left) => !left);
    const late = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ attachments: [uploaded.body.id] }).expect(404);
    expect(late.body.code).toBe('upload_not_found');
  });
});
