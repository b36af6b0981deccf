import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import type { IdentityKind } from '../common/channel-types.js';

export type { IdentityKind };

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
  const key = `${kind}\u0000${region}\u0000${raw}`;
  let address = recentInbound.get(key);
  if (address === undefined) {
    address = normalizeIdentity(kind, raw, region) ?? raw.normalize('NFKC').trim();
    // Bounded: a busy hour's senders write again and again, and parsing a phone number is most of this function's cost.
    if (recentInbound.size >= RECENT_INBOUND_LIMIT) recentInbound.clear();
    recentInbound.set(key, address);
  }
  return address;
}

const RECENT_INBOUND_LIMIT = 10_000;
const recentInbound = new Map<string, string>();

/** An email address someone typed, checked before mail goes to it: the address to use, or what is wrong with it. */
export type EmailCheck = { ok: true; address: string } | { ok: false; reason: string; suggestion?: string };

/**
 * Checks an address a person typed (a transcript request, a form). Unlike `normalizeIdentity`, which quietly folds a
 * full-width `＠` when it matches what the hub already knows, this refuses it and says so: the person typed their
 * address with the Japanese keyboard's wide characters, and should learn to write it the way mail servers read it.
 */
export function checkEmailAddress(raw: string): EmailCheck {
  const typed = raw.trim();
  if (!typed) return { ok: false, reason: 'Enter an email address.' };
  const folded = typed.normalize('NFKC').replace(/\s+/g, '');
  const valid = email.safeParse(folded).success;
  if (typed.includes('＠')) {
    return {
      ok: false,
      reason: 'The @ in this address is a full-width “＠”. Type it with the half-width “@” (switch the keyboard to direct input).',
      ...(valid ? { suggestion: folded } : {}),
    };
  }
  if (typed !== folded) {
    return { ok: false, reason: 'This address contains full-width letters, digits or spaces; type it in half-width characters.', ...(valid ? { suggestion: folded } : {}) };
  }
  if (!valid) return { ok: false, reason: 'This is not an email address (it should read like name@example.com).' };
  return { ok: true, address: typed };
}
