import type { z } from 'zod';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Prisma, isUniqueViolation } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import type { CountryCode } from 'libphonenumber-js';
import { readTeamSettings } from '../teams/index.js';
import { DEFAULT_REGION, normalizeIdentity, normalizeInboundIdentity } from './identity.normalizer.js';
import type { IdentityKind } from './identity.normalizer.js';
import { ConsentService, consentFrom } from './consent.service.js';
import { ContactEvents } from './contact.events.js';
import { findOrMakeContact, senderFoundOrMade, placeholderName, reappliedOptOut, suppressionsOf } from './contact-identities.repository.js';
import type { ResolvedContact } from './contact-identities.repository.js';
import type { LedgerEntry } from './consent.service.js';
import type { Db, Tx } from '../common/database/database.js';
import type { contactView } from './contacts.schema.js';

export type { IdentityKind, ResolvedContact };



@Injectable()
export class ContactsService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly consent: ConsentService,
    private readonly events: ContactEvents,
  ) {}

  /**
   * The contact that owns an identity in a team, created on first contact (`findOrMakeContact`): in the caller's
   * transaction when one is handed in (the ingest's, so that the contact, the conversation and the message commit
   * together), else on its own.
   */
  async resolveIdentity(teamId: string, given: { kind: IdentityKind; address: string; name?: string }, tx: Tx = this.db): Promise<ResolvedContact> {
    return findOrMakeContact(tx, teamId, { ...given, address: await this.inboundAddress(teamId, given) });
  }

  /**
   * The contact an inbound message's single statement starts from (`senderFoundOrMade`): the one that holds the
   * address a provider sent, or a new one with `contactId` for an address never seen. When it yields no row (a
   * blocked contact, an erased opt-out to give back), the ingest falls back to `resolveIdentity`.
   */
  async senderFoundOrMade(teamId: string, given: { kind: IdentityKind; address: string; name?: string }, contactId: string): Promise<Prisma.Sql> {
    return senderFoundOrMade(teamId, { ...given, address: await this.inboundAddress(teamId, given) }, contactId);
  }

  private async inboundAddress(teamId: string, given: { kind: IdentityKind; address: string }): Promise<string> {
    return normalizeInboundIdentity(given.kind, given.address, await this.regionFor(teamId, given));
  }

  /** The provider's display name (LINE profile, group name), unless somebody has named the contact since. */
  async nameFromProvider(contactId: string, kind: IdentityKind, address: string, name: string): Promise<void> {
    await this.db.contact.updateMany({ where: { id: contactId, name: placeholderName(kind, address) }, data: { name: name.trim().slice(0, 200) } });
  }

  /**
   * A contact an agent adds to their own list. Every identity is normalized first; the unique constraint on
   * (team, kind, address) then decides, so twenty concurrent creations of one person make one contact and
   * nineteen clear refusals.
   */
  async create(member: { id: string; teamId: string; role: string }, input: { name: string; email?: string; phone?: string; lineUserId?: string }): Promise<ContactView> {
    const region = await this.teamRegion(member.teamId);
    const identities: { kind: IdentityKind; address: string }[] = [];
    const invalid: { field: string; message: string }[] = [];
    const add = (kind: IdentityKind, field: string, raw: string | undefined, problem: string) => {
      if (raw === undefined) return;
      const address = normalizeIdentity(kind, raw, region);
      if (address) identities.push({ kind, address });
      else invalid.push({ field, message: problem });
    };
    add('email', 'email', input.email, 'is not an email address');
    add('phone', 'phone', input.phone, `is not a phone number (numbers without a country code are read as ${region})`);
    add('line', 'lineUserId', input.lineUserId, 'is not a LINE user id');
    if (invalid.length > 0) throw new DomainError('invalid', 'invalid_request', 'The contact’s addresses are not valid.', invalid);
    const taken = await this.holderOf(member.teamId, identities);
    if (taken) throw this.duplicate(member, taken);
    try {
      const row = await this.db.$transaction(async (tx: Tx) => {
        const contact = await tx.contact.create({ data: { teamId: member.teamId, name: input.name.normalize('NFKC').trim(), ownerId: member.id } });
        for (const identity of identities) await tx.contactIdentity.create({ data: { teamId: member.teamId, contactId: contact.id, ...identity } });
        return tx.contact.findUniqueOrThrow({ where: { id: contact.id }, include: { identities: true } });
      });
      return toContactView(row);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.holderOf(member.teamId, identities);
      throw winner ? this.duplicate(member, winner) : error;
    }
  }

  /**
   * Adds an address to a contact. One that already belongs to another contact of the team is not moved: the two
   * may be one person, so the hub proposes a merge to the supervisors and answers 409 saying so.
   */
  async addIdentity(member: { id: string; teamId: string; role: string }, id: string, input: { kind: Exclude<IdentityKind, 'line_group' | 'visitor'>; address: string }): Promise<ContactView> {
    const contact = await this.db.contact.findFirst({ where: { id, teamId: member.teamId, mergedIntoId: null } });
    if (!contact) throw notFound('The contact');
    const address = normalizeIdentity(input.kind, input.address, await this.teamRegion(member.teamId));
    if (!address) throw new DomainError('invalid', 'invalid_request', 'The address is not valid.', [{ field: 'address', message: `is not a valid ${input.kind} address` }]);
    const identity: { kind: IdentityKind; address: string } = { kind: input.kind, address };
    for (let attempt = 0; attempt < 2; attempt++) {
      const holder = await this.holderOf(member.teamId, [identity]);
      if (holder?.contactId === id) return this.get(member.teamId, id);
      if (holder) {
        const mergeProposalId = await this.proposeMerge(member.teamId, id, holder.contactId, identity.kind);
        throw new DomainError('conflict', 'duplicate_contact', 'This address belongs to another contact of the team; the two may be one person, and a supervisor has been asked to merge them.', {
          mergeProposalId,
        });
      }
      try {
        await this.db.contactIdentity.create({ data: { teamId: member.teamId, contactId: id, ...identity } });
        await this.reapplySuppressions(member.teamId, id, identity);
        return this.get(member.teamId, id);
      } catch (error) {
        // Someone took the address a moment ago: look again, and propose the merge.
        if (!isUniqueViolation(error)) throw error;
      }
    }
    throw new DomainError('conflict', 'duplicate_contact', 'This address was just added to another contact of the team.');
  }

  /**
   * Asks the supervisors whether two contacts are one person (`GET /api/contacts/merge-proposals`); a proposal they
   * dismissed is opened again. `reason` is the kind of address they share, never the address.
   */
  async proposeMerge(teamId: string, contactId: string, otherContactId: string, reason: IdentityKind): Promise<string> {
    const proposal = await this.db.mergeProposal.upsert({
      where: { teamId_contactId_otherContactId: { teamId, contactId, otherContactId } },
      create: { teamId, contactId, otherContactId, reason },
      update: { status: 'open' },
    });
    this.events.emit('merge.proposed', { teamId, proposalId: proposal.id, contactId, otherContactId });
    return proposal.id;
  }

  /** An address as the team stores it (null when it does not read as one), and the contact holding it, if any. */
  async lookupAddress(teamId: string, kind: 'email' | 'phone', raw: string): Promise<{ address: string; holderId: string | null } | null> {
    const address = normalizeIdentity(kind, raw, await this.teamRegion(teamId));
    if (!address) return null;
    const holder = await this.holderOf(teamId, [{ kind, address }]);
    return { address, holderId: holder?.contactId ?? null };
  }

  /**
   * An address a customer proved is theirs (a code sent to it came back): added to their contact when free;
   * when another contact of the team holds it, that contact is who they are (the caller links the two).
   */
  async claimIdentity(teamId: string, contactId: string, kind: 'email' | 'phone', raw: string): Promise<{ status: 'added' | 'same' | 'held' | 'invalid'; holderId?: string }> {
    const address = normalizeIdentity(kind, raw, await this.teamRegion(teamId));
    if (!address) return { status: 'invalid' };
    const holder = await this.holderOf(teamId, [{ kind, address }]);
    if (holder) return holder.contactId === contactId ? { status: 'same' } : { status: 'held', holderId: holder.contactId };
    try {
      await this.db.contactIdentity.create({ data: { teamId, contactId, kind, address } });
      await this.reapplySuppressions(teamId, contactId, { kind, address });
      return { status: 'added' };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.holderOf(teamId, [{ kind, address }]);
      return winner ? { status: 'held', holderId: winner.contactId } : { status: 'invalid' };
    }
  }

  /** A name the customer typed replaces the placeholder, never a name the team gave. */
  async nameFromCustomer(contactId: string, kind: IdentityKind, address: string, name: string): Promise<void> {
    await this.nameFromProvider(contactId, kind, address, name);
  }

  /** Open merge proposals, for supervisors. */
  async mergeProposals(member: { teamId: string; role: string }) {
    if (member.role === 'operator') throw new DomainError('forbidden', 'forbidden', 'Only supervisors see merge proposals.');
    const open = await this.db.mergeProposal.findMany({ where: { teamId: member.teamId, status: 'open' }, orderBy: { createdAt: 'asc' } });
    // A pair already merged (or a contact erased) is no longer a question; an undone merge makes it one again.
    const ids = [...new Set(open.flatMap((row) => [row.contactId, row.otherContactId]))];
    const live = new Set((await this.db.contact.findMany({ where: { teamId: member.teamId, id: { in: ids }, mergedIntoId: null }, select: { id: true } })).map((row) => row.id));
    const rows = open.filter((row) => live.has(row.contactId) && live.has(row.otherContactId));
    return { items: rows.map((row) => ({ id: row.id, contactId: row.contactId, otherContactId: row.otherContactId, reason: row.reason, createdAt: row.createdAt.toISOString() })) };
  }

  /** Renames a contact; supervisors may also move it to another member's list. */
  async update(member: { id: string; teamId: string; role: string }, id: string, patch: { name?: string; ownerId?: string | null }): Promise<ContactView> {
    const contact = await this.db.contact.findFirst({ where: { id, teamId: member.teamId } });
    if (!contact) throw notFound('The contact');
    if (patch.ownerId !== undefined) {
      if (member.role === 'operator') throw new DomainError('forbidden', 'forbidden', 'Only supervisors move a contact to another member’s list.');
      if (patch.ownerId && !(await this.db.member.findFirst({ where: { id: patch.ownerId, teamId: member.teamId } }))) throw notFound('The member');
    }
    const row = await this.db.contact.update({
      where: { id },
      data: { ...(patch.name ? { name: patch.name.normalize('NFKC').trim() } : {}), ...(patch.ownerId !== undefined ? { ownerId: patch.ownerId } : {}) },
      include: { identities: true },
    });
    return toContactView(row, await this.consent.ledger(member.teamId, id));
  }

  /**
   * An address added to a contact agents already see, once held by someone erased who had opted out: the opt-out
   * comes back, and the agents are told (a new contact's come back with it: `findOrMakeContact`).
   */
  private async reapplySuppressions(teamId: string, contactId: string, identity: { kind: IdentityKind; address: string }): Promise<void> {
    for (const suppression of await suppressionsOf(this.db, teamId, identity)) await this.consent.record(reappliedOptOut(teamId, contactId, suppression));
  }

  /** Blocks or unblocks: supervisors, or the member whose list holds the contact. Supervisors are told. */
  async setBlocked(member: { id: string; teamId: string; role: string }, id: string, blocked: boolean): Promise<ContactView> {
    const contact = await this.db.contact.findFirst({ where: { id, teamId: member.teamId } });
    if (!contact) throw notFound('The contact');
    if (member.role === 'operator' && contact.ownerId !== member.id) {
      throw new DomainError('forbidden', 'forbidden', 'Only a supervisor or the member whose list holds this contact can block them.');
    }
    const row = await this.db.contact.update({ where: { id }, data: { blocked }, include: { identities: true } });
    if (contact.blocked !== blocked) this.events.emit('contact.blocked', { teamId: member.teamId, contactId: id, name: row.name, blocked, by: member.id });
    return toContactView(row, await this.consent.ledger(member.teamId, id));
  }

  private async holderOf(teamId: string, identities: { kind: IdentityKind; address: string }[]) {
    if (identities.length === 0) return null;
    const found = await this.db.contactIdentity.findFirst({
      where: { teamId, OR: identities.map((i) => ({ kind: i.kind, address: i.address })) },
      include: { contact: { select: { id: true, name: true, ownerId: true } } },
    });
    if (!found) return null;
    const owner = found.contact.ownerId ? await this.db.member.findUnique({ where: { id: found.contact.ownerId }, select: { name: true } }) : null;
    return { contactId: found.contact.id, kind: found.kind, ownerId: found.contact.ownerId, ownerName: owner?.name ?? null };
  }

  /** Who holds the person is told to supervisors only: an associate learns that they exist, not whose they are. */
  private duplicate(member: { role: string }, holder: { contactId: string; kind: string; ownerId: string | null; ownerName: string | null }): DomainError {
    const supervisor = member.role !== 'operator';
    const whose = supervisor && holder.ownerName ? ` They are on ${holder.ownerName}’s list.` : '';
    return new DomainError('conflict', 'duplicate_contact', `This person is already a contact of the team (same ${holder.kind}).${whose}`, {
      ...(supervisor ? { contactId: holder.contactId, ownerId: holder.ownerId } : {}),
    });
  }

  /** Where the team's numbers without a country code are from (team settings; Japan by default). */
  private async teamRegion(teamId: string): Promise<CountryCode> {
    const team = await this.db.team.findUnique({ where: { id: teamId }, select: { settings: true } });
    // The schema holds it to two capital letters; libphonenumber's list of regions is its own.
    return readTeamSettings(team?.settings).defaultPhoneRegion as CountryCode;
  }

  /** Providers send E.164: the team's region is read only for a number written without its country code. */
  private async regionFor(teamId: string, from: { kind: IdentityKind; address: string }): Promise<CountryCode> {
    return from.kind === 'phone' && !from.address.replace(/^whatsapp:/, '').trim().startsWith('+') ? this.teamRegion(teamId) : DEFAULT_REGION;
  }

  /** Supervisors see the team's contacts; an operator their own list and the people they served. */
  async list(member: { id: string; teamId: string; role: string }, query: { q?: string; limit: number; cursor?: string }): Promise<{ items: ContactView[]; nextCursor: string | null }> {
    const teamId = member.teamId;
    const q = query.q?.normalize('NFKC').trim();
    // An email or phone searched for is normalized as stored: `090-1234-5678` finds `+819012345678`.
    const phone = q ? normalizeIdentity('phone', q, await this.teamRegion(teamId)) : null;
    const rows = await this.db.contact.findMany({
      where: {
        teamId,
        mergedIntoId: null,
        ...(member.role === 'operator' ? { AND: [{ OR: [{ ownerId: member.id }, { conversations: { some: { assigneeId: member.id } } }] }] } : {}),
        ...(q
          ? {
              OR: [
                { name: { contains: q, mode: 'insensitive' } },
                { identities: { some: { address: { contains: q.toLowerCase() } } } },
                ...(phone ? [{ identities: { some: { kind: 'phone' as const, address: phone } } }] : []),
              ],
            }
          : {}),
        ...(query.cursor ? { id: { lt: query.cursor } } : {}),
      },
      include: { identities: true },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const ledger = await this.db.contactEvent.findMany({
      where: { teamId, contactId: { in: page.map((row) => row.id) } },
      select: { contactId: true, kind: true, channelId: true, channelType: true, detail: true, occurredAt: true },
    });
    const items = page.map((row) => toContactView(row, ledger.filter((entry) => entry.contactId === row.id)));
    return { items, nextCursor: rows.length > query.limit ? items[items.length - 1].id : null };
  }

  async get(teamId: string, id: string): Promise<ContactView> {
    const row = await this.db.contact.findFirst({ where: { id, teamId }, include: { identities: true } });
    if (!row) throw notFound('The contact');
    // What they typed in the widget and never proved: the agents see it, nothing is ever sent to it.
    const claims = await this.db.visitorClaim.findMany({ where: { teamId, contactId: id, provedAt: null }, select: { kind: true, address: true }, orderBy: { createdAt: 'asc' } });
    const unverified = [...new Map(claims.map((c) => [`${c.kind}:${c.address}`, { kind: c.kind, address: c.address }])).values()];
    return { ...toContactView(row, await this.consent.ledger(teamId, id)), unverified };
  }

  async findByIdentity(teamId: string, kind: IdentityKind, address: string): Promise<ResolvedContact | null> {
    const identity = await this.db.contactIdentity.findUnique({
      where: { teamId_kind_address: { teamId, kind, address } },
      include: { contact: true },
    });
    return identity ? { id: identity.contact.id, name: identity.contact.name, blocked: identity.contact.blocked } : null;
  }
}

/** The route's view (the type is the zod view's). */
export type ContactView = z.output<typeof contactView>;

type ContactRow = { id: string; name: string; ownerId: string | null; blocked: boolean; createdAt: Date; identities: { kind: string; address: string }[] };

export function toContactView(row: ContactRow, ledger: LedgerEntry[] = []): ContactView {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.ownerId,
    blocked: row.blocked,
    identities: row.identities.map((i) => ({ kind: i.kind, address: i.address })),
    consent: consentFrom(ledger),
    createdAt: row.createdAt.toISOString(),
  };
}


