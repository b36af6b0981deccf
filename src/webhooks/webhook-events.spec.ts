import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { normalizeSubscriptions, subscribes, webhookBody } from './webhook-events.js';
import { newSigningSecret, signatureHeaders } from './webhook.sender.js';

describe('subscribes', () => {
  it('takes an event named in the subscriptions, and every ticket event under ticket.*', () => {
    expect(subscribes(['message.created'], 'message.created')).toBe(true);
    expect(subscribes(['message.created'], 'conversation.created')).toBe(false);
    for (const type of ['ticket.created', 'ticket.updated', 'ticket.solved', 'ticket.overdue']) expect(subscribes(['ticket.*'], type)).toBe(true);
    expect(subscribes(['ticket.*'], 'sale.created')).toBe(false);
    expect(subscribes(['ticket.solved'], 'ticket.created')).toBe(false);
  });

  it('keeps each subscription once, in a fixed order, the ticket events folded into ticket.*', () => {
    expect(normalizeSubscriptions(['ticket.solved', 'sale.created', 'ticket.*', 'sale.created', 'conversation.created'])).toEqual(['conversation.created', 'sale.created', 'ticket.*']);
    expect(normalizeSubscriptions(['ticket.solved', 'ticket.created'])).toEqual(['ticket.created', 'ticket.solved']);
  });
});

describe('webhookBody', () => {
  it('is {type, timestamp, data} with the time the event happened', () => {
    const body = webhookBody({ type: 'conversation.resolved', occurredAt: new Date('2026-12-07T09:00:00.000Z'), data: { conversationId: 'c1', outcome: 'booked' } });
    expect(JSON.parse(body)).toEqual({ type: 'conversation.resolved', timestamp: '2026-12-07T09:00:00.000Z', data: { conversationId: 'c1', outcome: 'booked' } });
  });
});

describe('signatureHeaders', () => {
  const body = webhookBody({ type: 'message.created', occurredAt: new Date(), data: { text: '予約できますか？' } });
  const now = new Date();

  it('signs so that the reference library verifies it', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = signatureHeaders([secret], 'evt_1', now, body);
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  // Just after a rotation both secrets sign: a receiver still holding the old one, or already the new one, verifies.
  it('carries a signature per secret, so that either verifies', () => {
    const [old, rotated] = [newSigningSecret(), newSigningSecret()];
    const headers = signatureHeaders([rotated, old], 'evt_1', now, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(old).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(rotated).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
  });

  // The negative cases a receiver relies on: each must fail verification.
  it('does not verify with another secret, a changed body, another id or a re-serialized body', () => {
    const secret = newSigningSecret();
    const headers = signatureHeaders([secret], 'evt_1', now, body);
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace('予約', '解約'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'evt_2' })).toThrow();
    expect(() => new Webhook(secret).verify(JSON.stringify(JSON.parse(body), null, 2), headers)).toThrow();
  });
});
