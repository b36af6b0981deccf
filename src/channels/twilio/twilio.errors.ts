/**
 * Twilio's error codes, as the agent should read them. `permanent`: sending the same message again cannot
 * help (the customer opted out, the window closed, the number does not exist).
 */
const KNOWN: Record<string, { permanent: boolean; reason: string }> = {
  '20003': { permanent: true, reason: 'Twilio refused the account credentials; an administrator should check the channel settings.' },
  '20429': { permanent: false, reason: 'Twilio is limiting how fast we send; the message will go out shortly.' },
  '21211': { permanent: true, reason: 'This phone number is not valid.' },
  '21408': { permanent: true, reason: 'This Twilio account may not send to this country.' },
  '21606': { permanent: true, reason: 'The sending number cannot send this kind of message; check the channel’s sender.' },
  '21610': {
    permanent: true,
    reason: 'The customer has opted out of messages from this number (they replied STOP). They have to send START before you can write to them again.',
  },
  '21614': { permanent: true, reason: 'This number cannot receive text messages (for example a landline).' },
  '30003': { permanent: true, reason: 'The customer’s phone is unreachable (switched off or out of coverage).' },
  '30004': { permanent: true, reason: 'The customer has blocked messages from this number.' },
  '30005': { permanent: true, reason: 'This phone number does not exist or is no longer in service.' },
  '30006': { permanent: true, reason: 'This number cannot receive text messages (a landline or an unreachable carrier).' },
  '30007': { permanent: true, reason: 'The carrier filtered this message as spam.' },
  '30008': { permanent: true, reason: 'The carrier could not deliver this message for an unknown reason.' },
  '63016': {
    permanent: true,
    reason: 'WhatsApp allows free text only within 24 hours of the customer’s last message. Send an approved template instead, or wait for the customer to write.',
  },
};

export function twilioErrorReason(code: string | number | undefined, fallback?: string): { permanent: boolean; reason: string } {
  const known = code === undefined ? undefined : KNOWN[String(code)];
  if (known) return known;
  return { permanent: true, reason: `${fallback ?? 'Twilio could not deliver this message.'}${code ? ` (Twilio error ${code})` : ''}` };
}
