import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db, Prisma } from '../common/database/database.js';
import { notFound } from '../common/errors/domain-error.js';
import { RATE_LIMITER } from '../common/rate-limit/rate-limiter.js';
import type { RateLimit, RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { ChannelShopperEvents, ThreadKey } from '../channels/index.js';
import type { ChannelAccount, ShopperEventInput, ShopperEventSink } from '../channels/index.js';
import { SalesEvents } from './sales.events.js';
import { toShopperEventView } from './sales.views.js';
import type { ShopperEventView, ShopperProductView } from './sales.views.js';

/** Events one browser may send per minute: a person browsing sends a few; a loop in a page sends thousands. */
export const SHOPPER_EVENTS_PER_MINUTE = 60;
const SHOPPER_EVENTS_PER_VISITOR: RateLimit = { name: 'shopper.events.visitor', points: SHOPPER_EVENTS_PER_MINUTE, perSeconds: 60, what: 'shopper events from this browser' };
const HISTORY = 200;

/** What the shopper behind a conversation is doing on the shop's site. */
export interface ShopperActivity {
  conversationId: string;
  visitorIds: string[];
  /** The latest thing they did: the page or product they are on now. */
  now: ShopperEventView | null;
  /** Products viewed, the latest first, once each. */
  viewed: (ShopperProductView & { views: number; lastViewedAt: string })[];
  /** Added to the cart since their last purchase. */
  cart: (ShopperProductView & { quantity: number; addedAt: string })[];
  purchases: ShopperEventView[];
  events: ShopperEventView[];
}

@Injectable()
export class ShopperEventsService implements ShopperEventSink, OnModuleInit {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    private readonly port: ChannelShopperEvents,
    private readonly events: SalesEvents,
  ) {}

  onModuleInit(): void {
    this.port.connect(this);
  }

  async record(channel: ChannelAccount, visitorId: string, event: ShopperEventInput): Promise<void> {
    // The hub's one limiter: atomic (a burst of parallel requests gets exactly the budget), shared across processes
    // through Redis when there is one, and the refusal says when to try again.
    await this.limiter.consume(SHOPPER_EVENTS_PER_VISITOR, `${channel.id}:${visitorId}`);
    const row = await this.db.shopperEvent.create({
      data: {
        teamId: channel.teamId,
        channelId: channel.id,
        visitorId,
        type: event.type,
        url: event.url ?? event.product?.url ?? null,
        product: (event.product ?? undefined) as Prisma.InputJsonObject | undefined,
        orderId: event.order?.id ?? null,
        order: (event.order ?? undefined) as Prisma.InputJsonObject | undefined,
        occurredAt: this.clock.now(),
      },
    });
    const live = await this.db.conversation.findMany({
      where: { channelId: channel.id, threadKey: ThreadKey.ofVisitor(visitorId), status: { not: 'resolved' } },
      select: { id: true },
    });
    const view = toShopperEventView(row);
    for (const conversation of live) this.events.emit('shopper.activity', { teamId: channel.teamId, conversationId: conversation.id, event: view });
  }

  /**
   * The shopper behind a conversation: the browser of a web chat, and every browser the contact used the widget
   * from (they gave their email in the widget, then wrote on LINE).
   */
  async activity(teamId: string, conversationId: string): Promise<ShopperActivity> {
    const conversation = await this.db.conversation.findFirst({
      where: { id: conversationId, teamId },
      select: { threadKey: true, contact: { select: { identities: { where: { kind: 'visitor' }, select: { address: true } } } } },
    });
    if (!conversation) throw notFound('The conversation');
    const ids = new Set(conversation.contact.identities.map((identity) => identity.address));
    const visitorId = ThreadKey.visitorOf(conversation.threadKey);
    if (visitorId !== null) ids.add(visitorId);
    const visitorIds = [...ids];
    const rows =
      visitorIds.length === 0
        ? []
        : await this.db.shopperEvent.findMany({ where: { teamId, visitorId: { in: visitorIds } }, orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }], take: HISTORY });
    const events = rows.map(toShopperEventView);
    return { conversationId, visitorIds, now: events[0] ?? null, viewed: viewedProducts(events), cart: cartOf(events), purchases: events.filter((e) => e.type === 'purchase'), events: events.slice(0, 50) };
  }
}

/** Newest first in, each product once with how often it was viewed. */
function viewedProducts(events: ShopperEventView[]): ShopperActivity['viewed'] {
  const bySku = new Map<string, ShopperActivity['viewed'][number]>();
  for (const event of events) {
    if (event.type !== 'product_view' || !event.product) continue;
    const known = bySku.get(event.product.sku);
    if (known) known.views += 1;
    else bySku.set(event.product.sku, { ...event.product, views: 1, lastViewedAt: event.occurredAt });
  }
  return [...bySku.values()];
}

/** What went into the cart after the last purchase (newest first in): a purchase empties the cart. */
function cartOf(events: ShopperEventView[]): ShopperActivity['cart'] {
  const lastPurchase = events.findIndex((event) => event.type === 'purchase');
  const sinceThen = lastPurchase === -1 ? events : events.slice(0, lastPurchase);
  const bySku = new Map<string, ShopperActivity['cart'][number]>();
  for (const event of sinceThen) {
    if (event.type !== 'add_to_cart' || !event.product) continue;
    const known = bySku.get(event.product.sku);
    const quantity = event.product.quantity ?? 1;
    if (known) known.quantity += quantity;
    else bySku.set(event.product.sku, { ...event.product, quantity, addedAt: event.occurredAt });
  }
  return [...bySku.values()];
}
