import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HTTPFetchError, messagingApi, validateSignature } from '@line/bot-sdk';
import twilio from 'twilio';
// The RequestClient's option types live in its own namespace, which the package's default export only
// re-exports as a type, not as a namespace.
import type TwilioRequestClient from 'twilio/lib/base/RequestClient.js';
import { startLineFake, signLineBody } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { formBody, signTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import type { Params } from '../fakes/http-fake.js';

// The recorded provider material lives beside the repository.
const PROVIDERS = join(process.cwd(), 'test', 'fixtures', 'providers');
const readProviderFile = (path: string) => readFileSync(join(PROVIDERS, path));

const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
const AUTH_TOKEN = 'twilio-auth-token';
const TWILIO_API = 'https://api.twilio.com';

/** The SDK builds absolute api.twilio.com URIs itself; only the origin is swapped, the rest is the SDK's own. */
class FakeOriginRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    options: TwilioRequestClient.RequestClientOptions = {},
  ) {
    super(options);
  }

  override request<TData>(options: TwilioRequestClient.RequestOptions<TData>) {
    const uri = options.uri.startsWith(TWILIO_API) ? this.baseUrl + options.uri.slice(TWILIO_API.length) : options.uri;
    return super.request<TData>({ ...options, uri });
  }
}

/** What a rejected SDK call rejected with, for assertions on its fields. */
async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

describe('Twilio fake, driven by the twilio SDK', () => {
  let fake: TwilioFake;
  let client: twilio.Twilio;

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new FakeOriginRequestClient(fake.url) });
  });

  afterAll(() => fake.close());

  it('creates a message with Basic auth and form fields, answering the Message resource', async () => {
    const message = await client.messages.create({
      to: '+14155550100',
      from: '+14155550111',
      body: 'Hello! 👍',
      statusCallback: 'https://hub.example/webhooks/twilio/status',
    });

    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message).toMatchObject({ to: '+14155550100', from: '+14155550111', body: 'Hello! 👍', status: 'queued', numSegments: '1', numMedia: '0' });
    expect(message.dateCreated).toBeInstanceOf(Date);
    const request = fake.requests.at(-1)!;
    expect(request.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(request.form).toEqual({
      To: '+14155550100',
      From: '+14155550111',
      Body: 'Hello! 👍',
      StatusCallback: 'https://hub.example/webhooks/twilio/status',
    });
    expect(fake.sent.at(-1)).toMatchObject({ sid: message.sid, form: request.form });
  });

  it('receives repeated MediaUrl as an array and a Messaging Service send as accepted', async () => {
    const message = await client.messages.create({
      to: 'whatsapp:+819012345678',
      messagingServiceSid: `MG${'b2'.repeat(16)}`,
      mediaUrl: ['https://hub.example/a.png', 'https://hub.example/b.png'],
    });

    expect(message).toMatchObject({ status: 'accepted', from: null, numMedia: '2' });
    expect(fake.requests.at(-1)!.form!.MediaUrl).toEqual(['https://hub.example/a.png', 'https://hub.example/b.png']);
  });

  it('surfaces a scripted 21610 as a RestException with code and status', async () => {
    fake.failNext({ twilioError: 21610 });

    const error = await rejectionOf(client.messages.create({ to: '+14155550100', from: '+14155550111', body: 'hi' }));

    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient', moreInfo: 'https://www.twilio.com/docs/errors/21610' });
  });

  it('consumes scripted outcomes in order, then succeeds again', async () => {
    fake.failNext({ status: 500 }, { status: 429, code: 20429 }, { twilioError: 63016 });
    const send = () => client.messages.create({ to: 'whatsapp:+14155550100', from: 'whatsapp:+14155550111', body: 'hi' });

    expect(await rejectionOf(send())).toMatchObject({ status: 500 });
    expect(await rejectionOf(send())).toMatchObject({ status: 429, code: 20429 });
    expect(await rejectionOf(send())).toMatchObject({ status: 400, code: 63016 });
    expect((await send()).status).toBe('queued');
  });

  it('validates To and From like Twilio', async () => {
    const noSender = await rejectionOf(client.messages.create({ to: '+14155550100', body: 'hi' }));
    const badTo = await rejectionOf(client.messages.create({ to: '12', from: '+14155550111', body: 'hi' }));

    expect(noSender).toMatchObject({ status: 400, code: 21603 });
    expect(badTo).toMatchObject({ status: 400, code: 21211 });
  });

  it('refuses a wrong auth token with 401 / 20003', async () => {
    const intruder = twilio(ACCOUNT_SID, 'wrong-token', { httpClient: new FakeOriginRequestClient(fake.url) });

    const error = await rejectionOf(intruder.messages.create({ to: '+14155550100', from: '+14155550111', body: 'hi' }));

    expect(error).toMatchObject({ status: 401, code: 20003, message: 'Authenticate' });
  });

  // A timeout is not a failure at Twilio: the message may exist. Guards a sender that resends blindly.
  it('creates the message even when the answer comes after the SDK gave up', async () => {
    const impatient = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new FakeOriginRequestClient(fake.url, { timeout: 200 }) });
    const sentBefore = fake.sent.length;
    fake.failNext({ delayMs: 1_000 });

    const error = await rejectionOf(impatient.messages.create({ to: '+14155550100', from: '+14155550111', body: 'slow' }));

    // axios's timeout error: no HTTP status, a string code.
    expect(error.status).toBeUndefined();
    expect(error.code).toBe('ECONNABORTED');
    expect(fake.sent).toHaveLength(sentBefore + 1);
  });
});

