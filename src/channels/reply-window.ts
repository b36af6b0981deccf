import type { ErrorCode } from '../common/errors/error-codes.js';
/**
 * WhatsApp's customer-service window, whichever provider carries it (Twilio, the Cloud API): free text only
 * within 24 hours of the customer's last message; each message of theirs opens it again, ours never do.
 * Outside it only an approved template may go out.
 */
export const WHATSAPP_WINDOW_HOURS = 24;

export type WindowVerdict = { ok: true } | { ok: false; code: ErrorCode; reason: string };

export function whatsappWindowVerdict(lastCustomerMessageAt: Date | null, now: Date, template = false): WindowVerdict {
  if (template) return { ok: true };
  const last = lastCustomerMessageAt?.getTime();
  if (last !== undefined && now.getTime() - last < WHATSAPP_WINDOW_HOURS * 3_600_000) return { ok: true };
  return {
    ok: false,
    code: 'reply_window_closed',
    reason: 'WhatsApp allows free text only within 24 hours of the customer’s last message. Send an approved template, or wait for the customer to write.',
  };
}
