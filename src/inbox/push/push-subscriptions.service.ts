import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { CACHE_INVALIDATION } from '../../common/cache/cache-invalidation.js';
import type { CacheInvalidation } from '../../common/cache/cache-invalidation.js';
import { InvalidatedCache } from '../../common/cache/invalidated-cache.js';
import { DATABASE } from '../../common/database/database.js';
import type { Db } from '../../common/database/database.js';
import { DomainError, notFound } from '../../common/errors/domain-error.js';
import { OUTBOUND_GUARD } from '../../common/outbound/index.js';
import type { OutboundGuard } from '../../common/outbound/index.js';
import type { AuthMember } from '../../teams/index.js';
import type { pushSettingsBody, pushStateView, pushSubscriptionBody, PushKind, PushLanguage, PushSettingsView } from './push.schema.js';
import { VAPID_KEYS } from './vapid-keys.js';
import type { VapidKeys } from './web-push.sender.js';

/** A member's devices kept at most: a new one past it replaces the one subscribed longest ago. */
export const MAX_SUBSCRIPTIONS_PER_MEMBER = 10;
const USER_AGENT_MAX = 300;
/**
 * Whether a member has a subscription at all, asked for each customer message in their chats: most members have
 * none, and for them a push costs no statement. A stale "yes" costs one read; a "no" is dropped in every process when
 * the member registers a browser.
 */
const SUBSCRIBER_CACHE = { ttlMs: 10 * 60_000, maxEntries: 10_000 };
const ALL_ON: PushSettingsView = { offers: true, messages: true, sales: true, drafts: true };

type SubscriptionRow = { id: string; endpoint: string; language: string; userAgent: string | null; createdAt: Date };

function toView(row: SubscriptionRow) {
  return { id: row.id, endpoint: row.endpoint, language: row.language as PushLanguage, userAgent: row.userAgent, createdAt: row.createdAt.toISOString() };
}

/** Where a member's pushes go (their browsers' subscriptions) and which news they want pushed. */
@Injectable()
export class PushSubscriptionsService {
  private readonly subscribers: InvalidatedCache<boolean>;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(OUTBOUND_GUARD) private readonly guard: OutboundGuard,
    @Inject(VAPID_KEYS) private readonly keys: VapidKeys,
    @Inject(CACHE_INVALIDATION) invalidation: CacheInvalidation,
  ) {
    this.subscribers = new InvalidatedCache(invalidation, 'push-subscriber', SUBSCRIBER_CACHE);
  }

  async state(member: AuthMember): Promise<z.output<typeof pushStateView>> {
    const [settings, rows] = await Promise.all([this.settings(member.id), this.db.pushSubscription.findMany({ where: { memberId: member.id }, orderBy: { createdAt: 'asc' } })]);
    return { publicKey: this.keys.publicKey, settings, subscriptions: rows.map(toView) };
  }

  /**
   * Keeps the browser's subscription for the member. The endpoint is one browser's: registered again, by this member
   * or by another who signed in on that browser, the row is updated and moves to them.
   */
  async register(member: AuthMember, body: z.output<typeof pushSubscriptionBody>, userAgent: string | undefined) {
    // Push services are public https origins; plain http only where the operator allowed the origin (a local test
    // service). The address is checked again at every push, after DNS, by the outbound guard.
    if (!body.endpoint.startsWith('https://') && this.guard.refusalOfBase(body.endpoint, []) !== null) {
      throw new DomainError('invalid', 'push_endpoint_not_allowed', 'The push endpoint must be an https URL of a push service.', [{ field: 'endpoint', message: 'must be an https URL' }]);
    }
    const data = { teamId: member.teamId, memberId: member.id, p256dh: body.keys.p256dh, auth: body.keys.auth, language: body.language, userAgent: userAgent?.slice(0, USER_AGENT_MAX) ?? null };
    const row = await this.db.pushSubscription.upsert({ where: { endpoint: body.endpoint }, create: { endpoint: body.endpoint, ...data }, update: data });
    const surplus = await this.db.pushSubscription.findMany({ where: { memberId: member.id }, orderBy: { createdAt: 'desc' }, skip: MAX_SUBSCRIPTIONS_PER_MEMBER, select: { id: true } });
    if (surplus.length > 0) await this.db.pushSubscription.deleteMany({ where: { id: { in: surplus.map((s) => s.id) }, memberId: member.id } });
    await this.subscribers.changed(member.id);
    return toView(row);
  }

  /** Removes one of the member's own subscriptions (signing out on that browser); another member's is not found. */
  async remove(member: AuthMember, id: string): Promise<void> {
    const { count } = await this.db.pushSubscription.deleteMany({ where: { id, memberId: member.id } });
    if (count === 0) throw notFound('The push subscription');
  }

  async updateSettings(member: AuthMember, body: z.output<typeof pushSettingsBody>): Promise<PushSettingsView> {
    const row = await this.db.pushSettings.upsert({ where: { memberId: member.id }, create: { memberId: member.id, ...ALL_ON, ...body }, update: body });
    return { offers: row.offers, messages: row.messages, sales: row.sales, drafts: row.drafts };
  }

  async settings(memberId: string): Promise<PushSettingsView> {
    const row = await this.db.pushSettings.findUnique({ where: { memberId } });
    return row ? { offers: row.offers, messages: row.messages, sales: row.sales, drafts: row.drafts } : { ...ALL_ON };
  }

  /** The subscriptions of the members named that want this kind of news pushed. */
  async targetsFor(memberIds: string[], kind: PushKind) {
    const subscribed: string[] = [];
    for (const memberId of memberIds) {
      const has = await this.subscribers.get(memberId, async () => (await this.db.pushSubscription.findFirst({ where: { memberId }, select: { id: true } })) !== null);
      if (has) subscribed.push(memberId);
    }
    if (subscribed.length === 0) return [];
    return this.db.pushSubscription.findMany({
      where: { memberId: { in: subscribed }, member: { deactivatedAt: null, NOT: { pushSettings: { is: kind === 'offers' ? { offers: false } : kind === 'messages' ? { messages: false } : kind === 'sales' ? { sales: false } : { drafts: false } } } } },
      select: { id: true, memberId: true, language: true },
    });
  }
}
