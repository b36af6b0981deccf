import { describe, expect, it } from '@jest/globals';
import type { ChannelCapabilities } from '../channels/index.js';
import { decideSend, longestText } from './send-policy.js';
import type { SendFacts, SendRequest } from './send-policy.js';

const NOW = new Date('2026-03-01T09:00:00Z');
const HOUR = 3_600_000;

const base: ChannelCapabilities = {
  files: { kinds: { image: 'native', video: 'native', audio: 'native', document: 'native' }, maxBytes: 16 * 1024 * 1024, maxPerMessage: 1 },
  templates: false,
  typing: false,
  readReceipts: true,
  replyTokens: false,
  groups: false,
  maxTextLength: 1600,
  replyWindowHours: null,
  maxMessagesPerCall: 1,
  sendsPerSecond: 1,
};

// Hand-written adapters with the providers' numbers: Twilio (SMS, and WhatsApp with its 24-hour window), LINE
// (five text objects of 5,000 per call), web chat, and two that differ in files: none at all, and LINE's (PDFs as links).
const twilio: SendFacts['adapter'] = {
  capabilities: base,
  capabilitiesByType: { whatsapp: { replyWindowHours: 24 } },
  canSend: (channel, message) =>
    channel.type === 'whatsapp' && !message.template && (!message.lastCustomerMessageAt || message.now.getTime() - message.lastCustomerMessageAt.getTime() >= 24 * HOUR)
      ? { ok: false, code: 'reply_window_closed', reason: 'WhatsApp allows free text only within 24 hours of the customer’s last message.' }
      : { ok: true },
};
const line: SendFacts['adapter'] = { capabilities: { ...base, maxTextLength: 5000, maxMessagesPerCall: 5, replyTokens: true } };
const webchat: SendFacts['adapter'] = { capabilities: { ...base, maxTextLength: 5000 } };
// A channel that carries no file at all (a linked WhatsApp device today), and LINE's way: PDFs as a link.
const noFiles: SendFacts['adapter'] = { capabilities: { ...base, files: { kinds: {}, maxBytes: 0, maxPerMessage: 0 } } };
const lineFiles: SendFacts['adapter'] = { capabilities: { ...base, files: { kinds: { image: 'native', document: 'link' }, maxBytes: 10 * 1024 * 1024, maxPerMessage: 4 } } };

function sms(patch: Partial<SendFacts> = {}, conversation: Partial<SendFacts['conversation']> = {}): SendFacts {
  return {
    adapter: twilio,
    channel: { type: 'sms', active: true },
    conversation: { status: 'open', awaitingClaimId: null, threadKey: 'phone:+819012345678', lastCustomerMessageAt: new Date(NOW.getTime() - HOUR), ...conversation },
    consent: 'none',
    now: NOW,
    ...patch,
  };
}

const reply = (body = 'ありがとうございます', patch: Partial<SendRequest> = {}): SendRequest => ({ purpose: 'reply', body, template: false, files: [], ...patch });
const photo = (size = 1024) => ({ kind: 'image' as const, size, name: 'photo.jpg' });
const pdf = (size = 1024) => ({ kind: 'document' as const, size, name: 'menu.pdf' });

