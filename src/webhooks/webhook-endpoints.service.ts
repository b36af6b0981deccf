import { Inject, Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { SECRET_BOX, SecretBox } from '../common/crypto/secret-box.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { EventLog } from '../common/events/event-log.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { OUTBOUND_GUARD, specialRangeOf } from '../common/outbound/index.js';
import type { OutboundGuard } from '../common/outbound/index.js';
import { OutgoingWebhooksService, secretBinding } from './outgoing-webhooks.service.js';
import { WEBHOOKS_CONSUMER, normalizeSubscriptions } from './webhook-events.js';
import type { WebhookSubscription } from './webhook-events.js';
import { newSigningSecret } from './webhook.sender.js';
import type { attemptView, createEndpointBody, deliveriesQuery, deliveryDetailView, deliveryView, endpointView, updateEndpointBody } from './webhooks.schema.js';

/** How long the secret before a rotation keeps signing beside the new one. */
const ROTATION_OVERLAP_MS = 24 * 3_600_000;

type EndpointRow = {
  id: string;
  secret: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  createdAt: Date;
};
type AttemptRow = { id: string; attemptedAt: Date; ok: boolean; statusCode: number | null; durationMs: number; responseBody: string | null; error: string | null };
type DeliveryRow = {
  id: string;
  seq: bigint;
  eventId: string;
  eventType: string;
  conversationId: string | null;
  state: string;
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  completedAt: Date | null;
};

function toEndpointView(row: EndpointRow, pendingDeliveries: number): z.output<typeof endpointView> {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events as WebhookSubscription[],
    enabled: row.enabled,
    disabledReason: row.disabledReason === 'failing' ? 'failing' : null,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    failingSince: row.failingSince?.toISOString() ?? null,
    pendingDeliveries,
    createdAt: row.createdAt.toISOString(),
  };
}

const toAttemptView = (row: AttemptRow): z.output<typeof attemptView> => ({ ...row, attemptedAt: row.attemptedAt.toISOString() });

