import type { ErrorCode } from '../common/errors/error-codes.js';
import { outboundRefusal } from '../common/outbound/index.js';

/**
 * Why a channel's check failed, stable for clients (the administrator's form names the field to fix from it):
 * - `credentials_refused`: the provider does not accept the token, key or account and secret (HTTP 401);
 * - `permission_missing`: accepted, but without the right to send (a SendGrid key without Mail Send, HTTP 403);
 * - `not_found`: the credentials work but the account or number the channel names is not theirs (HTTP 404, a
 *   Graph API object that does not exist);
 * - `account_inactive`: the account exists but the provider has suspended or closed it;
 * - `not_paired`: a WhatsApp Web channel whose phone is not linked;
 * - `rate_limited`, `provider_unavailable` (5xx), `provider_unreachable` (no answer: DNS, refused, timeout),
 *   `provider_refused` (any other refusal), `url_not_allowed` (the outbound guard refused the channel's API URL).
 */
export const CHANNEL_CHECK_CODES = [
  'ok',
  'credentials_refused',
  'permission_missing',
  'not_found',
  'account_inactive',
  'not_paired',
  'rate_limited',
  'provider_unavailable',
  'provider_unreachable',
  'provider_refused',
  'url_not_allowed',
] as const satisfies readonly (ErrorCode | 'ok')[];
export type ChannelCheckCode = (typeof CHANNEL_CHECK_CODES)[number];

/** What a channel's check found: whether the provider takes its credentials, and if not, why. */
export interface ChannelCheck {
  ok: boolean;
  code: ChannelCheckCode;
  /** A sentence for the administrator: what is wrong and where to look, or what the provider confirmed. */
  message: string;
  /** Whom the credentials belong to, in the provider's words (the bot's name, the account, the number); null if not known. */
  account: string | null;
  /** The provider's HTTP status and its own message, when it answered with a refusal. */
  providerStatus: number | null;
  providerMessage: string | null;
}

/** The channel's credentials work; `account` says whose they are. */
export function checkPassed(account: string | null, message: string): ChannelCheck {
  return { ok: true, code: 'ok', message, account, providerStatus: null, providerMessage: null };
}

/** A check that failed for a reason of the hub's own (not paired), not an answer of the provider's. */
export function checkFailed(code: Exclude<ChannelCheckCode, 'ok'>, message: string): ChannelCheck {
  return { ok: false, code, message, account: null, providerStatus: null, providerMessage: null };
}

/** What the fields of a provider's form are called, for the sentences that say which one to look at. */
export interface CheckWording {
  provider: string;
  /** What to check when the credentials are refused ("the channel access token"). */
  credentials: string;
  /** What to check when the account or object is not found ("the Account SID"). */
  target: string;
}

/** The provider answered with a refusal: the status read as a stable code, its own message kept beside it. */
export function checkRefused(
  wording: CheckWording,
  status: number,
  providerMessage: string | null,
  code: Exclude<ChannelCheckCode, 'ok'> = codeOfStatus(status),
): ChannelCheck {
  const { provider, credentials, target } = wording;
  const sentences: Record<Exclude<ChannelCheckCode, 'ok'>, string> = {
    credentials_refused: `${provider} refused ${credentials}; copy it again from the ${provider} console.`,
    permission_missing: `${provider} accepts ${credentials} but it lacks a permission the hub needs.`,
    not_found: `${provider} does not know ${target} with these credentials; check ${target}.`,
    account_inactive: `The ${provider} account is not active.`,
    not_paired: `The ${provider} session is not paired.`,
    rate_limited: `${provider} is limiting requests for the moment; check again shortly.`,
    provider_unavailable: `${provider} is unavailable for the moment (HTTP ${status}); check again shortly.`,
    provider_unreachable: `${provider} could not be reached.`,
    provider_refused: `${provider} refused the request (HTTP ${status}).`,
    url_not_allowed: `The channel's API address is not allowed.`,
  };
  return { ok: false, code, message: sentences[code], account: null, providerStatus: status, providerMessage };
}

/** No answer from the provider: the outbound guard refused the address, or the network did not carry the request. */
export function checkUnanswered(provider: string, error: unknown): ChannelCheck {
  const refused = outboundRefusal(error);
  if (refused) return checkFailed('url_not_allowed', refused.message);
  const reason = error instanceof Error ? error.message : String(error);
  return checkFailed('provider_unreachable', `${provider} could not be reached (${reason}); check the channel's API address and the hub's network.`);
}

function codeOfStatus(status: number): Exclude<ChannelCheckCode, 'ok'> {
  if (status === 401) return 'credentials_refused';
  if (status === 403) return 'permission_missing';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'provider_unavailable';
  return 'provider_refused';
}
