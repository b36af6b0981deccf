import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ErrorBody } from '../errors/error-response.js';
import type { HubReadiness } from '../start/readiness.js';
import { readinessAnswer } from '../start/readiness.js';

/** The largest body read to its end only to be refused (see `refuse`). */
const UNREAD_BODY_READ_LIMIT = 1024 * 1024;

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** The health routes, answered in every state; whatever else comes before the hub is ready, or once it stops, is refused. */
export const HEALTH_PATHS = new Set(['/health', '/health/live', '/health/ready']);

/**
 * Answered by the application while the hub is still starting, once the application exists (the first team made, the
 * pending work resumed, the job workers started): a starting hub's figures are worth seeing. Refused while the
 * database opens (nothing to read yet) and once the hub stops, as every other route.
 */
export const EARLY_PATHS = new Set(['/metrics']);

/**
 * How long a refused client should wait: about a restart of one hub process, so a provider's retry (which honours
 * `Retry-After`) lands on this process once it is back or on another behind the balancer.
 */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The HTTP server, opened before anything else so that liveness and readiness answer while the database opens and
 * migrates. Requests pass to the application (Fastify, handed in through its `serverFactory`) only while the hub is
 * open; before that and once it stops, every request but the health routes gets 503 with `Retry-After`. socket.io
 * sees its own requests first, so its handshakes are gated separately (`HubIoAdapter`).
 */
export class FrontDoor {
  readonly server: Server;
  /** Fastify's handler, known from its creation but answering only once Fastify is ready (`attachApplication`). */
  private created: RequestHandler | null = null;
  private app: RequestHandler | null = null;
  private state: 'starting' | 'open' | 'stopping' = 'starting';
  /** Responses of requests handed to the application and not finished yet. */
  private readonly inFlight = new Set<ServerResponse>();
  private drainWaiters: Array<() => void> = [];
  private lastConnectionAt = performance.now();
  private stopBeganAt = Infinity;

  constructor(private readonly readiness: HubReadiness) {
    this.server = createServer((request, response) => this.handle(request, response));
    this.server.on('connection', () => (this.lastConnectionAt = performance.now()));
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Fastify's `serverFactory`: the application answers on this server once attached, and for more than health once open. */
  readonly serverFactory = (handler: RequestHandler): Server => {
    this.created = handler;
    return this.server;
  };

  /** Fastify is ready (its routes and plugins loaded): the health routes are its from now on. */
  attachApplication(): void {
    if (!this.created) throw new Error('the application was not created on this server (serverFactory)');
    this.app = this.created;
  }

  get admitting(): boolean {
    return this.state === 'open';
  }

  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  open(): void {
    if (this.state === 'starting') this.state = 'open';
  }

  /** From now on every new request but the health routes is refused; the ones in flight finish, on connections that then close. */
  stopAdmitting(): void {
    this.state = 'stopping';
    this.stopBeganAt = performance.now();
    for (const response of this.inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
  }

  /** Resolves once every request handed to the application has been answered (or its client went away). */
  drained(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Resolves once no connection has arrived for `quietMs` (at most `maxMs`). Closing the listener resets connections
   * still waiting in its backlog, a request the client already sent; clients told to come back later have stopped
   * connecting by then, so what is left to close is only what was refused. Nobody connected since the stop began:
   * nothing to wait for.
   */
  async quiet(quietMs = 200, maxMs = 2_000): Promise<void> {
    if (this.lastConnectionAt < this.stopBeganAt) return;
    const began = performance.now();
    for (;;) {
      const now = performance.now();
      if (now - this.lastConnectionAt >= quietMs || now - began >= maxMs) return;
      await new Promise((resolve) => setTimeout(resolve, quietMs - (now - this.lastConnectionAt)));
    }
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    const health = HEALTH_PATHS.has(path);
    const early = EARLY_PATHS.has(path) && this.state === 'starting' && this.app !== null;
    if (!health && !early && this.state !== 'open') return this.refuse(request, response);
    if (!this.app) {
      void this.answerHealth(path, response);
      return;
    }
    if (this.state === 'stopping') response.setHeader('connection', 'close');
    this.inFlight.add(response);
    response.once('close', () => {
      this.inFlight.delete(response);
      if (this.inFlight.size > 0) return;
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    });
    this.app(request, response);
  }

  private refuse(request: IncomingMessage, response: ServerResponse): void {
    // A body left unread when the connection closes makes the kernel reset it, and the client may lose the 503 with
    // it: a small body (a webhook's) is read to its end first. A large one is not worth reading to be refused.
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > 0 && length <= UNREAD_BODY_READ_LIMIT && !request.readableEnded) {
      request.once('end', () => this.refuse(request, response));
      request.once('error', () => response.destroy());
      request.resume();
      return;
    }
    const stopping = this.state === 'stopping';
    const body = {
      statusCode: 503,
      code: stopping ? 'shutting_down' : 'not_ready',
      message: stopping ? 'This hub process is stopping; try again later.' : 'This hub process is starting; try again shortly.',
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    } satisfies ErrorBody;
    response.writeHead(503, {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': String(RETRY_AFTER_SECONDS),
      'cache-control': 'no-store',
      // The body was not read: the connection cannot carry another request after it.
      connection: 'close',
    });
    response.end(JSON.stringify(body));
  }

  /** Before the application exists (the database still opening): the same answers the health routes give later. */
  private async answerHealth(path: string, response: ServerResponse): Promise<void> {
    const { statusCode, body } = path === '/health/live' ? { statusCode: 200, body: { status: 'live' } } : await readinessAnswer(this.readiness);
    response.writeHead(statusCode, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  }
}
