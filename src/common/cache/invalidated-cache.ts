import type { CacheInvalidation } from './cache-invalidation.js';

export interface InvalidatedCacheOptions {
  /** A safety net only: a change is dropped when published; this bounds a change whose publication was lost. */
  ttlMs: number;
  maxEntries: number;
  /** Wall time in milliseconds (tests pass their own). */
  now?: () => number;
}

/**
 * Rows read on every request, kept until a change to them is published on `topic` (by any process, see
 * `CacheInvalidation`) or for `ttlMs` at most. Keys are the rows' own ids, unique across teams, so an entry is
 * only ever the row its key names.
 */
export class InvalidatedCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  /** Counts the changes heard: a read that a change overtook is returned but not kept (see get). */
  private changes = 0;
  private readonly now: () => number;

  constructor(
    private readonly invalidation: CacheInvalidation,
    readonly topic: string,
    private readonly options: InvalidatedCacheOptions,
  ) {
    // Wall time, not the hub's clock: the TTL bounds how long a lost publication goes unseen, in real time.
    this.now = options.now ?? (() => Date.now());
    invalidation.subscribe(topic, (change) => {
      this.changes++;
      if (change === 'everything') this.entries.clear();
      else this.entries.delete(change.key);
    });
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const cached = this.entries.get(key);
    if (cached && cached.until > this.now()) return cached.value;
    const before = this.changes;
    const value = await load();
    // A change heard while the row was read may have come after the read saw the old row: keeping it would keep the
    // old row until the TTL. A process that cannot hear changes keeps nothing.
    if (before === this.changes && this.invalidation.hearing) {
      this.entries.delete(key);
      this.entries.set(key, { value, until: this.now() + this.options.ttlMs });
      if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return value;
  }

  /** After the change to `key` is committed: drops it here at once and in every other process soon. */
  changed(key: string): Promise<void> {
    return this.invalidation.publish(this.topic, key);
  }
}
