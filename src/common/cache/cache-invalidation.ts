/**
 * Tells every hub process that a cached row changed, so that caches of rows read on every request (a channel
 * account, a team's settings) can live for minutes and still drop a change within about a second, whichever
 * process wrote it.
 *
 * Delivery is at most once: a process that cannot hear (its listening connection lost) is told `everything`, once
 * when it is cut off and once when it hears again, and `hearing` is false in between, so a cache keeps nothing
 * it could not be told to drop.
 */
export interface CacheInvalidation {
  /** Whether changes published now reach this process. */
  readonly hearing: boolean;
  /**
   * Says, after the change is committed, that `key` of `topic` changed: this process's subscribers hear it before
   * the call returns, the others' within about a second. Never throws: a process that misses it keeps the row at most
   * its cache's TTL.
   */
  publish(topic: string, key: string): Promise<void>;
  /** Calls `onChange` with each key of `topic` published anywhere, or with `everything`; returns the unsubscribe. */
  subscribe(topic: string, onChange: (change: CacheChange) => void): () => void;
  close(): Promise<void>;
}

/** One key changed, or anything may have (changes went unheard). */
export type CacheChange = { key: string } | 'everything';

export const CACHE_INVALIDATION = Symbol('CacheInvalidation');

/** The subscribers of one process, by topic: what every transport delivers to. */
export class CacheSubscribers {
  private readonly byTopic = new Map<string, Set<(change: CacheChange) => void>>();

  add(topic: string, onChange: (change: CacheChange) => void): () => void {
    const set = this.byTopic.get(topic) ?? new Set();
    this.byTopic.set(topic, set);
    set.add(onChange);
    return () => set.delete(onChange);
  }

  deliver(topic: string, change: CacheChange): void {
    for (const onChange of this.byTopic.get(topic) ?? []) onChange(change);
  }

  deliverEverywhere(): void {
    for (const topic of this.byTopic.keys()) this.deliver(topic, 'everything');
  }
}

/**
 * One process alone on its database (the embedded one: its directory is locked to one process): every change is
 * made here, so telling this process's subscribers is telling everyone.
 */
export class LocalCacheInvalidation implements CacheInvalidation {
  readonly hearing = true;
  private readonly subscribers = new CacheSubscribers();

  async publish(topic: string, key: string): Promise<void> {
    this.subscribers.deliver(topic, { key });
  }

  subscribe(topic: string, onChange: (change: CacheChange) => void): () => void {
    return this.subscribers.add(topic, onChange);
  }

  async close(): Promise<void> {}
}
