import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../common/errors/domain-error.js';
import { verifyLineSignature } from './line.verifier.js';

// Vectors from the LINE SDKs' own tests (test/fixtures/providers/SOURCES.md says where each comes from).
const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'line');
interface Vector {
  source: string;
  channel_secret: string;
  body_file?: string;
  body_utf8?: string;
  x_line_signature: string;
  expect: string;
}
const { vectors } = JSON.parse(readFileSync(join(fixtures, 'signature-vectors.json'), 'utf8')) as { vectors: Vector[] };
const bodyOf = (vector: Vector) => (vector.body_file ? readFileSync(join(fixtures, vector.body_file)) : Buffer.from(vector.body_utf8!, 'utf8'));
const sign = (secret: string, body: Buffer | string) => createHmac('sha256', secret).update(body).digest('base64');

/** The error code the verifier refused with, or null when it accepted. */
async function outcome(secret: string, body: Buffer, header: string | string[] | undefined): Promise<string | null> {
  try {
    await verifyLineSignature(secret, body, header);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe('unauthenticated');
    return (error as DomainError).code;
  }
}

describe('verifyLineSignature', () => {
  const signed = vectors.find((v) => v.body_file && v.expect.startsWith('valid'))!;
  const body = bodyOf(signed);

  it.each(vectors.map((v) => [`${v.expect} (${v.source})`, v] as const))('answers the SDK vector: %s', async (_name, vector) => {
    // "valid" covers the invalid-JSON vector too: its signature is right, the body is refused later, by parse.
    const valid = vector.expect.startsWith('valid') || vector.expect.startsWith('signature valid');
    expect(await outcome(vector.channel_secret, bodyOf(vector), vector.x_line_signature)).toBe(valid ? null : 'signature_invalid');
  });

  it('refuses a body with one byte changed', async () => {
    const tampered = Buffer.from(body);
    tampered[tampered.indexOf('test message')] ^= 0x01;
    expect(await outcome(signed.channel_secret, tampered, signed.x_line_signature)).toBe('signature_invalid');
  });

  // Guards the regression of checking a body parser's re-serialized copy: the same JSON in other bytes.
  it('refuses the same JSON serialized again with other spacing or escaping', async () => {
    const json: unknown = JSON.parse(body.toString('utf8'));
    const spaced = Buffer.from(JSON.stringify(json, null, 2));
    const escaped = Buffer.from(JSON.stringify(json).replace(/[\u{10000}-\u{10FFFF}]/gu, (c) => c.split('').map((u) => `\\u${u.charCodeAt(0).toString(16)}`).join('')));
    expect(JSON.parse(escaped.toString('utf8'))).toEqual(json);
    expect(escaped.equals(body)).toBe(false);
    expect(await outcome(signed.channel_secret, spaced, signed.x_line_signature)).toBe('signature_invalid');
    expect(await outcome(signed.channel_secret, escaped, signed.x_line_signature)).toBe('signature_invalid');
  });

  it('refuses a signature made with another channel’s secret', async () => {
    expect(await outcome('another_channel_secret', body, signed.x_line_signature)).toBe('signature_invalid');
    expect(await outcome(signed.channel_secret, body, sign('another_channel_secret', body))).toBe('signature_invalid');
  });

  it('refuses a call without the header, and one with an empty header', async () => {
    expect(await outcome(signed.channel_secret, body, undefined)).toBe('signature_missing');
    expect(await outcome(signed.channel_secret, body, '')).toBe('signature_missing');
    expect(await outcome(signed.channel_secret, body, [])).toBe('signature_missing');
  });

  it('refuses everything for a channel saved without a secret', async () => {
    expect(await outcome('', Buffer.from('{}'), sign('', '{}'))).toBe('signature_invalid');
  });

  it('accepts a signature that the header repeats, and a prefixed one never', async () => {
    expect(await outcome(signed.channel_secret, body, [signed.x_line_signature])).toBeNull();
    expect(await outcome(signed.channel_secret, body, `sha256=${signed.x_line_signature}`)).toBe('signature_invalid');
  });
});
