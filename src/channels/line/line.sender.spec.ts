import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLineFake } from '../../../test/fakes/line-fake.js';
import type { LineFake } from '../../../test/fakes/line-fake.js';
import { OutboundGuard, parseOriginList } from '../../common/outbound/index.js';
import type { OutboundMessage } from '../channel-adapter.js';
import type { LineAccount, LineSecrets } from './line.schema.js';
import { LineSender, retryKeyOf, splitLineText } from './line.sender.js';

describe('splitLineText', () => {
  it('keeps a text of 5,000 UTF-16 units whole and cuts a longer one', () => {
    expect(splitLineText('あ'.repeat(5000))).toHaveLength(1);
    expect(splitLineText('a'.repeat(12_000)).map((p) => p.length)).toEqual([5000, 5000, 2000]);
  });

  // An emoji is two UTF-16 units: cutting between them would send two broken characters.
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
  // The fake listens on the loopback: allowed as an operator would allow a private system.
  const guard = new OutboundGuard({ allowedOrigins: parseOriginList('http://127.0.0.1:*'), maxDownloadBytes: 1024 * 1024 });
  const token = 'sender-spec-token';
  const USER = 'U' + 'a'.repeat(32);
  let fake: LineFake;
  let counter = 0;
  const channel = (secrets: LineSecrets = { channelAccessToken: token }): LineAccount => ({
    id: 'c',
    teamId: 't',
    type: 'line',
    provider: 'line',
    name: 'LINE',
    active: true,
    settings: { apiBaseUrl: fake.url },
    secrets,
  });
  const message = (body: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
    messageId: `m-${++counter}`,
    conversationId: 'conv',
    to: { kind: 'line', address: USER },
    body,
    attachments: [],
    author: { type: 'member', id: null, name: null },
    createdAt: new Date(),
    seq: '1',
    ...extra,
  });
  const pushesOf = (text: string) => fake.pushes.filter((p) => p.messages[0]?.text === text);

  beforeAll(async () => {
    fake = await startLineFake({ channelAccessToken: token });
  });
  afterAll(async () => {
    await fake.close();
    await guard.close();
  });

  it('replies with a fresh reply token, free and without a retry key, and returns the quote token', async () => {
    const replyToken = fake.issueReplyToken();
    const result = await new LineSender(guard).send(channel(), message('by reply', { replyToken }));
    const reply = fake.replies.find((r) => r.replyToken === replyToken)!;
    expect(reply.messages).toEqual([{ type: 'text', text: 'by reply' }]);
    expect(reply.headers['x-line-retry-key']).toBeUndefined();
    expect(pushesOf('by reply')).toHaveLength(0);
    expect(result).toEqual({ ok: true, providerMessageId: reply.sentMessages[0].id, quoteToken: reply.sentMessages[0].quoteToken });
  });

  it('falls back to push, with the message’s retry key, when LINE refuses a used reply token', async () => {
    const replyToken = fake.issueReplyToken();
    const sender = new LineSender(guard);
    await sender.send(channel(), message('first reply', { replyToken }));
    const outbound = message('token already used', { replyToken });
    const result = await sender.send(channel(), outbound);
    const [push] = pushesOf('token already used');
    expect(push).toMatchObject({ to: USER, retryKey: retryKeyOf(outbound.messageId, 0) });
    expect(result).toEqual({ ok: true, providerMessageId: push.sentMessages[0].id, quoteToken: push.sentMessages[0].quoteToken, providerRequestId: push.requestId });
  });

  it('counts a 409 on a push retried with the same key as sent, with the first push’s id, and sends once', async () => {
    const sender = new LineSender(guard);
    const outbound = message('sent twice by the outbox');
    const first = await sender.send(channel(), outbound);
    const second = await sender.send(channel(), outbound);
    expect(second).toEqual(first);
    expect(pushesOf('sent twice by the outbox')).toHaveLength(1);
  });

  it('counts a 409 after a timed-out push (LINE took it but the answer came late) as sent, once', async () => {
    const sender = new LineSender(guard, 200);
    const outbound = message('timed out once');
    fake.failNext({ delayMs: 600 });
    const first = await sender.send(channel(), outbound);
    expect(first).toMatchObject({ ok: false, retry: true, code: 'provider_unreachable' });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const second = await sender.send(channel(), outbound);
    expect(second).toMatchObject({ ok: true });
    expect(pushesOf('timed out once')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.path === '/v2/bot/message/push' && JSON.stringify(r.json).includes('timed out once'))).toHaveLength(2);
  });

  it('sends a text of 12,000 characters as three message objects in one push', async () => {
    const result = await new LineSender(guard).send(channel(), message('x'.repeat(12_000)));
    expect(result.ok).toBe(true);
    expect(fake.pushes.at(-1)!.messages.map((m) => m.text!.length)).toEqual([5000, 5000, 2000]);
  });

  it('sends more than five pieces in several pushes, each with its own retry key, and names the first message', async () => {
    const outbound = message('y'.repeat(31_000), { replyToken: fake.issueReplyToken() });
    const result = await new LineSender(guard).send(channel(), outbound);
    const pushes = fake.pushes.slice(-2);
    expect(pushes.map((p) => p.messages.length)).toEqual([5, 2]);
    expect(pushes.map((p) => p.retryKey)).toEqual([retryKeyOf(outbound.messageId, 0), retryKeyOf(outbound.messageId, 1)]);
    // A reply cannot be retried safely, so a message that needs several calls goes by push only.
    expect(fake.replies.some((r) => r.replyToken === outbound.replyToken)).toBe(false);
    expect(result).toMatchObject({ ok: true, providerMessageId: pushes[0].sentMessages[0].id });
  });

  // A report to a staff group: the hub's row id is the retry key, and a resolution quotes the taking post.
  it('uses a given retry key for the first push (derived ones after it), quotes with the first piece only, and returns the request id', async () => {
    const group = 'C' + 'b'.repeat(32);
    const taking = await new LineSender(guard).send(channel(), message('対応します', { to: { kind: 'line_group', address: group } }));
    expect(taking.ok).toBe(true);
    const quoteToken = taking.ok ? taking.quoteToken : undefined;
    const key = '01a23aec-d83c-71c9-9ddf-fc8b8e54ccf6';
    const reply = message('z'.repeat(26_000), { to: { kind: 'line_group', address: group }, quoteToken, retryKey: key });
    const result = await new LineSender(guard).send(channel(), reply);
    const pushes = fake.pushes.slice(-2);
    expect(pushes.map((p) => p.retryKey)).toEqual([key, retryKeyOf(key, 1)]);
    expect(pushes.map((p) => p.to)).toEqual([group, group]);
    expect(pushes[0].messages.map((m) => m.quoteToken)).toEqual([quoteToken, undefined, undefined, undefined, undefined]);
    expect(pushes[1].messages.map((m) => m.quoteToken)).toEqual([undefined, undefined]);
    expect(result).toMatchObject({ ok: true, providerRequestId: pushes[0].requestId });
    // Sent again with the same key (its answer lost): 409, taken as sent, with the accepted request's id.
    const again = await new LineSender(guard).send(channel(), reply);
    expect(again).toMatchObject({ ok: true, providerRequestId: pushes[0].requestId, providerMessageId: pushes[0].sentMessages[0].id });
    expect(fake.acceptedWith(key)).toBe(1);
  });

  it('refuses a quote token LINE never gave, for good', async () => {
    const result = await new LineSender(guard).send(channel(), message('返信', { quoteToken: 'not-a-token' }));
    expect(result).toMatchObject({ ok: false, retry: false, code: 'provider_refused', details: { provider: 'line', status: 400 }, reason: expect.stringContaining('quoteToken') });
  });

  it('asks for a retry on 5xx and 429, and says which', async () => {
    fake.failNext({ status: 500 });
    expect(await new LineSender(guard).send(channel(), message('server error'))).toMatchObject({ ok: false, retry: true, code: 'provider_unavailable' });
    fake.failNext({ status: 429 });
    expect(await new LineSender(guard).send(channel(), message('rate limited'))).toMatchObject({ ok: false, retry: true, code: 'rate_limited' });
  });

  it('explains a refused access token and does not retry it', async () => {
    expect(await new LineSender(guard).send(channel({ channelAccessToken: 'wrong' }), message('unauthorized'))).toEqual({
      ok: false,
      retry: false,
      code: 'provider_credentials_refused',
      reason: 'LINE refused the channel access token; check the channel settings.',
      details: { provider: 'line', status: 401, providerMessage: expect.any(String) },
    });
  });

  it('passes on what LINE found wrong in a refused push, without retrying', async () => {
    fake.failNext({ status: 400, message: 'The request body has 1 error(s)' });
    expect(await new LineSender(guard).send(channel(), message('bad'))).toMatchObject({ ok: false, retry: false, code: 'provider_refused', details: { status: 400 }, reason: expect.stringContaining('1 error(s)') });
  });

  it('reads profile and group names, and null for the unknown and for rooms', async () => {
    fake.setProfile(USER, { displayName: 'Brown' });
    fake.setGroup('Cgroup', 'Book club');
    const sender = new LineSender(guard);
    expect(await sender.profileName(channel(), USER)).toBe('Brown');
    expect(await sender.profileName(channel(), 'U' + 'f'.repeat(32))).toBeNull();
    expect(await sender.groupName(channel(), 'Cgroup')).toBe('Book club');
    expect(await sender.groupName(channel(), 'Cunknown')).toBeNull();
    const before = fake.requests.length;
    expect(await sender.groupName(channel(), 'Rroom')).toBeNull();
    expect(fake.requests).toHaveLength(before);
  });

  it('fetches content from the data API (apiBaseUrl serving both) with its content type', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    fake.setContent('325708', bytes, 'image/jpeg');
    expect(await new LineSender(guard).fetchContent(channel(), '325708')).toEqual({ data: bytes, contentType: 'image/jpeg' });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v2/bot/message/325708/content' });
  });

  it('refuses an empty text without calling LINE', async () => {
    const before = fake.requests.length;
    expect(await new LineSender(guard).send(channel(), message(''))).toMatchObject({ ok: false, retry: false, code: 'empty_message' });
    expect(fake.requests).toHaveLength(before);
  });
});
