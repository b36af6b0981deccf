import { AsyncLocalStorage } from 'node:async_hooks';
import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { Agent as UndiciAgent, buildConnector, fetch as undiciFetch } from 'undici';
import { isIpLiteral, specialRangeOf } from './address-policy.js';
import { originMatches, originOf, parseOriginRule } from './origin-rules.js';
import type { OriginRule } from './origin-rules.js';
import { OutboundRefused } from './outbound.errors.js';

export interface OutboundPolicy {
  /** HUB_ALLOWED_API_ORIGINS: origins reachable whatever their address resolves to (a clinic's private system, test fakes). */
  allowedOrigins: readonly OriginRule[];
  /** HUB_MAX_DOWNLOAD_BYTES: the most a download may bring in. */
  maxDownloadBytes: number;
  /** How long a download may take from the request to its last byte. */
  downloadTimeoutMs?: number;
}

const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60_000;

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Connector = ReturnType<typeof buildConnector>;
type SocketCallback = (err: Error | null, stream: Duplex) => void;
type SocketOpener = (
  scheme: 'http:' | 'https:',
  options: http.ClientRequestArgs,
  callback: SocketCallback | undefined,
  connect: (options: http.ClientRequestArgs, callback?: SocketCallback) => Duplex | null | undefined,
) => Duplex | null | undefined;

/** Node's agents, opening each socket through the guard (axios, and so twilio and @sendgrid/client, use them). */
class GuardedHttpAgent extends http.Agent {
  constructor(private readonly opener: SocketOpener) {
    super({ keepAlive: true });
  }

  override createConnection(options: http.ClientRequestArgs, callback?: SocketCallback): Duplex | null | undefined {
    return this.opener('http:', options, callback, (o, cb) => super.createConnection(o, cb));
  }
}

class GuardedHttpsAgent extends https.Agent {
  constructor(private readonly opener: SocketOpener) {
    super({ keepAlive: true });
  }

  override createConnection(options: https.RequestOptions, callback?: SocketCallback): Duplex | null | undefined {
    return this.opener('https:', options, callback, (o, cb) => super.createConnection(o, cb));
  }
}

/**
 * The one door for requests to URLs that came from configuration or from outside (a channel's API base, a media
 * URL a provider names). A request may go to an origin the operator allowed, or else only to public unicast
 * addresses. The address is judged when the socket is opened, after DNS resolution and for every redirect hop,
 * through the DNS `lookup` of the agents the SDKs use: there is no gap between a check and the connection in which
 * a name could be re-pointed (DNS rebinding).
 *
 * - `httpAgent` / `httpsAgent`: for axios-based SDKs (twilio, @sendgrid/client).
 * - `fetch`: fetch (undici's) through the guard's dispatcher.
 * - `run(fn)`: for SDKs that call the global fetch and take no dispatcher (@line/bot-sdk): fetches made inside go
 *   through the guard.
 * - `download(url)`: a size-capped, time-limited GET.
 */
export class OutboundGuard {
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;
  readonly dispatcher: UndiciAgent;
  readonly maxDownloadBytes: number;
  private readonly downloadTimeoutMs: number;
  private readonly plainConnect: Connector;
  private readonly guardedConnect: Connector;

  constructor(private readonly policy: OutboundPolicy) {
    this.maxDownloadBytes = policy.maxDownloadBytes;
    this.downloadTimeoutMs = policy.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
    const lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => this.lookup(hostname, options, callback);
    const opener: SocketOpener = (scheme, options, callback, connect) => this.openSocket(scheme, options, callback, connect, lookup);
    this.httpAgent = new GuardedHttpAgent(opener);
    this.httpsAgent = new GuardedHttpsAgent(opener);
    this.plainConnect = buildConnector({});
    this.guardedConnect = buildConnector({ lookup } as buildConnector.BuildOptions);
    this.dispatcher = new UndiciAgent({
      connect: (options, callback) => {
        const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
        const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
        const verdict = this.verdict(options.protocol, host, port);
        if (verdict instanceof OutboundRefused) return callback(verdict, null);
        (verdict === 'open' ? this.plainConnect : this.guardedConnect)({ ...options, hostname: host }, callback);
      },
    });
  }

