import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import type { LineDelivery, LineFake } from '../fakes/line-fake.js';
import { MovableClock } from '../support/movable-clock.js';
import { collect, connect, emitWithAck, nextEvent, sessionOf, sleep } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCESS_TOKEN = 'line-channel-access-token';
const SECRET = 'line-channel-secret';
const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'line');
// The join and leave fixtures' group; each case uses groups of its own besides, so cases do not share pushes.
const FIXTURE_GROUP = 'Ca56f94637cc4347f90a25382909b24b9';

interface ReportFrame {
  id: string;
  kind: string;
  purpose: string;
  conversationId: string | null;
  groupId: string | null;
  text: string;
  status: 'pending' | 'sent' | 'failed';
  error: string | null;
  quotedReportId: string | null;
  providerRequestId: string | null;
  providerMessageId: string | null;
  quoteToken: string | null;
}

let eventCounter = 0;
let groupCounter = 0;
const freshGroup = () => `C${(Date.now() * 1000 + groupCounter++).toString(16).padStart(32, '0')}`;

/** A recorded fixture's events with ids of their own (the fixtures share one webhookEventId) and the given group. */
function fixtureEvents(name: string, groupId: string): Record<string, unknown>[] {
  const events = JSON.parse(readFileSync(join(fixtures, name), 'utf8')).events as Record<string, unknown>[];
  return events.map((event) => ({
    ...event,
    webhookEventId: `01REPORTS${String(eventCounter++).padStart(17, '0')}`,
    source: { ...(event.source as Record<string, unknown>), groupId },
  }));
}

async function eventually<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

const texts = (push: LineDelivery) => push.messages.map((m) => m.text ?? '').join('');

