import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TwilioWebhookParams } from './twilio.schema.js';
import { normalizeTwilioInbound, normalizeTwilioStatus } from './twilio.normalizer.js';
import { smsSegments } from './twilio.sender.js';

const providers = join(process.cwd(), 'test', 'fixtures', 'providers', 'twilio');
const fixture = (name: string): TwilioWebhookParams => Object.fromEntries(new URLSearchParams(readFileSync(join(providers, name), 'utf8')));
const at = new Date('2026-11-24T01:00:00Z');

describe('normalizeTwilioInbound', () => {
  it('reads an SMS keyed by MessageSid, not the deprecated SmsSid', () => {
    expect(normalizeTwilioInbound(fixture('inbound-sms-no-media.botbuilder-fixture.txt'), at)).toEqual([
      {
        type: 'message',
        eventKey: 'SMa56324aa4a31735561b7205472192d68',
        providerMessageId: 'SMa56324aa4a31735561b7205472192d68',
        from: { kind: 'phone', address: '+571138050810' },
        body: 'Hello',
        attachments: [],
        occurredAt: at,
      },
    ]);
  });

  it('keeps MMS media as attachments', () => {
    const [message] = normalizeTwilioInbound(fixture('inbound-mms-one-media.botbuilder-fixture.txt'), at);
    expect(message).toMatchObject({ type: 'message', attachments: [{ url: 'www.google.com', contentType: 'json' }] });
  });

  it('takes a WhatsApp sender as the same phone identity, with its profile name', () => {
    const [message] = normalizeTwilioInbound({ MessageSid: 'SM1', From: 'whatsapp:+819012345678', ProfileName: '山田', Body: 'こんにちは', NumMedia: '0' }, at);
    expect(message).toMatchObject({ from: { kind: 'phone', address: '+819012345678', name: '山田' } });
  });

  it('leaves keywords to the hub (team settings): a STOP is only a message here', () => {
    expect(normalizeTwilioInbound({ MessageSid: 'SM1', From: '+15005550006', Body: 'STOP' }, at).map((e) => e.type)).toEqual(['message']);
  });

  it('reports Advanced Opt-Out’s verdict first, under the key the hub’s keyword check uses too', () => {
    const events = normalizeTwilioInbound({ MessageSid: 'SM4', From: '+15005550006', Body: 'やめて', OptOutType: 'STOP' }, at);
    expect(events.map((e) => e.type)).toEqual(['contact', 'message']);
    expect(events[0]).toMatchObject({ type: 'contact', kind: 'opt_out', eventKey: 'SM4:consent', detail: { optOutType: 'STOP' } });
  });

  it('ignores a body without MessageSid or From', () => {
    expect(normalizeTwilioInbound({ Body: 'x' }, at)).toEqual([]);
  });
});

describe('normalizeTwilioStatus', () => {
  it('reports only statuses that move a message; initial ones carry no callback worth taking', () => {
    expect(normalizeTwilioStatus({ MessageSid: 'SM1', MessageStatus: 'queued' }, at)).toEqual([]);
    expect(normalizeTwilioStatus({ MessageSid: 'SM1', MessageStatus: 'delivered' }, at)).toEqual([{ type: 'status', providerMessageId: 'SM1', status: 'delivered', occurredAt: at }]);
    expect(normalizeTwilioStatus({ MessageSid: 'SM1', MessageStatus: 'read' }, at)[0]).toMatchObject({ status: 'read' });
  });

  it('turns undelivered with an error code into a failure the agent can read', () => {
    const [event] = normalizeTwilioStatus({ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '63016' }, at);
    expect(event).toMatchObject({ status: 'failed', errorCode: '63016' });
    expect(event.type === 'status' && event.failure).toMatchObject({ code: 'reply_window_closed', details: { provider: 'twilio', providerCode: '63016' } });
    expect(event.type === 'status' && event.failure?.reason).toMatch(/24 hours/);
  });
});

describe('smsSegments', () => {
  it('counts GSM-7 at 160, then 153 per segment', () => {
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(306))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
  });

  it('counts extended characters twice', () => {
    expect(smsSegments('€'.repeat(80))).toBe(1);
    expect(smsSegments('€'.repeat(81))).toBe(2);
  });

  it('counts any Japanese text as UCS-2: 70, then 67 per segment', () => {
    expect(smsSegments('あ'.repeat(70))).toBe(1);
    expect(smsSegments('あ'.repeat(71))).toBe(2);
    expect(smsSegments(`Hello ${'あ'}`)).toBe(1);
  });
});
