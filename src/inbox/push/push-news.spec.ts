import { describe, expect, it } from '@jest/globals';
import type { MessageView } from '../../conversations/index.js';
import { draftNews, messageNews, offerNews, saleNews } from './push-news.js';

const offer = { id: 'offer-1', conversationId: 'conv-1', expiresAt: '2026-12-07T05:00:00.000Z', channel: { id: 'ch', type: 'line' }, preview: 'こんにちは', transfer: null };

describe('push news', () => {
  it('words an offer in the subscription’s language, with Accept and Open, stale at its expiry', () => {
    const news = offerNews(offer);
    expect(news).toMatchObject({ kind: 'offers', urgency: 'high', expiresAt: new Date(offer.expiresAt) });
    expect(news.payload('ja')).toMatchObject({ title: '新しいチャット', body: 'LINE: こんにちは', actions: [{ action: 'accept', title: '受ける' }, { action: 'open', title: '開く' }] });
    expect(news.payload('en')).toMatchObject({ title: 'New chat', actions: [{ action: 'accept', title: 'Accept' }, { action: 'open', title: 'Open' }] });
    expect(offerNews({ ...offer, transfer: { id: 't', fromMemberId: 'm', note: null } }).payload('en').title).toBe('Chat transferred to you');
  });

  // A lock screen shows two or three lines; a long customer message is cut, not sent whole.
  it('cuts a long message and says "file" for one without text', () => {
    const message = { id: 'm1', conversationId: 'conv-1', body: 'あ'.repeat(500), status: 'received', review: null } as unknown as MessageView;
    const body = messageNews(message).payload('ja').body;
    expect(body).toHaveLength(140);
    expect(body.endsWith('…')).toBe(true);
    expect(messageNews({ ...message, body: '' }).payload('en').body).toBe('(file)');
  });

  it('tells a draft sent back with its feedback, and a sale in its currency', () => {
    const rejected = { id: 'm2', conversationId: 'conv-1', body: '下書き', status: 'rejected', review: { by: 's', at: '', feedback: '日時を提案しましょう' } } as unknown as MessageView;
    expect(draftNews(rejected).payload('ja')).toMatchObject({ title: '下書きが差し戻されました', body: '日時を提案しましょう' });
    expect(draftNews({ ...rejected, status: 'queued' }).payload('en')).toMatchObject({ title: 'Your draft was approved', body: '下書き' });
    expect(saleNews({ id: 's1', amount: 1500, currency: 'JPY', conversationId: 'conv-1' }).payload('ja').body).toBe('￥1,500');
    expect(saleNews({ id: 's1', amount: 1250, currency: 'USD', conversationId: 'conv-1' }).payload('en').body).toBe('US$12.50');
  });
});
