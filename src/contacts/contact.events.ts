import type { ConsentChannel } from '../common/channel-types.js';
import { DomainEvents } from '../common/events/domain-events.js';

/** Consent is kept per kind of channel: a STOP by SMS says nothing about LINE. */
export type { ConsentChannel };
export type ConsentState = 'none' | 'pending' | 'opted_in' | 'opted_out';

/** Emitted after commit; `teamId` scopes who may hear them. */
export interface ContactEventMap {
  [name: string]: unknown;
  'consent.changed': { teamId: string; contactId: string; channel: ConsentChannel; state: ConsentState };
  'merge.proposed': { teamId: string; proposalId: string; contactId: string; otherContactId: string };
  'contact.blocked': { teamId: string; contactId: string; name: string; blocked: boolean; by: string };
}

export class ContactEvents extends DomainEvents<ContactEventMap> {}
