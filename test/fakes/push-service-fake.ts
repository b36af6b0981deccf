import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes } from 'node:crypto';
import type { ECDH } from 'node:crypto';
import { jwtVerify } from 'jose';
import { startHttpFake } from './http-fake.js';
import type { HttpFake, RecordedRequest } from './http-fake.js';

/**
 * A browser's side of a push subscription, made without a browser (Chromium's `pushManager.subscribe()` needs
 * Google's push service): a P-256 key pair and a 16-byte auth secret, as `PushSubscription.toJSON()` shows them.
 */
export interface SubscriptionKeys {
  ecdh: ECDH;
  p256dh: string;
  auth: string;
}

export function makeSubscriptionKeys(): SubscriptionKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

const hmac = (key: Buffer, ...data: Buffer[]) => {
  const mac = createHmac('sha256', key);
  for (const part of data) mac.update(part);
  return mac.digest();
};

/**
 * Decrypts a push message body as a browser does: RFC 8188 `aes128gcm` with the keys derived as RFC 8291 says.
 * Written here from the RFCs with node:crypto, not with the library the hub encrypts with, so that a mistake on the
 * hub's side cannot cancel out.
 */
export function decryptPush(body: Buffer, keys: SubscriptionKeys): string {
  // RFC 8188 2.1: salt (16) | record size (4) | key id length (1) | key id (the application server's public key).
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body.readUInt8(20);
  const serverPublicKey = body.subarray(21, 21 + idLength);
  const records = body.subarray(21 + idLength);
  if (idLength !== 65) throw new Error(`the key id is not an uncompressed P-256 key (${idLength} bytes)`);
  if (records.length > recordSize) throw new Error('a push message is one record');
  // RFC 8291 3.3 and 3.4.
  const ecdhSecret = keys.ecdh.computeSecret(serverPublicKey);
  const authSecret = Buffer.from(keys.auth, 'base64url');
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), keys.ecdh.getPublicKey(), serverPublicKey]);
  const ikm = hmac(hmac(authSecret, ecdhSecret), keyInfo, Buffer.from([1]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0'), Buffer.from([1])).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0'), Buffer.from([1])).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const plain = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // RFC 8188 2: the last record's content ends with the delimiter 0x02, then zero padding.
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error('the record does not end with the last-record delimiter');
  return plain.subarray(0, end).toString('utf8');
}

/**
 * Checks RFC 8292's `Authorization: vapid t=<JWT>, k=<public key>`: signed (ES256) by the key the hub publishes, for
 * the push service's origin. Answers the JWT's claims.
 */
export async function verifyVapid(headers: RecordedRequest['headers'], publicKey: string, audience: string): Promise<{ sub?: string; exp?: number }> {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(String(headers.authorization ?? ''));
  if (!match) throw new Error(`no VAPID authorization: ${String(headers.authorization)}`);
  if (match[2] !== publicKey) throw new Error('the VAPID key is not the one the hub publishes');
  const raw = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
  const { payload } = await jwtVerify(match[1], key, { audience, algorithms: ['ES256'] });
  return payload;
}

/** One push the fake service took, decrypted. */
export interface ReceivedPush {
  path: string;
  payload: Record<string, unknown>;
  request: RecordedRequest;
}

export interface PushServiceFake extends HttpFake {
  /** The endpoint of a new subscription on this service, and its keys. */
  subscribe(): { endpoint: string; keys: SubscriptionKeys; toJSON(): { endpoint: string; keys: { p256dh: string; auth: string } } };
  /** Pushes taken (answered 201), decrypted with their subscription's keys. */
  received: ReceivedPush[];
  /** What the next pushes to `endpoint` are answered instead of 201, in order. */
  failNext(endpoint: string, ...statuses: number[]): void;
}

/** A push service (RFC 8030) at the network edge: each subscription is a path; a push to it is decrypted and kept. */
export async function startPushServiceFake(): Promise<PushServiceFake> {
  const subscriptions = new Map<string, SubscriptionKeys>();
  const failures = new Map<string, number[]>();
  const received: ReceivedPush[] = [];
  const fake = await startHttpFake((request) => {
    const keys = subscriptions.get(request.path);
    if (request.method !== 'POST' || !keys) return { status: 404, body: 'no such subscription' };
    const failure = failures.get(request.path)?.shift();
    if (failure) return { status: failure, body: 'push service says no' };
    if (request.headers['content-encoding'] !== 'aes128gcm') return { status: 400, body: 'aes128gcm expected' };
    received.push({ path: request.path, payload: JSON.parse(decryptPush(request.rawBody, keys)) as Record<string, unknown>, request });
    return { status: 201, headers: { location: `${request.path}/messages/${received.length}` } };
  });
  return {
    ...fake,
    received,
    subscribe() {
      const path = `/push/${randomBytes(12).toString('hex')}`;
      const keys = makeSubscriptionKeys();
      subscriptions.set(path, keys);
      const endpoint = `${fake.url}${path}`;
      return { endpoint, keys, toJSON: () => ({ endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } }) };
    },
    failNext(endpoint, ...statuses) {
      const path = new URL(endpoint).pathname;
      failures.set(path, [...(failures.get(path) ?? []), ...statuses]);
    },
  };
}
