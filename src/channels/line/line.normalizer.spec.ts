import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InboundEvent } from '../channel-adapter.js';
import { normalizeLineEvents } from './line.normalizer.js';
import { lineWebhookBody } from './line.schema.js';
import type { LineWebhookBody } from './line.schema.js';

// Recorded payloads from LINE's OpenAPI examples and SDK tests (test/fixtures/providers/SOURCES.md).
const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'line');
const fixture = (name: string): LineWebhookBody => lineWebhookBody.parse(JSON.parse(readFileSync(join(fixtures, name), 'utf8')));
/** When the hub received the delivery: only events without a time of their own use it. */
const RECEIVED = new Date('2026-01-01T00:00:00Z');
const events = (name: string) => normalizeLineEvents(fixture(name), RECEIVED);
const USER = { kind: 'line', address: 'U206d25c2ea6bd87c17655609a1c37cb8' };
const GROUP = { kind: 'line_group', address: 'Ca56f94637cc4347f90a25382909b24b9' };
const ROOM = { kind: 'line_group', address: 'Ra8dbf4673c4c812cd491258042226c99' };
const at = new Date(1462629479859);

/** The all-events fixture with ids of its own: recorded, it reuses one webhookEventId for every event. */
function allEvents(): LineWebhookBody {
  const body = fixture('python-sdk-webhook-all-events.json');
  return { ...body, events: body.events.map((event, index) => ({ ...event, webhookEventId: `01TESTEVENT${String(index).padStart(15, '0')}` })) };
}

const kindOf = (event: InboundEvent) => (event.type === 'message' ? `message:${event.kind}` : event.type === 'contact' || event.type === 'group' ? `${event.type}:${event.kind}` : event.type);