describe('LINE fake, driven by @line/bot-sdk', () => {
  const channelAccessToken = 'line-channel-access-token';
  let fake: LineFake;
  let client: messagingApi.MessagingApiClient;

  beforeAll(async () => {
    fake = await startLineFake({ channelAccessToken });
    client = new messagingApi.MessagingApiClient({ channelAccessToken, baseURL: fake.url });
  });

  afterAll(() => fake.close());

  it('accepts a reply token once, then answers 400', async () => {
    const replyToken = fake.issueReplyToken('reply-token-1');
    const request = { replyToken, messages: [{ type: 'text' as const, text: 'thanks!' }] };

    const first = await client.replyMessage(request);
    const second = await rejectionOf(client.replyMessage(request));

    expect(first.sentMessages).toEqual([{ id: expect.stringMatching(/^\d+$/), quoteToken: expect.any(String) }]);
    expect(fake.replies).toHaveLength(1);
    expect(fake.replies[0]).toMatchObject({ replyToken, messages: request.messages });
    // The SDK throws HTTPFetchError with the status, a fetch Headers object and the body as text.
    expect(second).toBeInstanceOf(HTTPFetchError);
    expect(second.status).toBe(400);
    expect(JSON.parse(second.body as string)).toEqual({ message: 'Invalid reply token' });
  });

  it('refuses a reply that carries a retry key', async () => {
    const refusing = new messagingApi.MessagingApiClient({
      channelAccessToken,
      baseURL: fake.url,
      defaultHeaders: { 'X-Line-Retry-Key': '123e4567-e89b-12d3-a456-426614174000' },
    });

    const error = await rejectionOf(refusing.replyMessage({ replyToken: fake.issueReplyToken(), messages: [{ type: 'text', text: 'hi' }] }));

    expect(error.status).toBe(400);
  });

  it('accepts a push with a retry key once; the same key again is a 409 naming the accepted request', async () => {
    const retryKey = '123e4567-e89b-12d3-a456-426614174000';
    const request = { to: 'U0123456789abcdef0123456789abcdef', messages: [{ type: 'text' as const, text: 'hello' }] };

    const first = await client.pushMessageWithHttpInfo(request, retryKey);
    const retried = await rejectionOf(client.pushMessage(request, retryKey));

    const firstRequestId = first.httpResponse.headers.get('x-line-request-id');
    expect(firstRequestId).toBeTruthy();
    expect(first.body.sentMessages).toHaveLength(1);
    expect(retried).toBeInstanceOf(HTTPFetchError);
    expect(retried.status).toBe(409);
    const headers = retried.headers as Headers;
    expect(headers.get('x-line-accepted-request-id')).toBe(firstRequestId);
    expect(headers.get('x-line-request-id')).not.toBe(firstRequestId);
    expect(JSON.parse(retried.body as string)).toEqual({ message: 'The retry key is already accepted', sentMessages: first.body.sentMessages });
    expect(fake.pushes.filter((push) => push.retryKey === retryKey)).toHaveLength(1);
  });

  // The point of the retry key: a push whose answer is late is already accepted, so the retry is a 409.
  it('treats a delayed push as accepted for a retry with the same key', async () => {
    const retryKey = '9b2e7c1a-4f7d-4e55-8d3c-0a1b2c3d4e5f';
    const request = { to: 'U0123456789abcdef0123456789abcdef', messages: [{ type: 'text' as const, text: 'late' }] };
    fake.failNext({ delayMs: 300 });

    const slow = client.pushMessage(request, retryKey);
    const retried = await rejectionOf(client.pushMessage(request, retryKey));

    expect(retried.status).toBe(409);
    expect((await slow).sentMessages).toHaveLength(1);
  });

  it('answers scripted failures, then succeeds again', async () => {
    fake.failNext({ status: 500 }, { status: 429 });
    const request = { to: 'U0123456789abcdef0123456789abcdef', messages: [{ type: 'text' as const, text: 'hi' }] };

    expect((await rejectionOf(client.pushMessage(request))).status).toBe(500);
    expect((await rejectionOf(client.pushMessage(request))).status).toBe(429);
    expect((await client.pushMessage(request)).sentMessages).toHaveLength(1);
  });

  it('refuses six messages and a text over 5000 UTF-16 units, with details', async () => {
    const text = (value: string) => ({ type: 'text' as const, text: value });
    const to = 'U0123456789abcdef0123456789abcdef';

    const tooMany = await rejectionOf(client.pushMessage({ to, messages: Array.from({ length: 6 }, () => text('x')) }));
    // 4999 letters and one emoji: 5000 code points, but 5001 UTF-16 units.
    const tooLong = await rejectionOf(client.pushMessage({ to, messages: [text(`${'a'.repeat(4999)}😀`)] }));

    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.body as string).details).toEqual([{ message: 'Size must be between 1 and 5', property: 'messages' }]);
    expect(tooLong.status).toBe(400);
    expect(JSON.parse(tooLong.body as string).details).toEqual([{ message: 'Length must be between 0 and 5000', property: 'messages[0].text' }]);
  });

  it('serves profiles and group summaries, 404 for unknown ones', async () => {
    fake.setProfile('Uprofile', { displayName: 'Aiko', pictureUrl: 'https://profile.line-scdn.net/aiko', language: 'ja' });
    fake.setGroup('Cgroup', 'Book club', 'https://profile.line-scdn.net/club');

    expect(await client.getProfile('Uprofile')).toEqual({ userId: 'Uprofile', displayName: 'Aiko', pictureUrl: 'https://profile.line-scdn.net/aiko', language: 'ja' });
    expect(await client.getGroupSummary('Cgroup')).toEqual({ groupId: 'Cgroup', groupName: 'Book club', pictureUrl: 'https://profile.line-scdn.net/club' });
    expect((await rejectionOf(client.getProfile('Unobody'))).status).toBe(404);
    expect((await rejectionOf(client.getGroupSummary('Cnothing'))).status).toBe(404);
  });

  it('serves message content to the blob client', async () => {
    const blob = new messagingApi.MessagingApiBlobClient({ channelAccessToken, baseURL: fake.url });
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    fake.setContent('100001', bytes, 'image/png');

    const { httpResponse, body } = await blob.getMessageContentWithHttpInfo('100001');

    expect(httpResponse.headers.get('content-type')).toBe('image/png');
    expect(await readAll(body)).toEqual(bytes);
    expect((await rejectionOf(blob.getMessageContent('100002'))).status).toBe(404);
  });

  it('refuses a wrong channel access token with 401', async () => {
    const intruder = new messagingApi.MessagingApiClient({ channelAccessToken: 'wrong', baseURL: fake.url });

    const error = await rejectionOf(intruder.getProfile('Uprofile'));

    expect(error.status).toBe(401);
    expect(JSON.parse(error.body as string).message).toMatch(/^Authentication failed/);
  });
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface TwilioVector {
  name: string;
  auth_token: string;
  url: string;
  params: Params;
  signature: string;
  expect: string;
  raw_body?: string;
}

