import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWhatsAppCloudFake } from '../../../test/fakes/whatsapp-cloud-fake.js';
import type { WhatsAppCloudFake } from '../../../test/fakes/whatsapp-cloud-fake.js';
import { OutboundGuard, parseOriginList } from '../../common/outbound/index.js';
import type { OutboundMessage } from '../channel-adapter.js';
import type { WhatsAppCloudAccount } from './whatsapp-cloud.schema.js';
import { MAX_CAPTION_LENGTH, WhatsAppCloudSender, mediaTypeOf } from './whatsapp-cloud.sender.js';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'whatsapp-cloud');
const PHONE_NUMBER_ID = '106540352242922';
const TOKEN = 'sender-spec-access-token';

describe(WhatsAppCloudSender.name, () => {
  let fake: WhatsAppCloudFake;
  // The fake listens on the loopback: allowed as an operator would allow a private system.
  const guard = new OutboundGuard({ allowedOrigins: parseOriginList('http://127.0.0.1:*'), maxDownloadBytes: 1024 * 1024 });
  const sender = new WhatsAppCloudSender(guard, 2_000);
  const channel = (apiBaseUrl = fake.apiBaseUrl): WhatsAppCloudAccount => ({
    id: 'c',
    teamId: 't',
    type: 'whatsapp',
    provider: 'whatsapp-cloud',
    name: 'WhatsApp',
    active: true,
    settings: { phoneNumberId: PHONE_NUMBER_ID, apiBaseUrl, templates: [] },
    secrets: { accessToken: TOKEN },
  });
  const message = (patch: Partial<OutboundMessage> = {}): OutboundMessage => ({
    messageId: 'm1',
    conversationId: 'v1',
    to: { kind: 'phone', address: '+16505551234' },
    body: 'text-message-content',
    attachments: [],
    author: { type: 'member', id: 'a', name: 'Agent' },
    createdAt: new Date(),
    seq: '1',
    ...patch,
  });

  beforeAll(async () => {
    fake = await startWhatsAppCloudFake({ accessToken: TOKEN, phoneNumberId: PHONE_NUMBER_ID });
  });
  afterAll(async () => {
    await fake.close();
    await guard.close();
  });

  it('sends free text in the shape of Meta’s own example, and keeps the wamid', async () => {
    const result = await sender.send(channel(), message());
    expect(result).toEqual({ ok: true, providerMessageId: fake.sent.at(-1)!.wamid });
    const example = JSON.parse(readFileSync(join(fixtures, 'outbound-send-text.request.json'), 'utf8'));
    const { biz_opaque_callback_data, ...body } = fake.sent.at(-1)!.body;
    expect(body).toEqual({ ...example, to: '16505551234' });
    expect(biz_opaque_callback_data).toBe('m1');
  });

  it('sends a template with its body parameters in order', async () => {
    await sender.send(channel(), message({ body: 'preview', template: { name: 'order_ready', language: 'ja', parameters: ['田中', 'A-1001'] } }));
    expect(fake.sent.at(-1)!.body).toMatchObject({
      type: 'template',
      template: { name: 'order_ready', language: { code: 'ja' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '田中' }, { type: 'text', text: 'A-1001' }] }] },
    });
  });

  it('makes 131047 permanent and 130429/131056 retry-later, each with the provider’s hint', async () => {
    fake.failNext({ status: 400, code: 131047 }, { status: 400, code: 130429 }, { status: 400, code: 131056 });
    expect(await sender.send(channel(), message())).toMatchObject({ ok: false, retry: false, code: 'reply_window_closed', reason: expect.stringContaining('more than 24 hours have passed') });
    expect(await sender.send(channel(), message())).toMatchObject({ ok: false, retry: true, code: 'rate_limited', reason: expect.stringContaining('too many messages sent from this phone number') });
    expect(await sender.send(channel(), message())).toMatchObject({ ok: false, retry: true, code: 'pair_rate_limited', retryAfterMs: 6_000, reason: expect.stringContaining('same recipient') });
  });

  it('retries a 500 and an unreachable API; an invalid token or parameter is permanent', async () => {
    fake.failNext({ status: 500, code: 1 }, { status: 401, code: 190 }, { status: 400, code: 100, details: 'The parameter to is invalid.' });
    expect(await sender.send(channel(), message())).toMatchObject({ ok: false, retry: true, code: 'provider_unavailable' });
    expect(await sender.send(channel(), message())).toMatchObject({ ok: false, retry: false, code: 'provider_credentials_refused', details: { provider: 'whatsapp-cloud', providerCode: 190 } });
    expect(await sender.send(channel(), message())).toMatchObject({ ok: false, retry: false, code: 'provider_refused', details: { providerCode: 100 }, reason: expect.stringContaining('The parameter to is invalid.') });
    expect(await sender.send(channel('http://127.0.0.1:9/v23.0'), message())).toMatchObject({ ok: false, retry: true, code: 'provider_unreachable' });
  });

  it('gives up waiting after its timeout, as a retry', async () => {
    fake.failNext({ delayMs: 2_500 });
    expect(await sender.send(channel(), message())).toMatchObject({ ok: false, retry: true, code: 'provider_unreachable' });
  });

  it('fetches media by id: the Graph API gives the URL, the URL gives the bytes', async () => {
    fake.setMedia('1003383421387256', Buffer.from('jpeg bytes'), 'image/jpeg');
    expect(await sender.fetchContent(channel(), '1003383421387256')).toEqual({ data: Buffer.from('jpeg bytes'), contentType: 'image/jpeg' });
    await expect(sender.fetchContent(channel(), 'unknown')).rejects.toThrow(/HTTP 400/);
  });

  it('sends a file the Cloud API takes as its kind as that kind, and anything else as a document', () => {
    expect(mediaTypeOf('image', 'image/jpeg', 1000)).toBe('image');
    expect(mediaTypeOf('image', 'image/gif', 1000)).toBe('document');
    expect(mediaTypeOf('image', 'image/png', 6 * 1024 * 1024)).toBe('document');
    expect(mediaTypeOf('video', 'video/quicktime', 1000)).toBe('document');
    expect(mediaTypeOf('audio', 'audio/mpeg', 1000)).toBe('audio');
    expect(mediaTypeOf('document', 'application/pdf', 1000)).toBe('document');
  });

  it('sends a voice note without a caption, its text first as a message of its own; and a long text before a photo', async () => {
    const audio = { kind: 'audio' as const, contentType: 'audio/mpeg', name: 'voice.mp3', data: Buffer.from('ID3 audio bytes') };
    const before = fake.sent.length;
    expect(await sender.send(channel(), message({ body: '聞いてください', attachments: [audio] }))).toMatchObject({ ok: true });
    expect(fake.sent.slice(before).map((m) => [m.body.type, m.body.type === 'audio' ? m.body.audio : (m.body.text as { body: string }).body])).toEqual([
      ['text', '聞いてください'],
      ['audio', { id: expect.any(String) }],
    ]);

    const long = 'あ'.repeat(MAX_CAPTION_LENGTH + 1);
    const photo = { kind: 'image' as const, contentType: 'image/jpeg', name: 'a.jpg', data: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) };
    const next = fake.sent.length;
    expect(await sender.send(channel(), message({ body: long, attachments: [photo] }))).toMatchObject({ ok: true });
    expect(fake.sent.slice(next).map((m) => m.body.type)).toEqual(['text', 'image']);
    expect(fake.sent.at(-1)!.body.image).toEqual({ id: expect.any(String) });
  });

  it('tells a refused upload as the Graph API’s error, retried when Meta is down', async () => {
    const photo = { kind: 'image' as const, contentType: 'image/jpeg', name: 'a.jpg', data: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) };
    const wrongToken = { ...channel(), secrets: { accessToken: 'wrong' } };
    expect(await sender.send(wrongToken, message({ attachments: [photo] }))).toMatchObject({ ok: false, retry: false, code: 'provider_credentials_refused' });
    const down = channel('http://127.0.0.1:9/v23.0');
    expect(await sender.send(down, message({ attachments: [photo] }))).toMatchObject({ ok: false, retry: true, code: 'provider_unreachable' });
  });
});
