import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Tx } from '../common/database/database.js';
import { ContactRecordHolders } from '../conversations/index.js';
import type { ContactRecordHolder, ErasedContact } from '../conversations/index.js';

/** An erased contact's rule runs go: what matched in their conversations (an intake answer, their words) is theirs. */
@Injectable()
export class AutomationContacts implements OnModuleInit, ContactRecordHolder {
  readonly name = 'automation runs';

  constructor(private readonly holders: ContactRecordHolders) {}

  onModuleInit(): void {
    this.holders.register(this);
  }

  async eraseRecords(tx: Tx, erased: ErasedContact): Promise<void> {
    await tx.automationRun.deleteMany({ where: { teamId: erased.teamId, OR: [{ eventId: { in: erased.eventIds } }, { conversationId: { in: erased.conversationIds } }] } });
  }
}
