/**
 * The kinds of channel the hub runs and how a customer is addressed on each: the one list every TypeScript union
 * and zod enum of channel types and identity kinds is derived from. It lives in common because channels, contacts
 * and the modules above them all need it and none of them may import the others'.
 *
 * Adding a channel type: add it to CHANNEL_TYPES; the compiler then asks for its identity in CHANNEL_IDENTITY, and
 * the registry's spec for an adapter that serves it. The database keeps its own enum (`ChannelType` in prisma/schema.prisma), which a
 * migration extends.
 */

/** The kinds of address a contact can be reached at. `line_group`: a LINE group or room the bot is in. */
export const IDENTITY_KINDS = ['email', 'phone', 'line', 'line_group', 'visitor'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** Every channel type, in the order the inbox lists them. */
export const CHANNEL_TYPES = ['webchat', 'email', 'sms', 'whatsapp', 'line'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** The identity a customer of each channel type writes from; a type left out here does not compile. */
export const CHANNEL_IDENTITY = {
  webchat: 'visitor',
  email: 'email',
  sms: 'phone',
  whatsapp: 'phone',
  line: 'line',
} as const satisfies Record<ChannelType, IdentityKind>;

/**
 * Channel types whose customers have an address of their own (not an anonymous visitor): consent is kept per
 * such type, and a contact can be invited on it.
 */
export type ConsentChannel = { [T in ChannelType]: (typeof CHANNEL_IDENTITY)[T] extends 'visitor' ? never : T }[ChannelType];

export const CONSENT_CHANNELS: readonly ConsentChannel[] = CHANNEL_TYPES.filter(isConsentChannel);

export function isConsentChannel(type: ChannelType): type is ConsentChannel {
  return CHANNEL_IDENTITY[type] !== 'visitor';
}

/** The identity a customer of this channel type has. */
export function identityOf(type: ChannelType): IdentityKind {
  return CHANNEL_IDENTITY[type];
}

export function isChannelType(value: string): value is ChannelType {
  return Object.hasOwn(CHANNEL_IDENTITY, value);
}
