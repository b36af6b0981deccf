import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { OpeningHoursService } from '../../src/routing/index.js';
import { formBody, signTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { MovableClock, tokyo } from '../support/movable-clock.js';
import { collect, connect, emitWithAck, nextEvent, sessionOf, sleep } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-hours';
let sidCounter = 0;
const newSid = () => `SM${(Date.now().toString(16) + (sidCounter++).toString(16)).padStart(32, '0')}`;

// Weekdays 10:30-13:00 and 14:00-17:00 in Tokyo; Monday 7 December 2026 is a holiday.
const HOURS = {
  weekly: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '10:30', close: '13:00' },
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '14:00', close: '17:00' },
  ],
  holidays: ['2026-12-07'],
};

describe('Business hours', () => {
  let hub: TestHub;
  let fake: TwilioFake;
  const clock = new MovableClock(tokyo('2026-12-04T16:58'));
  const sockets: Socket[] = [];

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    hub = await startTestHub({ PUBLIC_URL }, { clock });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.stop();
    await fake?.close();
  });

  async function device(member: TestMember): Promise<Socket> {
    const socket = await connect(hub.url, '/inbox', { token: member.token });
    sockets.push(socket);
    return socket;
  }

  /** What the hourly job does at a boundary, run now by the moved clock. */
  async function boundary(teamId: string, at: Date) {
    clock.set(at);
    await hub.app.get(OpeningHoursService).apply(teamId);
  }

  it('closes at 17:00 and refuses going online; a chat from 16:59 stays; one from 17:30 waits for Tuesday 10:30, past the holiday', async () => {
    clock.set(tokyo('2026-12-04T16:58'));
    const team = await createTeam(hub);
    const channelId = await createWebchat(hub, team.admin);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { businessHours: HOURS } }).expect(200);
    const agent = await addMember(hub, team);
    const agentDevice = await device(agent);

    // 16:59: a visitor writes, the agent takes it.
    clock.set(tokyo('2026-12-04T16:59'));
    const offered = nextEvent<{ conversationId: string }>(agentDevice, 'offer');
    const early = await connect(hub.url, '/widget', { channelId });
    sockets.push(early);
    await sessionOf(early);
    const { conversationId: before } = await emitWithAck<{ conversationId: string }>(early, 'message', { body: '今日の予約を変更したいです' });
    expect((await offered).conversationId).toBe(before);
    await hub.http.post(`/api/conversations/${before}/accept`).set(agent.auth).expect(200);

    // 17:00: the team closes; the agent is switched off on every device, and keeps the chat.
    const presence = collect<{ memberId: string; status: string; reason?: string }>(agentDevice, 'presence.updated');
    await boundary(team.teamId, tokyo('2026-12-04T17:00'));
    await sleep(200);
    expect(presence).toContainEqual({ memberId: agent.id, status: 'offline', reason: 'closed' });
    expect(await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: before } })).toMatchObject({ status: 'open', assigneeId: agent.id });
    await hub.http.post(`/api/conversations/${before}/messages`).set(agent.auth).send({ body: '承知しました' }).expect(201);

    const refused = await hub.http.put('/api/members/me/status').set(agent.auth).send({ status: 'online' }).expect(409);
    expect(refused.body.code).toBe('closed');
    expect(refused.body.message).toContain('12月8日(火) 10:30');

    // 17:30: a new chat is offered to nobody; the visitor is told at once, with the form and the opening time.
    clock.set(tokyo('2026-12-04T17:30'));
    const late = await connect(hub.url, '/widget', { channelId });
    sockets.push(late);
    await sessionOf(late);
    const told = nextEvent<{ reason: string; opensAt: string; form: boolean }>(late, 'waiting');
    const offersDuringClosure = collect(agentDevice, 'offer');
    const { conversationId: after } = await emitWithAck<{ conversationId: string }>(late, 'message', { body: '明日の空きはありますか' });
    expect(await told).toEqual({ conversationId: after, reason: 'closed', opensAt: tokyo('2026-12-08T10:30').toISOString(), form: true });

    // Monday is a holiday: nothing opens, nobody is switched on.
    await boundary(team.teamId, tokyo('2026-12-07T10:30'));
    await sleep(200);
    expect(offersDuringClosure).toEqual([]);
    expect(await hub.infra.db.member.findUniqueOrThrow({ where: { id: agent.id } })).toMatchObject({ status: 'offline', statusReason: 'closed' });

    // Tuesday 10:30: the agent is back on and offered the chat that waited.
    const reopened = nextEvent<{ memberId: string; status: string; reason?: string }>(agentDevice, 'presence.updated', (p) => p.status === 'online');
    const waitingOffer = nextEvent<{ conversationId: string }>(agentDevice, 'offer');
    await hub.http.post(`/api/conversations/${before}/resolve`).set(agent.auth).send({}).expect(200);
    await boundary(team.teamId, tokyo('2026-12-08T10:30'));
    expect(await reopened).toEqual({ memberId: agent.id, status: 'online', reason: 'opened' });
    expect((await waitingOffer).conversationId).toBe(after);
  });

  it('keeps a member who signed off by hand off at opening, and lets nobody online outside hours by signing in', async () => {
    clock.set(tokyo('2026-12-04T12:00'));
    const team = await createTeam(hub);
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { businessHours: HOURS } }).expect(200);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    await boundary(team.teamId, tokyo('2026-12-04T13:00'));
    await boundary(team.teamId, tokyo('2026-12-04T14:00'));
    expect(await hub.infra.db.member.findUniqueOrThrow({ where: { id: team.admin.id } })).toMatchObject({ status: 'offline' });

    clock.set(tokyo('2026-12-05T11:00'));
    const weekend = await addMember(hub, team);
    expect(await hub.infra.db.member.findUniqueOrThrow({ where: { id: weekend.id } })).toMatchObject({ status: 'offline' });
  });

  it('refuses hours that cannot be read, naming the field, and keeps the old ones', async () => {
    const team = await createTeam(hub);
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { businessHours: HOURS } }).expect(200);
    const bad = await hub.http
      .patch('/api/teams/current')
      .set(team.admin.auth)
      .send({ settings: { businessHours: { weekly: [{ days: ['mon'], open: '17:00', close: '10:30' }], holidays: ['12/31'] } } })
      .expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining([expect.stringContaining('weekly'), expect.stringContaining('holidays')]));
    const current = await hub.http.get('/api/teams/current').set(team.admin.auth).expect(200);
    expect(current.body.settings.businessHours.weekly).toEqual(HOURS.weekly);
  });

  it('answers an SMS outside hours once per closed period, with the opening time', async () => {
    clock.set(tokyo('2026-12-04T18:00'));
    const team = await createTeam(hub);
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { businessHours: HOURS } }).expect(200);
    const config = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: fake.url, sendsPerSecond: 200, from: '+15005550007' };
    const sms = (await hub.http.post('/api/channels').set(team.admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config }).expect(201)).body.id as string;
    const customer = '+819012345678';
    const inbound = async (body: string) => {
      const path = `/webhooks/twilio/${sms}`;
      const params = { MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: customer, To: '+15005550007', Body: body, NumMedia: '0' };
      await request(hub.url).post(path).set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signTwilioForm(AUTH_TOKEN, PUBLIC_URL + path, params)).send(formBody(params)).expect(200);
    };
    const repliesTo = () => fake.sent.filter((sent) => sent.form.To === customer);
    const waitForReplies = async (n: number) => {
      for (let i = 0; i < 200 && repliesTo().length < n; i++) await sleep(25);
      await sleep(150);
      return repliesTo();
    };

    await inbound('予約できますか');
    await inbound('急ぎではありません');
    const first = await waitForReplies(1);
    expect(first).toHaveLength(1);
    expect(first[0].form.Body).toContain('12月8日(火) 10:30');

    // Still the same closed period on Saturday: nothing more.
    clock.set(tokyo('2026-12-05T09:00'));
    await inbound('土曜日も休みですか');
    expect(await waitForReplies(2)).toHaveLength(1);

    // The team opened on Tuesday and closed again: a new closed period, a new answer.
    clock.set(tokyo('2026-12-08T18:00'));
    await inbound('まだですか');
    const again = await waitForReplies(2);
    expect(again).toHaveLength(2);
    expect(again[1].form.Body).toContain('12月9日(水) 10:30');
  });
  // The page's preview and routing read the same hours at the same clock, national holidays included: a preview
  // computed in the browser from a list it kept would drift from what routing does.
  it('previews the hours at the hub’s clock, lunch break and Japanese national holidays included, and routing follows them', async () => {
    const team = await createTeam(hub);
    // Joined before the clock moves a month on (an invite code lives for a while only).
    const agent = await addMember(hub, team);
    const lunch = {
      weekly: [
        { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '13:00' },
        { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '14:00', close: '18:00' },
      ],
      nationalHolidays: 'JP',
    };
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { businessHours: lunch } }).expect(200);
    const preview = async () => (await hub.http.get('/api/business-hours/preview').set(team.admin.auth).expect(200)).body;

    await boundary(team.teamId, tokyo('2027-01-08T11:00'));
    expect(await preview()).toEqual({ openNow: true, until: tokyo('2027-01-08T13:00').toISOString(), next: tokyo('2027-01-08T14:00').toISOString(), timeZone: 'Asia/Tokyo', alwaysOpen: false });

    // Monday 11 January 2027 is Coming of Age Day: closed all day, going online refused, next opening Tuesday.
    await boundary(team.teamId, tokyo('2027-01-11T10:00'));
    expect(await preview()).toMatchObject({ openNow: false, until: null, next: tokyo('2027-01-12T09:00').toISOString() });
    const refused = await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'online' }).expect(409);
    expect(refused.body.code).toBe('closed');

    // The same Monday without the national calendar is an ordinary working day.
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { businessHours: { ...lunch, nationalHolidays: null } } }).expect(200);
    expect(await preview()).toMatchObject({ openNow: true, until: tokyo('2027-01-11T13:00').toISOString() });
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'online' }).expect(200);

    // Hours being edited, previewed unsaved: Coming of Age Day counts only with the national calendar on.
    const draft = await hub.http.post('/api/business-hours/preview').set(team.admin.auth).send({ businessHours: lunch }).expect(200);
    expect(draft.body).toMatchObject({ openNow: false, next: tokyo('2027-01-12T09:00').toISOString(), timeZone: 'Asia/Tokyo' });
    const london = await hub.http.post('/api/business-hours/preview').set(team.admin.auth).send({ businessHours: { ...lunch, nationalHolidays: null }, timeZone: 'Europe/London' }).expect(200);
    // 10:00 in Tokyo is 01:00 in London: closed until 09:00 there.
    expect(london.body).toMatchObject({ openNow: false, next: '2027-01-11T09:00:00.000Z', timeZone: 'Europe/London' });
    const unread = await hub.http.post('/api/business-hours/preview').set(team.admin.auth).send({ businessHours: { ...lunch, weekly: [{ days: ['mon'], open: '18:00', close: '09:00' }] } }).expect(400);
    expect(unread.body.details[0].field).toContain('weekly');
    await hub.http.post('/api/business-hours/preview').set(agent.auth).send({ businessHours: lunch }).expect(403);
    // Nothing was saved by the previews.
    expect((await hub.http.get('/api/teams/current').set(team.admin.auth).expect(200)).body.settings.businessHours.nationalHolidays).toBeNull();

    const unknown = await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { businessHours: { ...lunch, nationalHolidays: 'XX' } } }).expect(400);
    expect(unknown.body.details.map((d: { field: string }) => d.field)).toEqual([expect.stringContaining('nationalHolidays')]);
  });

  it('previews a team without hours as always open', async () => {
    const team = await createTeam(hub);
    const agent = await addMember(hub, team);
    expect((await hub.http.get('/api/business-hours/preview').set(agent.auth).expect(200)).body).toEqual({ openNow: true, until: null, next: null, timeZone: 'Asia/Tokyo', alwaysOpen: true });
    await hub.http.get('/api/business-hours/preview').expect(401);
  });
});