describe('Reports to LINE groups', () => {
  let hub: TestHub;
  let fake: LineFake;
  const clock = new MovableClock(new Date());
  const sockets: Socket[] = [];

  let team: Awaited<ReturnType<typeof createTeam>>;
  let lineChannelId: string;
  let webchatId: string;
  let callCenter: string;
  let bookings: string;

  beforeAll(async () => {
    fake = await startLineFake({ channelAccessToken: ACCESS_TOKEN });
    hub = await startTestHub({ PUBLIC_URL }, { clock });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.stop();
    await fake?.close();
  });

  beforeEach(async () => {
    clock.set(new Date());
    team = await createTeam(hub, '時短ボディ');
    // The administrator signs in online; chats in these cases are offered to the agents each case adds.
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    const line = await hub.http
      .post('/api/channels')
      .set(team.admin.auth)
      .send({ type: 'line', provider: 'line', name: 'LINE公式', config: { channelSecret: SECRET, channelAccessToken: ACCESS_TOKEN, apiBaseUrl: fake.url } })
      .expect(201);
    lineChannelId = line.body.id;
    webchatId = await createWebchat(hub, team.admin);
    await hub.http.patch(`/api/channels/${webchatId}`).set(team.admin.auth).send({ name: 'HPチャット' }).expect(200);
    await hub.http
      .patch('/api/teams/current')
      .set(team.admin.auth)
      .send({
        settings: {
          stores: {
            patterns: [
              { pattern: 'https://clinic.example/shibuya/*', store: '渋谷' },
              { pattern: 'https://clinic.example/ikebukuro/*', store: '池袋' },
              // Kasai's pages name no store: they are the default store's.
              { pattern: 'https://clinic.example/reserve*' },
            ],
            defaultStore: '葛西',
          },
        },
      })
      .expect(200);
    callCenter = await joinGroup('JBコールセンター');
    bookings = await joinGroup('JITANBODY予約報告');
    await hub.http
      .put('/api/teams/current/report-targets')
      .set(team.admin.auth)
      .send({ callCenter: { channelId: lineChannelId, groupId: callCenter }, bookings: { channelId: lineChannelId, groupId: bookings } })
      .expect(200);
  });

  function deliver(events: Record<string, unknown>[]) {
    const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events });
    return request(hub.url).post(`/webhooks/line/${lineChannelId}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(SECRET, body)).send(body);
  }

  /** The bot invited to a staff group: LINE's join event, the name read from the group summary API. */
  async function joinGroup(name: string, groupId = freshGroup()): Promise<string> {
    fake.setGroup(groupId, name);
    await deliver(fixtureEvents('single-join-group.json', groupId)).expect(200);
    await eventually(
      async () => (await hub.http.get(`/api/channels/${lineChannelId}/groups`).set(team.admin.auth).expect(200)).body.items as { groupId: string; name: string | null }[],
      (items) => items.some((g) => g.groupId === groupId && g.name === name),
      `group ${name} named`,
    );
    return groupId;
  }

  async function agent(name: string, capacity = 1): Promise<{ member: TestMember; device: Socket }> {
    const member = await addMember(hub, team, { name });
    if (capacity !== 1) await hub.http.patch(`/api/members/${member.id}`).set(team.admin.auth).send({ capacity }).expect(200);
    const device = await connect(hub.url, '/inbox', { token: member.token });
    sockets.push(device);
    return { member, device };
  }

  /** A web chat visitor on `pages` (the first is where the widget opened, the last where they are now). */
  async function visitor(pages: string[], body = '予約したいです'): Promise<{ socket: Socket; conversationId: string }> {
    const [first, ...later] = pages;
    const socket = await connect(hub.url, '/widget', { channelId: webchatId, ...(first ? { page: { url: first, title: 'ご予約' } } : {}) });
    sockets.push(socket);
    await sessionOf(socket);
    for (const url of later) expect(await emitWithAck(socket, 'page', { url })).toMatchObject({ ok: true });
    const sent = await emitWithAck<{ ok: boolean; conversationId: string }>(socket, 'message', { body });
    expect(sent.ok).toBe(true);
    return { socket, conversationId: sent.conversationId };
  }

  async function reportsOf(conversationId: string, member: TestMember = team.admin): Promise<ReportFrame[]> {
    return (await hub.http.get('/api/reports').query({ conversationId }).set(member.auth).expect(200)).body.items;
  }

  async function reportOf(conversationId: string, kind: string, status: ReportFrame['status'] = 'sent'): Promise<ReportFrame> {
    const reports = await eventually(() => reportsOf(conversationId), (items) => items.some((r) => r.kind === kind && r.status === status), `${kind} report ${status}`);
    return reports.find((r) => r.kind === kind && r.status === status)!;
  }

  async function contactName(conversationId: string): Promise<string> {
    return (await hub.http.get(`/api/conversations/${conversationId}`).set(team.admin.auth).expect(200)).body.contact.name;
  }

  describe('1. report targets', () => {
    it('records the group of a join fixture, maps it to callCenter, and marks it gone on leave, telling administrators', async () => {
      const adminDevice = await connect(hub.url, '/inbox', { token: team.admin.token });
      sockets.push(adminDevice);
      const colleague = await agent('鈴木 一郎');
      const toColleague = collect<Record<string, unknown>>(colleague.device, 'notification');

      // The recorded fixture as LINE sends it, its group's name from the summary API.
      fake.setGroup(FIXTURE_GROUP, 'JBコールセンター(旧)');
      await deliver(fixtureEvents('single-join-group.json', FIXTURE_GROUP)).expect(200);
      const groups = await eventually(
        async () => (await hub.http.get(`/api/channels/${lineChannelId}/groups`).set(team.admin.auth).expect(200)).body.items as Record<string, unknown>[],
        (items) => items.some((g) => g.groupId === FIXTURE_GROUP && g.name === 'JBコールセンター(旧)'),
        'fixture group named',
      );
      expect(groups.find((g) => g.groupId === FIXTURE_GROUP)).toMatchObject({ kind: 'group', status: 'active' });
      expect(fake.requests.some((r) => r.method === 'GET' && r.path === `/v2/bot/group/${FIXTURE_GROUP}/summary`)).toBe(true);

      const mapped = await hub.http
        .put('/api/teams/current/report-targets')
        .set(team.admin.auth)
        .send({ callCenter: { channelId: lineChannelId, groupId: FIXTURE_GROUP }, bookings: { channelId: lineChannelId, groupId: bookings }, staffRoom: { channelId: lineChannelId, groupId: callCenter } })
        .expect(200);
      expect(mapped.body).toEqual({
        bookings: { channelId: lineChannelId, groupId: bookings, name: 'JITANBODY予約報告', status: 'active' },
        callCenter: { channelId: lineChannelId, groupId: FIXTURE_GROUP, name: 'JBコールセンター(旧)', status: 'active' },
        staffRoom: { channelId: lineChannelId, groupId: callCenter, name: 'JBコールセンター', status: 'active' },
      });
      // Only groups the bot is in, of the team's own LINE channels; each refusal names the field.
      const refused = await hub.http
        .put('/api/teams/current/report-targets')
        .set(team.admin.auth)
        .send({ callCenter: { channelId: lineChannelId, groupId: 'C' + 'f'.repeat(32) }, bookings: { channelId: webchatId, groupId: bookings } })
        .expect(400);
      expect(refused.body).toMatchObject({ code: 'invalid_report_target' });
      expect(refused.body.details).toEqual([
        { field: 'callCenter.groupId', message: expect.stringContaining('not a group') },
        { field: 'bookings.channelId', message: expect.stringContaining('webchat') },
      ]);
      await hub.http.put('/api/teams/current/report-targets').set(team.admin.auth).send({ 'bad purpose': { channelId: lineChannelId, groupId: callCenter } }).expect(400);
      await hub.http.put('/api/teams/current/report-targets').set(colleague.member.auth).send({}).expect(403);

      const told = nextEvent<Record<string, unknown>>(adminDevice, 'notification', (n) => n.type === 'report_target_gone');
      await deliver(fixtureEvents('single-leave-group.json', FIXTURE_GROUP)).expect(200);
      expect(await told).toEqual({ type: 'report_target_gone', channelId: lineChannelId, groupId: FIXTURE_GROUP, name: 'JBコールセンター(旧)', purposes: ['callCenter'] });
      const read = await hub.http.get('/api/teams/current/report-targets').set(team.admin.auth).expect(200);
      expect(read.body.callCenter).toMatchObject({ groupId: FIXTURE_GROUP, status: 'gone' });
      const after = (await hub.http.get(`/api/channels/${lineChannelId}/groups`).set(team.admin.auth).expect(200)).body.items as Record<string, unknown>[];
      expect(after.find((g) => g.groupId === FIXTURE_GROUP)).toMatchObject({ status: 'gone', leftAt: expect.any(String) });
      // An operator cannot remap; the notification is for administrators.
      expect(toColleague.filter((n) => n.type === 'report_target_gone')).toEqual([]);
      // A gone group cannot be chosen again until the bot is invited back.
      const gone = await hub.http.put('/api/teams/current/report-targets').set(team.admin.auth).send({ callCenter: { channelId: lineChannelId, groupId: FIXTURE_GROUP } }).expect(400);
      expect(gone.body.details).toEqual([{ field: 'callCenter.groupId', message: expect.stringContaining('left') }]);
    });
  });

  describe('2. taking and resolution', () => {
    it('posts the taking report on accept, the not_booked resolution as a quote reply to it, and a booking to the bookings group', async () => {
      const suzuki = await agent('鈴木 一郎');
      const live = collect<ReportFrame>(suzuki.device, 'report.updated');
      const { conversationId } = await visitor(['https://clinic.example/shibuya/menu?utm_source=ad']);
      await hub.http.post(`/api/conversations/${conversationId}/accept`).set(suzuki.member.auth).expect(200);
      const name = await contactName(conversationId);

      const taking = await reportOf(conversationId, 'taking');
      const [push] = await eventually(() => fake.pushesTo(callCenter), (p) => p.length === 1, 'taking push');
      expect(texts(push)).toBe(`鈴木: ${name}様のチャットを対応します (HPチャット/渋谷)`);
      // The row's id is the retry key: a retry of this post can never post it twice.
      expect(push.retryKey).toBe(taking.id);
      expect(taking).toMatchObject({
        purpose: 'callCenter',
        groupId: callCenter,
        text: texts(push),
        providerRequestId: push.requestId,
        providerMessageId: push.sentMessages[0].id,
        quoteToken: push.sentMessages[0].quoteToken,
      });
      await eventually(() => live, (frames) => frames.some((f) => f.id === taking.id && f.status === 'sent'), 'report.updated sent');
      expect(live.find((f) => f.id === taking.id)?.status).toBe('pending');

      await hub.http.post(`/api/conversations/${conversationId}/resolve`).set(suzuki.member.auth).send({ outcome: 'not_booked' }).expect(200);
      const resolution = await reportOf(conversationId, 'resolved');
      const pushes = await eventually(() => fake.pushesTo(callCenter), (p) => p.length === 2, 'resolution push');
      expect(pushes[1].messages[0]).toMatchObject({ type: 'text', quoteToken: taking.quoteToken, text: `鈴木: ${name}様 予約に至りませんでした (予約なし)` });
      expect(pushes[1].retryKey).toBe(resolution.id);
      expect(resolution.quotedReportId).toBe(taking.id);
      expect(fake.pushesTo(bookings)).toEqual([]);

      // A second chat, from a Kasai page (no store in its URL), ends in a booking.
      const second = await visitor(['https://clinic.example/reserve?shop=1']);
      await hub.http.post(`/api/conversations/${second.conversationId}/accept`).set(suzuki.member.auth).expect(200);
      await reportOf(second.conversationId, 'taking');
      await hub.http.post(`/api/conversations/${second.conversationId}/resolve`).set(suzuki.member.auth).send({ outcome: 'booked' }).expect(200);
      const booked = await reportOf(second.conversationId, 'resolved');
      const [bookingPush] = await eventually(() => fake.pushesTo(bookings), (p) => p.length === 1, 'booking push');
      const secondName = await contactName(second.conversationId);
      expect(texts(bookingPush)).toBe(`鈴木: ${secondName}様 チャットから予約が入りました (HPチャット/葛西)\n${PUBLIC_URL}/app/conversations/${second.conversationId}`);
      expect(bookingPush.messages[0].quoteToken).toBeUndefined();
      expect(booked).toMatchObject({ purpose: 'bookings', groupId: bookings, status: 'sent' });
      expect(fake.pushesTo(callCenter)).toHaveLength(3);
    });

    it('posts a reply that names the taking post when that post has no quote token, and texts the team edited', async () => {
      await hub.http
        .patch('/api/teams/current')
        .set(team.admin.auth)
        .send({ settings: { reportTexts: { taking: '【対応】{agent.surname} → {contact.name}様 ({store})', notBooked: '【終了】{contact.name}様 {outcome}' } } })
        .expect(200);
      const refused = await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { reportTexts: { taking: '{agent.nickname}です' } } }).expect(400);
      expect(refused.body.details).toEqual([{ field: 'settings.reportTexts.taking', message: expect.stringContaining('{agent.nickname}') }]);

      const tanaka = await agent('田中　花子');
      const { conversationId } = await visitor(['https://clinic.example/ikebukuro/']);
      // LINE refuses the taking post for good (a 400): it fails, and its resolution cannot quote it.
      fake.failNext({ status: 400, message: 'The request body has 1 error(s)' });
      await hub.http.post(`/api/conversations/${conversationId}/accept`).set(tanaka.member.auth).expect(200);
      const taking = await reportOf(conversationId, 'taking', 'failed');
      expect(taking.text).toBe(`【対応】田中 → ${await contactName(conversationId)}様 (池袋)`);
      expect(taking.error).toContain('LINE refused');
      await hub.http.post(`/api/conversations/${conversationId}/resolve`).set(tanaka.member.auth).send({ outcome: 'other' }).expect(200);
      await reportOf(conversationId, 'resolved');
      const [reply] = await eventually(() => fake.pushesTo(callCenter), (p) => p.length === 1, 'naming reply');
      expect(texts(reply)).toBe(`「${taking.text}」への返信\n【終了】${await contactName(conversationId)}様 その他`);
      expect(reply.messages[0].quoteToken).toBeUndefined();

      // The failed taking post retried by hand: posted once, with its own retry key.
      const retried = await hub.http.post(`/api/reports/${taking.id}/retry`).set(tanaka.member.auth).expect(202);
      expect(retried.body).toMatchObject({ id: taking.id, status: 'pending' });
      await reportOf(conversationId, 'taking', 'sent');
      expect(fake.acceptedWith(taking.id)).toBe(1);
      const again = await hub.http.post(`/api/reports/${taking.id}/retry`).set(tanaka.member.auth).expect(409);
      expect(again.body.code).toBe('report_not_failed');
    });
  });

  describe('3. handoff and internal notes', () => {
    it('posts the last messages and the internal note on a handoff; the note reaches no customer on any channel', async () => {
      const yamada = await agent('山田 太郎', 2);
      const chat = await visitor(['https://clinic.example/shibuya/'], '予約を変更したいです');
      const toVisitor = collect<{ body: string }>(chat.socket, 'message');
      await hub.http.post(`/api/conversations/${chat.conversationId}/accept`).set(yamada.member.auth).expect(200);
      const long = `明日の${'午前'.repeat(60)}でお願いします`;
      await emitWithAck(chat.socket, 'message', { body: '土曜日は空いていますか' });
      await hub.http.post(`/api/conversations/${chat.conversationId}/messages`).set(yamada.member.auth).send({ body: '確認いたします。少々お待ちください。' }).expect(201);
      await emitWithAck(chat.socket, 'message', { body: `  ${long}\n\n` });
      const note = '2回目のご来院、担当は佐藤希望';
      await hub.http.post(`/api/conversations/${chat.conversationId}/messages`).set(yamada.member.auth).send({ body: note, kind: 'note' }).expect(201);

      const answer = await hub.http.post(`/api/conversations/${chat.conversationId}/handoff`).set(yamada.member.auth).send({}).expect(202);
      expect(answer.body.report).toMatchObject({ kind: 'handoff', purpose: 'callCenter', status: 'pending' });
      const handoff = await eventually(() => fake.pushesTo(callCenter), (p) => p.some((x) => texts(x).includes('お願いします')), 'handoff push');
      const text = texts(handoff.find((x) => texts(x).includes('お願いします'))!);
      const name = await contactName(chat.conversationId);
      const trimmed = `明日の${'午前'.repeat(60)}でお願いします`.slice(0, 79) + '…';
      expect(text).toBe(
        [
          `${name}様のチャットをお願いします (HPチャット/渋谷)`,
          '直近のやりとり:',
          'お客様: 土曜日は空いていますか',
          '山田: 確認いたします。少々お待ちください。',
          `お客様: ${trimmed}`,
          `メモ: ${note}`,
          `${PUBLIC_URL}/app/conversations/${chat.conversationId}`,
        ].join('\n'),
      );

      // A LINE customer's chat: a note there, and a handoff with a note given in the request.
      const userId = 'U' + 'a'.repeat(31) + String(groupCounter++ % 10);
      fake.setProfile(userId, { displayName: '高橋 健' });
      const userEvents = JSON.parse(readFileSync(join(fixtures, 'single-user-text.json'), 'utf8')).events.map((event: Record<string, unknown>) => ({
        ...event,
        webhookEventId: `01REPORTS${String(eventCounter++).padStart(17, '0')}`,
        replyToken: fake.issueReplyToken(),
        source: { type: 'user', userId },
        message: { ...(event.message as Record<string, unknown>), id: `7${Date.now()}` },
      }));
      await deliver(userEvents).expect(200);
      const lineConversation = await eventually(
        async () => (await hub.http.get('/api/conversations').query({ channelType: 'line' }).set(team.admin.auth).expect(200)).body.items as { id: string }[],
        (items) => items.length === 1,
        'LINE conversation',
      );
      const lineChat = lineConversation[0].id;
      await hub.http.post(`/api/conversations/${lineChat}/accept`).set(yamada.member.auth).expect(200);
      await hub.http.post(`/api/conversations/${lineChat}/messages`).set(yamada.member.auth).send({ body: 'お問い合わせありがとうございます' }).expect(201);
      const lineNote = 'LINEのお客様、電話番号未確認';
      await hub.http.post(`/api/conversations/${lineChat}/handoff`).set(yamada.member.auth).send({ note: lineNote }).expect(202);
      await eventually(() => fake.pushesTo(callCenter), (p) => p.some((x) => texts(x).includes(lineNote)), 'LINE handoff push');
      const messages = (await hub.http.get(`/api/conversations/${lineChat}/messages`).set(yamada.member.auth).expect(200)).body.items as { kind: string; body: string; status: string }[];
      expect(messages.filter((m) => m.kind === 'note')).toEqual([expect.objectContaining({ body: lineNote, status: 'sent' })]);
      await eventually(() => [...fake.replies, ...fake.pushesTo(userId)].filter((x) => texts(x).includes('お問い合わせありがとう')), (sent) => sent.length === 1, 'LINE reply sent');

      // Nothing the customers' channels carried holds a note: the widget's frames, LINE's replies and pushes to anyone
      // but the staff group.
      await eventually(() => toVisitor, (frames) => frames.some((f) => f.body.includes('確認いたします')), 'agent reply in the widget');
      for (const frame of toVisitor) {
        expect(frame.body).not.toContain(note);
        expect(frame.body).not.toContain(lineNote);
      }
      const toCustomers = [...fake.replies, ...fake.pushes.filter((p) => p.to !== callCenter && p.to !== bookings)];
      expect(toCustomers.length).toBeGreaterThan(0);
      for (const sent of toCustomers) {
        expect(texts(sent)).not.toContain(note);
        expect(texts(sent)).not.toContain(lineNote);
      }
      expect(fake.pushesTo(userId).every((p) => !texts(p).includes('メモ'))).toBe(true);
    });

    it('hands off every chat the agent holds when they go on break, saying when the customer has been silent ten minutes', async () => {
      const ito = await agent('伊藤 誠', 2);
      await hub.http.put('/api/members/me/status').set(ito.member.auth).send({ status: 'online' }).expect(200);
      const talking = await visitor(['https://clinic.example/shibuya/'], '今日の空きはありますか');
      await hub.http.post(`/api/conversations/${talking.conversationId}/accept`).set(ito.member.auth).expect(200);
      const silent = await visitor(['https://clinic.example/reserve'], '明日の予約');
      await hub.http.post(`/api/conversations/${silent.conversationId}/accept`).set(ito.member.auth).expect(200);
      // The hub's clock stands still between moves: the agent answers a minute after the customer wrote.
      clock.advance(60_000);
      await hub.http.post(`/api/conversations/${silent.conversationId}/messages`).set(ito.member.auth).send({ body: '何時がよろしいですか' }).expect(201);
      // The customer answers nothing for eleven minutes (the other chat's customer wrote last: not silent).
      clock.set(new Date(Date.now() + 11 * 60_000));
      await hub.http.put('/api/members/me/status').set(ito.member.auth).send({ status: 'break' }).expect(200);

      const silentReport = await reportOf(silent.conversationId, 'handoff');
      const talkingReport = await reportOf(talking.conversationId, 'handoff');
      expect(silentReport.text).toContain('お客様から10分以上返信がありません');
      expect(silentReport.text).toContain('伊藤: 何時がよろしいですか');
      expect(talkingReport.text).not.toContain('10分以上');
      expect(talkingReport.text).toContain('お客様: 今日の空きはありますか');
      await eventually(() => fake.pushesTo(callCenter), (p) => p.filter((x) => texts(x).includes('お願いします')).length === 2, 'two handoff pushes');
    });
  });

  describe('4. delivery through an outage', () => {
    /** Time passes while the test waits: each look moves the hub's clock on five seconds, so retries come due at once. */
    const whileTimePasses = <T>(read: () => Promise<T>) => async () => {
      clock.advance(5_000);
      return read();
    };

    it('delivers every report exactly once when LINE answers 500 and then 429 for a while', async () => {
      const kato = await agent('加藤 恵', 3);
      fake.setOutage({ status: 500 });
      const first = await visitor(['https://clinic.example/shibuya/']);
      const second = await visitor(['https://clinic.example/ikebukuro/']);
      await hub.http.post(`/api/conversations/${first.conversationId}/accept`).set(kato.member.auth).expect(200);
      await hub.http.post(`/api/conversations/${second.conversationId}/accept`).set(kato.member.auth).expect(200);
      await hub.http.post(`/api/conversations/${first.conversationId}/resolve`).set(kato.member.auth).send({ outcome: 'booked' }).expect(200);
      await hub.http.post(`/api/conversations/${second.conversationId}/resolve`).set(kato.member.auth).send({ outcome: 'not_booked' }).expect(200);

      const written = async () => [...(await reportsOf(first.conversationId)), ...(await reportsOf(second.conversationId))];
      const reports = await eventually(written, (items) => items.length === 4, 'four reports written');
      // Each has been tried (its retry key seen) and is still pending, with the reason.
      await eventually(whileTimePasses(async () => reports.map((r) => fake.retryKeyRequests.get(r.id) ?? 0)), (tries) => tries.filter((n) => n >= 1).length >= 2, 'tries during the outage');
      const during = await written();
      expect(during.every((r) => r.status === 'pending')).toBe(true);
      expect(during.some((r) => r.error?.includes('unavailable'))).toBe(true);

      fake.setOutage({ status: 429 });
      await eventually(whileTimePasses(async () => reports.map((r) => fake.retryKeyRequests.get(r.id) ?? 0)), (tries) => tries.reduce((a, b) => a + b, 0) >= 6, 'tries while limited');
      fake.setOutage(null);

      const delivered = await eventually(whileTimePasses(written), (items) => items.every((r) => r.status === 'sent'), 'all sent', 60_000);
      for (const report of delivered) expect(fake.acceptedWith(report.id)).toBe(1);
      // Tried again and again under the same keys (the replies waited for their taking posts, trying less).
      const tries = delivered.map((r) => fake.retryKeyRequests.get(r.id) ?? 0);
      expect(tries.reduce((a, b) => a + b, 0)).toBeGreaterThan(delivered.length + 4);
      expect(fake.pushesTo(callCenter)).toHaveLength(3);
      expect(fake.pushesTo(bookings)).toHaveLength(1);
      // The not_booked resolution waited for its taking post and quotes it.
      const quoting = delivered.find((r) => r.kind === 'resolved' && r.purpose === 'callCenter')!;
      const quoted = delivered.find((r) => r.id === quoting.quotedReportId)!;
      const reply = fake.pushesTo(callCenter).find((p) => p.retryKey === quoting.id)!;
      expect(reply.messages[0].quoteToken).toBe(quoted.quoteToken);
    });
  });

  describe('5. end-of-shift summary', () => {
    it('lists each chat of the shift with its outcome, and the totals, when the agent goes offline', async () => {
      const mori = await agent('森 由美', 3);
      await hub.http.put('/api/members/me/status').set(mori.member.auth).send({ status: 'online' }).expect(200);
      const chats = [
        await visitor(['https://clinic.example/shibuya/']),
        await visitor(['https://clinic.example/reserve']),
        await visitor(['https://example.org/blog']),
      ];
      for (const chat of chats) await hub.http.post(`/api/conversations/${chat.conversationId}/accept`).set(mori.member.auth).expect(200);
      await hub.http.post(`/api/conversations/${chats[0].conversationId}/resolve`).set(mori.member.auth).send({ outcome: 'booked' }).expect(200);
      await hub.http.post(`/api/conversations/${chats[1].conversationId}/resolve`).set(mori.member.auth).send({ outcome: 'not_booked' }).expect(200);
      for (const chat of chats) await reportOf(chat.conversationId, 'taking');

      await hub.http.put('/api/members/me/status').set(mori.member.auth).send({ status: 'offline' }).expect(200);
      const summary = await eventually(
        async () => (await hub.http.get('/api/reports').set(mori.member.auth).expect(200)).body.items as ReportFrame[],
        (items) => items.some((r) => r.kind === 'shift_summary' && r.status === 'sent'),
        'shift summary sent',
      );
      const report = summary.find((r) => r.kind === 'shift_summary')!;
      const push = fake.pushesTo(callCenter).find((p) => p.retryKey === report.id)!;
      const names = await Promise.all(chats.map((c) => contactName(c.conversationId)));
      const lines = texts(push).split('\n');
      expect(lines[0]).toMatch(/^森 退勤時まとめ \d\d:\d\d〜\d\d:\d\d$/);
      expect(lines.slice(1, 4)).toEqual([
        expect.stringMatching(new RegExp(`^・\\d\\d:\\d\\d ${names[0]}様 \\(HPチャット/渋谷\\) 予約$`)),
        expect.stringMatching(new RegExp(`^・\\d\\d:\\d\\d ${names[1]}様 \\(HPチャット/葛西\\) 予約なし$`)),
        expect.stringMatching(new RegExp(`^・\\d\\d:\\d\\d ${names[2]}様 \\(HPチャット/店舗不明\\) 対応中$`)),
      ]);
      expect(lines[4]).toBe('合計3件 (予約1件 / 予約なし1件 / その他0件 / 対応中1件)');
      // Signing off again is no new shift: no second summary.
      await hub.http.put('/api/members/me/status').set(mori.member.auth).send({ status: 'offline' }).expect(200);
      await hub.http.put('/api/members/me/status').set(mori.member.auth).send({ status: 'online' }).expect(200);
      const after = (await hub.http.get('/api/reports').set(mori.member.auth).expect(200)).body.items as ReportFrame[];
      expect(after.filter((r) => r.kind === 'shift_summary')).toHaveLength(1);
    });
  });

  describe('6. store detection', () => {
    it('reads {store} from the page URL, the default store for a URL without a name, the access log, or unknown until the agent sets it', async () => {
      const ono = await agent('小野 光', 4);
      const named = await visitor(['https://clinic.example/shibuya/reserve']);
      const unnamed = await visitor(['https://clinic.example/reserve/form?step=2']);
      const unknown = await visitor(['https://www.instagram.com/clinic/']);
      // Opened on the Ikebukuro page, now on a page outside the table: the access log tells it.
      const logged = await visitor(['https://clinic.example/ikebukuro/access', 'https://www.google.com/maps']);

      const store = async (conversationId: string) => (await hub.http.get(`/api/conversations/${conversationId}/store`).set(ono.member.auth).expect(200)).body;
      expect(await store(named.conversationId)).toEqual({ store: '渋谷', source: 'page', url: 'https://clinic.example/shibuya/reserve' });
      expect(await store(unnamed.conversationId)).toEqual({ store: '葛西', source: 'page', url: 'https://clinic.example/reserve/form?step=2' });
      expect(await store(unknown.conversationId)).toEqual({ store: null, source: 'unknown', url: null });
      expect(await store(logged.conversationId)).toEqual({ store: '池袋', source: 'access_log', url: 'https://clinic.example/ikebukuro/access' });

      for (const chat of [named, unnamed, unknown, logged]) await hub.http.post(`/api/conversations/${chat.conversationId}/accept`).set(ono.member.auth).expect(200);
      const takingText = async (conversationId: string) => (await reportOf(conversationId, 'taking')).text;
      expect(await takingText(named.conversationId)).toMatch(/\(HPチャット\/渋谷\)$/);
      expect(await takingText(unnamed.conversationId)).toMatch(/\(HPチャット\/葛西\)$/);
      expect(await takingText(unknown.conversationId)).toMatch(/\(HPチャット\/店舗不明\)$/);
      expect(await takingText(logged.conversationId)).toMatch(/\(HPチャット\/池袋\)$/);

      // The agent asks the customer and sets it; the resolution carries it.
      const set = await hub.http.put(`/api/conversations/${unknown.conversationId}/store`).set(ono.member.auth).send({ store: '新宿' }).expect(200);
      expect(set.body).toEqual({ store: '新宿', source: 'agent', url: null });
      await hub.http.post(`/api/conversations/${unknown.conversationId}/resolve`).set(ono.member.auth).send({ outcome: 'booked' }).expect(200);
      expect((await reportOf(unknown.conversationId, 'resolved')).text).toContain('(HPチャット/新宿)');

      // A pattern without a store needs a default store; the refusal names the field.
      const refused = await hub.http
        .patch('/api/teams/current')
        .set(team.admin.auth)
        .send({ settings: { stores: { patterns: [{ pattern: 'https://clinic.example/kasai/*' }] } } })
        .expect(400);
      expect(refused.body.details).toEqual([{ field: 'settings.stores.patterns.0.store', message: expect.stringContaining('defaultStore') }]);
    });
  });

  describe('4b. delivery across a restart', () => {
    // The row is the truth: a report written while LINE was down is taken up by the next hub process, and posted once.
    it('posts a report left pending by a stopped hub once the next one starts', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-reports-restart-'));
      const options = { memoryDatabase: false, dataDir };
      const first = await startTestHub({ PUBLIC_URL }, options);
      let second: TestHub | null = null;
      try {
        const own = await createTeam(first, '再起動テスト');
        const line = await first.http
          .post('/api/channels')
          .set(own.admin.auth)
          .send({ type: 'line', provider: 'line', name: 'LINE公式', config: { channelSecret: SECRET, channelAccessToken: ACCESS_TOKEN, apiBaseUrl: fake.url } })
          .expect(201);
        const webchat = await createWebchat(first, own.admin);
        const groupId = freshGroup();
        fake.setGroup(groupId, 'JBコールセンター');
        const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events: fixtureEvents('single-join-group.json', groupId) });
        await request(first.url).post(`/webhooks/line/${line.body.id}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(SECRET, body)).send(body).expect(200);
        await first.http.put('/api/teams/current/report-targets').set(own.admin.auth).send({ callCenter: { channelId: line.body.id, groupId } }).expect(200);

        fake.setOutage({ status: 503 });
        const socket = await connect(first.url, '/widget', { channelId: webchat });
        await sessionOf(socket);
        const { conversationId } = await emitWithAck<{ conversationId: string }>(socket, 'message', { body: '予約したいです' });
        socket.close();
        await first.http.post(`/api/conversations/${conversationId}/accept`).set(own.admin.auth).expect(200);
        const [pending] = await eventually(
          async () => (await first.http.get('/api/reports').query({ conversationId }).set(own.admin.auth).expect(200)).body.items as ReportFrame[],
          (items) => items.length === 1 && (fake.retryKeyRequests.get(items[0].id) ?? 0) >= 1,
          'taking report tried during the outage',
        );
        await first.close();
        expect((fake.retryKeyRequests.get(pending.id) ?? 0) >= 1 && fake.acceptedWith(pending.id) === 0).toBe(true);

        fake.setOutage(null);
        second = await startTestHub({ PUBLIC_URL }, options);
        const restarted = second;
        const sent = await eventually(
          () => restarted.infra.db.report.findUniqueOrThrow({ where: { id: pending.id } }),
          (row) => row.status === 'sent',
          'report sent after the restart',
        );
        expect(sent.providerRequestId).toBe(fake.pushesTo(groupId)[0].requestId);
        expect(fake.acceptedWith(pending.id)).toBe(1);
        expect(fake.pushesTo(groupId)).toHaveLength(1);
      } finally {
        await second?.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
});
