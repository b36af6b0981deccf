import type { Tx } from '../common/database/database.js';
import { notFound } from '../common/errors/domain-error.js';
import type { ConsentChannel } from './consent.service.js';
import { suppressionHash } from './contact-identities.repository.js';

/**
 * The writes to contacts' tables that a merge or an erasure makes inside a transaction of its own: those reach
 * across contacts and conversations and live in conversations, which hands its transaction in here.
 */

/** What belongs to a contact and moves with them in a merge, by id, so that an undo moves exactly that back. */
export interface ContactRecordIds {
  identityIds: string[];
  eventIds: string[];
  invitationIds: string[];
}

/** The fields of a merged contact that the merge overwrote and its undo restores. */
export interface MergedContactFields {
  name: string;
  ownerId: string | null;
  blocked: boolean;
}

/** A contact of the team that has not been merged into another, or not found. */
export async function liveContact(tx: Tx, teamId: string, id: string) {
  const contact = await tx.contact.findFirst({ where: { id, teamId, mergedIntoId: null } });
  if (!contact) throw notFound('The contact');
  return contact;
}

export async function contactRecordIds(tx: Tx, contactId: string): Promise<ContactRecordIds> {
  const where = { contactId };
  const ids = (rows: { id: string }[]) => rows.map((row) => row.id);
  return {
    identityIds: ids(await tx.contactIdentity.findMany({ where, select: { id: true } })),
    eventIds: ids(await tx.contactEvent.findMany({ where, select: { id: true } })),
    invitationIds: ids(await tx.invitation.findMany({ where, select: { id: true } })),
  };
}

export async function moveContactRecords(tx: Tx, records: ContactRecordIds, contactId: string): Promise<void> {
  await tx.contactIdentity.updateMany({ where: { id: { in: records.identityIds } }, data: { contactId } });
  await tx.contactEvent.updateMany({ where: { id: { in: records.eventIds } }, data: { contactId } });
  await tx.invitation.updateMany({ where: { id: { in: records.invitationIds } }, data: { contactId } });
}

/** The source now points at the target, and a proposal to merge the two (either way round) is settled. */
export async function markMerged(tx: Tx, teamId: string, sourceId: string, targetId: string): Promise<void> {
  await tx.contact.update({ where: { id: sourceId }, data: { mergedIntoId: targetId } });
  await tx.mergeProposal.updateMany({
    where: { teamId, OR: [{ contactId: sourceId, otherContactId: targetId }, { contactId: targetId, otherContactId: sourceId }] },
    data: { status: 'merged' },
  });
}

export async function unmarkMerged(tx: Tx, sourceId: string, restored: MergedContactFields): Promise<void> {
  await tx.contact.update({ where: { id: sourceId }, data: { mergedIntoId: null, ...restored } });
}

/**
 * An opt-out that outlives the contact: each address, hashed, stays refused on that kind of channel, so the person is
 * not messaged again when they next appear.
 */
export async function suppressAddresses(
  tx: Tx,
  teamId: string,
  identities: { kind: string; address: string }[],
  channel: { type: ConsentChannel; id: string },
): Promise<void> {
  for (const identity of identities) {
    const addressHash = suppressionHash(teamId, identity.kind, identity.address);
    await tx.suppression.upsert({
      where: { teamId_addressHash_channelType: { teamId, addressHash, channelType: channel.type } },
      create: { teamId, addressHash, channelType: channel.type, channelId: channel.id },
      update: {},
    });
  }
}

/** Identities, ledger entries and invitations go with the contact (foreign keys cascade). */
export async function deleteContact(tx: Tx, contactId: string): Promise<void> {
  await tx.contact.delete({ where: { id: contactId } });
}
