import { describe, expect, it } from '@jest/globals';
import { chatIdOf, normalizeWhatsAppWebAck, normalizeWhatsAppWebMessage } from './whatsapp-web.normalizer.js';

/** When the hub received the event: only events without a time of their own use it. */
const RECEIVED = new Date('2026-01-01T00:00:00Z');

// The library's own JSDoc example of a Message (whatsapp-web.js index.d.ts), as the `message` event hands it.
const example = {
  mediaKey: undefined,
  id: { fromMe: false, remote: '554199999999@c.us', id: '1234567890ABCDEFGHIJ', _serialized: 'false_554199999999@c.us_1234567890ABCDEFGHIJ' },
  ack: -1,
  hasMedia: false,
  body: 'Hello!',
  type: 'chat',
  timestamp: 1591482682,
  from: '554199999999@c.us',
  to: '554188888888@c.us',
  author: undefined,
  isForwarded: false,
  broadcast: false,
  fromMe: false,
  hasQuotedMsg: false,
  hasReaction: false,
  location: undefined,
  mentionedIds: [],
};

describe(normalizeWhatsAppWebMessage.name, () => {
  it('reads the library’s example message: the serialized id as key, the number in E.164, the time in seconds', () => {
    expect(normalizeWhatsAppWebMessage(example, RECEIVED)).toEqual({
      type: 'message',
      eventKey: 'false_554199999999@c.us_1234567890ABCDEFGHIJ',
      providerMessageId: 'false_554199999999@c.us_1234567890ABCDEFGHIJ',
      from: { kind: 'phone', address: '+554199999999' },
      kind: 'text',
      body: 'Hello!',
      attachments: [],
      occurredAt: new Date(1591482682 * 1000),
    });
  });

  it('leaves media to be downloaded by the message id, and reads locations and contact cards', () => {
    expect(normalizeWhatsAppWebMessage({ ...example, type: 'ptt', hasMedia: true, body: '', _data: { mimetype: 'audio/ogg; codecs=opus' } }, RECEIVED)).toMatchObject({
      kind: 'media',
      attachments: [{ providerContentId: example.id._serialized, contentType: 'audio/ogg; codecs=opus' }],
    });
    expect(normalizeWhatsAppWebMessage({ ...example, type: 'location', body: '', location: { latitude: '35.68', longitude: '139.76', description: '東京駅' } }, RECEIVED)).toMatchObject({
      body: '東京駅',
      attachments: [{ meta: { type: 'location', latitude: 35.68, longitude: 139.76 } }],
    });
    expect(normalizeWhatsAppWebMessage({ ...example, type: 'vcard', vCards: ['BEGIN:VCARD\nVERSION:3.0\nFN:山田 太郎\nEND:VCARD'] }, RECEIVED)).toMatchObject({ body: '山田 太郎' });
  });

  it('leaves out our own messages, groups, broadcasts, revoked messages and objects that are not messages', () => {
    expect(normalizeWhatsAppWebMessage({ ...example, fromMe: true }, RECEIVED)).toBeNull();
    expect(normalizeWhatsAppWebMessage({ ...example, from: '120363020000000000@g.us', author: '554199999999@c.us' }, RECEIVED)).toBeNull();
    expect(normalizeWhatsAppWebMessage({ ...example, from: 'status@broadcast', broadcast: true }, RECEIVED)).toBeNull();
    expect(normalizeWhatsAppWebMessage({ ...example, type: 'revoked' }, RECEIVED)).toBeNull();
    expect(normalizeWhatsAppWebMessage({ body: 'no id' }, RECEIVED)).toBeNull();
  });
});

describe(normalizeWhatsAppWebAck.name, () => {
  const ours = { ...example, fromMe: true, id: { ...example.id, fromMe: true, _serialized: 'true_554199999999@c.us_X' } };

  it('maps acks to statuses: server sent, device delivered, read and played read, error failed; pending says nothing', () => {
    const statuses = [-1, 0, 1, 2, 3, 4].map((ack) => normalizeWhatsAppWebAck(ours, ack, RECEIVED));
    expect(statuses.map((s) => (s && s.type === 'status' ? s.status : null))).toEqual(['failed', null, 'sent', 'delivered', 'read', 'read']);
    expect(statuses[2]).toMatchObject({ providerMessageId: 'true_554199999999@c.us_X' });
  });
});

describe(chatIdOf.name, () => {
  it('writes to a phone number’s user chat', () => {
    expect(chatIdOf({ kind: 'phone', address: '+819012345678' })).toBe('819012345678@c.us');
  });
});
