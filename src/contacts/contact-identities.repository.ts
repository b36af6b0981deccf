import { v7 as uuidv7 } from 'uuid';
import { Prisma } from '../common/database/database.js';
import type { Tx } from '../common/database/database.js';
import type { IdentityKind } from './identity.normalizer.js';
import { createHash } from 'node:crypto';

export interface ResolvedContact {
  id: string;
  name: string;
  blocked: boolean;
  /** true when this call made the contact (its name is still a placeholder unless the channel sent one). */
  created?: boolean;
}

/** A name to show before the customer (or the provider's profile) tells us theirs. */
export function placeholderName(kind: IdentityKind, address: string): string {
  if (kind === 'visitor') return `ゲスト ${address.slice(0, 4).toUpperCase()}`;
  if (kind === 'line') return `LINE ${address.slice(-6)}`;
  if (kind === 'line_group') return `LINEグループ ${address.slice(-6)}`;
  return address;
}

/** How an erased address is remembered: a hash, salted with the team, never the address itself. */
export function suppressionHash(teamId: string, kind: string, address: string): string {
  return createHash('sha256').update(`${teamId}:${kind}:${address}`).digest('hex');
}

interface FoundOrMade {
  id: string;
  name: string;
  blocked: boolean;
  created: boolean;
  suppressed: boolean;
}

/**
 * The contact that owns an identity in a team, made on first contact, in the caller's transaction (the ingest's:
 * the contact, its conversation and its message commit together or not at all). The address must be normalized.
 *
 * One statement in the usual case: the identity is inserted unless it exists (its row names the new contact, which
 * the same statement inserts; the foreign key is checked at the statement's end), else the existing one is read.
 * `ON CONFLICT DO NOTHING` never aborts the transaction: when two first messages race, the loser's insert waits
 * for the winner's commit and then does nothing, and, because its statement's snapshot predates that commit, a
 * second statement reads the winner's row.
 */
export async function findOrMakeContact(tx: Tx, teamId: string, identity: { kind: IdentityKind; address: string; name?: string }): Promise<ResolvedContact> {
  const { kind, address } = identity;
  const name = identity.name?.trim() || placeholderName(kind, address);
  const rows = await tx.$queryRaw<FoundOrMade[]>`
    WITH inserted AS (
      INSERT INTO contact_identities (id, team_id, contact_id, kind, address)
      VALUES (${uuidv7()}, ${teamId}, ${uuidv7()}, ${kind}::"IdentityKind", ${address})
      ON CONFLICT (team_id, kind, address) DO NOTHING
      RETURNING contact_id
    ), made AS (
      INSERT INTO contacts (id, team_id, name) SELECT contact_id, ${teamId}, ${name} FROM inserted
      RETURNING id, name, blocked
    )
    SELECT id, name, blocked, true AS created,
      EXISTS (SELECT 1 FROM suppressions WHERE team_id = ${teamId} AND address_hash = ${suppressionHash(teamId, kind, address)}) AS suppressed
    FROM made
    UNION ALL
    SELECT c.id, c.name, c.blocked, false, false FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
    WHERE i.team_id = ${teamId} AND i.kind = ${kind}::"IdentityKind" AND i.address = ${address} AND NOT EXISTS (SELECT 1 FROM inserted)`;
  const row =
    rows[0] ??
    // The race above: the winner committed after this statement's snapshot was taken.
    (await tx.$queryRaw<FoundOrMade[]>`
      SELECT c.id, c.name, c.blocked, false AS created, false AS suppressed FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
      WHERE i.team_id = ${teamId} AND i.kind = ${kind}::"IdentityKind" AND i.address = ${address}`)[0];
  if (!row) throw new Error('the contact identity was neither made nor found');
  if (row.suppressed) await reapplySuppressions(tx, teamId, row.id, { kind, address });
  return { id: row.id, name: row.name, blocked: row.blocked, ...(row.created ? { created: true } : {}) };
}

/**
 * The contacts an inbound message's statement starts from, as common table expressions ending in `sender` (columns
 * `id`, `name`, `created`): the contact that owns the identity and may write (not blocked), or, for an address the
 * team has never seen, a new contact with `contactId` made in the same statement. `sender` yields no row for a
 * blocked contact and for an address whose earlier holder was erased after opting out (`reapplySuppressions` has
 * work to do): the caller then takes the long way, `findOrMakeContact` in a transaction. The address must be
 * normalized.
 *
 * No `ON CONFLICT` on the identity: when two first messages race, the loser's insert waits for the winner's commit
 * and fails the whole statement with a unique violation (nothing of it is kept), and its caller runs it again, when
 * `existing` finds the winner's contact. The foreign key from the identity to the contact is checked at the
 * statement's end, after both inserts.
 */
export function senderFoundOrMade(teamId: string, identity: { kind: IdentityKind; address: string; name?: string }, contactId: string): Prisma.Sql {
  const { kind, address } = identity;
  const name = identity.name?.trim() || placeholderName(kind, address);
  return Prisma.sql`
    existing AS (
      SELECT c.id, c.name, c.blocked FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
      WHERE i.team_id = ${teamId} AND i.kind = ${kind}::"IdentityKind" AND i.address = ${address}
    ),
    made_identity AS (
      INSERT INTO contact_identities (id, team_id, contact_id, kind, address)
      SELECT ${uuidv7()}, ${teamId}, ${contactId}, ${kind}::"IdentityKind", ${address}
      WHERE NOT EXISTS (SELECT 1 FROM existing)
        AND NOT EXISTS (SELECT 1 FROM suppressions WHERE team_id = ${teamId} AND address_hash = ${suppressionHash(teamId, kind, address)})
      RETURNING contact_id
    ),
    made AS (
      INSERT INTO contacts (id, team_id, name) SELECT contact_id, ${teamId}, ${name} FROM made_identity RETURNING id, name
    ),
    sender AS (
      SELECT id, name, false AS created FROM existing WHERE NOT blocked
      UNION ALL
      SELECT id, name, true FROM made
    )`;
}

/** The erasures of an address that opted out: its opt-outs come back with whoever holds it next. */
export function suppressionsOf(db: Tx, teamId: string, identity: { kind: IdentityKind; address: string }) {
  return db.suppression.findMany({ where: { teamId, addressHash: suppressionHash(teamId, identity.kind, identity.address) } });
}

/** The opt-out a suppression gives back to the contact now holding its address; its key makes it once per contact. */
export function reappliedOptOut(teamId: string, contactId: string, suppression: Awaited<ReturnType<typeof suppressionsOf>>[number]) {
  return {
    teamId,
    contactId,
    channelId: suppression.channelId,
    channelType: suppression.channelType,
    eventKey: `suppression:${suppression.id}:${contactId}`,
    kind: 'opt_out' as const,
    detail: { source: 'suppression', suppressionId: suppression.id },
    occurredAt: suppression.createdAt,
  };
}

/**
 * Someone erased who had opted out comes back as a new contact: their opt-out comes back with them, found by the
 * hash of the address that erasure left behind. The contact is new, so nobody has its consent on screen to tell.
 */
async function reapplySuppressions(tx: Tx, teamId: string, contactId: string, identity: { kind: IdentityKind; address: string }): Promise<void> {
  const suppressions = (await suppressionsOf(tx, teamId, identity)).filter((suppression) => suppression.channelType !== 'webchat');
  await tx.contactEvent.createMany({ data: suppressions.map((suppression) => reappliedOptOut(teamId, contactId, suppression)), skipDuplicates: true });
}
