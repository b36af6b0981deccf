import { sleep } from './sockets.js';

/**
 * Reads until `ok` holds, or fails after `timeoutMs` showing the last value: tests wait for a condition, never
 * for a fixed time (the machine may be loaded).
 */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
    await sleep(25);
  }
}
