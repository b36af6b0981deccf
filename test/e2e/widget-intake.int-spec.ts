import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { bookingsGroup } from '../support/bookings-group.js';
import { eventually } from '../support/eventually.js';
import { MovableClock, tokyo } from '../support/movable-clock.js';
import { connect, emitWithAck, sessionOf } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-widget';
const LINE_TOKEN = 'line-access-token-widget';
const LINE_SECRET = 'line-secret-widget';
// Weekdays 10:00-18:00 in Tokyo. Friday 4 December 2026 at 20:00 is closed; it opens Monday 7 December at 10:00.
const HOURS = { weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '10:00', close: '18:00' }] };

interface Ack {
  ok: boolean;
  code?: string;
  conversationId?: string;
  channel?: string;
  proof?: { kind: string; sent: boolean } | null;
  details?: Array<{ field: string; message: string }>;
}

interface Session {
  visitorId: string;
  consentVersion: string;
  consentRequired: boolean;
  intake: { steps: Array<Record<string, unknown>> } | null;
  state: { status: string; opensAt: string | null; timeZone: string };
  appearance: { color: string | null; position: string; launcherText: string | null; hidden: boolean };
}

/** The clinic's intake: 予約希望 asks first visit or not, then the wished date; その他 asks in the visitor's words. */
const clinicIntake = (groupId?: string) => ({
  steps: [
    { key: 'purpose', kind: 'buttons', question: 'ご用件をお選びください', options: [{ label: '予約希望', next: 'visit' }, { label: 'その他', next: 'other' }] },
    {
      key: 'visit',
      kind: 'buttons',
      question: '初診ですか、再診ですか？',
      options: [{ label: '初診', next: 'date', ...(groupId ? { groupId } : {}) }, { label: '再診', next: 'date' }],
    },
    { key: 'date', kind: 'text', question: 'ご希望の日時をご入力ください', placeholder: '例: 12月10日 10時' },
    { key: 'other', kind: 'text', question: 'ご用件をご入力ください' },
  ],
});

