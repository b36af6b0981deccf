import { describe, expect, it } from '@jest/globals';
import { LocalCacheInvalidation } from './cache-invalidation.js';
import type { CacheChange, CacheInvalidation } from './cache-invalidation.js';
import { InvalidatedCache } from './invalidated-cache.js';

/** A transport the test drives: what another process published, a lost connection, one that is back. */
class HandDrivenInvalidation implements CacheInvalidation {
  hearing = true;
  private readonly listeners: ((change: CacheChange) => void)[] = [];
  async publish(): Promise<void> {}
  subscribe(_topic: string, onChange: (change: CacheChange) => void): () => void {
    this.listeners.push(onChange);
    return () => {};
  }
  tell(change: CacheChange): void {
    for (const listener of this.listeners) listener(change);
  }
  async close(): Promise<void> {}
}

function counting<V>(values: V[]) {
  const reads = { count: 0 };
  const load = async () => values[Math.min(reads.count++, values.length - 1)];
  return { reads, load };
}

describe(InvalidatedCache.name, () => {
  it('reads a row once until a change to it is published, and again after', async () => {
    const invalidation = new LocalCacheInvalidation();
    const cache = new InvalidatedCache<string>(invalidation, 'channel', { ttlMs: 600_000, maxEntries: 100 });
    const { reads, load } = counting(['old', 'new']);
    expect(await cache.get('c1', load)).toBe('old');
    expect(await cache.get('c1', load)).toBe('old');
    expect(reads.count).toBe(1);

    await cache.changed('c1');

    expect(await cache.get('c1', load)).toBe('new');
    expect(reads.count).toBe(2);
  });

  it('drops only the key that changed, and only on its own topic', async () => {
    const invalidation = new LocalCacheInvalidation();
    const channels = new InvalidatedCache<string>(invalidation, 'channel', { ttlMs: 600_000, maxEntries: 100 });
    const teams = new InvalidatedCache<string>(invalidation, 'team', { ttlMs: 600_000, maxEntries: 100 });
    const a = counting(['a']);
    const b = counting(['b']);
    const t = counting(['t']);
    await channels.get('a', a.load);
    await channels.get('b', b.load);
    await teams.get('a', t.load);

    await invalidation.publish('channel', 'a');
    await Promise.all([channels.get('a', a.load), channels.get('b', b.load), teams.get('a', t.load)]);

    expect([a.reads.count, b.reads.count, t.reads.count]).toEqual([2, 1, 1]);
  });

  it('drops everything when told that changes went unheard', async () => {
    const invalidation = new HandDrivenInvalidation();
    const cache = new InvalidatedCache<string>(invalidation, 'team', { ttlMs: 600_000, maxEntries: 100 });
    const a = counting(['a']);
    const b = counting(['b']);
    await cache.get('a', a.load);
    await cache.get('b', b.load);

    invalidation.tell('everything');
    await cache.get('a', a.load);
    await cache.get('b', b.load);

    expect([a.reads.count, b.reads.count]).toEqual([2, 2]);
  });

  // The race a publish-after-commit cache must close: this process reads the old row, the writer commits and its
  // change arrives before the read's result is kept. Keeping it would serve the old row until the TTL.
  it('does not keep a row whose read a change overtook', async () => {
    const invalidation = new HandDrivenInvalidation();
    const cache = new InvalidatedCache<string>(invalidation, 'channel', { ttlMs: 600_000, maxEntries: 100 });
    let finishRead!: (value: string) => void;
    const slow = cache.get('c1', () => new Promise<string>((resolve) => (finishRead = resolve)));
    await Promise.resolve();
    invalidation.tell({ key: 'c1' });
    finishRead('old');
    expect(await slow).toBe('old');

    const { reads, load } = counting(['new']);
    expect(await cache.get('c1', load)).toBe('new');
    expect(reads.count).toBe(1);
  });

  it('keeps nothing while the process cannot hear changes', async () => {
    const invalidation = new HandDrivenInvalidation();
    invalidation.hearing = false;
    const cache = new InvalidatedCache<string>(invalidation, 'channel', { ttlMs: 600_000, maxEntries: 100 });
    const { reads, load } = counting(['a']);
    await cache.get('c1', load);
    await cache.get('c1', load);
    expect(reads.count).toBe(2);

    invalidation.hearing = true;
    await cache.get('c1', load);
    await cache.get('c1', load);
    expect(reads.count).toBe(3);
  });

  it('reads again after the TTL, the net under a publication that was lost', async () => {
    let now = 1_000;
    const cache = new InvalidatedCache<string>(new HandDrivenInvalidation(), 'channel', { ttlMs: 60_000, maxEntries: 100, now: () => now });
    const { reads, load } = counting(['old', 'new']);
    await cache.get('c1', load);
    now += 59_999;
    expect(await cache.get('c1', load)).toBe('old');
    now += 1;
    expect(await cache.get('c1', load)).toBe('new');
    expect(reads.count).toBe(2);
  });

  it('forgets the entry read longest ago beyond its size', async () => {
    const cache = new InvalidatedCache<string>(new HandDrivenInvalidation(), 'channel', { ttlMs: 60_000, maxEntries: 2 });
    const loads = ['a', 'b', 'c'].map((value) => counting([value]));
    for (const [i, key] of ['a', 'b', 'c'].entries()) await cache.get(key, loads[i].load);
    await cache.get('c', loads[2].load);
    await cache.get('b', loads[1].load);
    await cache.get('a', loads[0].load);
    expect(loads.map((l) => l.reads.count)).toEqual([2, 1, 1]);
  });
});
