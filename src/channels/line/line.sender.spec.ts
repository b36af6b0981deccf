import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLineFake } from '../../../test/fakes/line-fake.js';
import type { LineFake } from '../../../test/fakes/line-fake.js';
import type { OutboundMessage } from '../channel-adapter.js';
import { LineSender, retryKeyOf, splitLineText } from './line.sender.js';

describe('splitLineText', () => {
  it('keeps a text of 5,000 UTF-16 units whole and cuts a longer one', () => {
    expect(splitLineText('あ'.repeat(5000))).toHaveLength(1);
    expect(splitLineText('a'.repeat(12_000)).map((p) => p.length)).toEqual([5000, 5000, 2000]);
  });

  it('never cuts an emoji in half', () => {
    const pieces = splitLineText(`${'a'.repeat(4999)}😀b`);
    expect(pieces).toEqual([`${'a'.repeat(4999)}`, '😀b']);
  });
});

describe('retryKeyOf', () => {
  it('gives the same UUID for the same message and call, another for the next call', () => {
    expect(retryKeyOf('m1', 0)).toBe(retryKeyOf('m1', 0));
    expect(retryKeyOf('m1', 0)).not.toBe(retryKeyOf('m1', 1));
    expect(retryKeyOf('m1', 0)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe(LineSender.name, () => {
  const token = 'sender-spec-token';
  let fake: LineFake;
  const channel = () =>
    ({ id: 'c', teamId: 't', type: 'line', provider: 'line', name: 'LINE', active: true, settings: { apiBaseUrl: fake.url }, secrets: { channelAccessToken: token } }) as const;
  const message = (body: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
    messageId: `m-${body.length}-${Math.random()}`,
    conversationId: 'conv',
    to: { kind: 'line', address: 'U' + 'a'.repeat(32) },
    body,
    attachments: [],
    author: { type: 'member', id: null, name: null },
    createdAt: new Date(),
    seq: '1',
    ...extra,
  });

  beforeAll(async () => {
    fake = await startLineFake({ channelAccessToken: token });
  });
  afterAll(() => fake.close());

  it('sends a long text as several message objects in one push', async () => {
    const result = await new LineSender().send(channel(), message('x'.repeat(12_000)));
    expect(result.ok).toBe(true);
    expect(fake.pushes.at(-1)!.messages.map((m) => m.text!.length)).toEqual([5000, 5000, 2000]);
  });

  it('counts a 409 on a retried push (the first try timed out but was accepted) as sent, once', async () => {
    const sender = new LineSender(200);
    const outbound = message('timed out once');
    fake.failNext({ delayMs: 600 });
    const first = await sender.send(channel(), outbound);
    expect(first).toMatchObject({ ok: false, retry: true });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const second = await sender.send(channel(), outbound);
    expect(second).toMatchObject({ ok: true });
    expect(fake.pushes.filter((p) => p.messages[0]?.text === 'timed out once')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.path === '/v2/bot/message/push' && JSON.stringify(r.json).includes('timed out once'))).toHaveLength(2);
  });

  it('falls back to push when LINE refuses the reply token', async () => {
    const result = await new LineSender().send(channel(), message('with a bad token', { replyToken: 'never-issued' }));
    expect(result.ok).toBe(true);
    expect(fake.pushes.some((p) => p.messages[0]?.text === 'with a bad token')).toBe(true);
  });

  it('explains a refused access token and does not retry it', async () => {
    const wrong = { ...channel(), secrets: { channelAccessToken: 'wrong' } };
    expect(await new LineSender().send(wrong, message('unauthorized'))).toMatchObject({ ok: false, retry: false, code: 'line_401', reason: expect.stringContaining('access token') });
  });
});
