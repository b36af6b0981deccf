import { OutboundRefused } from '../common/outbound/index.js';
import { checkRefused, checkUnanswered } from './channel-check.js';

const wording = { provider: 'LINE', credentials: 'the channel access token', target: 'this bot' };

describe('channel check', () => {
  it('reads the provider’s status as a stable code and keeps its message beside it', () => {
    expect(checkRefused(wording, 401, 'Authentication failed')).toMatchObject({ ok: false, code: 'credentials_refused', providerStatus: 401, providerMessage: 'Authentication failed' });
    expect(checkRefused(wording, 403, null).code).toBe('permission_missing');
    expect(checkRefused(wording, 404, null).code).toBe('not_found');
    expect(checkRefused(wording, 429, null).code).toBe('rate_limited');
    expect(checkRefused(wording, 503, null).code).toBe('provider_unavailable');
    expect(checkRefused(wording, 400, null).code).toBe('provider_refused');
  });

  // The outbound guard's refusal (a channel address resolving to a private network) must not read as "unreachable":
  // the administrator has an address to fix, not a network to wait for.
  it('tells the outbound guard’s refusal from a network failure', () => {
    expect(checkUnanswered('LINE', new OutboundRefused('url_not_allowed', 'api.example resolves to a private address'))).toMatchObject({
      ok: false,
      code: 'url_not_allowed',
      message: 'api.example resolves to a private address',
    });
    expect(checkUnanswered('LINE', new Error('connect ECONNREFUSED'))).toMatchObject({ ok: false, code: 'provider_unreachable', message: expect.stringContaining('ECONNREFUSED') });
  });
});
