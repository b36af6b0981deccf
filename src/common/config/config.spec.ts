import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.js';

const KEY = 'a'.repeat(64);

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('runs on the embedded default with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, dataDir: './data', databaseUrl: null, redisUrl: null, secretKey: null, admin: null, production: false });
    expect(config.publicUrl).toBe('http://localhost:3000');
  });

  it('treats empty variables as unset, as docker and .env files produce them', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: ' ', PUBLIC_URL: '' }).databaseUrl).toBeNull();
  });

  it('names the variable and its value in one line', () => {
    expect(refusal({ PORT: 'eighty' })).toMatch(/^Invalid configuration: PORT="eighty" /);
    expect(refusal({ DATABASE_URL: 'mysql://x' })).toBe('Invalid configuration: DATABASE_URL="mysql://x" must be a postgresql:// URL');
    expect(refusal({ HUB_REDIS_PREFIX: 'a:b' })).toMatch(/HUB_REDIS_PREFIX="a:b" must be 1-40 letters/);
  });

  it('trusts no proxy unless told, and reads a hop count or a list of addresses', () => {
    expect(loadConfig({}).trustProxy).toBeNull();
    expect(loadConfig({ HUB_TRUST_PROXY: '1' }).trustProxy).toEqual({ hops: 1 });
    expect(loadConfig({ HUB_TRUST_PROXY: '10.0.0.0/8, 192.168.1.5' }).trustProxy).toEqual({ addresses: ['10.0.0.0/8', '192.168.1.5'] });
    expect(refusal({ HUB_TRUST_PROXY: 'the balancer' })).toMatch(/^Invalid configuration: HUB_TRUST_PROXY="the balancer" must be a hop count/);
  });

  it('sends system mail through one transport, with a sender, or writes it to the log when none is set', () => {
    expect(loadConfig({}).mail).toEqual({ transport: 'log' });
    expect(loadConfig({ HUB_SMTP_URL: 'smtps://u:p@relay.example:465', HUB_MAIL_FROM: 'hub@example.com' }).mail).toEqual({
      transport: 'smtp',
      url: 'smtps://u:p@relay.example:465',
      from: 'hub@example.com',
    });
    expect(loadConfig({ HUB_SENDGRID_API_KEY: 'SG.x', HUB_MAIL_FROM: 'hub@example.com' }).mail).toMatchObject({ transport: 'sendgrid', apiBaseUrl: 'https://api.sendgrid.com' });
    expect(refusal({ HUB_SMTP_URL: 'smtp://relay.example' })).toMatch(/^Invalid configuration: HUB_MAIL_FROM is required when HUB_SMTP_URL is set/);
    expect(refusal({ HUB_SENDGRID_API_KEY: 'SG.x' })).toMatch(/HUB_MAIL_FROM is required when HUB_SENDGRID_API_KEY is set/);
    expect(refusal({ HUB_SMTP_URL: 'smtp://a', HUB_SENDGRID_API_KEY: 'SG.x', HUB_MAIL_FROM: 'hub@example.com' })).toMatch(/choose one mail transport/);
    // The relay's password may be in the URL: a refused URL is not printed.
    expect(refusal({ HUB_SMTP_URL: 'http://u:secret@relay' })).toBe('Invalid configuration: HUB_SMTP_URL="***" must be an smtp:// or smtps:// URL');
  });

  it('never prints a secret it refuses', () => {
    const message = refusal({ HUB_SECRET_KEY: 'hunter2' });
    expect(message).toContain('HUB_SECRET_KEY="***"');
    expect(message).not.toContain('hunter2');
  });

  it('needs a shared key when the database is a server, so every process opens the same credentials', () => {
    expect(refusal({ DATABASE_URL: 'postgresql://db/hub' })).toMatch(/HUB_SECRET_KEY is required when DATABASE_URL is set/);
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/hub', HUB_SECRET_KEY: KEY }).secretKey).toHaveLength(32);
  });

  it('takes the key as hex or base64 of exactly 32 bytes', () => {
    expect(loadConfig({ HUB_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') }).secretKey).toEqual(Buffer.alloc(32, 7));
    expect(refusal({ HUB_SECRET_KEY: Buffer.alloc(16).toString('base64') })).toMatch(/must be 32 bytes/);
  });

  it('wants the administrator email and password together', () => {
    expect(refusal({ HUB_ADMIN_EMAIL: 'a@b.example' })).toMatch(/HUB_ADMIN_PASSWORD is required/);
    expect(refusal({ HUB_ADMIN_PASSWORD: 'correct horse' })).toMatch(/HUB_ADMIN_EMAIL is required/);
    expect(loadConfig({ HUB_ADMIN_EMAIL: 'a@b.example', HUB_ADMIN_PASSWORD: 'correct horse' }).admin).toEqual({
      email: 'a@b.example',
      password: 'correct horse',
      teamName: 'My team',
    });
  });

  it('drops a trailing slash from the public URL, which webhook signatures are computed over', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://hub.example.com/' }).publicUrl).toBe('https://hub.example.com');
  });

  // A typo in the allow-list must stop the start, not silently allow nothing (or everything).
  it('reads the allowed API origins, and stops at a bad entry naming the variable', () => {
    expect(loadConfig({}).allowedApiOrigins).toEqual([]);
    expect(loadConfig({ HUB_ALLOWED_API_ORIGINS: 'http://127.0.0.1:*, https://reserve.clinic.internal' }).allowedApiOrigins).toEqual([
      { scheme: 'http:', host: '127.0.0.1', port: '*' },
      { scheme: 'https:', host: 'reserve.clinic.internal', port: 443 },
    ]);
    for (const bad of ['127.0.0.1:8080', 'ftp://files.example', 'https://a.example/path', 'https://*.example.com']) {
      const message = refusal({ HUB_ALLOWED_API_ORIGINS: bad });
      expect(message).toMatch(/^Invalid configuration: HUB_ALLOWED_API_ORIGINS="[^\n]*" has an entry /);
      expect(message).not.toContain('\n');
    }
  });

  // Web Push keys come as one pair or not at all: half a pair would sign with a key the browsers never saw.
  it('reads the Web Push key pair and subject, and stops at half a pair or a malformed key', () => {
    const publicKey = Buffer.alloc(65, 4).toString('base64url');
    const privateKey = Buffer.alloc(32, 7).toString('base64url');
    expect(loadConfig({}).vapidKeys).toBeNull();
    expect(loadConfig({ HUB_VAPID_PUBLIC_KEY: publicKey, HUB_VAPID_PRIVATE_KEY: privateKey, HUB_VAPID_SUBJECT: 'mailto:ops@shop.example' })).toMatchObject({
      vapidKeys: { publicKey, privateKey },
      vapidSubject: 'mailto:ops@shop.example',
    });
    expect(refusal({ HUB_VAPID_PUBLIC_KEY: publicKey })).toBe('Invalid configuration: HUB_VAPID_PRIVATE_KEY is required when HUB_VAPID_PUBLIC_KEY is set (one key pair)');
    expect(refusal({ HUB_VAPID_PUBLIC_KEY: privateKey, HUB_VAPID_PRIVATE_KEY: privateKey })).toMatch(/^Invalid configuration: HUB_VAPID_PUBLIC_KEY="\*\*\*" must be a P-256 public key/);
    expect(refusal({ HUB_VAPID_SUBJECT: 'http://shop.example' })).toMatch(/HUB_VAPID_SUBJECT="http:\/\/shop.example" must be a mailto: address or an https: URL/);
    expect(loadConfig({ HUB_MAIL_FROM: 'hub@shop.example', HUB_SMTP_URL: 'smtp://relay' }).vapidSubject).toBe('mailto:hub@shop.example');
    expect(loadConfig({ PUBLIC_URL: 'https://hub.shop.example' }).vapidSubject).toBe('https://hub.shop.example');
  });

  // A typo in an ICE URL would surface only as a call that never connects: it stops the start instead.
  it('reads the ICE servers, and wants the TURN secret with a turn: URL', () => {
    expect(loadConfig({}).calls).toEqual({ stunUrls: [], turnUrls: [], turnSecret: null, turnTtlSeconds: 86_400, iceTransportPolicy: 'all' });
    const secret = 'coturn-static-auth-secret';
    expect(loadConfig({ HUB_ICE_SERVERS: 'stun:stun.shop.example:3478, turn:turn.shop.example:3478?transport=udp,turns:[2001:db8::1]:5349', HUB_TURN_SECRET: secret, HUB_TURN_TTL_SECONDS: '3600', HUB_ICE_TRANSPORT_POLICY: 'relay' }).calls).toEqual({
      stunUrls: ['stun:stun.shop.example:3478'],
      turnUrls: ['turn:turn.shop.example:3478?transport=udp', 'turns:[2001:db8::1]:5349'],
      turnSecret: secret,
      turnTtlSeconds: 3600,
      iceTransportPolicy: 'relay',
    });
    for (const bad of ['stun.shop.example:3478', 'https://turn.shop.example', 'turn:turn.shop.example?transport=sctp', 'stun:host:3478?transport=udp']) {
      expect(refusal({ HUB_ICE_SERVERS: bad })).toMatch(/^Invalid configuration: HUB_ICE_SERVERS="[^\n]*" must be comma-separated stun:/);
    }
    expect(refusal({ HUB_ICE_SERVERS: 'turn:turn.shop.example:3478' })).toBe(
      'Invalid configuration: HUB_TURN_SECRET is required when HUB_ICE_SERVERS names a turn: server (coturn static-auth-secret)',
    );
    expect(refusal({ HUB_TURN_SECRET: 'short' })).toBe('Invalid configuration: HUB_TURN_SECRET="***" must be at least 16 characters');
    expect(refusal({ HUB_ICE_TRANSPORT_POLICY: 'relay', HUB_ICE_SERVERS: 'stun:stun.shop.example' })).toBe(
      'Invalid configuration: HUB_ICE_TRANSPORT_POLICY=relay needs a turn: server in HUB_ICE_SERVERS (no call could connect)',
    );
    expect(refusal({ HUB_ICE_TRANSPORT_POLICY: 'turn' })).toBe('Invalid configuration: HUB_ICE_TRANSPORT_POLICY="turn" must be all or relay');
    expect(refusal({ HUB_TURN_TTL_SECONDS: '10' })).toMatch(/^Invalid configuration: HUB_TURN_TTL_SECONDS="10" must be at least 60/);
  });

  it('caps downloads at 25 MB unless the operator says otherwise', () => {
    expect(loadConfig({}).maxDownloadBytes).toBe(25 * 1024 * 1024);
    expect(loadConfig({ HUB_MAX_DOWNLOAD_BYTES: '1048576' }).maxDownloadBytes).toBe(1048576);
    expect(refusal({ HUB_MAX_DOWNLOAD_BYTES: 'lots' })).toMatch(/^Invalid configuration: HUB_MAX_DOWNLOAD_BYTES="lots"/);
  });
});