describe('normalizeLineEvents', () => {
  it('reads a user’s text with its reply and quote tokens, keyed by webhookEventId', () => {
    expect(events('single-user-text.json')).toEqual([
      {
        type: 'message',
        eventKey: 'testwebhookeventid',
        providerMessageId: '325708',
        from: USER,
        kind: 'text',
        body: 'Hello, world',
        attachments: [],
        occurredAt: at,
        replyToken: 'nHuyWiB7yP5Zw52FIkcQobQuGDXCTA',
        quoteToken: 'quoteToken',
      },
    ]);
  });

  it('puts a group’s text in the group’s thread, written by the member', () => {
    expect(events('single-group-text.json')).toEqual([expect.objectContaining({ type: 'message', thread: GROUP, from: USER, body: 'Hello, world', kind: 'text' })]);
    expect(events('single-room-text.json')).toEqual([expect.objectContaining({ type: 'message', thread: ROOM, from: USER })]);
  });

  it('lets the room speak for a member without a userId, and takes external content as a link', () => {
    const [image] = events('single-room-image.json');
    expect(image).toMatchObject({ type: 'message', thread: ROOM, from: ROOM, kind: 'media', body: '', attachments: [{ url: 'https://example.com', contentType: 'image/jpeg' }] });
    expect(image.type === 'message' && image.attachments[0].providerContentId).toBeUndefined();
  });

  it('marks an image LINE holds for fetching by its message id', () => {
    const image = normalizeLineEvents(allEvents(), RECEIVED).find((e) => e.type === 'message' && e.providerMessageId === '354718705033693861');
    expect(image).toMatchObject({ kind: 'media', body: '', attachments: [{ providerContentId: '354718705033693861', contentType: 'image/jpeg' }] });
  });

  it('marks a file held by LINE for fetching, with its name, size and a type guessed from the name', () => {
    expect(events('single-user-file.json')).toEqual([
      expect.objectContaining({ kind: 'media', body: 'file.txt', attachments: [{ providerContentId: '325708', contentType: 'text/plain', name: 'file.txt', size: 2138 }] }),
    ]);
  });

  it('keeps a sticker as a structured attachment', () => {
    expect(events('single-user-sticker.json')).toEqual([
      expect.objectContaining({ kind: 'media', body: '', attachments: [{ meta: { type: 'sticker', packageId: '1', stickerId: '1', keywords: ['Love You', 'Love'] } }] }),
    ]);
  });

  it('writes a location as its title and address, with the coordinates beside', () => {
    expect(events('single-user-location.json')).toEqual([
      expect.objectContaining({
        kind: 'text',
        body: 'my location\nTokyo',
        attachments: [{ meta: { type: 'location', latitude: 35.65910807942215, longitude: 139.70372892916203, address: 'Tokyo', title: 'my location' } }],
      }),
    ]);
  });

  it('turns follow (new or unblocked) and unfollow (blocked) into contact events', () => {
    expect(events('single-follow.json')).toEqual([{ type: 'contact', eventKey: 'testwebhookeventid', from: USER, kind: 'follow', detail: { isUnblocked: true }, occurredAt: at }]);
    expect(events('single-unfollow.json')).toEqual([{ type: 'contact', eventKey: 'testwebhookeventid', from: USER, kind: 'unfollow', detail: {}, occurredAt: at }]);
  });

  it('reads the bot joining and leaving a group', () => {
    expect(events('single-join-group.json')).toEqual([{ type: 'group', eventKey: 'testwebhookeventid', group: GROUP, kind: 'joined', members: [], occurredAt: at }]);
    expect(events('single-leave-group.json')).toEqual([{ type: 'group', eventKey: 'testwebhookeventid', group: GROUP, kind: 'left', members: [], occurredAt: at }]);
  });

  it('reads members coming and going, each as a LINE user', () => {
    const group = { kind: 'line_group', address: 'C4af4980629...' };
    const members = [
      { kind: 'line', address: 'U4af4980629...' },
      { kind: 'line', address: 'U91eeaf62d9...' },
    ];
    expect(events('single-member-joined-group.json')).toEqual([{ type: 'group', eventKey: 'testwebhookeventid', group, kind: 'member_joined', members, occurredAt: at }]);
    expect(events('single-member-left-group.json')).toEqual([
      { type: 'group', eventKey: 'testwebhookeventid', group, kind: 'member_left', members, occurredAt: new Date(1462629479960) },
    ]);
  });

  it('reads an unsend by the id of the message taken back', () => {
    expect(events('single-unsend-group.json')).toEqual([{ type: 'unsend', eventKey: 'testwebhookeventid', providerMessageId: '325708', occurredAt: new Date(1547817848122) }]);
  });

  it('reads a postback as an event message with what the date picker chose', () => {
    expect(events('single-postback-datetime.json')).toEqual([
      {
        type: 'message',
        eventKey: 'testwebhookeventid',
        providerMessageId: 'postback:testwebhookeventid',
        from: USER,
        kind: 'event',
        body: 'action=buyItem&itemId=123123&color=red (datetime: 2017-12-25T01:00)',
        attachments: [],
        occurredAt: at,
        replyToken: 'nHuyWiB7yP5Zw52FIkcQobQuGDXCTA',
      },
    ]);
  });

  // Guards the regression of refusing a delivery for a type LINE added later: LINE would redeliver it forever.
  it('leaves out edits and types it does not know, instead of refusing the delivery', () => {
    expect(events('single-message-edited.json')).toEqual([]);
    expect(events('single-unknown-type-redelivered.json')).toEqual([]);
  });

  it('reads every kind in the SDK’s all-events fixture and leaves out beacons, account links, video plays, edits and unknown types', () => {
    const normalized = normalizeLineEvents(allEvents(), RECEIVED);
    const counts: Record<string, number> = {};
    for (const event of normalized) counts[kindOf(event)] = (counts[kindOf(event)] ?? 0) + 1;
    expect(counts).toEqual({
      // 4 texts (user, group, room, user) and the location
      'message:text': 5,
      // room image, video, audio (external), sticker, file, image held by LINE
      'message:media': 6,
      // postbacks with datetime, date, time, datetime
      'message:event': 4,
      'contact:follow': 1,
      'contact:unfollow': 1,
      'group:joined': 1,
      'group:left': 1,
      'group:member_joined': 1,
      'group:member_left': 1,
      unsend: 1,
    });
    expect(fixture('python-sdk-webhook-all-events.json').events).toHaveLength(28);
    expect(new Set(normalized.map((e) => ('eventKey' in e ? e.eventKey : ''))).size).toBe(normalized.length);
  });

  it('keys every event of the recorded all-events fixture alike, as it reuses one webhookEventId (the hub takes one)', () => {
    const keys = normalizeLineEvents(fixture('python-sdk-webhook-all-events.json'), RECEIVED).map((e) => ('eventKey' in e ? e.eventKey : ''));
    expect(new Set(keys)).toEqual(new Set(['testwebhookeventid']));
  });

  it('ignores standby events: another channel holds the chat', () => {
    const [text] = fixture('single-user-text.json').events;
    expect(normalizeLineEvents({ events: [{ ...text, mode: 'standby' }] }, RECEIVED)).toEqual([]);
  });

  it('falls back to the time and place in the body for an event without an id, and to now without a time', () => {
    const [text] = fixture('single-user-text.json').events;
    const { webhookEventId: _id, timestamp: _time, ...bare } = text;
    const now = new Date('2026-01-02T03:04:05Z');
    const [keyed, timeless] = normalizeLineEvents({ events: [{ ...bare, timestamp: 1462629479859 }, bare] }, now);
    expect(keyed).toMatchObject({ eventKey: '1462629479859:0', occurredAt: at });
    expect(timeless).toMatchObject({ eventKey: 'no-time:1', occurredAt: now });
  });

  it('shows the rich menu a postback switched to beside its data', () => {
    const [postback] = fixture('single-postback-datetime.json').events;
    const body = { events: [{ ...postback, postback: { data: 'menu', params: { newRichMenuAliasId: 'richmenu-b', status: 'SUCCESS' } } }] };
    expect(normalizeLineEvents(lineWebhookBody.parse(body), RECEIVED)[0]).toMatchObject({ body: 'menu (newRichMenuAliasId: richmenu-b, status: SUCCESS)' });
  });
});
