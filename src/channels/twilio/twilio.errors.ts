import type { ErrorCode } from '../../common/errors/error-codes.js';

/**
 * Twilio's error codes, as the hub names them: a stable code of ours (the inbox shows it in the member's language)
 * and an English sentence for the API and logs; Twilio's own number travels in `details.providerCode`.
 * `permanent`: sending the same message again cannot help (the customer opted out, the window closed, the number
 * does not exist).
 */
const KNOWN: Record<string, { permanent: boolean; code: ErrorCode; reason: string }> = {
  '20003': { permanent: true, code: 'provider_credentials_refused', reason: 'Twilio refused the account credentials; an administrator should check the channel settings.' },
  '20429': { permanent: false, code: 'rate_limited', reason: 'Twilio is limiting how fast we send; the message will go out shortly.' },
  '21211': { permanent: true, code: 'provider_rejected_number', reason: 'This phone number is not valid.' },
  '21408': { permanent: true, code: 'provider_country_not_allowed', reason: 'This Twilio account may not send to this country.' },
  '21606': { permanent: true, code: 'provider_sender_invalid', reason: 'The sending number cannot send this kind of message; check the channel’s sender.' },
  '21610': {
    permanent: true,
    code: 'opted_out',
    reason: 'The customer has opted out of messages from this number (they replied STOP). They have to send START before you can write to them again.',
  },
  '21614': { permanent: true, code: 'recipient_cannot_receive', reason: 'This number cannot receive text messages (for example a landline).' },
  '30003': { permanent: true, code: 'recipient_unreachable', reason: 'The customer’s phone is unreachable (switched off or out of coverage).' },
  '30004': { permanent: true, code: 'recipient_blocked', reason: 'The customer has blocked messages from this number.' },
  '30005': { permanent: true, code: 'provider_rejected_number', reason: 'This phone number does not exist or is no longer in service.' },
  '30006': { permanent: true, code: 'recipient_cannot_receive', reason: 'This number cannot receive text messages (a landline or an unreachable carrier).' },
  '30007': { permanent: true, code: 'carrier_filtered', reason: 'The carrier filtered this message as spam.' },
  '30008': { permanent: true, code: 'carrier_failed', reason: 'The carrier could not deliver this message for an unknown reason.' },
  '63016': {
    permanent: true,
    code: 'reply_window_closed',
    reason: 'WhatsApp allows free text only within 24 hours of the customer’s last message. Send an approved template instead, or wait for the customer to write.',
  },
};

export interface TwilioFailure {
  permanent: boolean;
  code: ErrorCode;
  reason: string;
  details: Record<string, string | number>;
}

/** A Twilio error code (of a refused send or a failed status callback) as the hub names it. */
export function twilioFailure(providerCode: string | number | undefined, fallback?: string): TwilioFailure {
  const details: Record<string, string | number> = { provider: 'twilio', ...(providerCode !== undefined && providerCode !== '' ? { providerCode: String(providerCode) } : {}) };
  const known = providerCode === undefined ? undefined : KNOWN[String(providerCode)];
  if (known) return { ...known, details };
  if (fallback) details.providerMessage = fallback;
  return {
    permanent: true,
    code: 'provider_refused',
    reason: `${fallback ?? 'Twilio could not deliver this message.'}${providerCode ? ` (Twilio error ${providerCode})` : ''}`,
    details,
  };
}
