import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Tx } from '../common/database/database.js';
import { ContactRecordHolders } from '../conversations/index.js';
import type { ContactRecordHolder, ErasedContact } from '../conversations/index.js';
import { OutgoingWebhooksService } from './outgoing-webhooks.service.js';

/**
 * An erased contact's deliveries go from the delivery log (their bodies carry what the customer wrote), and those
 * still pending are never sent. Deliveries are found by their event (the logged events about the contact) and, for
 * events the log has already pruned, by their conversation, or the contact or one of its messages named in their body.
 */
@Injectable()
export class WebhookContacts implements OnModuleInit, ContactRecordHolder {
  readonly name = 'webhook deliveries';

  /**
   * Per erasure under way (by contact): another contact's conversations whose pending delivery it deleted (what the
   * erased person wrote in a group). A later delivery of such a conversation waited for that one, and is sent after
   * the commit.
   */
  private readonly heldUp = new Map<string, { endpointId: string; conversationId: string }[]>();

  constructor(
    private readonly holders: ContactRecordHolders,
    private readonly webhooks: OutgoingWebhooksService,
  ) {}

  onModuleInit(): void {
    this.holders.register(this);
  }

  async eraseRecords(tx: Tx, erased: ErasedContact): Promise<void> {
    const deleted = await tx.$queryRaw<{ endpointId: string; conversationId: string | null; state: string }[]>`
      DELETE FROM webhook_deliveries
       WHERE team_id = ${erased.teamId}
         AND (event_id = ANY(${erased.eventIds}::text[])
              OR conversation_id = ANY(${erased.conversationIds}::text[])
              OR (body::jsonb) #>> '{data,contactId}' = ${erased.contactId}
              OR (body::jsonb) #>> '{data,messageId}' = ANY(${erased.messageIds}::text[]))
      RETURNING endpoint_id AS "endpointId", conversation_id AS "conversationId", state`;
    const others = deleted.filter((row) => row.state === 'pending' && row.conversationId !== null && !erased.conversationIds.includes(row.conversationId));
    const pairs = new Map(others.map((row) => [`${row.endpointId}:${row.conversationId}`, { endpointId: row.endpointId, conversationId: row.conversationId! }]));
    this.heldUp.set(erased.contactId, [...pairs.values()]);
  }

  async afterErase(erased: ErasedContact): Promise<void> {
    const pairs = this.heldUp.get(erased.contactId) ?? [];
    this.heldUp.delete(erased.contactId);
    for (const { endpointId, conversationId } of pairs) await this.webhooks.conversationFreed(endpointId, conversationId);
  }
}