describe('decideSend', () => {
  it('lets a reply go to a customer who wrote and has not opted out', () => {
    expect(decideSend(sms(), reply())).toEqual({ ok: true });
  });

  // Guards the draft approved after STOP: it went out of the hub's hands with 200 and only failed in the outbox.
  it('refuses anything but the keyword’s confirmation to a customer who opted out', () => {
    const facts = sms({ consent: 'opted_out' });
    for (const purpose of ['reply', 'proactive', 'invitation', 'automatic'] as const) {
      expect(decideSend(facts, reply('x', { purpose }))).toMatchObject({ ok: false, kind: 'conflict', code: 'opted_out', reason: expect.stringContaining('STOP') });
    }
    // The confirmation of a STOP must reach the person who sent it.
    expect(decideSend(facts, reply('配信を停止しました', { purpose: 'confirmation' }))).toEqual({ ok: true });
  });

  it('calls a LINE opt-out not_following (the customer blocked the account)', () => {
    expect(decideSend(sms({ adapter: line, channel: { type: 'line', active: true }, consent: 'opted_out' }), reply())).toMatchObject({ ok: false, code: 'not_following' });
  });

  it('needs an opt-in to write first, and not for an invitation or a reply', () => {
    expect(decideSend(sms({ consent: 'none' }), reply('x', { purpose: 'proactive' }))).toMatchObject({ ok: false, code: 'consent_required', reason: expect.stringContaining('invite them first') });
    expect(decideSend(sms({ consent: 'pending' }), reply('x', { purpose: 'proactive' }))).toMatchObject({ ok: false, code: 'consent_required', reason: expect.stringContaining('not confirmed yet') });
    expect(decideSend(sms({ consent: 'opted_in' }), reply('x', { purpose: 'proactive' }))).toEqual({ ok: true });
    expect(decideSend(sms({ consent: 'none' }), reply('x', { purpose: 'invitation' }))).toEqual({ ok: true });
  });

  it('keeps no consent for web chat', () => {
    expect(decideSend(sms({ adapter: webchat, channel: { type: 'webchat', active: true }, consent: null }), reply('x', { purpose: 'proactive' }))).toEqual({ ok: true });
  });

  it('refuses an ended conversation, a switched-off channel and an unproved address before anything else', () => {
    const optedOut = { consent: 'opted_out' } as const;
    expect(decideSend(sms(optedOut, { status: 'resolved' }), reply())).toMatchObject({ ok: false, code: 'conversation_resolved' });
    expect(decideSend(sms({ ...optedOut, channel: { type: 'sms', active: false } }), reply())).toMatchObject({ ok: false, code: 'channel_inactive' });
    expect(decideSend(sms(optedOut, { awaitingClaimId: 'claim-1' }), reply())).toMatchObject({ ok: false, code: 'address_unproven' });
  });

  it('queues the hub’s own answer to an unproved address (the outbox holds it until the proof), and refuses an agent’s', () => {
    const unproved = sms({}, { awaitingClaimId: 'claim-1' });
    expect(decideSend(unproved, reply('x', { purpose: 'reply' }))).toMatchObject({ ok: false, code: 'address_unproven' });
    expect(decideSend(unproved, reply('ただいま営業時間外です', { purpose: 'automatic' }))).toEqual({ ok: true });
  });

  it('lets only a template through after the WhatsApp window, and names the opt-out first when both apply', () => {
    const closed = sms({ channel: { type: 'whatsapp', active: true } }, { lastCustomerMessageAt: new Date(NOW.getTime() - 30 * HOUR) });
    expect(decideSend(closed, reply())).toMatchObject({ ok: false, kind: 'conflict', code: 'reply_window_closed' });
    expect(decideSend(closed, reply('order_update', { template: true }))).toEqual({ ok: true });
    // A template cannot lift an opt-out: the composer must not offer one.
    expect(decideSend({ ...closed, consent: 'opted_out' }, reply())).toMatchObject({ ok: false, code: 'opted_out' });
  });

  // Guards a capability declared and never read: a 2,000-character SMS was accepted and failed at Twilio.
  it('refuses a text longer than the channel takes, naming the limit', () => {
    expect(decideSend(sms(), reply('a'.repeat(1600)))).toEqual({ ok: true });
    expect(decideSend(sms(), reply('a'.repeat(2000)))).toEqual({
      ok: false,
      kind: 'unprocessable',
      code: 'text_too_long',
      reason: 'This message is 2,000 characters; an SMS takes at most 1,600. Shorten it, or send it in parts.',
      details: { maxTextLength: 1600, length: 2000 },
    });
    // An emoji is two UTF-16 units, as LINE and the API's own limits count it.
    expect(decideSend(sms(), reply('😀'.repeat(801)))).toMatchObject({ ok: false, code: 'text_too_long', details: { length: 1602 } });
  });

  it('does not measure a template’s preview against the text limit (the provider sends the approved template)', () => {
    expect(decideSend(sms(), reply('a'.repeat(2000), { template: true }))).toEqual({ ok: true });
  });

  it('lets a channel that splits long texts (LINE: five objects a call) take up to five times its object limit', () => {
    const facts = sms({ adapter: line, channel: { type: 'line', active: true }, consent: 'opted_in' });
    expect(longestText(line.capabilities)).toBe(25_000);
    expect(decideSend(facts, reply('あ'.repeat(12_000)))).toEqual({ ok: true });
    expect(decideSend(facts, reply('あ'.repeat(25_001)))).toMatchObject({ ok: false, code: 'text_too_long', details: { maxTextLength: 25_000 } });
  });

  it('refuses files on a channel that carries none', () => {
    const facts = sms({ adapter: noFiles, channel: { type: 'whatsapp', active: true }, consent: null });
    expect(decideSend(facts, reply('x', { files: [photo()] }))).toMatchObject({ ok: false, code: 'attachments_unsupported', reason: 'A WhatsApp message cannot carry files; send the text alone.' });
    expect(decideSend(sms({ adapter: webchat, channel: { type: 'webchat', active: true }, consent: null }), reply('x', { files: [photo()] }))).toEqual({ ok: true });
  });

  // Refused before the reply is written: a provider's refusal after the fact would show the agent "sent" first.
  it('refuses a kind the channel does not carry, one too large, and too many, and lets a link go at any size', () => {
    const facts = sms({ adapter: lineFiles, channel: { type: 'line', active: true }, consent: 'opted_in' });
    expect(decideSend(facts, reply('', { files: [{ kind: 'video', size: 10, name: 'clip.mp4' }] }))).toMatchObject({ ok: false, code: 'attachment_kind_unsupported', details: { kind: 'video' } });
    expect(decideSend(facts, reply('', { files: [photo(11 * 1024 * 1024)] }))).toMatchObject({ ok: false, code: 'attachment_too_large', details: { maxBytes: 10 * 1024 * 1024 } });
    expect(decideSend(facts, reply('', { files: [pdf(), pdf(), pdf(), pdf(), pdf()] }))).toMatchObject({ ok: false, code: 'too_many_attachments', details: { maxPerMessage: 4 } });
    expect(decideSend(facts, reply('', { files: [pdf(40 * 1024 * 1024), photo()] }))).toEqual({ ok: true });
  });
});
