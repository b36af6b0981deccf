import { describe, expect, it } from '@jest/globals';
import type { Db } from '../common/database/database.js';
import { MovableClock } from '../../test/support/movable-clock.js';
import { TeamEvents } from './team.events.js';
import { Passwords } from './passwords.js';
import { TeamsService } from './teams.service.js';
import { LocalCacheInvalidation } from '../common/cache/cache-invalidation.js';

const DAY = 86_400_000;
const NOW = new Date('2026-12-06T00:00:00Z');

/** A team row as the database holds it, read by invite code or id, whatever is asked. */
function serviceWith(team: { inviteCodeIssuedAt: Date; settings?: unknown } | null) {
  const row = team && { id: 'team-1', name: '本店', inviteCode: 'ABC234', timeZone: 'Asia/Tokyo', settings: {}, ...team };
  const db = { team: { findUnique: async () => row } } as unknown as Db;
  return new TeamsService(db, new TeamEvents(), new MovableClock(NOW), new Passwords(19), new LocalCacheInvalidation());
}

describe(TeamsService.name, () => {
  // Guards: a code leaked long ago (an old chat, a printed notice) must stop letting strangers in.
  it('lets a sign-up through with a code younger than the team’s period, and refuses an older one as expired', async () => {
    await expect(serviceWith({ inviteCodeIssuedAt: new Date(NOW.getTime() - 13 * DAY) }).joinableTeam('abc234')).resolves.toMatchObject({ id: 'team-1' });
    await expect(serviceWith({ inviteCodeIssuedAt: new Date(NOW.getTime() - 14 * DAY) }).joinableTeam('ABC234')).rejects.toMatchObject({ code: 'invite_code_expired' });
    await expect(serviceWith({ inviteCodeIssuedAt: new Date(NOW.getTime() - 20 * DAY), settings: { inviteCodeTtlDays: 30 } }).joinableTeam('ABC234')).resolves.toMatchObject({ id: 'team-1' });
    await expect(serviceWith(null).joinableTeam('ZZZZZZ')).rejects.toMatchObject({ code: 'invalid_invite_code' });
  });

  // Guards: an operator's screen (or token) handing out the way into the team.
  it('shows the invite code and its expiry to supervisors and administrators, not to operators', async () => {
    const service = serviceWith({ inviteCodeIssuedAt: NOW });
    const operatorView = await service.current('team-1', { role: 'operator' });
    expect(operatorView).not.toHaveProperty('inviteCode');
    expect(operatorView).not.toHaveProperty('inviteCodeExpiresAt');
    for (const role of ['supervisor', 'administrator'] as const) {
      expect(await service.current('team-1', { role })).toMatchObject({ inviteCode: 'ABC234', inviteCodeExpiresAt: new Date(NOW.getTime() + 14 * DAY).toISOString() });
    }
  });
});
