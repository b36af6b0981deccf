/** Contacts: people per team, their channel identities (unique per team), consent and blocking. */
export { ContactsModule } from './contacts.module.js';
export { ContactsService } from './contacts.service.js';
export { contactRecordIds, deleteContact, liveContact, markMerged, moveContactRecords, suppressAddresses, unmarkMerged } from './contact-records.repository.js';
export type { ContactRecordIds, MergedContactFields } from './contact-records.repository.js';
export type { IdentityKind, ResolvedContact, ContactView } from './contacts.service.js';
export { ConsentService, CONSENT_CHANNELS } from './consent.service.js';
export type { ConsentChannel, ConsentEventKind, ConsentState } from './consent.service.js';
export { ContactEvents } from './contact.events.js';
export type { ContactEventMap } from './contact.events.js';
export { consentKeyword } from './consent.keywords.js';
export { InvitationService } from './invitation.service.js';
export type { NewInvitation } from './invitation.service.js';
export { checkEmailAddress, normalizeIdentity } from './identity.normalizer.js';
export type { EmailCheck } from './identity.normalizer.js';
