import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../common/errors/domain-error.js';
import { verifyHandshake, verifyHubSignature } from './whatsapp-cloud.verifier.js';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'whatsapp-cloud');
const vector = JSON.parse(readFileSync(join(fixtures, 'signature-vector.DERIVED.json'), 'utf8')) as {
  app_secret: string;
  body_file: string;
  header_value: string;
  negative_case: { header_value: string };
};
const body = readFileSync(join(fixtures, vector.body_file));

function refusal(run: () => unknown): { kind: string; code: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return { kind: (error as DomainError).kind, code: (error as DomainError).code };
  }
}

describe(verifyHubSignature.name, () => {
  it('accepts the derived vector: the body signed with the test app secret', () => {
    expect(refusal(() => verifyHubSignature(vector.app_secret, body, vector.header_value))).toBeNull();
  });

  it('refuses the vector’s negative case (the HMAC of another body)', () => {
    expect(refusal(() => verifyHubSignature(vector.app_secret, body, vector.negative_case.header_value))).toEqual({ kind: 'unauthenticated', code: 'signature_invalid' });
  });

  it('refuses a changed byte, the same JSON re-serialized, and a wrong secret', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('color', 'colour'));
    expect(refusal(() => verifyHubSignature(vector.app_secret, tampered, vector.header_value))?.code).toBe('signature_invalid');
    // Pretty-printed: the same data, other bytes. Meta signs bytes, so it must not pass.
    const pretty = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 2));
    expect(refusal(() => verifyHubSignature(vector.app_secret, pretty, vector.header_value))?.code).toBe('signature_invalid');
    expect(refusal(() => verifyHubSignature('another_app_secret', body, vector.header_value))?.code).toBe('signature_invalid');
  });

  it('names a missing header apart from a malformed one', () => {
    expect(refusal(() => verifyHubSignature(vector.app_secret, body, undefined))?.code).toBe('signature_missing');
    const hex = vector.header_value.slice('sha256='.length);
    // The bare hex (no prefix), upper case, and X-Hub-Signature's sha1 form are not what Meta sends here.
    for (const header of [hex, `sha256=${hex.toUpperCase()}`, `sha1=${createHmac('sha1', vector.app_secret).update(body).digest('hex')}`]) {
      expect(refusal(() => verifyHubSignature(vector.app_secret, body, header))?.code).toBe('signature_invalid');
    }
  });

  it('refuses everything for a channel saved without a secret, even an HMAC made with an empty key', () => {
    const emptyKeyed = `sha256=${createHmac('sha256', '').update(body).digest('hex')}`;
    expect(refusal(() => verifyHubSignature('', body, emptyKeyed))?.code).toBe('signature_invalid');
  });
});

describe(verifyHandshake.name, () => {
  const query = (token: string, mode = 'subscribe') => ({ 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': '1158201444' });

  it('echoes the challenge for the channel’s verify token', () => {
    expect(verifyHandshake('meta-verify-token', query('meta-verify-token'))).toBe('1158201444');
  });

  it('refuses another token, another mode, a missing challenge, and any token when none is set', () => {
    expect(refusal(() => verifyHandshake('meta-verify-token', query('meta-verify-tokem')))).toEqual({ kind: 'forbidden', code: 'verify_token_mismatch' });
    expect(refusal(() => verifyHandshake('meta-verify-token', query('meta-verify-token', 'unsubscribe')))?.code).toBe('handshake_invalid');
    expect(refusal(() => verifyHandshake('meta-verify-token', { 'hub.mode': 'subscribe', 'hub.verify_token': 'meta-verify-token' }))?.code).toBe('handshake_invalid');
    expect(refusal(() => verifyHandshake('', query('')))?.code).toBe('verify_token_mismatch');
  });
});
