import type { Hub } from '../../src/hub.js';
import { eventually } from './eventually.js';
import type { MovableClock } from './movable-clock.js';

/**
 * Moves the clock from retry to retry of the endpoint's outgoing webhook deliveries, up to `until`, letting each run:
 * the way hours pass for the hub, with every timer firing at its time.
 */
export async function passRetries(hub: Hub, clock: MovableClock, endpointId: string, until: Date): Promise<void> {
  for (;;) {
    await hub.infra.jobs.idle();
    const next = await hub.infra.db.webhookDelivery.findFirst({
      where: { endpointId, state: 'pending', attempts: { gt: 0 }, endpoint: { enabled: true }, nextAttemptAt: { gt: clock.now(), lte: until } },
      orderBy: { nextAttemptAt: 'asc' },
    });
    if (!next) break;
    // Moved once the retry's timer is set (the hub sets it after recording the failure).
    await eventually(async () => clock.pending().map((at) => at.getTime()), (due) => due.includes(next.nextAttemptAt.getTime()));
    clock.set(next.nextAttemptAt);
  }
  if (until > clock.now()) clock.set(until);
  await hub.infra.jobs.idle();
}
