/** A pending delivery as the ordering sees it. */
export interface QueuedDelivery {
  endpointId: string;
  conversationId: string | null;
  /** The order it was published in. */
  seq: bigint;
}

/**
 * Of some pending deliveries, those that may be attempted now: for each endpoint and conversation only the earliest
 * (the later ones wait until it is delivered or has failed for good, so a receiver sees one conversation's events in
 * order), and every delivery of no conversation (unordered). A conversation whose first delivery keeps failing holds
 * only its own later ones: the heads of other conversations are all here. Earliest first.
 */
export function sendable<T extends QueuedDelivery>(pending: readonly T[]): T[] {
  const unordered: T[] = [];
  const heads = new Map<string, T>();
  for (const delivery of pending) {
    if (delivery.conversationId === null) {
      unordered.push(delivery);
      continue;
    }
    const key = `${delivery.endpointId} ${delivery.conversationId}`;
    const head = heads.get(key);
    if (!head || delivery.seq < head.seq) heads.set(key, delivery);
  }
  return [...unordered, ...heads.values()].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
}
