import { Inject, Injectable } from '@nestjs/common';
import type { CountryCode } from 'libphonenumber-js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db, Prisma, Tx } from '../common/database/database.js';
import { EventLog } from '../common/events/event-log.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import type { ErrorDetail } from '../common/errors/domain-error.js';
import { ThreadKey } from '../channels/index.js';
import { ContactsService, normalizeIdentity } from '../contacts/index.js';
import { readTeamSettings } from '../teams/index.js';
import { creditedTouch } from './attribution.js';
import type { AttributionModel, Touch } from './attribution.js';
import { SalesEvents } from './sales.events.js';
import { SaleTouchesService } from './sale-touches.service.js';
import { SalesFiguresService } from './sales-figures.service.js';
import type { z } from 'zod';
import type { PurchaseInput, purchaseView } from './sales.schema.js';
import { toSaleView } from './sales.views.js';
import type { AttributionReason, ClaimOutcome, SaleView } from './sales.views.js';

/** The answer to a purchase: the same for the first post and every repeat of it (README.md, "Sales attribution"). */
/** The answer's type is its view's (sales.schema.ts): the route sends it as it is. */
export type PurchaseAnswer = z.output<typeof purchaseView>;

/** How the purchase can be tied to chats: the shopper's browser, and the contact their email or phone names. */
interface Evidence {
  visitorId: string | null;
  visitorFrom?: 'purchase' | 'widget_order';
  /** What became of the widgets' claims of this order, when any browser made one. */
  claim?: ClaimOutcome;
  identities: { kind: 'email' | 'phone'; address: string }[];
}

/**
 * How long before the shop's server reports an order a widget's `purchase` event still counts as that browser's
 * claim: the thank-you page and the shop's server report the same sale within minutes; an older claim is more
 * likely a guess made in advance (order ids are often sequential) than the buyer's page.
 */