function toDeliveryView(row: DeliveryRow, lastAttempt: AttemptRow | null): z.output<typeof deliveryView> {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    conversationId: row.conversationId,
    state: row.state as 'pending' | 'delivered' | 'failed',
    attempts: row.attempts,
    nextAttemptAt: row.state === 'pending' ? row.nextAttemptAt.toISOString() : null,
    lastStatus: row.lastStatus,
    lastError: row.lastError,
    lastAttempt: lastAttempt ? toAttemptView(lastAttempt) : null,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

const urlNotAllowed = (why: string) =>
  new DomainError('invalid', 'webhook_url_not_allowed', `The hub does not post to this URL: ${why}. A system on a private network is reached when the operator lists its origin in HUB_ALLOWED_API_ORIGINS.`, [
    { field: 'url', message: why },
  ]);

/** The team's outgoing webhook endpoints, as their administrators set them up, and their delivery logs. */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(OUTBOUND_GUARD) private readonly guard: OutboundGuard,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly webhooks: OutgoingWebhooksService,
    private readonly eventLog: EventLog,
  ) {}

  async list(teamId: string): Promise<z.output<typeof endpointView>[]> {
    const rows = await this.db.webhookEndpoint.findMany({ where: { teamId }, orderBy: { createdAt: 'asc' } });
    const pending = await this.pendingCounts(rows.map((row) => row.id));
    return rows.map((row) => toEndpointView(row, pending.get(row.id) ?? 0));
  }

  async get(teamId: string, id: string): Promise<z.output<typeof endpointView>> {
    const row = await this.endpoint(teamId, id);
    return toEndpointView(row, (await this.pendingCounts([id])).get(id) ?? 0);
  }

  /** A new endpoint with a new signing secret, which this answer alone shows. */
  async create(teamId: string, body: z.output<typeof createEndpointBody>) {
    await this.checkTarget(body.url);
    const secret = newSigningSecret();
    // The id is chosen here: the secret is sealed bound to it before the row exists.
    const id = uuidv7();
    const row = await this.db.webhookEndpoint.create({
      data: { id, teamId, url: body.url, description: body.description ?? '', events: normalizeSubscriptions(body.events), enabled: body.enabled ?? true, secret: this.box.seal(secret, secretBinding(id)) },
    });
    // From now on the team's events of these types are logged for it, in every process.
    await this.eventLog.interestChanged(WEBHOOKS_CONSUMER, teamId);
    return { ...toEndpointView(row, 0), secret };
  }

  async update(teamId: string, id: string, body: z.output<typeof updateEndpointBody>): Promise<z.output<typeof endpointView>> {
    const current = await this.endpoint(teamId, id);
    if (body.url !== undefined && body.url !== current.url) await this.checkTarget(body.url);
    const switchedOn = body.enabled === true && !current.enabled;
    const switchedOff = body.enabled === false && current.enabled;
    await this.db.webhookEndpoint.updateMany({
      where: { id, teamId },
      data: {
        ...(body.url !== undefined ? { url: body.url } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.events !== undefined ? { events: normalizeSubscriptions(body.events) } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        // Switched on again: its failing streak and the reason it was off are over.
        ...(switchedOn ? { failingSince: null, disabledReason: null, disabledAt: null } : {}),
        ...(switchedOff ? { disabledReason: null, disabledAt: this.clock.now() } : {}),
      },
    });
    if (body.events !== undefined || body.enabled !== undefined) await this.eventLog.interestChanged(WEBHOOKS_CONSUMER, teamId);
    if (switchedOn) {
      // What waited while it was off goes now, each with a fresh 3-day retry window.
      await this.db.webhookDelivery.updateMany({ where: { endpointId: id, state: 'pending' }, data: { failures: 0, nextAttemptAt: this.clock.now() } });
      await this.webhooks.sendWaiting(id);
    }
    return this.get(teamId, id);
  }

  /** Removes the endpoint with its deliveries and log; nothing more is posted to it. */
  async remove(teamId: string, id: string): Promise<void> {
    const { count } = await this.db.webhookEndpoint.deleteMany({ where: { id, teamId } });
    if (count === 0) throw notFound('The webhook endpoint');
    await this.eventLog.interestChanged(WEBHOOKS_CONSUMER, teamId);
  }

  /**
   * A new signing secret, shown in this answer alone. For the next 24 hours deliveries carry a signature by the old
   * secret beside the new one, so the receiver can be switched over without refusing any.
   */
  async rotateSecret(teamId: string, id: string): Promise<{ secret: string }> {
    const current = await this.endpoint(teamId, id);
    const secret = newSigningSecret();
    // The old secret stays sealed as it was (bound to this endpoint); only where it is kept changes.
    const until = new Date(this.clock.now().getTime() + ROTATION_OVERLAP_MS);
    await this.db.webhookEndpoint.updateMany({ where: { id, teamId }, data: { secret: this.box.seal(secret, secretBinding(id)), previousSecret: current.secret, previousSecretUntil: until } });
    return { secret };
  }

  async ping(teamId: string, id: string): Promise<z.output<typeof deliveryDetailView>> {
    await this.endpoint(teamId, id);
    return this.delivery(teamId, id, await this.webhooks.ping(teamId, id));
  }

  /** The endpoint's deliveries, newest first, each with its last attempt. */
  async deliveries(teamId: string, id: string, query: z.output<typeof deliveriesQuery>) {
    await this.endpoint(teamId, id);
    const rows = await this.db.webhookDelivery.findMany({
      where: { endpointId: id, ...(query.state ? { state: query.state } : {}), ...(query.cursor ? { seq: { lt: BigInt(query.cursor) } } : {}) },
      orderBy: { seq: 'desc' },
      take: query.limit + 1,
      include: { attemptLog: { orderBy: { attemptedAt: 'desc' }, take: 1 } },
    });
    const page = rows.slice(0, query.limit);
    return { items: page.map((row) => toDeliveryView(row, row.attemptLog[0] ?? null)), nextCursor: rows.length > query.limit ? page[page.length - 1].seq.toString() : null };
  }

  /** One delivery with its body and every attempt, oldest first. */
  async delivery(teamId: string, id: string, deliveryId: string): Promise<z.output<typeof deliveryDetailView>> {
    const row = await this.db.webhookDelivery.findFirst({ where: { id: deliveryId, endpointId: id, teamId }, include: { attemptLog: { orderBy: { attemptedAt: 'asc' } } } });
    if (!row) throw notFound('The webhook delivery');
    return { ...toDeliveryView(row, row.attemptLog[row.attemptLog.length - 1] ?? null), body: row.body, attemptLog: row.attemptLog.map(toAttemptView) };
  }

  async replay(teamId: string, id: string, deliveryId: string): Promise<z.output<typeof deliveryDetailView>> {
    await this.endpoint(teamId, id);
    if (!(await this.webhooks.replay(id, deliveryId))) throw notFound('The webhook delivery');
    return this.delivery(teamId, id, deliveryId);
  }

  async replayFailed(teamId: string, id: string, since: string): Promise<{ replayed: number }> {
    await this.endpoint(teamId, id);
    return { replayed: await this.webhooks.replayFailed(id, new Date(since)) };
  }

  private async endpoint(teamId: string, id: string): Promise<EndpointRow> {
    const row = await this.db.webhookEndpoint.findFirst({ where: { id, teamId } });
    if (!row) throw notFound('The webhook endpoint');
    return row;
  }

  private async pendingCounts(endpointIds: string[]): Promise<Map<string, number>> {
    if (endpointIds.length === 0) return new Map();
    const groups = await this.db.webhookDelivery.groupBy({ by: ['endpointId'], where: { endpointId: { in: endpointIds }, state: 'pending' }, _count: { _all: true } });
    return new Map(groups.map((group) => [group.endpointId, group._count._all]));
  }

  /**
   * Refuses, when it is saved, a URL the outbound guard would refuse at delivery: a loopback, private, link-local or
   * other special address, named or resolved, unless the operator allowed its origin. The guard judges every attempt
   * again after DNS (a name may be re-pointed later); a name that does not resolve yet is taken, and fails its attempts.
   */
  private async checkTarget(url: string): Promise<void> {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      throw new DomainError('invalid', 'webhook_url_invalid', 'The URL must not carry a user name or password: receivers verify the signature instead.', [
        { field: 'url', message: 'must not carry credentials' },
      ]);
    }
    // The operator's list (HUB_ALLOWED_API_ORIGINS) is the only way to a private system.
    if (this.guard.refusalOfBase(url, []) === null) return;
    const range = specialRangeOf(parsed.hostname);
    if (range === null) return;
    if (range !== 'not an IP address') throw urlNotAllowed(`${parsed.hostname} is a ${range} address`);
    const addresses = await lookup(parsed.hostname, { all: true }).catch(() => []);
    for (const { address } of addresses) {
      const special = specialRangeOf(address);
      if (special) throw urlNotAllowed(`${parsed.hostname} resolves to ${address}, a ${special} address`);
    }
  }
}
