import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { TestHub, TestHubOptions, TestMember, createTeam, startTestHub } from './test-hub.js';

/**
 * One person is one contact per team, however their address is typed and however many agents add them at once
 * (the unique constraint decides, on the embedded database and on PostgreSQL alike).
 */
export function itKeepsOnePersonOncePerTeam(env: () => Record<string, string>, options: () => TestHubOptions = () => ({})) {
  let hub: TestHub;
  let admin: TestMember;

  beforeAll(async () => {
    hub = await startTestHub(env(), options());
    admin = (await createTeam(hub)).admin;
  });

  afterAll(() => hub?.stop());

  it('gives one contact and 19 refusals for 20 concurrent creations of one person', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        hub.http
          .post('/api/contacts')
          .set(admin.auth)
          .send(i % 2 === 0 ? { name: '同時 太郎', phone: '080-5555-0000' } : { name: 'Douji Taro', phone: '+81 80 5555 0000' }),
      ),
    );
    expect(attempts.map((r) => r.status).sort()).toEqual([201, ...Array(19).fill(409)]);
    for (const refused of attempts.filter((r) => r.status === 409)) expect(refused.body.code).toBe('duplicate_contact');
    expect(await hub.infra.db.contactIdentity.count({ where: { teamId: admin.teamId, kind: 'phone', address: '+818055550000' } })).toBe(1);
  });
}