describe('The widget at launch, its message form, data notice and intake', () => {
  let hub: TestHub;
  let twilio: TwilioFake;
  let line: LineFake;
  const clock = new MovableClock(tokyo('2026-12-04T20:00'));
  const sockets: Socket[] = [];

  beforeAll(async () => {
    twilio = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    line = await startLineFake({ channelAccessToken: LINE_TOKEN });
    hub = await startTestHub({ PUBLIC_URL: 'https://hub.example.test' }, { clock });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.stop();
    await twilio?.close();
    await line?.close();
  });

  async function visitor(channelId: string, page = 'https://clinic.example/reserve'): Promise<{ socket: Socket; session: Session }> {
    const socket = await connect(hub.url, '/widget', { channelId, page: { url: page } });
    sockets.push(socket);
    return { socket, session: await sessionOf<Session>(socket) };
  }

  async function agree(socket: Socket, session: Session): Promise<void> {
    expect(await emitWithAck<Ack>(socket, 'consent', { version: session.consentVersion, url: 'https://clinic.example/reserve' })).toEqual({ ok: true });
  }

  async function offline(member: TestMember): Promise<void> {
    await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'offline' }).expect(200);
  }

  it('tells the visitor at launch that the team is closed with its next opening, nobody is available, or it is open', async () => {
    clock.set(tokyo('2026-12-04T20:00'));
    const closed = await createTeam(hub);
    await hub.http.patch('/api/teams/current').set(closed.admin.auth).send({ settings: { businessHours: HOURS } }).expect(200);
    const { session: atNight } = await visitor(await createWebchat(hub, closed.admin));
    expect(atNight.state).toEqual({ status: 'closed', opensAt: tokyo('2026-12-07T10:00').toISOString(), timeZone: 'Asia/Tokyo' });

    const open = await createTeam(hub);
    const channelId = await createWebchat(hub, open.admin);
    await hub.http.put('/api/members/me/status').set(open.admin.auth).send({ status: 'online' }).expect(200);
    expect((await visitor(channelId)).session.state).toEqual({ status: 'open', opensAt: null, timeZone: 'Asia/Tokyo' });
    await offline(open.admin);
    expect((await visitor(channelId)).session.state).toMatchObject({ status: 'unavailable', opensAt: null });
  });

  it('takes an email or a phone number in the message form, and answers a phone by SMS only once it is proved', async () => {
    clock.set(tokyo('2026-12-04T20:00'));
    const { admin } = await createTeam(hub);
    await offline(admin);
    const channelId = await createWebchat(hub, admin);
    await hub.http
      .post('/api/channels')
      .set(admin.auth)
      .send({ type: 'sms', provider: 'twilio', name: 'SMS', config: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: twilio.url, from: '+15005550006', sendsPerSecond: 200 } })
      .expect(201);

    const { socket: proving } = await visitor(channelId);
    // Neither address: the form says which fields, with a code of its own.
    const neither = await emitWithAck<Ack>(proving, 'leave_message', { body: '予約の変更をお願いします' });
    expect(neither).toMatchObject({ ok: false, code: 'contact_required', details: [expect.objectContaining({ field: 'email' }), expect.objectContaining({ field: 'phone' })] });
    const badPhone = await emitWithAck<Ack>(proving, 'leave_message', { phone: '12', body: '予約の変更をお願いします' });
    expect(badPhone).toMatchObject({ ok: false, code: 'invalid_request', details: [expect.objectContaining({ field: 'phone' })] });

    const left = await emitWithAck<Ack>(proving, 'leave_message', { phone: '090-1234-5678', body: '予約の変更をお願いします', clientId: 'form-phone-1' });
    expect(left).toMatchObject({ ok: true, channel: 'sms', proof: { kind: 'phone', sent: true } });
    const toProving = () => twilio.sent.filter((m) => m.form.To === '+819012345678');
    const [codeSms] = await eventually(async () => toProving(), (sent) => sent.length === 1);
    const code = /\b(\d{6})\b/.exec(String(codeSms.form.Body))![1];

    // Before the proof, the agent's answer is held with the reason; nothing but the code went to the number.
    const early = await hub.http.post(`/api/conversations/${left.conversationId}/messages`).set(admin.auth).send({ body: '承知しました' }).expect(409);
    expect(early.body.code).toBe('address_unproven');
    expect(toProving()).toHaveLength(1);

    expect(await emitWithAck<Ack>(proving, 'prove', { code })).toMatchObject({ ok: true, kind: 'phone' });
    const reply = await hub.http.post(`/api/conversations/${left.conversationId}/messages`).set(admin.auth).send({ body: '月曜10時に変更しました' }).expect(201);
    expect(reply.body.status).toBe('queued');
    await eventually(async () => toProving(), (sent) => sent.some((m) => String(m.form.Body).includes('月曜10時に変更しました')));

    // Another visitor leaves a number and never enters the code: the number gets the code, and nothing else.
    const { socket: silent } = await visitor(channelId);
    const unproved = await emitWithAck<Ack>(silent, 'leave_message', { phone: '080-9999-0000', body: '折り返しください' });
    expect(unproved).toMatchObject({ ok: true, channel: 'sms', proof: { kind: 'phone', sent: true } });
    const toSilent = () => twilio.sent.filter((m) => m.form.To === '+818099990000');
    await eventually(async () => toSilent(), (sent) => sent.length === 1);
    expect((await hub.http.post(`/api/conversations/${unproved.conversationId}/messages`).set(admin.auth).send({ body: '承知しました' }).expect(409)).body.code).toBe('address_unproven');
    expect(toSilent().map((m) => String(m.form.Body))).toEqual([expect.stringMatching(/確認コード: \d{6}/)]);
  });

  it('records the data notice agreement as consent evidence, and refuses messages before it where the channel requires it', async () => {
    const { admin } = await createTeam(hub);
    const channelId = await createWebchat(hub, admin, { requireConsent: true, consentText: '個人情報はお問い合わせへの回答にのみ利用します。' });
    const { socket, session } = await visitor(channelId);
    expect(session).toMatchObject({ consentRequired: true, consentVersion: expect.stringMatching(/^[a-f0-9]{12}$/) });

    expect(await emitWithAck<Ack>(socket, 'message', { body: 'こんにちは' })).toMatchObject({ ok: false, code: 'data_notice_required' });
    expect(await emitWithAck<Ack>(socket, 'leave_message', { email: 'a@example.jp', body: 'こんにちは' })).toMatchObject({ ok: false, code: 'data_notice_required' });
    expect(await hub.infra.db.message.count({ where: { channelId } })).toBe(0);
    // A page showing an older text agrees to that text, not this one.
    expect(await emitWithAck<Ack>(socket, 'consent', { version: '0123456789ab', url: 'https://clinic.example/reserve' })).toMatchObject({ ok: false, code: 'notice_outdated' });

    await agree(socket, session);
    await agree(socket, session);
    const sent = await emitWithAck<Ack>(socket, 'message', { body: 'こんにちは' });
    expect(sent).toMatchObject({ ok: true });
    const conversation = await hub.http.get(`/api/conversations/${sent.conversationId}`).set(admin.auth).expect(200);
    const contact = await hub.http.get(`/api/contacts/${conversation.body.contact.id}`).set(admin.auth).expect(200);
    // One entry however often the box is ticked: the first agreement, with the text, its version and the page.
    const evidence = await hub.infra.db.contactEvent.findMany({ where: { channelId, kind: 'notice_agreed' } });
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({
      contactId: contact.body.id,
      channelType: 'webchat',
      occurredAt: expect.any(Date),
      detail: { source: 'widget', version: session.consentVersion, text: '個人情報はお問い合わせへの回答にのみ利用します。', url: 'https://clinic.example/reserve', visitorId: session.visitorId },
    });

    // A channel that does not require it takes messages from a visitor who never ticked the box.
    const { socket: relaxed } = await visitor(await createWebchat(hub, admin));
    expect(await emitWithAck<Ack>(relaxed, 'message', { body: 'こんにちは' })).toMatchObject({ ok: true });
  });

  it('checks the intake tree when it is saved, naming each mistake', async () => {
    const { admin } = await createTeam(hub);
    const channelId = await createWebchat(hub, admin);
    const save = (intake: unknown) => hub.http.patch(`/api/channels/${channelId}`).set(admin.auth).send({ config: { intake } });

    const unknownStep = await save({ steps: [{ key: 'purpose', kind: 'buttons', question: 'ご用件', options: [{ label: '予約', next: 'nowhere' }, { label: 'その他' }] }] }).expect(400);
    expect(unknownStep.body).toMatchObject({ code: 'invalid_intake', details: [{ field: 'config.intake.steps.0.options.0.next', message: expect.stringContaining('nowhere') }] });
    const loop = await save({
      steps: [
        { key: 'a', kind: 'text', question: 'A', next: 'b' },
        { key: 'b', kind: 'text', question: 'B', next: 'a' },
      ],
    }).expect(400);
    expect(loop.body).toMatchObject({ code: 'invalid_intake', details: [{ field: 'config.intake.steps', message: expect.stringContaining('never ends') }] });
    const duplicate = await save({ steps: [{ key: 'a', kind: 'text', question: 'A' }, { key: 'a', kind: 'text', question: 'B' }] }).expect(400);
    expect(duplicate.body.details).toEqual([{ field: 'config.intake.steps.1.key', message: expect.stringContaining('another step') }]);
    const badKey = await save({ steps: [{ key: 'Visit Type', kind: 'text', question: 'A' }] }).expect(400);
    expect(badKey.body.details).toEqual([{ field: 'config.intake.steps.0.key', message: expect.stringContaining('lower-case') }]);
    const noGroup = await save(clinicIntake('0190a000-0000-7000-8000-000000000000')).expect(400);
    expect(noGroup.body).toMatchObject({ code: 'intake_group_unknown', details: [{ field: 'config.intake.steps.1.options.0.groupId', message: 'is not a group of your team' }] });
    await save(clinicIntake()).expect(200);
  });

  it('keeps an existing one-question preChat working as a one-step intake', async () => {
    const { admin } = await createTeam(hub);
    const channelId = await createWebchat(hub, admin, { preChat: { question: '初めてのご来院ですか？', options: ['初めて', '2回目以降'] } });
    const { socket, session } = await visitor(channelId);
    expect(session.intake).toEqual({ steps: [{ key: 'prechat', kind: 'buttons', question: '初めてのご来院ですか？', options: [{ label: '初めて' }, { label: '2回目以降' }] }] });
    const done = await emitWithAck<Ack>(socket, 'intake', { answers: [{ key: 'prechat', value: '2回目以降' }] });
    expect(done).toMatchObject({ ok: true });
    const messages = await hub.http.get(`/api/conversations/${done.conversationId}/messages`).set(admin.auth).expect(200);
    expect(messages.body.items).toEqual([expect.objectContaining({ direction: 'in', body: '2回目以降' })]);
    const intake = await hub.http.get(`/api/conversations/${done.conversationId}/intake`).set(admin.auth).expect(200);
    expect(intake.body).toEqual({ answers: [{ key: 'prechat', question: '初めてのご来院ですか？', answer: '2回目以降' }], groupId: null });
  });

  it('stores the clinic intake on the conversation, offers the chat to the group a step names, and fills {intake.<key>} in the booked report', async () => {
    clock.set(tokyo('2026-12-08T11:00'));
    const team = await createTeam(hub, 'クリニック');
    await offline(team.admin);
    const desk = await addMember(hub, team, { name: '予約 担当' });
    const other = await addMember(hub, team, { name: '別の 担当' });
    for (const member of [desk, other]) await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'online' }).expect(200);
    const group = await hub.http.post('/api/groups').set(team.admin.auth).send({ name: '予約デスク', memberIds: [desk.id] }).expect(201);
    const channelId = await createWebchat(hub, team.admin, { intake: clinicIntake(group.body.id) });

    // The LINE group the booked report goes to, and the team's booked text naming the intake's answers.
    const bookings = await bookingsGroup(hub, team.admin, line, { token: LINE_TOKEN, secret: LINE_SECRET });
    await hub.http
      .patch('/api/teams/current')
      .set(team.admin.auth)
      .send({ settings: { reportTexts: { booked: '{contact.name}様 予約 ({intake.visit}) 希望日時: {intake.date}{intake.other}' } } })
      .expect(200);

    const { socket, session } = await visitor(channelId);
    expect(session.intake?.steps[1]).toEqual({ key: 'visit', kind: 'buttons', question: '初診ですか、再診ですか？', options: [{ label: '初診', next: 'date' }, { label: '再診', next: 'date' }] });
    // Answers that do not follow the tree, or stop halfway, are refused with their own codes.
    const wrongButton = await emitWithAck<Ack>(socket, 'intake', { answers: [{ key: 'purpose', value: '予約希望' }, { key: 'visit', value: '三診' }] });
    expect(wrongButton).toMatchObject({ ok: false, code: 'intake_answer_invalid', details: [{ field: 'answers.1', message: expect.stringContaining('buttons') }] });
    const skipped = await emitWithAck<Ack>(socket, 'intake', { answers: [{ key: 'purpose', value: '予約希望' }, { key: 'date', value: '12月10日' }] });
    expect(skipped).toMatchObject({ ok: false, code: 'intake_answer_invalid' });
    const halfway = await emitWithAck<Ack>(socket, 'intake', { answers: [{ key: 'purpose', value: '予約希望' }, { key: 'visit', value: '初診' }] });
    expect(halfway).toMatchObject({ ok: false, code: 'intake_incomplete' });
    expect(await hub.infra.db.conversation.count({ where: { channelId } })).toBe(0);

    const answers = [
      { key: 'purpose', value: '予約希望' },
      { key: 'visit', value: '初診' },
      { key: 'date', value: '12月10日 10時' },
    ];
    const done = await emitWithAck<Ack>(socket, 'intake', { answers, clientId: 'intake-clinic-1' });
    expect(done).toMatchObject({ ok: true });
    const conversationId = done.conversationId!;
    const intake = await hub.http.get(`/api/conversations/${conversationId}/intake`).set(desk.auth).expect(200);
    expect(intake.body).toEqual({
      answers: [
        { key: 'purpose', question: 'ご用件をお選びください', answer: '予約希望' },
        { key: 'visit', question: '初診ですか、再診ですか？', answer: '初診' },
        { key: 'date', question: 'ご希望の日時をご入力ください', answer: '12月10日 10時' },
      ],
      groupId: group.body.id,
    });

    // Offered to the group's member only, though another agent is online with room.
    const offers = await eventually(async () => hub.infra.db.offer.findMany({ where: { conversationId } }), (rows) => rows.length > 0);
    expect(offers.map((o) => o.memberId)).toEqual([desk.id]);

    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(desk.auth).expect(200);
    await hub.http.post(`/api/conversations/${conversationId}/messages`).set(desk.auth).send({ body: '12月10日 10時でお取りしました' }).expect(201);
    await hub.http.post(`/api/conversations/${conversationId}/resolve`).set(desk.auth).send({ outcome: 'booked' }).expect(200);
    const [push] = await eventually(async () => line.pushesTo(bookings), (pushes) => pushes.length === 1);
    const posted = push.messages.map((m) => m.text ?? '').join('');
    // A step the path did not pass reads as nothing.
    expect(posted).toMatch(/様 予約 \(初診\) 希望日時: 12月10日 10時$/);
  });

  it('sends the channel’s appearance with the session, hidden on pages its patterns leave out', async () => {
    const { admin } = await createTeam(hub);
    const channelId = await createWebchat(hub, admin, {
      appearance: { color: '#c2185b', position: 'left', launcherText: 'ご予約・ご相談', showOn: ['https://clinic.example/*'], hideOn: ['*/checkout*'] },
    });
    expect((await visitor(channelId, 'https://clinic.example/menu')).session.appearance).toEqual({ color: '#c2185b', position: 'left', launcherText: 'ご予約・ご相談', hidden: false });
    expect((await visitor(channelId, 'https://clinic.example/checkout/1')).session.appearance.hidden).toBe(true);
    expect((await visitor(channelId, 'https://other.example/')).session.appearance.hidden).toBe(true);
    const bad = await hub.http.patch(`/api/channels/${channelId}`).set(admin.auth).send({ config: { appearance: { color: 'pink' } } }).expect(400);
    expect(bad.body.details).toEqual([{ field: 'config.appearance.color', message: expect.stringContaining('colour') }]);
  });
});