export const CLAIM_MAX_AGE_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class PurchasesService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly contacts: ContactsService,
    private readonly events: SalesEvents,
    private readonly figures: SalesFiguresService,
    private readonly touches: SaleTouchesService,
    private readonly eventLog: EventLog,
  ) {}

  /**
   * Stores the purchase credited by the team's rule, once per order id: the unique (team, order) decides between
   * repeats, concurrent ones included, and a repeat answers what the first stored (`created: false`).
   */
  async record(teamId: string, input: PurchaseInput): Promise<{ created: boolean; answer: PurchaseAnswer }> {
    const known = await this.db.sale.findUnique({ where: { teamId_orderId: { teamId, orderId: input.orderId } } });
    if (known) return { created: false, answer: toAnswer(toSaleView(known)) };
    const team = await this.db.team.findUnique({ where: { id: teamId }, select: { settings: true } });
    if (!team) throw notFound('The team');
    const settings = readTeamSettings(team.settings);
    const occurredAt = new Date(input.occurredAt);
    const evidence = await this.evidence(teamId, input, settings.defaultPhoneRegion as CountryCode);
    const reason = await this.attribute(teamId, evidence, occurredAt, settings.attributionWindowDays, settings.attributionModel);
    let row;
    let logged;
    try {
      // The sale and its logged event commit together.
      ({ row, logged } = await this.db.$transaction(async (tx: Tx) => {
        const created = await tx.sale.create({
        data: {
          teamId,
          orderId: input.orderId,
          amount: input.amount,
          currency: input.currency,
          occurredAt,
          items: (input.items ?? []) as Prisma.InputJsonArray,
          memberId: reason.memberId,
          conversationId: reason.conversationId,
          reason: reason as unknown as Prisma.InputJsonObject,
        },
      });
        const data = { saleId: created.id, orderId: created.orderId, amount: created.amount, currency: created.currency, memberId: created.memberId, conversationId: created.conversationId };
        const events = [{ teamId, type: 'sale.created' as const, conversationId: created.conversationId, data, occurredAt }];
        return { row: created, logged: await this.eventLog.append(tx, events) };
      }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent post of the same order won: answer what it stored.
      const winner = await this.db.sale.findUnique({ where: { teamId_orderId: { teamId, orderId: input.orderId } } });
      if (!winner) throw error;
      return { created: false, answer: toAnswer(toSaleView(winner)) };
    }
    await this.eventLog.dispatch(logged);
    const sale = toSaleView(row);
    if (sale.attributedTo) {
      const { memberId, conversationId } = sale.attributedTo;
      this.events.emit('sale.created', { teamId, memberId, sale: { id: sale.id, orderId: sale.orderId, amount: sale.amount, currency: sale.currency, conversationId, occurredAt: sale.occurredAt } });
      await this.figures.announce(teamId, memberId);
    }
    return { created: true, answer: toAnswer(sale) };
  }

  /** A refund or cancellation takes the credit back; the sale is kept, marked, for the record. Repeats change nothing. */
  async reverse(teamId: string, orderId: string, status: 'refunded' | 'cancelled'): Promise<PurchaseAnswer> {
    const sale = await this.db.sale.findUnique({ where: { teamId_orderId: { teamId, orderId } } });
    if (!sale) throw new DomainError('not_found', 'unknown_order', `No purchase with order id ${orderId} was reported to this team.`);
    // Conditional: of two reversals racing, one changes the row and announces it.
    const reversedAt = this.clock.now();
    const { count, logged } = await this.db.$transaction(async (tx: Tx) => {
      const { count } = await tx.sale.updateMany({ where: { id: sale.id, status: 'completed' }, data: { status, reversedAt } });
      if (count === 0) return { count, logged: [] };
      const data = { saleId: sale.id, orderId, status, amount: sale.amount, currency: sale.currency, memberId: sale.memberId, conversationId: sale.conversationId };
      return { count, logged: await this.eventLog.append(tx, [{ teamId, type: 'sale.reversed', conversationId: sale.conversationId, data, occurredAt: reversedAt }]) };
    });
    await this.eventLog.dispatch(logged);
    const row = await this.db.sale.findUniqueOrThrow({ where: { id: sale.id } });
    const view = toSaleView(row);
    if (count > 0 && view.attributedTo) {
      const { memberId, conversationId } = view.attributedTo;
      this.events.emit('sale.reversed', { teamId, memberId, sale: { id: view.id, orderId, status, conversationId } });
      await this.figures.announce(teamId, memberId);
    }
    return toAnswer(view);
  }

  private async evidence(teamId: string, input: PurchaseInput, region: CountryCode): Promise<Evidence> {
    const invalid: ErrorDetail[] = [];
    const identities: Evidence['identities'] = [];
    for (const kind of ['email', 'phone'] as const) {
      const raw = input[kind];
      if (raw === undefined) continue;
      const address = normalizeIdentity(kind, raw, region);
      if (address) identities.push({ kind, address });
      else invalid.push({ field: kind, message: kind === 'email' ? 'is not an email address' : 'is not a phone number' });
    }
    if (invalid.length > 0) throw new DomainError('invalid', 'invalid_request', 'The request is not valid.', invalid);
    // The shop's server holds the API key: the browser it names is evidence.
    if (input.visitorId) return { visitorId: input.visitorId, visitorFrom: 'purchase', identities };
    return { ...(await this.claimOf(teamId, input.orderId)), identities };
  }

  /**
   * The shop's server often does not know the browser; the widget saw the order on the thank-you page. But any
   * page can send a `purchase` event with any order id, so a claim ties the order to a browser only when it was
   * made within CLAIM_MAX_AGE_MS before this report and no other browser claimed the same order in that time:
   * a pre-claimed order then has two claimants, and neither gets it.
   */
  private async claimOf(teamId: string, orderId: string): Promise<Omit<Evidence, 'identities'>> {
    const reportedAt = this.clock.now();
    const claimants = await this.db.shopperEvent.findMany({
      where: { teamId, orderId, type: 'purchase', occurredAt: { gte: new Date(reportedAt.getTime() - CLAIM_MAX_AGE_MS), lte: reportedAt } },
      select: { visitorId: true },
      distinct: ['visitorId'],
      take: 2,
    });
    if (claimants.length > 1) return { visitorId: null, claim: 'claim_contested' };
    if (claimants.length === 0) {
      const stale = await this.db.shopperEvent.findFirst({ where: { teamId, orderId, type: 'purchase' }, select: { id: true } });
      return stale ? { visitorId: null, claim: 'claim_expired' } : { visitorId: null };
    }
    return { visitorId: claimants[0].visitorId, visitorFrom: 'widget_order', claim: 'visitor_claim' };
  }

  private async attribute(teamId: string, evidence: Evidence, occurredAt: Date, windowDays: number, rule: AttributionModel): Promise<AttributionReason> {
    const byConversation = new Map<string, { match: Touch['match']; identity?: AttributionReason['identity'] }>();
    if (evidence.visitorId) {
      const chats = await this.db.conversation.findMany({ where: { teamId, threadKey: ThreadKey.ofVisitor(evidence.visitorId) }, select: { id: true } });
      for (const chat of chats) byConversation.set(chat.id, { match: 'visitor' });
    }
    for (const identity of evidence.identities) {
      const contact = await this.contacts.findByIdentity(teamId, identity.kind, identity.address);
      if (!contact) continue;
      const chats = await this.db.conversation.findMany({ where: { teamId, contactId: contact.id }, select: { id: true } });
      for (const chat of chats) {
        if (!byConversation.has(chat.id)) byConversation.set(chat.id, { match: 'identity', identity: { kind: identity.kind, contactId: contact.id } });
      }
    }
    const conversationIds = [...byConversation.keys()];
    await this.touches.backfill(teamId, conversationIds);
    const rows = conversationIds.length === 0 ? [] : await this.db.saleTouch.findMany({ where: { teamId, conversationId: { in: conversationIds } } });
    const touches: Touch[] = rows.map((row) => ({ conversationId: row.conversationId, memberId: row.memberId, repliedAt: row.repliedAt, match: byConversation.get(row.conversationId)!.match }));
    const { touch, candidates } = creditedTouch(touches, occurredAt, windowDays, rule);
    const base = { rule, windowDays, candidates, ...(evidence.claim ? { claim: evidence.claim } : {}) };
    const ignored = evidence.claim && evidence.claim !== 'visitor_claim' ? ` ${IGNORED_CLAIM[evidence.claim]}` : '';
    if (!touch) {
      const why = byConversation.size === 0 ? 'no chat with this browser or this customer' : 'no chat answered within the window before the purchase';
      return { ...base, match: null, conversationId: null, memberId: null, repliedAt: null, explanation: `Unattributed: ${why} (${describeRule(rule, windowDays)}).${ignored}` };
    }
    const member = await this.db.member.findUnique({ where: { id: touch.memberId }, select: { name: true } });
    const tied = byConversation.get(touch.conversationId)!;
    const how =
      touch.match === 'visitor'
        ? evidence.visitorFrom === 'widget_order'
          ? 'the same browser (the widget saw this order)'
          : 'the same browser'
        : `the customer's ${tied.identity!.kind}`;
    return {
      ...base,
      match: touch.match,
      ...(touch.match === 'visitor' ? { visitorFrom: evidence.visitorFrom } : { identity: tied.identity }),
      conversationId: touch.conversationId,
      memberId: touch.memberId,
      repliedAt: touch.repliedAt.toISOString(),
      explanation:
        `Credited to ${member?.name ?? 'a former member'}: their first reply in the chat was at ${touch.repliedAt.toISOString()}, ` +
        `matched by ${how}; ${describeRule(rule, windowDays)}, ${candidates} chat${candidates === 1 ? '' : 's'} in the window.${ignored}`,
    };
  }
}

const IGNORED_CLAIM: Record<Exclude<ClaimOutcome, 'visitor_claim'>, string> = {
  claim_contested: 'The widget’s report of this order was not used: it was claimed by more than one browser.',
  claim_expired: 'The widget’s report of this order was not used: it came more than 24 hours before the shop reported the order.',
};

function describeRule(rule: AttributionModel, windowDays: number): string {
  return `${rule === 'last_touch' ? 'the last' : 'the first'} member to answer within ${windowDays} day${windowDays === 1 ? '' : 's'} before the purchase gets the credit`;
}

function toAnswer(sale: SaleView): PurchaseAnswer {
  return { id: sale.id, orderId: sale.orderId, status: sale.status, attributedTo: sale.attributedTo, reason: sale.reason };
}
