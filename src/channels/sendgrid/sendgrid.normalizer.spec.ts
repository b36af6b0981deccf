import { describe, expect, it } from '@jest/globals';
import Encoding from 'encoding-japanese';
import iconv from 'iconv-lite';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InboundEvent } from '../channel-adapter.js';
import { conversationToken, normalizeInboundParse, normalizeSendgridEvents, ourMessageId, plusAddress, safeFileName } from './sendgrid.normalizer.js';
import { parseSendgridEvents, readInboundParse } from './sendgrid.schema.js';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'sendgrid');
const CONTENT_TYPE = 'multipart/form-data; boundary=xYzZY';
const identity = { messageIdDomain: 'shop.example.jp', replyAddress: 'support@shop.example.jp' };
const receivedAt = new Date('2026-01-05T01:00:00Z');
type Message = Extract<InboundEvent, { type: 'message' }>;

async function fromFixture(name: string): Promise<Message> {
  const post = await readInboundParse(readFileSync(join(fixtures, name)), CONTENT_TYPE);
  const events = await normalizeInboundParse(post, identity, receivedAt);
  expect(events).toHaveLength(1);
  return events[0] as Message;
}

/** A multipart body as Inbound Parse writes it, each field given as the bytes SendGrid would send. */
function multipart(fields: Record<string, string | Buffer>): Buffer {
  const parts = Object.entries(fields).map(([name, value]) =>
    Buffer.concat([Buffer.from(`--xYzZY\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\r\n')]),
  );
  return Buffer.concat([...parts, Buffer.from('--xYzZY--\r\n')]);
}

async function fromFields(fields: Record<string, string | Buffer>): Promise<Message> {
  const events = await normalizeInboundParse(await readInboundParse(multipart(fields), CONTENT_TYPE), identity, receivedAt);
  return events[0] as Message;
}

const jis = (text: string) => Buffer.from(Encoding.convert(Encoding.stringToCode(text), { to: 'JIS', from: 'UNICODE' }));

describe('normalizeInboundParse', () => {
  it('reads the default-mode fixture: sender, text, sanitized HTML, and a key without a Message-ID', async () => {
    const message = await fromFixture('inbound-parse-default.multipart.crlf.DERIVED.txt');
    expect(message.from).toEqual({ kind: 'email', address: 'test@example.com', name: 'Example User' });
    expect(message.body).toBe('Hello Twilio SendGrid!');
    expect(message.content).toMatchObject({ subject: 'Testing non-raw', text: 'Hello Twilio SendGrid!' });
    expect(message.content?.html).toContain('<strong>Hello Twilio SendGrid!</strong>');
    expect(message.attachments).toEqual([]);
    expect(message.eventKey).toMatch(/^no-message-id:[0-9a-f]{40}$/);
    expect(message.providerMessageId).toMatch(/^sha256:[0-9a-f]{40}$/);
  });

  it('reads the raw-mode fixture (the whole MIME message in `email`) to the same message', async () => {
    const message = await fromFixture('inbound-parse-raw.multipart.crlf.DERIVED.txt');
    expect(message.from).toEqual({ kind: 'email', address: 'test@example.com', name: 'Example User' });
    expect(message.body).toBe('Hello Twilio SendGrid!');
    // The subject of the MIME message, not the `subject` field SendGrid adds beside it.
    expect(message.content?.subject).toBe('Inbound Parse Test Raw Data');
  });

  it('keeps the attachment of the raw fixture, byte for byte, with its file name', async () => {
    const message = await fromFixture('inbound-parse-raw-with-attachment.multipart.crlf.DERIVED.txt');
    expect(message.attachments).toHaveLength(1);
    const [file] = message.attachments;
    expect(file).toMatchObject({ name: 'SendGrid.jpg', contentType: 'image/jpeg' });
    // A JPEG starts with FF D8 and ends with FF D9: the base64 was decoded, not kept as text.
    expect([...file.data!.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect([...file.data!.subarray(-2)]).toEqual([0xff, 0xd9]);
    expect(file.size).toBe(file.data!.length);
  });

  it('reads the reply fixture’s Message-ID and what it answers from the header block', async () => {
    const message = await fromFixture('inbound-parse-reply-thread.multipart.crlf.DERIVED.txt');
    expect(message.providerMessageId).toBe('CAGsruKuAJk58E07TRMD28pA+mktpZ1mg2fjr6PAWj19e0jdnFg@mail.gmail.com');
    expect(message.eventKey.startsWith('CAGsruKuAJk58E07TRMD28pA+mktpZ1mg2fjr6PAWj19e0jdnFg@mail.gmail.com:')).toBe(true);
    expect(message.inReplyTo).toEqual({ messageIds: [], providerMessageIds: ['CAGsruKux7HKgwztSSWCae8cMu71_pzgziWZRWYeYNo3aiCkjRw@mail.gmail.com'] });
    // A forwarded mail is all "history": trimming would leave nothing, so the whole text is the message.
    expect(message.body).toContain('this is the body for webhook parse');
  });

  it('gives the same key to a redelivery and another key to another mail reusing the Message-ID', async () => {
    const headers = 'Message-ID: <same@example.com>\r\nFrom: a@example.com';
    const first = await fromFields({ headers, from: 'a@example.com', text: 'one', subject: 's' });
    const again = await fromFields({ headers, from: 'a@example.com', text: 'one', subject: 's' });
    const forged = await fromFields({ headers, from: 'a@example.com', text: 'two', subject: 's' });
    expect(again.eventKey).toBe(first.eventKey);
    expect(forged.eventKey).not.toBe(first.eventKey);
    expect(forged.providerMessageId).toBe(first.providerMessageId);
  });

  it('decodes Shift_JIS and ISO-2022-JP fields by the charsets SendGrid names', async () => {
    const message = await fromFields({
      headers: 'From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\nSubject: x',
      from: jis('山田 <yamada@example.jp>'),
      subject: jis('ご注文について'),
      text: iconv.encode('注文番号1234の配送はいつですか？\r\n', 'Shift_JIS'),
      charsets: JSON.stringify({ from: 'iso-2022-jp', subject: 'ISO-2022-JP', text: 'Shift_JIS' }),
    });
    expect(message.from).toEqual({ kind: 'email', address: 'yamada@example.jp', name: '山田' });
    expect(message.content?.subject).toBe('ご注文について');
    expect(message.body).toBe('注文番号1234の配送はいつですか？');
  });

  it('decodes an ISO-2022-JP and a Shift_JIS raw MIME message', async () => {
    const raw = (charset: string, body: Buffer, subject: string) =>
      Buffer.concat([
        Buffer.from(
          `From: yamada@example.jp\r\nTo: support@shop.example.jp\r\nSubject: ${subject}\r\nMessage-ID: <jp-${charset}@example.jp>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: ${charset === 'Shift_JIS' ? '8bit' : '7bit'}\r\n\r\n`,
        ),
        body,
      ]);
    const iso = await fromFields({ email: raw('ISO-2022-JP', jis('お世話になっております。\r\n返品の方法を教えてください。\r\n'), `=?ISO-2022-JP?B?${jis('返品について').toString('base64')}?=`) });
    expect(iso.content?.subject).toBe('返品について');
    expect(iso.body).toBe('お世話になっております。\n返品の方法を教えてください。');
    const sjis = await fromFields({ email: raw('Shift_JIS', iconv.encode('サイズ交換は可能ですか？', 'Shift_JIS'), 'size') });
    expect(sjis.body).toBe('サイズ交換は可能ですか？');
  });

  it('finds our Message-IDs and the plus-address token in a reply', async () => {
    const messageId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    const conversationId = '0190a1b2-0000-7000-8000-000000000001';
    const message = await fromFields({
      headers: `From: a@example.com\r\nIn-Reply-To: ${ourMessageId(messageId, identity)}\r\nReferences: <older@mail.example.com> ${ourMessageId(messageId, identity)}`,
      from: 'a@example.com',
      to: plusAddress('support@shop.example.jp', conversationToken(conversationId)),
      text: 'thanks',
    });
    expect(message.inReplyTo).toEqual({ conversationId, messageIds: [messageId], providerMessageIds: ['older@mail.example.com'] });
  });

  it('trims quoted history for display and keeps the whole text', async () => {
    const text = '届きました、ありがとうございます。\r\n\r\n2026年1月5日(月) 10:00 Shop <support@shop.example.jp>:\r\n> ご注文の品を発送しました。\r\n';
    const message = await fromFields({ headers: 'From: a@example.com', from: 'a@example.com', text });
    expect(message.body).toBe('届きました、ありがとうございます。');
    expect(message.content?.text).toContain('> ご注文の品を発送しました。');
  });

  it('shows an HTML body without its script, event handlers or javascript: links, and holds remote images back', async () => {
    const html = '<p onclick="steal()">Hi<script>alert(1)</script></p><img src="https://tracker.example/p.gif" onerror="alert(2)"><a href="javascript:alert(3)">x</a><a href="https://shop.example.jp/">shop</a>';
    const message = await fromFields({ headers: 'From: a@example.com', from: 'a@example.com', html });
    const shown = message.content!.html!;
    expect(shown).not.toMatch(/script|onerror|onclick|javascript:|alert/i);
    expect(shown).not.toMatch(/\ssrc=/);
    expect(shown).toContain('data-remote-src="https://tracker.example/p.gif"');
    expect(shown).toContain('href="https://shop.example.jp/"');
    expect(message.content?.remoteImages).toBe(1);
    // An HTML-only mail still has a text for the list and the display body.
    expect(message.body).toContain('Hi');
  });

  it('keeps default-mode attachments under the names attachment-info gives them, made safe', async () => {
    const body = Buffer.concat([
      Buffer.from('--xYzZY\r\nContent-Disposition: form-data; name="from"\r\n\r\na@example.com\r\n'),
      Buffer.from('--xYzZY\r\nContent-Disposition: form-data; name="attachment-info"\r\n\r\n{"attachment1":{"filename":"../../etc/請求書.pdf","type":"application/pdf"}}\r\n'),
      Buffer.from('--xYzZY\r\nContent-Disposition: form-data; name="attachment1"; filename="x.pdf"\r\nContent-Type: application/octet-stream\r\n\r\n%PDF-1.4\r\n'),
      Buffer.from('--xYzZY--\r\n'),
    ]);
    const [event] = await normalizeInboundParse(await readInboundParse(body, CONTENT_TYPE), identity, receivedAt);
    expect((event as Message).attachments).toEqual([{ data: Buffer.from('%PDF-1.4'), name: '請求書.pdf', contentType: 'application/pdf', size: 8 }]);
  });

  it('refuses a body that is not multipart', async () => {
    await expect(readInboundParse(Buffer.from('{}'), 'application/json')).rejects.toMatchObject({ code: 'invalid_payload' });
  });
});

describe('safeFileName', () => {
  it('drops folders, control and reserved characters and leading dots', () => {
    expect(safeFileName('..\\..\\boot.ini', 0)).toBe('boot.ini');
    expect(safeFileName('.htaccess', 0)).toBe('htaccess');
    expect(safeFileName('a<b>:c|d?.txt', 0)).toBe('a_b__c_d_.txt');
    expect(safeFileName('   ', 2)).toBe('attachment-3');
    expect(safeFileName(`${'長'.repeat(300)}.pdf`, 0)).toMatch(/^長{146}\.pdf$/);
  });
});

describe('normalizeSendgridEvents', () => {
  const batch = parseSendgridEvents(readFileSync(join(fixtures, 'event-webhook-batch.docs.json')));

  it('turns the documentation’s batch into status moves and consent entries', () => {
    const withIds = batch.map((event, i) => ({ ...event, sg_event_id: `event-${i}`, sg_message_id: `X${i}.filterdrecv-1` }));
    const normalized = normalizeSendgridEvents(withIds, receivedAt);
    const statuses = normalized.filter((e) => e.type === 'status').map((e) => [withIds.find((w) => `${w.sg_message_id}`.startsWith(`${(e as { providerMessageId: string }).providerMessageId}.`))?.event, (e as { status: string }).status]);
    expect(statuses).toEqual([
      ['processed', 'sent'],
      ['delivered', 'delivered'],
      ['open', 'read'],
      ['click', 'read'],
      ['bounce', 'failed'],
      ['dropped', 'failed'],
      ['spamreport', 'delivered'],
      ['unsubscribe', 'read'],
      ['group_unsubscribe', 'read'],
    ]);
    const consent = normalized.flatMap((e) => (e.type === 'contact' ? [[e.detail.event, e.kind]] : []));
    expect(consent).toEqual([
      ['bounce', 'bounced'],
      ['spamreport', 'opt_out'],
      ['unsubscribe', 'opt_out'],
      ['group_unsubscribe', 'opt_out'],
      ['group_resubscribe', 'opt_in'],
    ]);
  });

  it('matches events on the X-Message-Id part of sg_message_id, and explains a drop', () => {
    const [dropped] = normalizeSendgridEvents(parseSendgridEvents(readFileSync(join(fixtures, 'event-webhook-signed-single.body.txt'))), receivedAt);
    expect(dropped).toMatchObject({ type: 'status', providerMessageId: 'LRzXl_NHStOGhQ4kofSm_A', status: 'failed', errorCode: 'dropped' });
    expect(dropped.type === 'status' && dropped.failure).toMatchObject({ code: 'email_dropped', details: { provider: 'sendgrid', providerCode: 'dropped' } });
    expect(dropped.type === 'status' && dropped.failure?.reason).toMatch(/bounced before/);
    expect((dropped as { occurredAt: Date }).occurredAt).toEqual(new Date(1600112492 * 1000));
  });

  it('refuses a body that is not an array of events', () => {
    expect(() => parseSendgridEvents(Buffer.from('{"event":"open"}'))).toThrow(/array of events/);
  });
});
