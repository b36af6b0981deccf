import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Form or query parameters; a key sent more than once (Twilio's `MediaUrl`) becomes an array, in order. */
export type Params = Record<string, string | string[]>;

/** One request as the fake received it, kept for assertions. */
export interface RecordedRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: Params;
  /** Node's lower-cased header map. */
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  /** Set for `application/x-www-form-urlencoded` bodies. */
  form?: Params;
  /** Set for `application/json` bodies that parse. */
  json?: unknown;
  /** When the request arrived (Date.now()), for tests that check how sends are spaced. */
  receivedAt: number;
}

/** What a handler answers: a JSON value, raw bytes, or nothing; optionally late. */
export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Buffer | string;
  /** Hold the answer back this long: a provider that is slow, or that the client times out on. */
  delayMs?: number;
}

export type FakeHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface HttpFake {
  /** `http://127.0.0.1:<port>` (or the host it was given), without a trailing slash. */
  url: string;
  /** Every request received, in arrival order, including the ones answered with an error. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a local HTTP server on a free port that records each request and answers through `handler`. `host` is
 * the loopback address it listens on: another one than 127.0.0.1 (127.0.0.2) stands for a private address that
 * the hub is not allowed to reach.
 */
export async function startHttpFake(handler: FakeHandler, host = '127.0.0.1'): Promise<HttpFake> {
  const requests: RecordedRequest[] = [];
  // Delayed answers hold timers; close() clears them so that a test that timed out on purpose does not keep
  // jest waiting for an answer nobody reads.
  const pendingDelays = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = recordRequest(req, Buffer.concat(chunks), receivedAt);
      requests.push(recorded);
      Promise.resolve()
        .then(() => handler(recorded))
        .catch((error: unknown): FakeReply => ({
          // A bug in a fake must show up in the test, not as a hung request.
          status: 500,
          json: { message: `fake handler failed: ${error instanceof Error ? error.message : String(error)}` },
        }))
        .then((reply) => {
          if (!reply.delayMs) return writeReply(res, reply);
          const timer = setTimeout(() => {
            pendingDelays.delete(timer);
            writeReply(res, reply);
          }, reply.delayMs);
          pendingDelays.add(timer);
        })
        .catch(() => res.destroy());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pendingDelays) clearTimeout(timer);
        pendingDelays.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDKs keep connections alive (axios through Node's global agent, fetch through undici); close()
        // alone would wait for them to idle out and jest would report open handles.
        server.closeAllConnections();
      }),
  };
}

function recordRequest(req: http.IncomingMessage, rawBody: Buffer, receivedAt: number): RecordedRequest {
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  const recorded: RecordedRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: paramsOf(url.searchParams),
    headers: req.headers,
    rawBody,
    receivedAt,
  };
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    recorded.form = paramsOf(new URLSearchParams(rawBody.toString('utf8')));
  } else if (contentType.startsWith('application/json') && rawBody.length > 0) {
    try {
      recorded.json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      // Left unset: the fake answers the malformed body the way its provider does.
    }
  }
  return recorded;
}

/** URLSearchParams to a plain object; repeated keys become arrays. */
export function paramsOf(search: URLSearchParams): Params {
  const params: Params = {};
  for (const [key, value] of search) {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[key] = [existing, value];
  }
  return params;
}

function writeReply(res: http.ServerResponse, reply: FakeReply): void {
  // The client may have given up (a timeout test) and closed the socket while the answer was held back.
  if (res.destroyed || res.writableEnded) return;
  const headers = Object.fromEntries(Object.entries(reply.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  let body: Buffer | string = '';
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  } else if (reply.body !== undefined) {
    body = reply.body;
  }
  // A reply that asks for chunked transfer goes without a length (a stream whose size nobody announced).
  if (headers['transfer-encoding'] !== 'chunked') headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status, headers);
  res.end(body);
}
