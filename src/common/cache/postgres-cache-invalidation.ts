import pg from 'pg';
import { logger } from '../logging/logger.js';
import { CacheSubscribers } from './cache-invalidation.js';
import type { CacheChange, CacheInvalidation } from './cache-invalidation.js';

/** The one PostgreSQL channel every hub process on the database listens on; NOTIFY is scoped to the database. */
export const INVALIDATION_CHANNEL = 'tsunagi_cache_invalidation';

/** What the listening side needs of a `pg.Client`. */
export interface ListeningClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  end(): Promise<void>;
}

export interface PostgresCacheInvalidationOptions {
  /** A new connection of its own, not from the pool: LISTEN holds a session (no transaction-mode pooler). */
  connect: () => ListeningClient;
  /** Sends `NOTIFY channel, payload` on any connection (the pool's): delivered to listeners at its commit. */
  notify: (channel: string, payload: string) => Promise<void>;
  /** Waits before listening again after a loss: the first, doubled each failure up to the last. */
  retryMs?: { first: number; max: number };
}

/**
 * `CacheInvalidation` over PostgreSQL's LISTEN/NOTIFY: every hub process shares the database already, with or
 * without Redis. A notification sent while a process's listening connection is down is lost to it for good, so a
 * lost connection tells every subscriber `everything` (nothing heard until it is back can be trusted), is opened
 * again with backoff, and tells them `everything` again once it listens (what changed in the gap was not heard).
 */
export class PostgresCacheInvalidation implements CacheInvalidation {
  private readonly subscribers = new CacheSubscribers();
  private client: ListeningClient | null = null;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private readonly retryMs: { first: number; max: number };
  private nextRetryMs: number;

  constructor(private readonly options: PostgresCacheInvalidationOptions) {
    this.retryMs = options.retryMs ?? { first: 500, max: 5_000 };
    this.nextRetryMs = this.retryMs.first;
  }

  /** Listens before it returns when the database answers; otherwise keeps trying in the background. */
  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  get hearing(): boolean {
    return this.listening;
  }

  async publish(topic: string, key: string): Promise<void> {
    this.subscribers.deliver(topic, { key });
    try {
      await this.options.notify(INVALIDATION_CHANNEL, JSON.stringify({ topic, key }));
    } catch (error) {
      logger.error({ err: error, topic, key }, 'a cache change could not be published: other processes keep the old row until its cache time runs out');
    }
  }

  subscribe(topic: string, onChange: (change: CacheChange) => void): () => void {
    return this.subscribers.add(topic, onChange);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    this.listening = false;
    await client?.end().catch(() => {});
  }

  private async listen(): Promise<void> {
    const client = this.options.connect();
    this.client = client;
    client.on('notification', (message) => this.heard(message));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${INVALIDATION_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.client !== client) return;
    this.listening = true;
    if (this.nextRetryMs !== this.retryMs.first) logger.info('listening for cache changes again: caches dropped');
    this.nextRetryMs = this.retryMs.first;
    // Whatever changed while this process was not listening was told to nobody here.
    this.subscribers.deliverEverywhere();
  }

  private heard(message: { channel: string; payload?: string }): void {
    if (message.channel !== INVALIDATION_CHANNEL || !message.payload) return;
    let change: unknown;
    try {
      change = JSON.parse(message.payload);
    } catch {
      return;
    }
    const { topic, key } = (change ?? {}) as { topic?: unknown; key?: unknown };
    if (typeof topic === 'string' && typeof key === 'string') this.subscribers.deliver(topic, { key });
  }

  private lost(client: ListeningClient, error: unknown): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    const wasListening = this.listening;
    this.listening = false;
    // One line per outage, not one per attempt.
    if (wasListening || this.nextRetryMs === this.retryMs.first) {
      logger.warn({ err: error }, 'not listening for cache changes: nothing is cached until it listens again');
    }
    this.subscribers.deliverEverywhere();
    void client.end().catch(() => {});
    const wait = this.nextRetryMs;
    this.nextRetryMs = Math.min(this.nextRetryMs * 2, this.retryMs.max);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.closed) void this.listen();
    }, wait);
    this.retry.unref();
  }
}

/** The listening connection to a PostgreSQL server, named so an operator can tell it from the pool's. */
export function listeningClient(connectionString: string): ListeningClient {
  return new pg.Client({ connectionString, application_name: `tsunagi cache invalidation ${process.pid}`, keepAlive: true });
}
