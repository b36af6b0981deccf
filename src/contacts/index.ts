/** Contacts: people per team, their channel identities (unique per team), consent and blocking. */
export { ContactsModule } from './contacts.module.js';
export { ContactsService } from './contacts.service.js';
export type { ContactEventKind, IdentityKind, ResolvedContact } from './contacts.service.js';
