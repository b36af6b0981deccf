import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { systemClock } from '../common/clock.js';
import { OutboundGuard, parseOriginList } from '../common/outbound/index.js';
import { RESPONSE_BODY_LIMIT, WebhookSender, newSigningSecret } from './webhook.sender.js';

describe(WebhookSender.name, () => {
  let server: http.Server;
  let base = '';
  let hits = 0;
  const secret = newSigningSecret();
  const body = JSON.stringify({ type: 'message.created', timestamp: new Date().toISOString(), data: { n: 1 } });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url === '/big') return void res.writeHead(200).end('x'.repeat(10_000));
        if (req.url === '/moved') return void res.writeHead(302, { location: '/ok' }).end();
        if (req.url === '/refuse') return void res.writeHead(422).end('unknown booking');
        try {
          new Webhook(secret).verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>);
          res.writeHead(204).end();
        } catch {
          res.writeHead(401).end('bad signature');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const guard of guards) await guard.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const guards: OutboundGuard[] = [];
  const guarded = (origins: string) => {
    const guard = new OutboundGuard({ allowedOrigins: parseOriginList(origins), maxDownloadBytes: 1024 });
    guards.push(guard);
    return guard;
  };
  const allowed = () => guarded(base);

  it('posts a body the reference library verifies, and takes any 2xx as success', async () => {
    const outcome = await new WebhookSender(allowed(), systemClock).post(`${base}/ok`, [secret], 'evt_1', body);
    expect(outcome).toMatchObject({ ok: true, statusCode: 204, error: null });
  });

  it('fails on any other status, keeping the first 2 KB of the answer, and does not follow a redirect', async () => {
    const sender = new WebhookSender(allowed(), systemClock);
    expect(await sender.post(`${base}/refuse`, [secret], 'evt_1', body)).toMatchObject({ ok: false, statusCode: 422, responseBody: 'unknown booking' });
    const big = await sender.post(`${base}/big`, [secret], 'evt_1', body);
    expect(big.responseBody).toHaveLength(RESPONSE_BODY_LIMIT);
    const before = hits;
    expect(await sender.post(`${base}/moved`, [secret], 'evt_1', body)).toMatchObject({ ok: false, statusCode: 302 });
    expect(hits).toBe(before + 1);
  });

  // A URL saved while its name pointed elsewhere, now resolving to a private address: the guard refuses it at the
  // attempt, and the receiver is never reached.
  it('is refused by the outbound guard at the attempt when the origin is not allowed', async () => {
    const before = hits;
    const outcome = await new WebhookSender(guarded(''), systemClock).post(`${base}/ok`, [secret], 'evt_1', body);
    expect(outcome).toMatchObject({ ok: false, statusCode: null });
    expect(outcome.error).toMatch(/^url_not_allowed: /);
    expect(hits).toBe(before);
  });

  it('fails with a network error when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await new WebhookSender(guarded(new URL(url).origin), systemClock).post(url, [secret], 'evt_1', body);
    expect(outcome.error).toMatch(/^network_error: /);
  });
});
