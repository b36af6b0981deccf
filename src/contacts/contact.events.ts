import { DomainEvents } from '../common/events/domain-events.js';
import type { ConsentChannel, ConsentState } from './consent.service.js';

/** Emitted after commit; `teamId` scopes who may hear them. */
export interface ContactEventMap {
  [name: string]: unknown;
  'consent.changed': { teamId: string; contactId: string; channel: ConsentChannel; state: ConsentState };
}

export class ContactEvents extends DomainEvents<ContactEventMap> {}
