import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../common/clock.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { startLineFake } from '../../../test/fakes/line-fake.js';
import type { LineFake } from '../../../test/fakes/line-fake.js';
import { OutboundGuard, parseOriginList } from '../../common/outbound/index.js';
import type { WebhookRequest } from '../channel-adapter.js';
import type { LineAccount } from './line.schema.js';
import { LineAdapter } from './line.adapter.js';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'line');
const SECRET = 'adapter-spec-secret';
const adapter = new LineAdapter(systemClock, new OutboundGuard({ allowedOrigins: [], maxDownloadBytes: 1024 }));
const channel: LineAccount = { id: 'c', teamId: 't', type: 'line', provider: 'line', name: 'LINE', active: true, settings: {}, secrets: { channelSecret: SECRET, channelAccessToken: 'token' } };

function request(rawBody: string | Buffer, body: unknown = undefined, signature?: string): WebhookRequest {
  const raw = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody);
  const header = signature ?? createHmac('sha256', SECRET).update(raw).digest('base64');
  return { hook: '', url: 'https://hub.example/webhooks/line/c', headers: { 'x-line-signature': header }, query: {}, rawBody: raw, body };
}

async function refusal(promise: Promise<unknown>): Promise<{ kind: string; code: string; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  const { kind, code, message } = error as DomainError;
  return { kind, code, message };
}

describe(LineAdapter.name, () => {
  it('verifies with the channel’s secret and the x-line-signature header', async () => {
    const raw = readFileSync(join(fixtures, 'single-user-text.json'));
    await expect(adapter.verify(channel, request(raw))).resolves.toBeUndefined();
    expect(await refusal(adapter.verify(channel, request(raw, undefined, 'AAAA')))).toMatchObject({ kind: 'unauthenticated', code: 'signature_invalid' });
    expect(await refusal(adapter.verify({ ...channel, secrets: {} }, request(raw)))).toMatchObject({ code: 'signature_invalid' });
  });

  it('answers the console’s verify call (no events) with nothing to do', async () => {
    expect(await adapter.parse(channel, request('{"destination":"U0","events":[]}'))).toEqual([]);
  });

  // Guards the regression of reading a body parser's copy instead of the bytes the signature covered.
  it('reads the raw body, not the parsed one beside it', async () => {
    const raw = readFileSync(join(fixtures, 'single-user-text.json'));
    const forged = { events: [{ type: 'unfollow', timestamp: 0, source: { type: 'user', userId: 'Uforged' } }] };
    expect(await adapter.parse(channel, request(raw, forged))).toEqual([expect.objectContaining({ type: 'message', body: 'Hello, world' })]);
  });

  it('refuses a body that is not JSON, or has no events array, saying what was wrong', async () => {
    expect(await refusal(adapter.parse(channel, request('i am not jason')))).toEqual({ kind: 'invalid', code: 'invalid_payload', message: 'The LINE webhook body is not valid JSON.' });
    expect(await refusal(adapter.parse(channel, request('{"destination":"U0"}')))).toMatchObject({ code: 'invalid_payload', message: expect.stringContaining('events must be an array') });
    expect(await refusal(adapter.parse(channel, request('{"events":{}}')))).toMatchObject({ code: 'invalid_payload', message: expect.stringContaining('events') });
    expect(await refusal(adapter.parse(channel, request('[]')))).toMatchObject({ code: 'invalid_payload', message: expect.stringContaining('not a JSON object') });
    expect(await refusal(adapter.parse(channel, request('{"events":[{"timestamp":1}]}')))).toMatchObject({ code: 'invalid_payload', message: expect.stringContaining('events[0].type: ') });
  });

  it('takes an event type LINE adds later, with fields of its own, without refusing the delivery', async () => {
    const raw = readFileSync(join(fixtures, 'single-unknown-type-redelivered.json'));
    expect(await adapter.parse(channel, request(raw))).toEqual([]);
  });

  it('keeps the channel’s credentials among the secret keys', () => {
    expect(adapter.secretKeys).toEqual(['channelSecret', 'channelAccessToken']);
    expect(adapter.configSchema.safeParse({ channelSecret: 'x'.repeat(32), channelAccessToken: 't', apiBaseUrl: 'http://127.0.0.1:1' }).success).toBe(true);
    expect(adapter.configSchema.safeParse({ channelSecret: 'x'.repeat(32), channelAccessToken: 't', unknown: 1 }).success).toBe(false);
  });
});

// How a LINE group or room becomes a group of the channel, and who names it, is LINE's rule: the hub asks the
// adapter instead of reading LINE's ids itself.
describe(`${LineAdapter.name} groups and names`, () => {
  // The fake listens on the loopback: allowed as an operator would allow a private system.
  const guard = new OutboundGuard({ allowedOrigins: parseOriginList('http://127.0.0.1:*'), maxDownloadBytes: 1024 * 1024 });
  const named = new LineAdapter(systemClock, guard);
  const USER = 'U' + 'b'.repeat(32);
  let fake: LineFake;
  const account = (): LineAccount => ({ ...channel, settings: { apiBaseUrl: fake.url }, secrets: { channelAccessToken: 'adapter-spec-token' } });

  beforeAll(async () => {
    fake = await startLineFake({ channelAccessToken: 'adapter-spec-token' });
  });

  afterAll(async () => {
    await fake.close();
    await guard.close();
  });

  it('tells a room (several people, no group around them) from a group by its id', () => {
    expect(named.groupKind('Ra8dbf4673c4c812cd491258042226c99')).toBe('room');
    expect(named.groupKind('Ca56f94637cc4347f90a25382909b24b9')).toBe('group');
  });

  it('names a customer from their profile and a group from its summary; a room has no name', async () => {
    fake.setProfile(USER, { displayName: 'Cony' });
    fake.setGroup('Cclub', 'Tea club');
    expect(await named.displayName(account(), { kind: 'line', address: USER })).toBe('Cony');
    expect(await named.displayName(account(), { kind: 'line_group', address: 'Cclub' })).toBe('Tea club');
    expect(await named.displayName(account(), { kind: 'line_group', address: 'Rroom' })).toBeNull();
  });
});
