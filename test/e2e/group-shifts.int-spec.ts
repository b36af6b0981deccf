import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { OpeningHoursService } from '../../src/routing/index.js';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { MovableClock, tokyo } from '../support/movable-clock.js';
import { collect, connect, emitWithAck, sessionOf, sleep } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCESS_TOKEN = 'line-channel-access-token-shifts';
const SECRET = 'line-channel-secret-shifts';
const CALL_CENTER_GROUP = 'C' + 'a1'.repeat(16);
const LINE_JOIN_FIXTURE = join(process.cwd(), 'test', 'fixtures', 'providers', 'line', 'single-join-group.json');

const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
// The clinic takes chats 10:00-24:00 and closes on Japan's national holidays; its two groups split the day.
const TEAM_HOURS = { weekly: [{ days: EVERY_DAY, open: '10:00', close: '24:00' }], nationalHolidays: 'JP' };
const CALL_CENTER_HOURS = { weekly: [{ days: EVERY_DAY, open: '10:00', close: '18:00' }] };
const EVENING_HOURS = { weekly: [{ days: EVERY_DAY, open: '18:00', close: '24:00' }] };

async function eventually<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

describe('Shifts per group', () => {
  let hub: TestHub;
  let line: LineFake;
  // Friday 8 January 2027, ten minutes before the call center's shift ends.
  const clock = new MovableClock(tokyo('2027-01-08T17:50'));
  const sockets: Socket[] = [];

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: ACCESS_TOKEN });
    hub = await startTestHub({ PUBLIC_URL }, { clock });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.stop();
    await line?.close();
  });

  async function device(member: TestMember): Promise<Socket> {
    const socket = await connect(hub.url, '/inbox', { token: member.token });
    sockets.push(socket);
    return socket;
  }

  async function visitorWrites(channelId: string, body: string): Promise<string> {
    const socket = await connect(hub.url, '/widget', { channelId });
    sockets.push(socket);
    await sessionOf(socket);
    return (await emitWithAck<{ conversationId: string }>(socket, 'message', { body })).conversationId;
  }

  const statusOf = async (member: TestMember) => hub.infra.db.member.findUniqueOrThrow({ where: { id: member.id }, select: { status: true, statusReason: true } });
  const offeredTo = async (conversationId: string) =>
    (await hub.infra.db.offer.findMany({ where: { conversationId }, select: { memberId: true } })).map((offer) => offer.memberId).sort();

  async function tookPost(conversationId: string) {
    await eventually(() => hub.infra.db.report.count({ where: { conversationId, kind: 'taking' } }), (n) => n === 1, 'taking post written');
  }

  /** The boundary as the job runs it, now (a second process, or the job after a restart, doing the same). */
  async function boundary(teamId: string, at: Date) {
    clock.set(at);
    await hub.app.get(OpeningHoursService).apply(teamId);
  }

  it('keeps a 17:59 chat with its agent past 18:00, offers an 18:01 chat to the evening group only, and sums up each member’s own shift', async () => {
    clock.set(tokyo('2027-01-08T17:50'));
    const team = await createTeam(hub, '時短クリニック');
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    const channelId = await createWebchat(hub, team.admin);

    // The call center's LINE group receives the end-of-shift summaries.
    const lineChannel = (
      await hub.http
        .post('/api/channels')
        .set(team.admin.auth)
        .send({ type: 'line', provider: 'line', name: 'LINE公式', config: { channelSecret: SECRET, channelAccessToken: ACCESS_TOKEN, apiBaseUrl: line.url } })
        .expect(201)
    ).body.id as string;
    line.setGroup(CALL_CENTER_GROUP, 'コールセンター');
    const joined = JSON.parse(readFileSync(LINE_JOIN_FIXTURE, 'utf8')).events.map((event: Record<string, unknown>) => ({
      ...event,
      webhookEventId: '01SHIFTS0000000000000000001',
      source: { ...(event.source as Record<string, unknown>), groupId: CALL_CENTER_GROUP },
    }));
    const joinBody = JSON.stringify({ destination: 'U' + '0'.repeat(32), events: joined });
    await request(hub.url).post(`/webhooks/line/${lineChannel}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(SECRET, joinBody)).send(joinBody).expect(200);
    await eventually(
      async () => (await hub.http.get(`/api/channels/${lineChannel}/groups`).set(team.admin.auth).expect(200)).body.items as { groupId: string }[],
      (items) => items.some((g) => g.groupId === CALL_CENTER_GROUP),
      'call center group known',
    );
    await hub.http.put('/api/teams/current/report-targets').set(team.admin.auth).send({ callCenter: { channelId: lineChannel, groupId: CALL_CENTER_GROUP } }).expect(200);

    const callAgent = await addMember(hub, team, { name: '田中 美咲' });
    const nene = await addMember(hub, team, { name: '山本 ネネ' });
    // Room for two: at 18:01 the call-center agent has room and is online by hand, so only the shift keeps the chat from them.
    await hub.http.patch(`/api/members/${callAgent.id}`).set(team.admin.auth).send({ capacity: 2 }).expect(200);
    const callDevice = await device(callAgent);
    const neneDevice = await device(nene);

    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { businessHours: TEAM_HOURS } }).expect(200);
    const callCenter = (await hub.http.post('/api/groups').set(team.admin.auth).send({ name: 'コールセンター', memberIds: [callAgent.id] }).expect(201)).body.id as string;
    const evening = (await hub.http.post('/api/groups').set(team.admin.auth).send({ name: '夜間', memberIds: [nene.id] }).expect(201)).body.id as string;
    await hub.http.put(`/api/groups/${callCenter}/hours`).set(team.admin.auth).send({ businessHours: CALL_CENTER_HOURS }).expect(200);
    const saved = await hub.http.put(`/api/groups/${evening}/hours`).set(team.admin.auth).send({ businessHours: EVENING_HOURS }).expect(200);
    expect(saved.body.businessHours).toMatchObject({ ...EVENING_HOURS, switchMembers: true, nationalHolidays: null });
    const order = await hub.http.put('/api/routing/group-order').set(team.admin.auth).send({ groupIds: [callCenter, evening] }).expect(200);
    expect(order.body).toEqual({ groupIds: [callCenter, evening] });
    await boundary(team.teamId, tokyo('2027-01-08T17:50'));

    // 17:50: the evening member, signed in early, is switched off until their shift.
    expect(await statusOf(callAgent)).toMatchObject({ status: 'online' });
    expect(await statusOf(nene)).toEqual({ status: 'offline', statusReason: 'closed' });
    const eveningPreview = await hub.http.get(`/api/groups/${evening}/hours/preview`).set(team.admin.auth).expect(200);
    expect(eveningPreview.body).toEqual({ openNow: false, until: null, next: tokyo('2027-01-08T18:00').toISOString(), timeZone: 'Asia/Tokyo', alwaysOpen: false });
    // The 18:00 change is on the job queue, timed by the hub's clock.
    expect(clock.pending()).toContainEqual(tokyo('2027-01-08T18:00'));

    // 17:59: a visitor writes; the call center's agent takes it.
    clock.set(tokyo('2027-01-08T17:59'));
    const early = await visitorWrites(channelId, '明日の予約を変更したいです');
    await eventually(() => offeredTo(early), (ids) => ids.length > 0, 'first chat offered');
    expect(await offeredTo(early)).toEqual([callAgent.id]);
    await hub.http.post(`/api/conversations/${early}/accept`).set(callAgent.auth).expect(200);
    // The summary gathers the shift's taking posts, written just after the accept: the shift ends after this one.
    await tookPost(early);

    // 18:00: the timer fires. The call center goes off for new offers; its agent keeps the chat and can still answer.
    const callPresence = collect<{ memberId: string; status: string; reason?: string }>(callDevice, 'presence.updated');
    const nenePresence = collect<{ memberId: string; status: string; reason?: string }>(neneDevice, 'presence.updated');
    clock.set(tokyo('2027-01-08T18:00'));
    await eventually(() => statusOf(nene), (s) => s.status === 'online', 'evening member switched on');
    await eventually(() => statusOf(callAgent), (s) => s.status === 'offline', 'call center agent switched off');
    // The job run again (a restart, a second process): nobody is switched twice.
    await Promise.all([hub.app.get(OpeningHoursService).apply(team.teamId), hub.app.get(OpeningHoursService).apply(team.teamId)]);
    await sleep(200);
    expect(callPresence.filter((p) => p.memberId === callAgent.id)).toEqual([{ memberId: callAgent.id, status: 'offline', reason: 'closed' }]);
    expect(nenePresence.filter((p) => p.memberId === nene.id)).toEqual([{ memberId: nene.id, status: 'online', reason: 'opened' }]);
    expect(await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: early } })).toMatchObject({ status: 'open', assigneeId: callAgent.id });
    await hub.http.post(`/api/conversations/${early}/messages`).set(callAgent.auth).send({ body: '承知しました。明日の15時でお取りします' }).expect(201);

    // 18:01: the call-center agent is back online by hand with room, yet the new chat goes to the evening group.
    clock.set(tokyo('2027-01-08T18:01'));
    await hub.http.put('/api/members/me/status').set(callAgent.auth).send({ status: 'online' }).expect(200);
    const late = await visitorWrites(channelId, '今から行けますか');
    await eventually(() => offeredTo(late), (ids) => ids.length > 0, 'second chat offered');
    expect(await offeredTo(late)).toEqual([nene.id]);
    await hub.http.post(`/api/conversations/${late}/accept`).set(nene.auth).expect(200);
    await tookPost(late);
    await hub.http.post(`/api/conversations/${late}/resolve`).set(nene.auth).send({ outcome: 'booked' }).expect(200);

    // 24:00: the evening shift ends.
    await boundary(team.teamId, tokyo('2027-01-09T00:00'));
    expect(await statusOf(nene)).toEqual({ status: 'offline', statusReason: 'closed' });

    // Each member's summary, as posted to the LINE group, lists their own chats of the shift only.
    const names = {
      early: (await hub.http.get(`/api/conversations/${early}`).set(team.admin.auth).expect(200)).body.contact.name as string,
      late: (await hub.http.get(`/api/conversations/${late}`).set(team.admin.auth).expect(200)).body.contact.name as string,
    };
    const summaryOf = async (member: TestMember, chats: number) => {
      const reports = await eventually(
        async () => ((await hub.http.get('/api/reports').set(team.admin.auth).expect(200)).body.items as Array<{ id: string; kind: string; status: string; text: string }>),
        (items) => items.some((r) => r.kind === 'shift_summary' && r.status === 'sent' && r.text.includes(`合計${chats}件`) && r.text.startsWith(member === nene ? '山本' : '田中')),
        'shift summary sent',
      );
      const report = reports.find((r) => r.kind === 'shift_summary' && r.text.includes(`合計${chats}件`) && r.text.startsWith(member === nene ? '山本' : '田中'))!;
      const push = line.pushesTo(CALL_CENTER_GROUP).find((p) => p.retryKey === report.id)!;
      return push.messages.map((m) => m.text ?? '').join('');
    };
    const callSummary = await summaryOf(callAgent, 1);
    expect(callSummary).toContain(`${names.early}様`);
    expect(callSummary).not.toContain(`${names.late}様`);
    const neneSummary = await summaryOf(nene, 1);
    expect(neneSummary).toContain(`${names.late}様`);
    expect(neneSummary).toContain('予約');
    expect(neneSummary).not.toContain(`${names.early}様`);

    // Monday 11 January 2027 is Coming of Age Day: the team closes, so both groups do; nobody is switched on.
    expect(await statusOf(callAgent)).toEqual({ status: 'offline', statusReason: 'closed' });
    const holidayOffers = [...collect(callDevice, 'offer'), ...collect(neneDevice, 'offer')];
    await boundary(team.teamId, tokyo('2027-01-11T10:00'));
    await boundary(team.teamId, tokyo('2027-01-11T18:00'));
    expect(await statusOf(callAgent)).toEqual({ status: 'offline', statusReason: 'closed' });
    expect(await statusOf(nene)).toEqual({ status: 'offline', statusReason: 'closed' });
    for (const group of [callCenter, evening]) {
      expect((await hub.http.get(`/api/groups/${group}/hours/preview`).set(team.admin.auth).expect(200)).body).toMatchObject({ openNow: false, until: null });
    }
    await visitorWrites(channelId, '祝日も開いていますか');
    await sleep(200);
    expect(holidayOffers).toEqual([]);

    // The next day is an ordinary Tuesday: the call center comes back at 10:00, which shows the holiday was what kept it off.
    await boundary(team.teamId, tokyo('2027-01-12T10:00'));
    expect(await statusOf(callAgent)).toMatchObject({ status: 'online' });
    expect(await statusOf(nene)).toEqual({ status: 'offline', statusReason: 'closed' });
  });

  it('offers the groups on shift in the team order, the next when the first has no room, and a rule’s group before them', async () => {
    clock.set(tokyo('2027-01-08T12:00'));
    const team = await createTeam(hub, '順番');
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    const channelId = await createWebchat(hub, team.admin);
    const [first, second] = [await addMember(hub, team, { name: '一 番' }), await addMember(hub, team, { name: '二 番' })];
    for (const member of [first, second]) await device(member);
    const front = (await hub.http.post('/api/groups').set(team.admin.auth).send({ name: '前', memberIds: [first.id] }).expect(201)).body.id as string;
    const back = (await hub.http.post('/api/groups').set(team.admin.auth).send({ name: '後', memberIds: [second.id] }).expect(201)).body.id as string;
    await hub.http.put('/api/routing/group-order').set(team.admin.auth).send({ groupIds: [back, front] }).expect(200);
    await hub.http.put('/api/routing/group-order').set(team.admin.auth).send({ groupIds: [front, back] }).expect(200);

    // Both groups on shift (no hours of their own, the team always open): the first in the order gets the chat.
    const ordinary = await visitorWrites(channelId, 'こんにちは');
    await eventually(() => offeredTo(ordinary), (ids) => ids.length > 0, 'offered');
    expect(await offeredTo(ordinary)).toEqual([first.id]);

    // The first group has nobody with room: the next one gets it.
    await hub.http.post(`/api/conversations/${ordinary}/accept`).set(first.auth).expect(200);
    const next = await visitorWrites(channelId, 'もう一件');
    await eventually(() => offeredTo(next), (ids) => ids.length > 0, 'offered to the next group');
    expect(await offeredTo(next)).toEqual([second.id]);
    await hub.http.post(`/api/conversations/${next}/accept`).set(second.auth).expect(200);
    await hub.http.post(`/api/conversations/${ordinary}/resolve`).set(first.auth).send({}).expect(200);
    await hub.http.post(`/api/conversations/${next}/resolve`).set(second.auth).send({}).expect(200);

    // A chat a rule sent to the back group (what an automation rule's "assign" sets) waits for it, though the front
    // group is first in the order and has room.
    for (const member of [first, second]) await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'offline' }).expect(200);
    const ruled = await visitorWrites(channelId, '予約の件');
    await hub.infra.db.conversation.update({ where: { id: ruled }, data: { ruleGroupId: back } });
    await hub.http.put('/api/members/me/status').set(first.auth).send({ status: 'online' }).expect(200);
    await sleep(200);
    expect(await offeredTo(ruled)).toEqual([]);
    await hub.http.put('/api/members/me/status').set(second.auth).send({ status: 'online' }).expect(200);
    await eventually(() => offeredTo(ruled), (ids) => ids.length > 0, 'offered to the rule’s group');
    expect(await offeredTo(ruled)).toEqual([second.id]);
  });

  it('refuses hours that cannot be read and an order naming a group twice, and lets only administrators change them', async () => {
    const team = await createTeam(hub, '検証');
    const operator = await addMember(hub, team);
    const group = (await hub.http.post('/api/groups').set(team.admin.auth).send({ name: '夜間' }).expect(201)).body.id as string;
    const bad = await hub.http.put(`/api/groups/${group}/hours`).set(team.admin.auth).send({ businessHours: { weekly: [{ days: ['mon'], open: '18:00', close: '10:00' }] } }).expect(400);
    expect(bad.body.code).toBe('invalid_request');
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual([expect.stringContaining('weekly')]);
    const twice = await hub.http.put('/api/routing/group-order').set(team.admin.auth).send({ groupIds: [group, group] }).expect(400);
    expect(twice.body.details).toEqual([{ field: 'groupIds', message: 'must name each group once' }]);
    await hub.http.put(`/api/groups/${group}/hours`).set(operator.auth).send({ businessHours: null }).expect(403);
    await hub.http.put('/api/routing/group-order').set(operator.auth).send({ groupIds: [group] }).expect(403);
    // Without hours of its own the group follows the team's: always open here.
    expect((await hub.http.get(`/api/groups/${group}/hours`).set(operator.auth).expect(200)).body).toEqual({ businessHours: null });
    expect((await hub.http.get(`/api/groups/${group}/hours/preview`).set(operator.auth).expect(200)).body).toMatchObject({ openNow: true, alwaysOpen: true });
    // A deleted group leaves the order.
    await hub.http.put('/api/routing/group-order').set(team.admin.auth).send({ groupIds: [group] }).expect(200);
    await hub.http.delete(`/api/groups/${group}`).set(team.admin.auth).expect(204);
    expect((await hub.http.get('/api/routing/group-order').set(operator.auth).expect(200)).body).toEqual({ groupIds: [] });
  });
});
