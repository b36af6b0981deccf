import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';

/** The kinds of address a contact can be reached at. */
export type IdentityKind = 'email' | 'phone' | 'line' | 'line_group' | 'visitor';

/** Where a team's phone numbers are written without a country code (`090-...` in Japan). */
export const DEFAULT_REGION: CountryCode = 'JP';

const email = z.email();

/**
 * One person, one key: an address as it is stored and compared. NFKC first, so that a full-width `＠`, `０９０`
 * or `Ｔａｒｏ` typed on a Japanese keyboard folds to the same key as its ASCII twin.
 */
export function normalizeIdentity(kind: IdentityKind, raw: string, region: CountryCode = DEFAULT_REGION): string | null {
  const text = raw.normalize('NFKC').trim();
  switch (kind) {
    case 'email': {
      // `Taro <taro@example.com>`: the address inside the angle brackets.
      const address = (/<([^<>]+)>\s*$/.exec(text)?.[1] ?? text).trim().toLowerCase();
      return email.safeParse(address).success ? address : null;
    }
    case 'phone': {
      const phone = parsePhoneNumberFromString(text.replace(/^whatsapp:/i, ''), region);
      return phone?.isValid() ? phone.number : null;
    }
    default:
      return text || null;
  }
}

/**
 * The same for an address a provider sent: a number that libphonenumber cannot validate (test numbers, short
 * codes) is kept as the provider wrote it rather than dropped, so the message still finds its conversation.
 */
export function normalizeInboundIdentity(kind: IdentityKind, raw: string, region: CountryCode = DEFAULT_REGION): string {
  return normalizeIdentity(kind, raw, region) ?? raw.normalize('NFKC').trim();
}