  /**
   * Why a configured base URL is refused, or null: it must be one of `official` (a provider's origins, host labels
   * may be `*`) or an origin the operator allowed. Checked when the URL is saved; the address is checked again at
   * every connection.
   */
  refusalOfBase(url: string, official: readonly string[]): string | null {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'must be an http(s) URL';
    }
    const { scheme, host, port } = originOf(parsed);
    if (this.operatorAllows(scheme, host, port)) return null;
    if (official.some((origin) => originMatches(parseOriginRule(origin, { hostWildcards: true }), scheme, host, port))) return null;
    const names = official.length > 0 ? `the provider's own (${official.join(', ')})` : 'none by default';
    return `may only name the provider's API origins, ${names}, or an origin the operator lists in HUB_ALLOWED_API_ORIGINS`;
  }

  /**
   * fetch, through the guard. It is undici's own fetch (the same implementation as Node's global one) so that
   * the dispatcher, and the refusal it raises, live in one realm: a refusal reaches the caller as itself.
   */
  fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    return undiciFetch(input, { ...init, dispatcher: this.dispatcher } as Parameters<typeof undiciFetch>[1]).then(
      // The same class as the global Response at run time; only undici's typings and the DOM's differ.
      (response) => response as unknown as Response,
      (error: unknown) => {
        throw outboundRefusal(error) ?? error;
      },
    );
  }

  /** Runs `work` with every global fetch it makes going through the guard (for SDKs that call fetch themselves). */
  run<T>(work: () => Promise<T>): Promise<T> {
    installScopedFetch();
    return scope.run(this, work);
  }

  /**
   * A GET of at most `maxDownloadBytes`, within the download timeout, redirects followed (each hop guarded).
   * Throws `OutboundRefused` (`url_not_allowed`, `download_too_large`) or the network's error.
   */
  async download(url: string, init: RequestInit = {}): Promise<{ data: Buffer; contentType: string | null }> {
    const response = await this.fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(this.downloadTimeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`download answered HTTP ${response.status}`);
    }
    const data = await this.readLimited(response.body, response.headers.get('content-length'));
    return { data, contentType: response.headers.get('content-type') };
  }

  /**
   * A body (a fetch Response's, a Node stream), refused as soon as it announces or passes `maxDownloadBytes`:
   * never buffered whole first.
   */
  async readLimited(body: AsyncIterable<Uint8Array> | null, contentLength: string | null): Promise<Buffer> {
    const limit = this.maxDownloadBytes;
    if (!body) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    let size = 0;
    const iterator = body[Symbol.asyncIterator]();
    try {
      if (Number(contentLength) > limit) throw tooLarge(limit);
      for (;;) {
        const { done, value } = await iterator.next();
        if (done) break;
        size += value.byteLength;
        if (size > limit) throw tooLarge(limit);
        chunks.push(Buffer.from(value));
      }
    } catch (error) {
      // Cancels the stream, which closes the connection: the rest is never read.
      await iterator.return?.();
      throw error;
    }
    return Buffer.concat(chunks);
  }

  /** Nest calls it when the hub stops. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** Lets go of kept-alive connections (the hub is stopping). */
  async close(): Promise<void> {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    await this.dispatcher.close();
  }

  /** `open`: the operator allowed the origin; `resolve`: connect by name through the guarded lookup; or a refusal. */
  private verdict(scheme: string, host: string, port: number): 'open' | 'resolve' | OutboundRefused {
    if (this.operatorAllows(scheme, host, port)) return 'open';
    if (isIpLiteral(host)) {
      const range = specialRangeOf(host);
      return range ? refused(host, range) : 'open';
    }
    return 'resolve';
  }

  private operatorAllows(scheme: string, host: string, port: number): boolean {
    return this.policy.allowedOrigins.some((rule) => originMatches(rule, scheme, host, port));
  }

  /** Node's agents: connect as the verdict says; a refusal reaches the request as its error. */
  private openSocket(
    scheme: 'http:' | 'https:',
    options: http.ClientRequestArgs,
    callback: SocketCallback | undefined,
    connect: (options: http.ClientRequestArgs, callback?: SocketCallback) => Duplex | null | undefined,
    lookup: (hostname: string, options: LookupOptions, callback: LookupCallback) => void,
  ): Duplex | null | undefined {
    const host = String(options.host ?? options.hostname ?? 'localhost');
    const port = Number(options.port) || (scheme === 'https:' ? 443 : 80);
    const verdict = this.verdict(scheme, host, port);
    if (verdict instanceof OutboundRefused) {
      if (!callback) throw verdict;
      // Node's Agent creates the socket through this callback when nothing is returned.
      callback(verdict, undefined as unknown as Duplex);
      return undefined;
    }
    return connect(verdict === 'open' ? options : { ...options, lookup }, callback);
  }

  /** dns.lookup, refusing a name any of whose addresses is special: the socket then connects to none of them. */
  private lookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const range = specialRangeOf(address);
        if (range) return callback(refused(`${hostname} (${address})`, range), []);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      callback(null, first.address, first.family);
    });
  }
}

function refused(what: string, range: string): OutboundRefused {
  return new OutboundRefused('url_not_allowed', `The hub does not connect to ${what}: a ${range} address, and its origin is not in HUB_ALLOWED_API_ORIGINS.`);
}

function tooLarge(limit: number): OutboundRefused {
  const mb = Math.round((limit / 1024 / 1024) * 10) / 10;
  return new OutboundRefused('download_too_large', `The file is larger than the hub downloads (${mb} MB, HUB_MAX_DOWNLOAD_BYTES).`);
}

/** The guard's refusal behind an SDK's error (axios and fetch wrap the socket's error as `cause`), or null. */
export function outboundRefusal(error: unknown): OutboundRefused | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof OutboundRefused) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

// @line/bot-sdk calls the global fetch and takes neither a fetch nor a dispatcher. Within `run`, the global fetch
// is given the running guard's dispatcher; outside, it is the untouched original. Patched once per realm.
const scope = new AsyncLocalStorage<OutboundGuard>();
const PATCHED = Symbol.for('tsunagi.outbound.scopedFetch');

function installScopedFetch(): void {
  const global = globalThis as typeof globalThis & { [PATCHED]?: boolean };
  if (global[PATCHED]) return;
  const original = global.fetch;
  global.fetch = (input, init) => {
    const guard = scope.getStore();
    return guard ? guard.fetch(input as string | URL, init) : original(input, init);
  };
  global[PATCHED] = true;
}
