import type { LoggedEvent } from '../../src/common/events/event-log.js';
import type { Hub } from '../../src/hub.js';
import { OutgoingWebhooksService } from '../../src/webhooks/index.js';
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

/**
 * Publishes `event` as the event log's `webhooks` consumer does: the event is logged first (handled by every consumer
 * already, so nothing else takes it up), since a delivery is made only of an event still in the log (one its contact's
 * erasure deleted is never sent).
 */
export async function publishLogged(hub: Hub, event: LoggedEvent, options: { endpointId?: string } = {}): Promise<number> {
  await hub.infra.db.eventLog.upsert({
    where: { id: event.id },
    create: { id: event.id, teamId: event.teamId, type: event.type, conversationId: event.conversationId, data: event.data as object, occurredAt: event.occurredAt, pending: [] },
    update: {},
  });
  return hub.app.get(OutgoingWebhooksService).publish(event, options);
}
