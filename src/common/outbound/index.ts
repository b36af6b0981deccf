/**
 * The outbound-URL guard: every request the hub makes to a URL that came from configuration or from outside
 * (channel API bases, provider media; later catalog feeds, push endpoints, outgoing webhooks) goes through one
 * {@link OutboundGuard}, bound to {@link OUTBOUND_GUARD}. Public unicast addresses only, unless the operator
 * allowed the origin (HUB_ALLOWED_API_ORIGINS); checked at connect time, after DNS, on every redirect; downloads
 * capped in size (HUB_MAX_DOWNLOAD_BYTES) and time.
 */
export { OutboundGuard, outboundRefusal, type OutboundPolicy } from './outbound-guard.js';
export { OutboundRefused } from './outbound.errors.js';
export { parseOriginList, type OriginRule } from './origin-rules.js';
export { specialRangeOf } from './address-policy.js';

export const OUTBOUND_GUARD = Symbol('OutboundGuard');
