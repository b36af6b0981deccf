import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeLineEvents } from './line.normalizer.js';
import { lineWebhookBody } from './line.schema.js';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'line');
const events = (name: string) => normalizeLineEvents(lineWebhookBody.parse(JSON.parse(readFileSync(join(fixtures, name), 'utf8'))));
const USER = { kind: 'line', address: 'U206d25c2ea6bd87c17655609a1c37cb8' };
const GROUP = { kind: 'line_group', address: 'Ca56f94637cc4347f90a25382909b24b9' };
const at = new Date(1462629479859);

describe('normalizeLineEvents', () => {
  it('reads a user’s text with its reply and quote tokens, keyed by webhookEventId', () => {
    expect(events('single-user-text.json')).toEqual([
      expect.objectContaining({ type: 'message', eventKey: 'testwebhookeventid', providerMessageId: '325708', from: USER, kind: 'text', replyToken: 'nHuyWiB7yP5Zw52FIkcQobQuGDXCTA', occurredAt: at }),
    ]);
  });

  it('puts a group’s text in the group’s thread, written by the member', () => {
    expect(events('single-group-text.json')).toEqual([expect.objectContaining({ type: 'message', thread: GROUP, from: USER, body: 'Hello, world' })]);
  });

  it('lets the room speak for a member without a userId, and takes external content as a link', () => {
    const [image] = events('single-room-image.json');
    const room = { kind: 'line_group', address: 'Ra8dbf4673c4c812cd491258042226c99' };
    expect(image).toMatchObject({ type: 'message', thread: room, from: room, kind: 'media', attachments: [{ url: 'https://example.com', contentType: 'image/jpeg' }] });
  });

  it('marks a file held by LINE for fetching, with its name and size', () => {
    expect(events('single-user-file.json')[0]).toMatchObject({ kind: 'media', body: 'file.txt', attachments: [{ providerContentId: '325708', name: 'file.txt', size: 2138 }] });
  });

  it('keeps stickers and locations as structured attachments', () => {
    expect(events('single-user-sticker.json')[0]).toMatchObject({ kind: 'media', attachments: [{ meta: { type: 'sticker' } }] });
    expect(events('single-user-location.json')[0]).toMatchObject({ kind: 'text', attachments: [{ meta: { type: 'location' } }] });
  });

  it('turns follow (new or unblocked) and unfollow (blocked) into contact events', () => {
    expect(events('single-follow.json')).toEqual([{ type: 'contact', eventKey: 'testwebhookeventid', from: USER, kind: 'follow', detail: { isUnblocked: true }, occurredAt: at }]);
    expect(events('single-unfollow.json')).toEqual([expect.objectContaining({ type: 'contact', kind: 'unfollow', detail: {} })]);
  });

  it('reads the bot joining and leaving a group, and members coming and going', () => {
    expect(events('single-join-group.json')).toEqual([expect.objectContaining({ type: 'group', kind: 'joined', group: GROUP, members: [] })]);
    expect(events('single-leave-group.json')).toEqual([expect.objectContaining({ type: 'group', kind: 'left', group: GROUP })]);
    const [joined] = events('single-member-joined-group.json');
    expect(joined).toMatchObject({ type: 'group', kind: 'member_joined', members: [{ kind: 'line' }, { kind: 'line' }] });
    expect(events('single-member-left-group.json')[0]).toMatchObject({ type: 'group', kind: 'member_left' });
  });

  it('reads unsend and postback (with its datetime)', () => {
    expect(events('single-unsend-group.json')).toEqual([{ type: 'unsend', eventKey: 'testwebhookeventid', providerMessageId: '325708', occurredAt: new Date(1547817848122) }]);
    expect(events('single-postback-datetime.json')[0]).toMatchObject({ type: 'message', kind: 'event', body: 'action=buyItem&itemId=123123&color=red (datetime: 2017-12-25T01:00)' });
  });

  it('leaves out edits and types it does not know, instead of refusing the delivery', () => {
    expect(events('single-message-edited.json')).toEqual([]);
    expect(events('single-unknown-type-redelivered.json')).toEqual([]);
  });

  it('reads every kind in the SDK’s all-events fixture', () => {
    const kinds = events('python-sdk-webhook-all-events.json').map((e) => (e.type === 'message' ? `message:${e.kind}` : e.type));
    expect(new Set(kinds)).toEqual(new Set(['message:text', 'message:media', 'contact', 'group', 'message:event', 'unsend']));
  });

  it('ignores standby events: another channel holds the chat', () => {
    const body = lineWebhookBody.parse({ events: [{ ...JSON.parse(readFileSync(join(fixtures, 'single-user-text.json'), 'utf8')).events[0], mode: 'standby' }] });
    expect(normalizeLineEvents(body)).toEqual([]);
  });
});
