import { Injectable } from '@nestjs/common';
import type { Tx } from '../common/database/database.js';

/** What an erasure deletes, in the transaction that deletes the contact. */
export interface ErasedContact {
  teamId: string;
  contactId: string;
  /** Their conversations (deleted with them). */
  conversationIds: string[];
  /** Their messages: in their conversations, and what they wrote in groups held by another contact. */
  messageIds: string[];
  /** The logged events about them or their conversations (deleted too): what was handed on from those events goes. */
  eventIds: string[];
}

/**
 * A module above this one that keeps records about a contact (tickets, webhook deliveries, rule runs, LINE report
 * posts). A merge moves them with the contact's conversations and its undo moves exactly those back; an erasure
 * deletes them. The module registers here at start, since conversations cannot import it.
 */
export interface ContactRecordHolder {
  /** Under this name a merge records the ids it moved, for its undo. */
  readonly name: string;
  /** Moves the merged contact's records to the one that stays; answers their ids. */
  moveRecords?(tx: Tx, teamId: string, fromContactId: string, toContactId: string): Promise<string[]>;
  /**
   * An undone merge: moves back to `contactId` the records the merge moved (`ids`), and what was made while merged
   * on one of the conversations going back with it (a ticket opened on it then), which the target holds.
   */
  moveRecordsBack?(tx: Tx, undone: { ids: string[]; conversationIds: string[]; targetId: string }, contactId: string): Promise<void>;
  eraseRecords(tx: Tx, erased: ErasedContact): Promise<void>;
  /** After the erasure's commit: what its deletions held up may go on (another conversation's later deliveries). */
  afterErase?(erased: ErasedContact): Promise<void>;
}

/** The holders registered by other modules, in the order they registered. */
@Injectable()
export class ContactRecordHolders {
  private readonly holders: ContactRecordHolder[] = [];

  register(holder: ContactRecordHolder): void {
    this.holders.push(holder);
  }

  all(): readonly ContactRecordHolder[] {
    return this.holders;
  }
}
