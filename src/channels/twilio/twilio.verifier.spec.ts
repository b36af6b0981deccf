import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../common/clock.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { WebhookRequest } from '../channel-adapter.js';
import { OutboundGuard } from '../../common/outbound/index.js';
import twilio from 'twilio';
import { TwilioAdapter } from './twilio.adapter.js';
import type { TwilioAccount } from './twilio.schema.js';

// Vectors from twilio-node's own tests (test/fixtures/providers/SOURCES.md says where each comes from).
const providers = join(process.cwd(), 'test', 'fixtures', 'providers', 'twilio');
interface Vector {
  name: string;
  auth_token: string;
  url: string;
  params: Record<string, string | string[]>;
  raw_body?: string;
  signature: string;
  expect: string;
}
const file = JSON.parse(readFileSync(join(providers, 'signature-vectors.json'), 'utf8')) as {
  vectors: Vector[];
  derived_vector: { auth_token: string; url: string; body_file: string; signature: string };
};

const adapter = new TwilioAdapter(systemClock, { publicUrl: 'https://hub.example' } as never, new OutboundGuard({ allowedOrigins: [], maxDownloadBytes: 1024 }));
const channel = (authToken: string | undefined): TwilioAccount => ({
  id: 'c',
  teamId: 't',
  type: 'sms',
  provider: 'twilio',
  name: 'SMS',
  active: true,
  settings: { accountSid: `AC${'0'.repeat(32)}`, from: '+815012345678' },
  secrets: authToken === undefined ? {} : { authToken },
});

function formBody(params: Record<string, string | string[]>): string {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  return body.toString();
}

function request(url: string, body: string, signature: string | undefined, json = false): WebhookRequest {
  return {
    hook: '',
    url,
    headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded', ...(signature === undefined ? {} : { 'x-twilio-signature': signature }) },
    query: {},
    rawBody: Buffer.from(body),
    body: undefined,
  };
}

async function verdict(authToken: string | undefined, call: WebhookRequest): Promise<string> {
  try {
    await adapter.verify(channel(authToken), call);
    return 'valid';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe(TwilioAdapter.name, () => {
  describe('X-Twilio-Signature', () => {
    for (const vector of file.vectors) {
      const valid = vector.expect.startsWith('valid');
      it(`${valid ? 'accepts' : 'refuses'} the vector "${vector.name}"`, async () => {
        const body = vector.raw_body ?? formBody(vector.params);
        expect(await verdict(vector.auth_token, request(vector.url, body, vector.signature, vector.raw_body !== undefined))).toBe(valid ? 'valid' : 'signature_invalid');
      });
    }

    it('accepts the signed botbuilder inbound SMS, byte for byte as Twilio posts it', async () => {
      const body = readFileSync(join(providers, file.derived_vector.body_file), 'utf8');
      expect(await verdict(file.derived_vector.auth_token, request(file.derived_vector.url, body, file.derived_vector.signature))).toBe('valid');
    });

    const base = file.vectors[0];
    const body = formBody(base.params);

    it('refuses a tampered body', async () => {
      expect(await verdict(base.auth_token, request(base.url, body.replace('1234', '1235'), base.signature))).toBe('signature_invalid');
    });

    it('refuses a field added to the body', async () => {
      expect(await verdict(base.auth_token, request(base.url, `${body}&Extra=1`, base.signature))).toBe('signature_invalid');
    });

    it('refuses the right signature under a wrong Auth Token', async () => {
      expect(await verdict('54321', request(base.url, body, base.signature))).toBe('signature_invalid');
    });

    it('refuses a request signed for another URL (PUBLIC_URL matters)', async () => {
      expect(await verdict(base.auth_token, request(base.url.replace('myapp.php', 'other.php'), body, base.signature))).toBe('signature_invalid');
    });

    // Guards a channel whose Auth Token does not open (sealed for another channel): an HMAC under an empty key is
    // anyone's to compute, so it must not pass.
    it('refuses every signature when the channel has no Auth Token', async () => {
      const forged = twilio.getExpectedTwilioSignature('', base.url, base.params);
      expect(await verdict('', request(base.url, body, forged))).toBe('signature_invalid');
      expect(await verdict(undefined, request(base.url, body, forged))).toBe('signature_invalid');
    });

    it('refuses a missing header with its own code', async () => {
      expect(await verdict(base.auth_token, request(base.url, body, undefined))).toBe('signature_missing');
    });

    it('refuses "sha1="-prefixed and hex forms of the signature', async () => {
      const hex = Buffer.from(base.signature, 'base64').toString('hex');
      expect(await verdict(base.auth_token, request(base.url, body, `sha1=${base.signature}`))).toBe('signature_invalid');
      expect(await verdict(base.auth_token, request(base.url, body, hex))).toBe('signature_invalid');
    });

    it('refuses a JSON body that does not match its bodySHA256', async () => {
      const vector = file.vectors.find((v) => v.raw_body !== undefined && v.raw_body.length > 2)!;
      expect(await verdict(vector.auth_token, request(vector.url, vector.raw_body!.replace('value', 'other'), vector.signature, true))).toBe('signature_invalid');
      // The same JSON re-serialized (spacing changed) is another body: Twilio hashed the bytes it sent.
      const reserialized = JSON.stringify(JSON.parse(vector.raw_body!));
      expect(reserialized).not.toBe(vector.raw_body);
      expect(await verdict(vector.auth_token, request(vector.url, reserialized, vector.signature, true))).toBe('signature_invalid');
    });
  });
});
