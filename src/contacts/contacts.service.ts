import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Prisma, isUniqueViolation } from '../common/database/database.js';
import { notFound } from '../common/errors/domain-error.js';
import type { Db, Tx } from '../common/database/database.js';

export type IdentityKind = 'email' | 'phone' | 'line' | 'line_group' | 'visitor';

export interface ResolvedContact {
  id: string;
  name: string;
  blocked: boolean;
  /** true when this call made the contact (its name is still a placeholder unless the channel sent one). */
  created?: boolean;
}

/** A name to show before the customer (or the provider's profile) tells us theirs. */
function placeholderName(kind: IdentityKind, address: string): string {
  if (kind === 'visitor') return `ゲスト ${address.slice(0, 4).toUpperCase()}`;
  if (kind === 'line') return `LINE ${address.slice(-6)}`;
  if (kind === 'line_group') return `LINEグループ ${address.slice(-6)}`;
  return address;
}

export type ContactEventKind = 'follow' | 'unfollow' | 'opt_out' | 'opt_in';

@Injectable()
export class ContactsService {
  constructor(@Inject(DATABASE) private readonly db: Db) {}

  /**
   * The contact that owns an identity in a team, created on first contact. The unique constraint on
   * (team, kind, address) decides when two first messages race: the loser reads the winner's row.
   * It runs before, not inside, the message's transaction: a unique violation aborts a PostgreSQL
   * transaction, and a contact without a message yet is harmless.
   */
  async resolveIdentity(teamId: string, from: { kind: IdentityKind; address: string; name?: string }): Promise<ResolvedContact> {
    const existing = await this.findByIdentity(teamId, from.kind, from.address);
    if (existing) return existing;
    try {
      return await this.db.$transaction(async (tx: Tx) => {
        const contact = await tx.contact.create({ data: { teamId, name: from.name?.trim() || placeholderName(from.kind, from.address) } });
        await tx.contactIdentity.create({ data: { teamId, contactId: contact.id, kind: from.kind, address: from.address } });
        return { id: contact.id, name: contact.name, blocked: contact.blocked, created: true };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.findByIdentity(teamId, from.kind, from.address);
      if (!winner) throw error;
      return winner;
    }
  }

  /**
   * Records what a contact did on a channel (followed, blocked, opted out). The provider's event key is unique
   * per channel, so a redelivered webhook records nothing twice; answers whether this call recorded it.
   */
  async recordEvent(input: {
    teamId: string;
    contactId: string;
    channelId: string;
    eventKey: string;
    kind: ContactEventKind;
    detail: Record<string, unknown>;
    occurredAt: Date;
  }): Promise<boolean> {
    try {
      await this.db.contactEvent.create({ data: { ...input, detail: input.detail as Prisma.InputJsonObject } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async events(teamId: string, contactId: string): Promise<{ kind: string; channelId: string; detail: unknown; occurredAt: Date }[]> {
    return this.db.contactEvent.findMany({
      where: { teamId, contactId },
      orderBy: { occurredAt: 'asc' },
      select: { kind: true, channelId: true, detail: true, occurredAt: true },
    });
  }

  /** The provider's display name (LINE profile, group name), unless somebody has named the contact since. */
  async nameFromProvider(contactId: string, kind: IdentityKind, address: string, name: string): Promise<void> {
    await this.db.contact.updateMany({ where: { id: contactId, name: placeholderName(kind, address) }, data: { name: name.trim().slice(0, 200) } });
  }

  async list(teamId: string, query: { q?: string; limit: number; cursor?: string }): Promise<{ items: ContactView[]; nextCursor: string | null }> {
    const q = query.q?.normalize('NFKC').trim();
    const rows = await this.db.contact.findMany({
      where: {
        teamId,
        ...(q ? { OR: [{ name: { contains: q, mode: 'insensitive' } }, { identities: { some: { address: { contains: q.toLowerCase() } } } }] } : {}),
        ...(query.cursor ? { id: { lt: query.cursor } } : {}),
      },
      include: { identities: true },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
    });
    const items = rows.slice(0, query.limit).map(toContactView);
    return { items, nextCursor: rows.length > query.limit ? items[items.length - 1].id : null };
  }

  async get(teamId: string, id: string): Promise<ContactView> {
    const row = await this.db.contact.findFirst({ where: { id, teamId }, include: { identities: true } });
    if (!row) throw notFound('The contact');
    return toContactView(row);
  }

  async findByIdentity(teamId: string, kind: IdentityKind, address: string): Promise<ResolvedContact | null> {
    const identity = await this.db.contactIdentity.findUnique({
      where: { teamId_kind_address: { teamId, kind, address } },
      include: { contact: true },
    });
    return identity ? { id: identity.contact.id, name: identity.contact.name, blocked: identity.contact.blocked } : null;
  }
}

export interface ContactView {
  id: string;
  name: string;
  ownerId: string | null;
  blocked: boolean;
  identities: { kind: string; address: string }[];
  createdAt: string;
}

type ContactRow = { id: string; name: string; ownerId: string | null; blocked: boolean; createdAt: Date; identities: { kind: string; address: string }[] };

export function toContactView(row: ContactRow): ContactView {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.ownerId,
    blocked: row.blocked,
    identities: row.identities.map((i) => ({ kind: i.kind, address: i.address })),
    createdAt: row.createdAt.toISOString(),
  };
}
