import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { eraseLoggedEvents } from '../common/events/event-log.js';
import { STORAGE } from '../common/storage/storage.js';
import type { Storage } from '../common/storage/storage.js';
import { ConsentService, deleteContact, suppressAddresses } from '../contacts/index.js';
import type { ConsentChannel } from '../contacts/index.js';
import type { AuthMember } from '../teams/index.js';
import { ContactRecordHolders } from './contact-record-holders.js';
import type { ErasedContact } from './contact-record-holders.js';

/**
 * `DELETE /api/contacts/:id`: the person is forgotten. Their messages (with the files they sent), their
 * conversations, identities, consent ledger and invitations are deleted, with the logged events about them and what
 * other modules keep about them (tickets, webhook deliveries, rule runs, report posts: `ContactRecordHolders`); only
 * a hashed suppression per address and opted-out channel stays, so that an opt-out survives the erasure.
 */
@Injectable()
export class ContactErasureService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly consent: ConsentService,
    private readonly holders: ContactRecordHolders,
  ) {}

  async erase(member: AuthMember, contactId: string): Promise<void> {
    if (member.role !== 'administrator') throw new DomainError('forbidden', 'forbidden', 'Only administrators erase contacts.');
    const contact = await this.db.contact.findFirst({ where: { id: contactId, teamId: member.teamId }, include: { identities: true } });
    if (!contact) throw notFound('The contact');
    const optedOut = Object.entries(await this.consent.states(member.teamId, contactId)).filter(([, state]) => state === 'opted_out');
    const lastOptOut = await this.db.contactEvent.findMany({ where: { contactId, kind: { in: ['opt_out', 'unfollow'] } }, orderBy: { occurredAt: 'desc' } });
    let erased: ErasedContact | undefined;
    const messages = await this.db.$transaction(async (tx: Tx) => {
      // Held from here to the commit: a conversation the contact opens meanwhile waits, and is not left half erased.
      await tx.$queryRaw`SELECT id FROM contacts WHERE id = ${contactId} FOR UPDATE`;
      // Every message of theirs: in their conversations, and what they wrote in groups held by another contact.
      const messages = await tx.message.findMany({
        where: { teamId: member.teamId, OR: [{ conversation: { contactId } }, { authorType: 'contact', authorId: contactId }] },
        select: { id: true },
      });
      const conversationIds = (await tx.conversation.findMany({ where: { contactId }, select: { id: true } })).map((row) => row.id);
      const messageIds = messages.map((m) => m.id);
      const eventIds = await eraseLoggedEvents(tx, { teamId: member.teamId, contactId, conversationIds, messageIds });
      erased = { teamId: member.teamId, contactId, conversationIds, messageIds, eventIds };
      for (const holder of this.holders.all()) await holder.eraseRecords(tx, erased);
      for (const [channelType] of optedOut) {
        const channelId = lastOptOut.find((event) => event.channelType === channelType)?.channelId ?? '';
        await suppressAddresses(tx, member.teamId, contact.identities, { type: channelType as ConsentChannel, id: channelId });
      }
      await tx.message.deleteMany({ where: { id: { in: messages.map((m) => m.id) } } });
      await tx.conversation.deleteMany({ where: { contactId } });
      // The pages a web visitor was seen on are theirs too (the access log that tells a report the store).
      const visitorIds = contact.identities.filter((identity) => identity.kind === 'visitor').map((identity) => identity.address);
      if (visitorIds.length > 0) await tx.visitorPage.deleteMany({ where: { teamId: member.teamId, visitorId: { in: visitorIds } } });
      // And the addresses they typed in the widget (claims, proved or not).
      await tx.visitorClaim.deleteMany({ where: { teamId: member.teamId, OR: [{ contactId }, { visitorId: { in: visitorIds } }] } });
      await tx.contactMerge.deleteMany({ where: { OR: [{ sourceId: contactId }, { targetId: contactId }] } });
      await deleteContact(tx, contactId);
      return messages;
    });
    for (const holder of this.holders.all()) await holder.afterErase?.(erased!);
    // Files after the rows: a crash in between leaves files nobody can reach, never a row pointing at nothing.
    for (const message of messages) await this.storage.remove(`${member.teamId}/${message.id}`);
  }
}
