import http from 'node:http';
import { io, ManagerOptions, Socket, SocketOptions } from 'socket.io-client';

/**
 * Clients of the balancer, each from a loopback address of its own (127.0.0.2, 127.0.0.3, ...): nginx hashes the
 * client address, so distinct addresses spread the clients over the hubs, and the widget's per-address limits count
 * each as one client.
 */
export class Addresses {
  private next = 2;
  constructor(private readonly network: number) {}
  take(): string {
    const host = this.next++;
    return `127.${this.network}.${Math.floor(host / 250)}.${(host % 250) + 1}`;
  }
}

export interface HttpAnswer {
  status: number;
  json: unknown;
}

/**
 * An HTTP client bound to one source address; a network error or timeout rejects, any status resolves. It waits
 * 90 s for an answer by default, as a browser's fetch waits: giving up sooner on a slow hub would make a request
 * look lost that is still going to commit.
 */
export class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 4_000 });
  /** Requests sent, and those that failed: a 5xx, a 429, no answer or a network error (the soak's error rate). */
  requests = 0;
  failures = 0;

  constructor(
    private readonly base: string,
    readonly localAddress: string,
  ) {}

  send(method: string, path: string, options: { body?: string | object; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpAnswer> {
    const body = options.body === undefined || typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const headers = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers };
    this.requests++;
    const answered = new Promise<HttpAnswer>((resolve, reject) => {
      const call = http.request(`${this.base}${path}`, { method, headers, agent: this.agent, localAddress: this.localAddress, timeout: options.timeoutMs ?? 90_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = text;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            // Not JSON (nginx's own error page): kept as text.
          }
          resolve({ status: response.statusCode ?? 0, json });
        });
      });
      // No answer in time: what a provider counts as a failed delivery.
      call.on('timeout', () => call.destroy(new Error('timed out')));
      call.on('error', reject);
      call.end(body);
    });
    answered.then(
      (answer) => void (answer.status >= 500 || answer.status === 429 ? this.failures++ : undefined),
      () => void this.failures++,
    );
    return answered;
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }
}

/**
 * A socket.io client through the balancer that reconnects the way the inbox and the widget do (socket.io's own
 * reconnection, websocket only), reading `auth` again on each attempt.
 */
export function balancedSocket(url: string, namespace: '/inbox' | '/widget', localAddress: string, auth: () => Record<string, unknown>): Socket {
  const options: Partial<ManagerOptions & SocketOptions> & { localAddress: string } = {
    auth: (give) => give(auth()),
    transports: ['websocket'],
    forceNew: true,
    reconnection: true,
    reconnectionDelay: 250,
    reconnectionDelayMax: 2_000,
    randomizationFactor: 0.5,
    localAddress,
  };
  return io(`${url}${namespace}`, options);
}

/** The load's rate: how long a client waits between two of its messages (not a wait for a condition). */
export const pace = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
