import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Tx } from '../common/database/database.js';
import { ContactRecordHolders } from '../conversations/index.js';
import type { ContactRecordHolder, ErasedContact } from '../conversations/index.js';

/**
 * Tickets follow their contact: a merge moves them to the contact that stays (so the customer's next reply joins
 * them, and the contact's page lists them) and its undo moves them back; an erasure deletes the contact's tickets and
 * those of its conversations, with their comments and history, since an agent's title or comment speaks of the person.
 */
@Injectable()
export class TicketContacts implements OnModuleInit, ContactRecordHolder {
  readonly name = 'tickets';

  constructor(private readonly holders: ContactRecordHolders) {}

  onModuleInit(): void {
    this.holders.register(this);
  }

  async moveRecords(tx: Tx, teamId: string, fromContactId: string, toContactId: string): Promise<string[]> {
    const rows = await tx.ticket.findMany({ where: { teamId, contactId: fromContactId }, select: { id: true } });
    const ids = rows.map((row) => row.id);
    if (ids.length > 0) await tx.ticket.updateMany({ where: { id: { in: ids } }, data: { contactId: toContactId } });
    return ids;
  }

  async moveRecordsBack(tx: Tx, undone: { ids: string[]; conversationIds: string[]; targetId: string }, contactId: string): Promise<void> {
    await tx.ticket.updateMany({
      where: { OR: [{ id: { in: undone.ids } }, { contactId: undone.targetId, conversationId: { in: undone.conversationIds } }] },
      data: { contactId },
    });
  }

  async eraseRecords(tx: Tx, erased: ErasedContact): Promise<void> {
    // What they wrote in a group held by someone else may have joined that contact's ticket: it goes, the ticket stays.
    await tx.ticketMessage.deleteMany({ where: { messageId: { in: erased.messageIds } } });
    await tx.ticket.deleteMany({ where: { teamId: erased.teamId, OR: [{ contactId: erased.contactId }, { conversationId: { in: erased.conversationIds } }] } });
  }
}