describe('signature helpers against the recorded vectors', () => {
  const twilioVectors = JSON.parse(readProviderFile('twilio/signature-vectors.json').toString('utf8')) as {
    vectors: TwilioVector[];
    derived_vector: { auth_token: string; url: string; body_file: string; signature: string };
  };
  const validTwilio = twilioVectors.vectors.filter((vector) => vector.expect.startsWith('valid'));
  // These were signed over another spelling of the URL (a port added or removed, `'` percent-encoded), which
  // only the SDK's validator reconstructs; signing the URL as written must not reproduce them.
  const signedOverAnotherUrl = new Set([
    'https url with explicit non-standard port 1234; validator strips port',
    'https url signed WITH :443',
    'http url signed WITH :80',
    'url with credentials, signed with :443',
    'special chars in query (apostrophe)',
    'JSON body "{}" (empty object)',
  ]);

  it('reproduces every valid Twilio vector signed over the URL as written', () => {
    const asWritten = validTwilio.filter((vector) => !signedOverAnotherUrl.has(vector.name));
    expect(asWritten.length).toBeGreaterThan(5);
    for (const vector of asWritten) {
      expect({ name: vector.name, signature: signTwilioForm(vector.auth_token, vector.url, vector.params) }).toEqual({ name: vector.name, signature: vector.signature });
    }
  });

  it('does not reproduce the vectors signed over another spelling of the URL', () => {
    for (const vector of validTwilio.filter((candidate) => signedOverAnotherUrl.has(candidate.name))) {
      expect({ name: vector.name, same: signTwilioForm(vector.auth_token, vector.url, vector.params) === vector.signature }).toEqual({ name: vector.name, same: false });
    }
  });

  it('signs what the SDK validator accepts, for every valid Twilio vector', () => {
    for (const vector of validTwilio) {
      const accepted = vector.raw_body === undefined
        ? twilio.validateRequest(vector.auth_token, vector.signature, vector.url, vector.params)
        : twilio.validateRequestWithBody(vector.auth_token, vector.signature, vector.url, vector.raw_body);
      expect({ name: vector.name, accepted }).toEqual({ name: vector.name, accepted: true });
      const ours = signTwilioForm(vector.auth_token, vector.url, vector.params);
      expect(twilio.validateRequest(vector.auth_token, ours, vector.url, vector.params)).toBe(true);
    }
  });

  it('does not reproduce the invalid Twilio vectors', () => {
    for (const vector of twilioVectors.vectors.filter((candidate) => candidate.expect.startsWith('invalid'))) {
      expect(signTwilioForm(vector.auth_token, vector.url, vector.params)).not.toBe(vector.signature);
    }
  });

  it('signs the recorded inbound SMS body, and formBody rebuilds it byte for byte', () => {
    const { auth_token, url, body_file, signature } = twilioVectors.derived_vector;
    const raw = readProviderFile(join('twilio', body_file)).toString('utf8');
    const params = Object.fromEntries(new URLSearchParams(raw));

    expect(signTwilioForm(auth_token, url, params)).toBe(signature);
    expect(formBody(params)).toBe(raw);
  });

  it('agrees with @line/bot-sdk validateSignature on the LINE vectors', () => {
    const { vectors } = JSON.parse(readProviderFile('line/signature-vectors.json').toString('utf8')) as {
      vectors: { channel_secret: string; body_file?: string; body_utf8?: string; x_line_signature: string; expect: string; verified_here?: boolean }[];
    };
    for (const vector of vectors) {
      const body = vector.body_file ? readProviderFile(join('line', vector.body_file)) : Buffer.from(vector.body_utf8!, 'utf8');
      const ours = signLineBody(vector.channel_secret, body);
      // "signature valid but body not JSON" is valid as far as the signature goes.
      const valid = vector.verified_here === true;
      expect(validateSignature(body, vector.channel_secret, vector.x_line_signature)).toBe(valid);
      expect(ours === vector.x_line_signature).toBe(valid);
      expect(validateSignature(body, vector.channel_secret, ours)).toBe(true);
      expect(signLineBody(vector.channel_secret, body.toString('utf8'))).toBe(ours);
    }
  });
});
