import request from 'supertest';
import { signLineBody } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { eventually } from './eventually.js';
import type { TestHub, TestMember } from './test-hub.js';

/**
 * A LINE channel on the fake, its bot invited to a staff group (LINE's `join`, the name from the summary API), and
 * that group mapped as the team's `bookings` report target: where a booked chat's report is pushed.
 */
export async function bookingsGroup(hub: TestHub, admin: TestMember, line: LineFake, credentials: { token: string; secret: string }): Promise<string> {
  const channel = await hub.http
    .post('/api/channels')
    .set(admin.auth)
    .send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: credentials.secret, channelAccessToken: credentials.token, apiBaseUrl: line.url } })
    .expect(201);
  const groupId = `C${Date.now().toString(16).padStart(32, '0')}`;
  line.setGroup(groupId, '予約報告');
  const body = JSON.stringify({
    destination: 'U' + '0'.repeat(32),
    events: [{ type: 'join', mode: 'active', timestamp: Date.now(), source: { type: 'group', groupId }, webhookEventId: `01BOOKINGS${Date.now()}`, deliveryContext: { isRedelivery: false }, replyToken: 'r'.repeat(32) }],
  });
  await request(hub.url).post(`/webhooks/line/${channel.body.id}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(credentials.secret, body)).send(body).expect(200);
  await eventually(async () => (await hub.http.get(`/api/channels/${channel.body.id}/groups`).set(admin.auth).expect(200)).body.items as unknown[], (items) => items.length === 1);
  await hub.http.put('/api/teams/current/report-targets').set(admin.auth).send({ bookings: { channelId: channel.body.id, groupId } }).expect(200);
  return groupId;
}
