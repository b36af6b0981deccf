import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Prisma, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { EventLog } from '../common/events/event-log.js';
import { ContactEvents } from './contact.events.js';
import type { ConsentChannel, ConsentState } from './contact.events.js';

export type { ConsentChannel, ConsentState };
export { CONSENT_CHANNELS } from '../common/channel-types.js';

/** What a ledger entry says: the kinds the channels and invitations record. */
export type ConsentEventKind = 'follow' | 'unfollow' | 'opt_out' | 'opt_in' | 'invited' | 'bounced';

const EFFECT: Record<ConsentEventKind, ConsentState | null> = {
  follow: 'opted_in',
  opt_in: 'opted_in',
  unfollow: 'opted_out',
  opt_out: 'opted_out',
  invited: 'pending',
  // A bounce says the address does not work, not that the person refused: it does not change consent.
  bounced: null,
};

export interface LedgerEntry {
  kind: string;
  channelId: string;
  channelType: string;
  detail: unknown;
  occurredAt: Date;
}

/** The state a ledger leads to, entry by entry, per channel type. */
export function consentFrom(entries: LedgerEntry[]): Record<ConsentChannel, ConsentState> {
  const state: Record<ConsentChannel, ConsentState> = { sms: 'none', whatsapp: 'none', email: 'none', line: 'none' };
  for (const entry of [...entries].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime())) {
    const channel = entry.channelType as ConsentChannel;
    const effect = EFFECT[entry.kind as ConsentEventKind];
    if (!(channel in state) || !effect) continue;
    // An invitation never reopens what the person closed: only they can opt in again.
    if (effect === 'pending' && (state[channel] === 'opted_out' || state[channel] === 'opted_in')) continue;
    state[channel] = effect;
  }
  return state;
}

/** The consent ledger: append-only, one entry per provider event (its key is unique per channel). */
@Injectable()
export class ConsentService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly events: ContactEvents,
    private readonly eventLog: EventLog,
  ) {}

  /**
   * Appends an entry. `stored` is false when the same event was recorded before (a redelivered webhook);
   * `changed` says whether the state on that channel moved.
   */
  async record(input: {
    teamId: string;
    contactId: string;
    channelId: string;
    channelType: ConsentChannel | 'webchat';
    eventKey: string;
    kind: ConsentEventKind;
    detail: Record<string, unknown>;
    occurredAt: Date;
  }): Promise<{ stored: boolean; changed: boolean }> {
    if (input.channelType === 'webchat') return { stored: false, changed: false };
    const channelType = input.channelType;
    const before = (await this.states(input.teamId, input.contactId))[channelType];
    let after: ConsentState;
    let logged;
    try {
      // The entry and its logged event commit together: a change of consent is never lost to the rules and webhooks.
      ({ after, logged } = await this.db.$transaction(async (tx: Tx) => {
        await tx.contactEvent.create({ data: { ...input, channelType, detail: input.detail as Prisma.InputJsonObject } });
        const now = consentFrom(await this.ledger(input.teamId, input.contactId, tx))[channelType];
        if (now === before) return { after: now, logged: [] };
        const data = { contactId: input.contactId, channelId: input.channelId, channel: channelType, state: now, previous: before, kind: input.kind };
        return { after: now, logged: await this.eventLog.append(tx, [{ teamId: input.teamId, type: 'contact.consent_changed', data, occurredAt: input.occurredAt }]) };
      }));
    } catch (error) {
      if (isUniqueViolation(error)) return { stored: false, changed: false };
      throw error;
    }
    await this.eventLog.dispatch(logged);
    if (after !== before) this.events.emit('consent.changed', { teamId: input.teamId, contactId: input.contactId, channel: channelType, state: after });
    return { stored: true, changed: after !== before };
  }

  /**
   * A web chat visitor agreed to the channel's data notice: the evidence (`notice_agreed`, with the text's version,
   * the text itself and the page) goes in the ledger once per channel, visitor and version; the first agreement is
   * the one kept. It changes no channel's consent state: it is agreement to the notice, not to being written to.
   */
  async recordNoticeAgreement(input: { teamId: string; contactId: string; channelId: string; visitorId: string; version: string; text: string | null; url: string; occurredAt: Date }): Promise<{ stored: boolean }> {
    try {
      await this.db.contactEvent.create({
        data: {
          teamId: input.teamId,
          contactId: input.contactId,
          channelId: input.channelId,
          channelType: 'webchat',
          eventKey: `notice:${input.visitorId}:${input.version}`,
          kind: 'notice_agreed',
          detail: { source: 'widget', visitorId: input.visitorId, version: input.version, text: input.text, url: input.url },
          occurredAt: input.occurredAt,
        },
      });
      return { stored: true };
    } catch (error) {
      if (isUniqueViolation(error)) return { stored: false };
      throw error;
    }
  }

  /** Whether this visitor agreed to this version of the channel's data notice. */
  async agreedToNotice(channelId: string, visitorId: string, version: string): Promise<boolean> {
    return (await this.db.contactEvent.count({ where: { channelId, eventKey: `notice:${visitorId}:${version}` } })) > 0;
  }

  async ledger(teamId: string, contactId: string, tx: Tx = this.db): Promise<LedgerEntry[]> {
    return tx.contactEvent.findMany({
      where: { teamId, contactId },
      orderBy: [{ occurredAt: 'asc' }, { createdAt: 'asc' }],
      select: { kind: true, channelId: true, channelType: true, detail: true, occurredAt: true },
    });
  }

  async states(teamId: string, contactId: string): Promise<Record<ConsentChannel, ConsentState>> {
    return consentFrom(await this.ledger(teamId, contactId));
  }
}
