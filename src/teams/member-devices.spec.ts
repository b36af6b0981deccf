import type { Clock } from '../common/clock.js';
import type { Db } from '../common/database/database.js';
import { MemberActivity, MemberDevices, deviceKindOf } from './member-devices.js';

describe(deviceKindOf.name, () => {
  it('tells phones, tablets and computers apart from their user agents', () => {
    expect(deviceKindOf('Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1')).toBe('mobile');
    expect(deviceKindOf('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36')).toBe('mobile');
    expect(deviceKindOf('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148')).toBe('tablet');
    expect(deviceKindOf('Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/131.0 Safari/537.36')).toBe('tablet');
    expect(deviceKindOf('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.1 Safari/605.1.15')).toBe('desktop');
    expect(deviceKindOf('curl/8.5.0')).toBe('other');
    expect(deviceKindOf(null)).toBe('other');
  });
});

describe(MemberActivity.name, () => {
  let now = new Date('2027-01-08T02:00:00Z');
  const clock: Clock = { now: () => now, setTimer: () => () => {} };
  const writes: unknown[] = [];
  const db = { member: { updateMany: async (args: unknown) => (writes.push(args), { count: 1 }) } } as unknown as Db;

  // A member's every request passes the guard: the row is written once a minute, not once a request.
  it('writes a member’s activity at most once a minute from one process', async () => {
    const activity = new MemberActivity(db, clock);
    await activity.record('m1');
    await activity.record('m1');
    await activity.record('m2');
    expect(writes).toHaveLength(2);
    now = new Date(now.getTime() + 59_000);
    await activity.record('m1');
    expect(writes).toHaveLength(2);
    now = new Date(now.getTime() + 2_000);
    await activity.record('m1');
    expect(writes).toHaveLength(3);
    expect(writes[2]).toMatchObject({ where: { id: 'm1' }, data: { lastActiveAt: now } });
  });
});

describe(MemberDevices.name, () => {
  it('groups the devices by member, and answers null when the socket layer is missing or fails', async () => {
    const devices = new MemberDevices();
    expect(await devices.ofTeam('t')).toBeNull();
    const at = new Date('2027-01-08T02:00:00Z');
    devices.attach(async () => [
      { memberId: 'a', kind: 'mobile', userAgent: 'x', connectedAt: at },
      { memberId: 'a', kind: 'desktop', userAgent: 'y', connectedAt: at },
      { memberId: 'b', kind: 'other', userAgent: null, connectedAt: at },
    ]);
    const byMember = await devices.ofTeam('t');
    expect(byMember?.get('a')).toHaveLength(2);
    expect(byMember?.get('b')).toEqual([{ kind: 'other', userAgent: null, connectedAt: at }]);
    devices.attach(async () => {
      throw new Error('timeout reached while waiting for fetchSockets response');
    });
    expect(await devices.ofTeam('t')).toBeNull();
  });
});
