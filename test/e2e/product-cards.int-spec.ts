import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { emitWithAck, nextEvent, sessionOf, sleep, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const LINE = { channelSecret: 'cards-line-secret', channelAccessToken: 'cards-line-access-token' };
const TWILIO = { accountSid: 'AC' + 'c'.repeat(32), authToken: 'twilio-cards-auth-token-01' };
const SENDGRID = { apiKey: 'SG.cards-test-api-key-0123456789', inboundToken: 'sendgrid-cards-inbound-token' };
const WHATSAPP = { accessToken: 'whatsapp-cards-access-token', appSecret: 'whatsapp-cards-app-secret', phoneNumberId: '106540352243111' };
const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const LINK = new RegExp(`^${PUBLIC_URL}/p/[A-Za-z0-9_-]{12}$`);

type Card = { productId: string; name: string; price: number | null; salePrice: number | null; currency: string | null; variant: string | null; imageUrl: string | null; url: string; openedAt: string | null };
type WidgetCard = { name: string; variant: string | null; priceText: string | null; imageUrl: string | null; link: string; label: string };
type Product = { id: string; name: string; url: string };
type UriAction = { type: 'uri'; label: string; uri: string };
type Bubble = { hero?: { type: string; url: string; action: UriAction }; body: { contents: Array<{ type: string; text: string }> }; footer: { contents: Array<{ type: string; action: UriAction }> } };

describe('Product cards', () => {
  let hub: TestHub;
  let admin: TestMember;
  let line: LineFake;
  let twilio: TwilioFake;
  let sendgrid: SendgridFake;
  let whatsapp: WhatsAppCloudFake;
  let dress: Product;
  let tote: Product;
  const { open, closeAll } = socketPool();

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: LINE.channelAccessToken });
    twilio = await startTwilioFake(TWILIO);
    sendgrid = await startSendgridFake({ apiKey: SENDGRID.apiKey });
    whatsapp = await startWhatsAppCloudFake({ accessToken: WHATSAPP.accessToken, phoneNumberId: WHATSAPP.phoneNumberId });
    hub = await startTestHub({ PUBLIC_URL });
    admin = (await createTeam(hub, 'さくら洋品店')).admin;
    const source = (await hub.http.post('/api/catalog/sources').set(admin.auth).send({ name: 'Merchant Center', format: 'merchant_xml' }).expect(201)).body.id as string;
    const feed = readFileSync(join(process.cwd(), 'test', 'fixtures', 'catalog', 'merchant-feed.xml'));
    const sync = (await hub.http.post(`/api/catalog/sources/${source}/feed`).set(admin.auth).attach('file', feed, 'feed.xml').expect(202)).body;
    await eventually(async () => (await hub.http.get(`/api/catalog/sources/${source}/syncs/${sync.id}`).set(admin.auth)).body.status, (status) => status === 'done');
    const find = async (q: string) => ((await hub.http.get('/api/catalog/products').query({ q }).set(admin.auth).expect(200)).body.items as Product[])[0];
    dress = await find('D001-S-NV');
    tote = await find('4901234567917');
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
  const send = (conversationId: string, body: object) => hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send(body);
  const tokenOf = (link: string) => link.slice(`${PUBLIC_URL}/p/`.length);

  it('shows cards in the widget, and the shopper opening one marks that card opened live in the agent’s thread; a link-preview robot counts for nothing', async () => {
    const webchat = await createWebchat(hub, admin);
    const visitorId = randomBytes(16).toString('base64url');
    const widget = await open(hub.url, '/widget', { channelId: webchat, visitorId });
    await sessionOf(widget);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(widget, 'message', { body: '夏向けのワンピースはありますか' });
    const inbox = await open(hub.url, '/inbox', { token: admin.token });
    await sleep(100);

    const shown = nextEvent<{ body: string; products?: WidgetCard[] }>(widget, 'message', (m) => Boolean(m.products));
    const reply = await send(conversationId, { body: 'こちらはいかがでしょう', products: [dress.id, tote.id] }).expect(201);
    const cards = reply.body.products as Card[];
    expect(cards).toEqual([
      {
        productId: dress.id,
        name: 'リネン ワンピース ネイビー S',
        price: 12800,
        salePrice: 9800,
        currency: 'JPY',
        variant: 'S / ネイビー',
        imageUrl: 'https://shop.example.jp/images/dress-001-navy.jpg',
        url: 'https://shop.example.jp/products/dress-001?size=S&color=navy',
        openedAt: null,
      },
      expect.objectContaining({ productId: tote.id, openedAt: null }),
    ]);
    expect(JSON.stringify(reply.body)).not.toMatch(/\/p\//);

    const { body, products } = await shown;
    expect(body).toBe('こちらはいかがでしょう');
    expect(products).toEqual([
      { name: 'リネン ワンピース ネイビー S', variant: 'S / ネイビー', priceText: '￥9,800 (was ￥12,800)', imageUrl: 'https://shop.example.jp/images/dress-001-navy.jpg', link: expect.stringMatching(LINK), label: '詳しく見る' },
      expect.objectContaining({ name: tote.name, link: expect.stringMatching(LINK) }),
    ]);
    const [dressLink, toteLink] = products!.map((card) => card.link.slice(PUBLIC_URL.length));
    expect(dressLink).not.toBe(toteLink);

    // LINE and WhatsApp fetch a link to draw its preview: sent on, counted nowhere.
    await request(hub.url).get(dressLink).set('user-agent', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)').expect(302).expect('location', dress.url);
    expect((await hub.infra.db.productLink.findUniqueOrThrow({ where: { token: tokenOf(products![0].link) } })).opens).toBe(0);

    const opened = nextEvent<{ id: string; products?: Card[] }>(inbox, 'message.updated', (m) => m.id === reply.body.id);
    const redirect = await request(hub.url).get(dressLink).set('user-agent', CHROME).expect(302);
    expect(redirect.headers.location).toBe(dress.url);
    expect(redirect.headers['referrer-policy']).toBe('no-referrer');
    const updated = await opened;
    expect(updated.products![0].openedAt).toEqual(expect.any(String));
    expect(updated.products![1].openedAt).toBeNull();

    // A second opening is counted on the link, and the card keeps its first time.
    await request(hub.url).get(dressLink).set('user-agent', CHROME).expect(302);
    const link = await hub.infra.db.productLink.findUniqueOrThrow({ where: { token: tokenOf(products![0].link) } });
    expect(link).toMatchObject({ opens: 2, conversationId, messageId: reply.body.id, productId: dress.id });
    const thread = (await hub.http.get(`/api/conversations/${conversationId}/messages`).set(admin.auth).expect(200)).body.items as Array<{ id: string; products?: Card[] }>;
    expect(thread.find((m) => m.id === reply.body.id)!.products![0].openedAt).toBe(updated.products![0].openedAt);

    // The widget's history draws the same cards after a reload.
    const again = await open(hub.url, '/widget', { channelId: webchat, visitorId });
    const session = await sessionOf<{ messages: Array<{ id: string; products?: WidgetCard[] }> }>(again);
    expect(session.messages.find((m) => m.id === reply.body.id)!.products!.map((card) => card.link)).toEqual(products!.map((card) => card.link));

    // A token the hub never gave leads nowhere.
    const unknown = await request(hub.url).get('/p/AAAAAAAAAAAA').set('user-agent', CHROME).expect(404);
    expect(unknown.body.code).toBe('not_found');

    // The shop reports the dress bought from this browser: the report counts two cards sent, one opened, one bought.
    const key = (await hub.http.post('/api/teams/current/api-keys').set(admin.auth).send({ name: 'shop' }).expect(201)).body.key as string;
    await request(hub.url)
      .post('/api/purchases')
      .set('Authorization', `Bearer ${key}`)
      .send({ orderId: 'ORD-CARD-1', visitorId, amount: 9800, currency: 'JPY', occurredAt: new Date().toISOString(), items: [{ sku: 'D001-S-NV', name: 'リネン ワンピース ネイビー S', price: 9800, currency: 'JPY', quantity: 1 }] })
      .expect(201);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
    const report = (await hub.http.get('/api/reports/team').query({ from: today, to: today }).set(admin.auth).expect(200)).body as { channels: Array<{ key: string; productCards: object }> };
    expect(report.channels.find((group) => group.key === 'webchat')!.productCards).toEqual({ sent: 2, opened: 1, bought: 1 });
  });

  it('sends cards on LINE as a Flex carousel after the text, a bubble per product with its photo and a button to its link', async () => {
    const channelId = await channel({ type: 'line', provider: 'line', name: 'LINE', config: { ...LINE, apiBaseUrl: line.url } });
    const userId = 'U' + randomBytes(16).toString('hex');
    const events = [{ type: 'message', mode: 'active', timestamp: Date.now(), webhookEventId: `01CARDS${randomBytes(8).toString('hex')}`, deliveryContext: { isRedelivery: false }, source: { type: 'user', userId }, message: { type: 'text', id: String(Date.now()), quoteToken: 'q', text: 'トートバッグを探しています' } }];
    const webhook = JSON.stringify({ destination: 'U' + '0'.repeat(32), events });
    await request(hub.url).post(`/webhooks/line/${channelId}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(LINE.channelSecret, webhook)).send(webhook).expect(200);
    const { conversationId } = (await eventually(() => hub.infra.db.message.findFirst({ where: { channelId } }), (m) => m !== null))!;

    await send(conversationId, { body: 'おすすめです', products: [tote.id, dress.id] }).expect(201);
    const delivered = await eventually(() => Promise.resolve([...line.pushesTo(userId), ...line.replies]), (all) => all.some((d) => d.messages.some((m) => (m as { type: string }).type === 'flex')));
    const messages = delivered.find((d) => d.messages.some((m) => (m as { type: string }).type === 'flex'))!.messages as Array<Record<string, unknown>>;
    expect(messages[0]).toMatchObject({ type: 'text', text: 'おすすめです' });
    const flex = messages[1] as { type: string; altText: string; contents: { type: string; contents: Bubble[] } };
    expect(flex.type).toBe('flex');
    expect(flex.altText).toContain('リネン ワンピース ネイビー S ￥9,800 (was ￥12,800)');
    expect(flex.contents.type).toBe('carousel');
    const [toteBubble, dressBubble] = flex.contents.contents;
    expect(toteBubble.body.contents[0]).toMatchObject({ type: 'text', text: tote.name });
    expect(dressBubble.hero).toMatchObject({ type: 'image', url: 'https://shop.example.jp/images/dress-001-navy.jpg', action: { type: 'uri', uri: expect.stringMatching(LINK) } });
    expect(dressBubble.footer.contents[0]).toMatchObject({ type: 'button', action: { type: 'uri', label: '詳しく見る', uri: dressBubble.hero!.action.uri } });
    await request(hub.url).get(dressBubble.footer.contents[0].action.uri.slice(PUBLIC_URL.length)).set('user-agent', CHROME).expect(302).expect('location', dress.url);
  });

  it('sends cards on WhatsApp Cloud as interactive messages with the photo and a URL button, only inside the 24-hour window', async () => {
    const channelId = await channel({ type: 'whatsapp', provider: 'whatsapp-cloud', name: 'WhatsApp Cloud', config: { ...WHATSAPP, verifyToken: 'cards-verify-token', apiBaseUrl: whatsapp.apiBaseUrl } });
    const waId = '819012345777';
    const webhook = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: WHATSAPP.phoneNumberId }, contacts: [{ profile: { name: 'Hanako' }, wa_id: waId }], messages: [{ from: waId, id: `wamid.cards-${waId}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'ワンピースのSサイズは？' } }] } }] }],
    });
    await request(hub.url).post(`/webhooks/whatsapp/${channelId}`).set('content-type', 'application/json').set('x-hub-signature-256', signWhatsAppBody(WHATSAPP.appSecret, webhook)).send(webhook).expect(200);
    const { id: conversationId } = await eventually(() => hub.infra.db.conversation.findFirst({ where: { channelId } }), (c) => c !== null).then((c) => c!);

    await send(conversationId, { products: [dress.id] }).expect(201);
    const card = await eventually(() => Promise.resolve(whatsapp.sent.find((m) => m.body.type === 'interactive')), (m) => m !== undefined);
    expect(card!.body).toMatchObject({
      to: waId,
      interactive: {
        type: 'cta_url',
        header: { type: 'image', image: { link: 'https://shop.example.jp/images/dress-001-navy.jpg' } },
        body: { text: 'リネン ワンピース ネイビー S (S / ネイビー)\n￥9,800 (was ￥12,800)' },
        action: { name: 'cta_url', parameters: { display_text: '詳しく見る', url: expect.stringMatching(LINK) } },
      },
    });
    // Nothing but the card: the agent wrote no text.
    expect(whatsapp.sent.filter((m) => m.body.to === waId)).toHaveLength(1);

    // Text and two cards are three calls. The last fails (a 500): the retry sends only it, never the text or the
    // first card again.
    whatsapp.failNext({ delayMs: 0 }, { delayMs: 0 }, { status: 500, code: 1 });
    const pair = await send(conversationId, { body: 'ほかにもどうぞ', products: [dress.id, tote.id] }).expect(201);
    await eventually(() => hub.infra.db.message.findUniqueOrThrow({ where: { id: pair.body.id } }), (m) => m.status === 'sent', 15_000);
    const later = whatsapp.sent.filter((m) => m.body.to === waId).slice(1);
    expect(later.map((m) => (m.body.type === 'text' ? (m.body.text as { body: string }).body : (m.body.interactive as { body: { text: string } }).body.text.split('\n')[0]))).toEqual([
      'ほかにもどうぞ',
      'リネン ワンピース ネイビー S (S / ネイビー)',
      tote.name,
    ]);
    expect(whatsapp.requests.filter((r) => (r.json as { to?: string } | null)?.to === waId)).toHaveLength(5);

    // A day later the window is closed: a card is free-form, so the send policy refuses it before it is written.
    await hub.infra.db.conversation.update({ where: { id: conversationId }, data: { lastCustomerMessageAt: new Date(Date.now() - 25 * 3600_000) } });
    const links = await hub.infra.db.productLink.count({ where: { conversationId } });
    const refused = await send(conversationId, { products: [tote.id] });
    expect(refused.body.code).toBe('reply_window_closed');
    expect(await hub.infra.db.productLink.count({ where: { conversationId } })).toBe(links);
  });

  it('sends cards by Twilio SMS as text with each product’s price and link', async () => {
    const channelId = await channel({ type: 'sms', provider: 'twilio', name: 'SMS', config: { ...TWILIO, apiBaseUrl: twilio.url, from: '+15005550006', sendsPerSecond: 200 } });
    const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: TWILIO.accountSid, From: '+819012345003', To: '+15005550006', Body: 'バッグの値段は？', NumMedia: '0' };
    const path = `/webhooks/twilio/${channelId}`;
    await request(hub.url).post(path).set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signTwilioForm(TWILIO.authToken, PUBLIC_URL + path, params)).send(formBody(params)).expect(200);
    const { id: conversationId } = await eventually(() => hub.infra.db.conversation.findFirst({ where: { channelId } }), (c) => c !== null).then((c) => c!);

    await send(conversationId, { body: 'こちらです', products: [dress.id] }).expect(201);
    const sent = await eventually(() => Promise.resolve(twilio.sent.find((m) => m.form.To === '+819012345003')), (m) => m !== undefined);
    const [text, card] = (sent!.form.Body as string).split('\n\n');
    expect(text).toBe('こちらです');
    const [name, price, link] = card.split('\n');
    expect([name, price]).toEqual(['リネン ワンピース ネイビー S (S / ネイビー)', '￥9,800 (was ￥12,800)']);
    expect(link).toMatch(LINK);
    // An SMS carries no photo (MMS reaches only North American numbers).
    expect(sent!.form.MediaUrl).toBeUndefined();
  });

  it('sends cards by email as an HTML card with a text part, the shop’s words escaped', async () => {
    const channelId = await channel({ type: 'email', provider: 'sendgrid', name: 'Mail', config: { ...SENDGRID, fromEmail: 'support@shop.example.jp', apiBaseUrl: sendgrid.url } });
    const { body, contentType } = inboundParseBody([
      { name: 'headers', value: 'From: Yamada <yamada@example.jp>\r\nMessage-ID: <cards-1@example.jp>\r\nSubject: バッグ' },
      { name: 'from', value: 'Yamada <yamada@example.jp>' },
      { name: 'to', value: 'support@shop.example.jp' },
      { name: 'subject', value: 'バッグ' },
      { name: 'text', value: 'おすすめのバッグを教えてください' },
    ]);
    await request(hub.url).post(`/webhooks/sendgrid/${channelId}/inbound?token=${SENDGRID.inboundToken}`).set('content-type', contentType).send(body).expect(200);
    const { id: conversationId } = await eventually(() => hub.infra.db.conversation.findFirst({ where: { channelId } }), (c) => c !== null).then((c) => c!);
    // A name from the feed with markup in it: shown as words, never as HTML.
    await hub.infra.db.product.update({ where: { id: tote.id }, data: { name: 'Canvas <b>tote</b> & "bag"' } });

    await send(conversationId, { body: 'ご案内します', products: [tote.id] }).expect(201);
    const mail = await eventually(() => Promise.resolve(sendgrid.sent.find((m) => m.body.content?.some((c) => c.value.includes('ご案内します')))), (m) => m !== undefined);
    const text = mail!.body.content!.find((c) => c.type === 'text/plain')!.value;
    const html = mail!.body.content!.find((c) => c.type === 'text/html')!.value;
    const link = /https:\/\/hub\.example\.test\/p\/[A-Za-z0-9_-]{12}/.exec(text)![0];
    expect(text).toContain('Canvas <b>tote</b> & "bag"');
    expect(html).toContain(`href="${link}"`);
    expect(html).toContain('Canvas &lt;b&gt;tote&lt;/b&gt; &amp; &quot;bag&quot;');
    expect(html).not.toContain('<b>tote</b>');
  });

  it('refuses a product of another team, one the shop no longer lists, and cards on a note, saying which', async () => {
    const webchat = await createWebchat(hub, admin);
    const widget = await open(hub.url, '/widget', { channelId: webchat, visitorId: randomBytes(16).toString('base64url') });
    await sessionOf(widget);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(widget, 'message', { body: 'こんにちは' });

    const other = (await createTeam(hub, 'Other shop')).admin;
    const otherSource = (await hub.http.post('/api/catalog/sources').set(other.auth).send({ name: 'Theirs', format: 'merchant_xml' }).expect(201)).body.id as string;
    const feed = readFileSync(join(process.cwd(), 'test', 'fixtures', 'catalog', 'merchant-feed.xml'));
    const sync = (await hub.http.post(`/api/catalog/sources/${otherSource}/feed`).set(other.auth).attach('file', feed, 'feed.xml').expect(202)).body;
    await eventually(async () => (await hub.http.get(`/api/catalog/sources/${otherSource}/syncs/${sync.id}`).set(other.auth)).body.status, (status) => status === 'done');
    const theirs = ((await hub.http.get('/api/catalog/products').query({ q: '4901234567917' }).set(other.auth).expect(200)).body.items as Product[])[0];

    const foreign = await send(conversationId, { products: [dress.id, theirs.id] }).expect(404);
    expect(foreign.body).toMatchObject({ code: 'not_found', details: [{ field: 'products.1' }] });
    // Cards go with a reply: a note stays inside the hub.
    const note = await send(conversationId, { kind: 'note', body: 'メモ', products: [dress.id] }).expect(400);
    expect(note.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'products' })]));

    await hub.infra.db.product.update({ where: { id: dress.id }, data: { availability: 'unavailable' } });
    try {
      const gone = await send(conversationId, { products: [dress.id] }).expect(422);
      expect(gone.body).toMatchObject({ code: 'product_unavailable', details: { productId: dress.id } });
    } finally {
      await hub.infra.db.product.update({ where: { id: dress.id }, data: { availability: 'in_stock' } });
    }
    expect(await hub.infra.db.message.count({ where: { conversationId, direction: 'out' } })).toBe(0);
  });

  // Guards: /p/ is public, so walking tokens from one address is cut off (120 a minute), with the limiter's code.
  it('answers 429 to one address opening more than 120 card links a minute', async () => {
    const answers = [];
    for (let i = 0; i < 125; i++) answers.push((await request(hub.url).get('/p/BBBBBBBBBBBB').set('user-agent', CHROME)).status);
    expect(answers.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(answers.slice(0, 100).every((status) => status === 404)).toBe(true);
  });
});
