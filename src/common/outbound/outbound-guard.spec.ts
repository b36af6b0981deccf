import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { specialRangeOf } from './address-policy.js';
import { OutboundGuard } from './outbound-guard.js';
import { OutboundRefused } from './outbound.errors.js';
import { originMatches, parseOriginList, parseOriginRule } from './origin-rules.js';

describe('specialRangeOf', () => {
  // Each of these reaches something inside the operator's network or the machine itself.
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.0.0.2', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    // The IPv4-mapped form of the metadata address is judged as the IPv4 address it carries.
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:10.0.0.1]', 'private'],
    // Translation prefixes that embed an IPv4 address of any kind.
    ['64:ff9b::a9fe:a9fe', 'rfc6052'],
    ['2002:a9fe:a9fe::', '6to4'],
    ['2001::1', 'teredo'],
  ])('refuses %s (%s)', (address, range) => {
    expect(specialRangeOf(address)).toBe(range);
  });

  it('lets public unicast addresses through', () => {
    expect(specialRangeOf('8.8.8.8')).toBeNull();
    expect(specialRangeOf('157.240.1.1')).toBeNull();
    expect(specialRangeOf('2a03:2880:f10c:83:face:b00c:0:25de')).toBeNull();
  });
});

describe('origin rules', () => {
  it('reads scheme://host[:port], * as the port, default ports filled in', () => {
    expect(parseOriginList(' http://127.0.0.1:*, https://Reserve.Clinic.internal ,http://[::1]:8080')).toEqual([
      { scheme: 'http:', host: '127.0.0.1', port: '*' },
      { scheme: 'https:', host: 'reserve.clinic.internal', port: 443 },
      { scheme: 'http:', host: '::1', port: 8080 },
    ]);
  });

  it('refuses an entry with a path, credentials, another scheme or a wildcard host', () => {
    for (const bad of ['https://a.example/v1', 'https://user:pw@a.example', 'ftp://a.example', 'a.example', 'https://*.example.com', 'http://a.example:*:80']) {
      expect(() => parseOriginRule(bad)).toThrow();
    }
  });

  // A wildcard label must not let a lookalike host through (api.twilio.com.evil.example, api.evil/.twilio.com).
  it('matches a * host label against exactly one DNS label', () => {
    const rule = parseOriginRule('https://api.*.*.twilio.com', { hostWildcards: true });
    expect(originMatches(rule, 'https:', 'api.sydney.au1.twilio.com', 443)).toBe(true);
    expect(originMatches(rule, 'https:', 'api.au1.twilio.com', 443)).toBe(false);
    expect(originMatches(rule, 'https:', 'api.a.b.c.twilio.com', 443)).toBe(false);
    expect(originMatches(rule, 'http:', 'api.sydney.au1.twilio.com', 80)).toBe(false);
    expect(originMatches(rule, 'https:', 'api.sydney.au1.twilio.com', 8443)).toBe(false);
  });
});

describe(OutboundGuard.name, () => {
  let allowed: http.Server;
  let internal: http.Server;
  let hits = 0;
  let allowedUrl = '';
  let internalUrl = '';
  let guard: OutboundGuard;

  async function listen(host: string, handler: http.RequestListener): Promise<[http.Server, string]> {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return [server, `http://${host}:${(server.address() as AddressInfo).port}`];
  }

  beforeAll(async () => {
    [internal, internalUrl] = await listen('127.0.0.2', (_req, res) => {
      hits++;
      res.end('secret');
    });
    [allowed, allowedUrl] = await listen('127.0.0.1', (req, res) => {
      if (req.url === '/bounce') {
        res.writeHead(302, { location: `${internalUrl}/after-redirect` }).end();
      } else if (req.url === '/big') {
        // No Content-Length: the size is known only by reading.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let i = 0; i < 64; i++) res.write(Buffer.alloc(1024, 1));
        res.end();
      } else {
        res.end('hello');
      }
    });
    guard = new OutboundGuard({ allowedOrigins: parseOriginList(`http://127.0.0.1:${new URL(allowedUrl).port}`), maxDownloadBytes: 16 * 1024 });
  });

  afterAll(async () => {
    await guard.close();
    allowed.closeAllConnections();
    internal.closeAllConnections();
    await new Promise((resolve) => allowed.close(resolve));
    await new Promise((resolve) => internal.close(resolve));
  });

  const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);

  it('judges a configured base: official origins or the operator list, nothing else', () => {
    expect(guard.refusalOfBase('https://graph.facebook.com/v23.0', ['https://graph.facebook.com'])).toBeNull();
    expect(guard.refusalOfBase(`${allowedUrl}/v23.0`, ['https://graph.facebook.com'])).toBeNull();
    expect(guard.refusalOfBase('http://graph.facebook.com', ['https://graph.facebook.com'])).toMatch(/HUB_ALLOWED_API_ORIGINS/);
    expect(guard.refusalOfBase('http://169.254.169.254', ['https://graph.facebook.com'])).toMatch(/provider's own/);
    expect(guard.refusalOfBase('not a url', [])).toMatch(/http\(s\) URL/);
  });

  it('fetches from an allowed origin', async () => {
    expect(await (await guard.fetch(`${allowedUrl}/`)).text()).toBe('hello');
  });

  // SSRF through fetch (the Graph API media URL, fetch-based SDKs): literal, mapped, resolved by name, redirected.
  it('never connects fetch to a private address that is not allowed', async () => {
    const port = new URL(internalUrl).port;
    for (const url of [`${internalUrl}/`, `http://[::ffff:127.0.0.2]:${port}/`, `http://localhost:${new URL(allowedUrl).port}/`, `${allowedUrl}/bounce`]) {
      const error = await refusal(guard.fetch(url));
      expect(error).toBeInstanceOf(OutboundRefused);
      expect(error).toMatchObject({ code: 'url_not_allowed' });
    }
    expect(hits).toBe(0);
  });

  // SSRF through axios-based SDKs (twilio, @sendgrid/client), which connect through Node's agents.
  it('never connects Node agents to a private address that is not allowed', async () => {
    const get = (url: string) =>
      new Promise<string>((resolve, reject) => {
        const agent = url.startsWith('https:') ? guard.httpsAgent : guard.httpAgent;
        http
          .get(url, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(String(res.statusCode)));
          })
          .on('error', reject);
      });
    expect(await get(`${allowedUrl}/`)).toBe('200');
    for (const url of [`${internalUrl}/`, `http://localhost:${new URL(allowedUrl).port}/`]) {
      expect(await refusal(get(url))).toBeInstanceOf(OutboundRefused);
    }
    expect(hits).toBe(0);
  });

  // @line/bot-sdk calls the global fetch itself: inside run() it goes through the guard, outside it is untouched.
  it('guards the global fetch inside run() only', async () => {
    expect(await refusal(guard.run(() => fetch(`${internalUrl}/`)))).toBeInstanceOf(OutboundRefused);
    expect(hits).toBe(0);
    expect(await (await fetch(`${internalUrl}/`)).text()).toBe('secret');
    expect(hits).toBe(1);
  });

  it('stops a download at the cap, without a Content-Length too', async () => {
    expect(await refusal(guard.download(`${allowedUrl}/big`))).toMatchObject({ code: 'download_too_large' });
    expect((await guard.download(`${allowedUrl}/`)).data.toString()).toBe('hello');
  });
});
