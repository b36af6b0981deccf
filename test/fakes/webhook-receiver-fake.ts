import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../../src/common/clock.js';

/** One delivery a receiver took, its signature verified. */
export interface ReceivedWebhook {
  id: string;
  type: string;
  path: string;
  data: Record<string, unknown>;
}

export interface WebhookReceiverFake {
  /** Base URL, `http://127.0.0.1:<port>`: allowed in tests the way an operator allows a clinic's private system. */
  url: string;
  /** Every delivery answered 2xx, in the order they came. */
  received: ReceivedWebhook[];
  /** Requests whose signature did not verify (none is ever expected). */
  unverified: number;
  /** The signing secret of each path's endpoint, as the administrator copied it. */
  secrets: Map<string, string>;
  /** Paths whose connections are dropped (the receiver is down). */
  down: Set<string>;
  /** Answers 500 to these: a receiver whose own system refuses one event. */
  refuse: (hit: ReceivedWebhook) => boolean;
  close(): Promise<void>;
}

/**
 * A customer's receiver (a clinic's reservation system) on loopback: it verifies every signature with the Standard
 * Webhooks reference library, as a receiver following the specification does, against the hub's clock (the tests
 * move it hours ahead of the machine's).
 */
export async function startWebhookReceiverFake(clock: Clock): Promise<WebhookReceiverFake> {
  const fake: WebhookReceiverFake = {
    url: '',
    received: [],
    unverified: 0,
    secrets: new Map(),
    down: new Set(),
    refuse: () => false,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (fake.down.has(path)) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let parsed: { type: string; data: Record<string, unknown> };
      const wallClock = Date.now;
      // The reference library checks the timestamp against Date.now: the receiver's "now" is the hub's moved clock.
      Date.now = () => clock.now().getTime();
      try {
        parsed = new Webhook(fake.secrets.get(path) ?? 'whsec_bm9uZQ==').verify(body, req.headers as Record<string, string>) as typeof parsed;
      } catch {
        fake.unverified++;
        res.writeHead(401).end('signature does not verify');
        return;
      } finally {
        Date.now = wallClock;
      }
      const hit = { id: String(req.headers['webhook-id']), type: parsed.type, path, data: parsed.data };
      if (fake.refuse(hit)) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('booking system error');
        return;
      }
      fake.received.push(hit);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: hit.id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
