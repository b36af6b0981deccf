import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../common/errors/domain-error.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, senderAligned, verifyChannelToken, verifyEventSignature } from './sendgrid.verifier.js';

// Vectors from SendGrid's own eventwebhook spec (test/fixtures/providers/SOURCES.md says where each comes from).
const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'sendgrid');
interface Vector {
  source: string;
  public_key: string;
  timestamp: string;
  signature: string;
  body_file?: string;
  body_utf8?: string;
  expect: 'valid' | 'invalid';
}
const { vectors } = JSON.parse(readFileSync(join(fixtures, 'signature-vectors.json'), 'utf8')) as { vectors: Vector[] };
const [single] = vectors;
// "(single key)" and "(single signature)" in the file stand for the first vector's values.
const keyOf = (v: Vector) => (v.public_key.startsWith('(') ? single.public_key : v.public_key);
const signatureOf = (v: Vector) => (v.signature.startsWith('(') ? single.signature : v.signature);
const bodyOf = (v: Vector) => (v.body_file ? readFileSync(join(fixtures, v.body_file)) : Buffer.from(v.body_utf8!, 'utf8'));
const at = (timestamp: string | number) => new Date(Number(timestamp) * 1000);

/** The error code the verifier refused with, or null when it accepted. */
async function outcome(check: () => void | Promise<void>): Promise<string | null> {
  try {
    await check();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe('unauthenticated');
    return (error as DomainError).code;
  }
}

describe('verifyEventSignature', () => {
  it('answers each vector of the SDK’s tests as the SDK does', async () => {
    expect(vectors).toHaveLength(6);
    for (const vector of vectors) {
      const headers = { [SIGNATURE_HEADER]: signatureOf(vector), [TIMESTAMP_HEADER]: vector.timestamp };
      // The vectors are from 2020: checked at the moment they were signed, so only the signature decides.
      const now = /^\d+$/.test(vector.timestamp) ? at(vector.timestamp) : at(single.timestamp);
      const result = await outcome(() => verifyEventSignature(keyOf(vector), bodyOf(vector), headers, now));
      expect({ source: vector.source, accepted: result === null }).toEqual({ source: vector.source, accepted: vector.expect === 'valid' });
    }
  });

  it('refuses a changed byte, the body without its trailing CRLF, and a wrong key', async () => {
    const body = bodyOf(single);
    const headers = { [SIGNATURE_HEADER]: single.signature, [TIMESTAMP_HEADER]: single.timestamp };
    const now = at(single.timestamp);
    const changed = Buffer.from(body);
    changed[10] ^= 0x01;
    expect(await outcome(() => verifyEventSignature(single.public_key, changed, headers, now))).toBe('signature_invalid');
    expect(await outcome(() => verifyEventSignature(single.public_key, body.subarray(0, body.length - 2), headers, now))).toBe('signature_invalid');
    expect(await outcome(() => verifyEventSignature(vectors[2].public_key, body, headers, now))).toBe('signature_invalid');
    expect(await outcome(() => verifyEventSignature('not a key', body, headers, now))).toBe('signature_invalid');
  });

  it('refuses a valid signature more than five minutes old or ahead, and accepts one within', async () => {
    const body = bodyOf(single);
    const headers = { [SIGNATURE_HEADER]: single.signature, [TIMESTAMP_HEADER]: single.timestamp };
    const signedAt = Number(single.timestamp);
    expect(await outcome(() => verifyEventSignature(single.public_key, body, headers, at(signedAt + 299)))).toBeNull();
    expect(await outcome(() => verifyEventSignature(single.public_key, body, headers, at(signedAt + 301)))).toBe('timestamp_out_of_range');
    expect(await outcome(() => verifyEventSignature(single.public_key, body, headers, at(signedAt - 301)))).toBe('timestamp_out_of_range');
  });

  it('names the missing header', async () => {
    try {
      await verifyEventSignature(single.public_key, bodyOf(single), { [TIMESTAMP_HEADER]: single.timestamp }, at(single.timestamp));
      throw new Error('accepted');
    } catch (error) {
      expect((error as DomainError).code).toBe('signature_missing');
      expect((error as DomainError).message).toContain('X-Twilio-Email-Event-Webhook-Signature');
    }
  });

  it('accepts what a fresh P-256 key signs over timestamp + body, as SendGrid signs', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const body = Buffer.from('[{"event":"delivered"}]\r\n');
    const timestamp = '1700000000';
    const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), body]), privateKey).toString('base64');
    const headers = { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp };
    expect(await outcome(() => verifyEventSignature(spki, body, headers, at(timestamp)))).toBeNull();
    // The same signature under another timestamp: the timestamp is part of what is signed.
    expect(await outcome(() => verifyEventSignature(spki, body, { ...headers, [TIMESTAMP_HEADER]: '1700000001' }, at(timestamp)))).toBe('signature_invalid');
  });
});

describe('verifyChannelToken', () => {
  it('accepts the channel’s token only', async () => {
    expect(await outcome(() => verifyChannelToken('inbound-token-0123456789', 'inbound-token-0123456789', 'Inbound Parse'))).toBeNull();
    expect(await outcome(() => verifyChannelToken('inbound-token-0123456789', 'inbound-token-012345678', 'Inbound Parse'))).toBe('token_invalid');
    expect(await outcome(() => verifyChannelToken('inbound-token-0123456789', undefined, 'Inbound Parse'))).toBe('token_missing');
    // A channel saved without a token must not accept an empty one.
    expect(await outcome(() => verifyChannelToken('', '', 'Inbound Parse'))).toBe('token_missing');
  });
});

describe('senderAligned', () => {
  // Guards: a forged From with a pass for the forger's own domain taken as the customer's word (STOP).
  it('counts a DKIM or SPF pass only for the From domain or its parent or subdomain', async () => {
    expect(senderAligned({ from: 'a@customer.example', dkim: '{@customer.example : pass}' })).toBe(true);
    expect(senderAligned({ from: 'a@customer.example', dkim: '{@mail.customer.example : pass}' })).toBe(true);
    expect(senderAligned({ from: 'a@shop.customer.example', dkim: '{@customer.example : pass, @x.example : fail}' })).toBe(true);
    expect(senderAligned({ from: 'a@customer.example', dkim: '{@attacker.example : pass}', spf: 'pass', envelopeFrom: 'b@attacker.example' })).toBe(false);
    expect(senderAligned({ from: 'a@customer.example', dkim: '{@customer.example : fail}' })).toBe(false);
    expect(senderAligned({ from: 'a@customer.example', spf: 'pass', envelopeFrom: 'bounce@customer.example' })).toBe(true);
    expect(senderAligned({ from: 'a@customer.example', spf: 'softfail', envelopeFrom: 'bounce@customer.example' })).toBe(false);
    // A look-alike suffix is not a subdomain.
    expect(senderAligned({ from: 'a@customer.example', dkim: '{@evilcustomer.example : pass}' })).toBe(false);
    expect(senderAligned({ from: 'a@customer.example' })).toBe(false);
  });
});
