import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Tx } from '../common/database/database.js';
import { ContactRecordHolders } from '../conversations/index.js';
import type { ContactRecordHolder, ErasedContact } from '../conversations/index.js';

/**
 * An erased contact's deliveries go from the delivery log (their bodies carry what the customer wrote), and those
 * still pending are never sent. Deliveries are found by their event (the logged events about the contact) and, for
 * events the log has already pruned, by their conversation or the contact named in their body.
 */
@Injectable()
export class WebhookContacts implements OnModuleInit, ContactRecordHolder {
  readonly name = 'webhook deliveries';

  constructor(private readonly holders: ContactRecordHolders) {}

  onModuleInit(): void {
    this.holders.register(this);
  }

  async eraseRecords(tx: Tx, erased: ErasedContact): Promise<void> {
    await tx.$executeRaw`
      DELETE FROM webhook_deliveries
       WHERE team_id = ${erased.teamId}
         AND (event_id = ANY(${erased.eventIds}::text[])
              OR conversation_id = ANY(${erased.conversationIds}::text[])
              OR (body::jsonb) #>> '{data,contactId}' = ${erased.contactId})`;
  }
}
