import { z } from 'zod';

// What the contacts routes answer with (documented in openapi.json through @Answers, which holds each route to its view).

const consentState = z.enum(['none', 'pending', 'opted_in', 'opted_out']);
const address = z.object({ kind: z.string(), address: z.string() });

export const contactView = z
  .object({
    id: z.string(),
    name: z.string(),
    ownerId: z.string().nullable(),
    blocked: z.boolean(),
    identities: z.array(address),
    /** Per kind of channel, derived from the consent ledger. */
    consent: z.object({ email: consentState, sms: consentState, whatsapp: consentState, line: consentState }),
    /** Addresses the contact typed in the widget and has not proved (one contact's view only): never written to. */
    unverified: z.array(address).optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'Contact' });
export const contactListView = z.object({ items: z.array(contactView), nextCursor: z.string().nullable() });

/** Two contacts that look like one customer (the same address arrived on both), for a supervisor to merge or not. */
export const mergeProposalListView = z.object({
  items: z.array(z.object({ id: z.string(), contactId: z.string(), otherContactId: z.string(), reason: z.string(), createdAt: z.string() })),
});

/** What happened to a contact's consent and identities, per channel, oldest first. */
export const contactEventListView = z.object({
  items: z.array(z.object({ occurredAt: z.string(), kind: z.string(), channelId: z.string(), channelType: z.string(), detail: z.unknown() })),
});
