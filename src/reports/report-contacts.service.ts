import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Tx } from '../common/database/database.js';
import { ContactRecordHolders } from '../conversations/index.js';
import type { ContactRecordHolder, ErasedContact } from '../conversations/index.js';

/**
 * An erased contact's report posts go (their text names the customer and quotes the chat; one still pending is never
 * posted), with the store their conversations were about.
 */
@Injectable()
export class ReportContacts implements OnModuleInit, ContactRecordHolder {
  readonly name = 'report posts';

  constructor(private readonly holders: ContactRecordHolders) {}

  onModuleInit(): void {
    this.holders.register(this);
  }

  async eraseRecords(tx: Tx, erased: ErasedContact): Promise<void> {
    await tx.report.deleteMany({ where: { teamId: erased.teamId, conversationId: { in: erased.conversationIds } } });
    await tx.conversationStore.deleteMany({ where: { conversationId: { in: erased.conversationIds } } });
  }
}
