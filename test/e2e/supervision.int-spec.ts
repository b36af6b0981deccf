import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { formBody, signTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { parseCsv } from '../support/csv.js';
import { eventually } from '../support/eventually.js';
import { connect, emitWithAck, nextEvent, sessionOf } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-supervision';
const BOM = '\uFEFF';

let sidCounter = 0;
const newSid = () => `SM${(Date.now().toString(16) + (sidCounter++).toString(16)).padStart(32, '0')}`;

interface MessageFrame {
  id: string;
  conversationId: string;
  status: string;
  body: string;
  author: { type: string; id: string | null };
  review: { by: string | null; at: string; feedback: string | null } | null;
}

/** Reads a CSV response as text whatever its content type. */
const asText = (res: request.Response, callback: (error: Error | null, body: string) => void) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => callback(null, body));
};

describe('Supervision: drafts, canned replies, categories, ratings, search, exports and reports', () => {
  let hub: TestHub;
  let fake: TwilioFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let sms: string;
  let webchat: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    hub = await startTestHub({ PUBLIC_URL });
    team = await createTeam(hub, 'さくら歯科');
    const config = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: fake.url, sendsPerSecond: 200, from: '+15005550006' };
    sms = (await hub.http.post('/api/channels').set(team.admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config }).expect(201)).body.id;
    webchat = await createWebchat(hub, team.admin);
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

  /** A customer's SMS, signed as Twilio signs it; resolves to its conversation. */
  async function customerSms(from: string, body: string): Promise<string> {
    const params = { MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: from, To: '+15005550006', Body: body, NumMedia: '0' };
    const path = `/webhooks/twilio/${sms}`;
    await request(hub.url)
      .post(path)
      .set('content-type', 'application/x-www-form-urlencoded')
      .set('x-twilio-signature', signTwilioForm(AUTH_TOKEN, PUBLIC_URL + path, params))
      .send(formBody(params))
      .expect(200);
    const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId: sms, eventKey: params.MessageSid } });
    return message.conversationId;
  }

  const sentTo = (phone: string) => fake.sent.filter((message) => message.form.To === phone).map((message) => message.form.Body);

  describe('trainee drafts', () => {
    it('holds a trainee’s reply until a supervisor approves it, then sends it once as the trainee; a rejection sends nothing and tells why', async () => {
      const trainee = await addMember(hub, team, { name: '新人 太郎', training: true });
      const supervisor = await addMember(hub, team, { name: '主任 花子', role: 'supervisor' });
      const operator = await addMember(hub, team, { name: '先輩 次郎' });
      const supervisorDevice = await device(supervisor);
      const traineeDevice = await device(trainee);
      const phone = '+819012340001';
      const conversationId = await customerSms(phone, '明日の予約を変更できますか');

      const seen = nextEvent<MessageFrame>(supervisorDevice, 'message.created', (m) => m.status === 'pending_approval' && m.body === '変更できます。何時がよろしいですか？');
      const good = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(trainee.auth).send({ body: '変更できます。何時がよろしいですか？' }).expect(201);
      expect(good.body.status).toBe('pending_approval');
      expect(await seen).toMatchObject({ id: good.body.id, author: { type: 'member', id: trainee.id } });
      const bad = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(trainee.auth).send({ body: 'むりです' }).expect(201);

      const drafts = await hub.http.get('/api/drafts').set(supervisor.auth).expect(200);
      expect(drafts.body.items.map((d: { id: string }) => d.id)).toEqual(expect.arrayContaining([good.body.id, bad.body.id]));
      expect(drafts.body.items.find((d: { id: string }) => d.id === good.body.id)).toMatchObject({ authorName: '新人 太郎', conversation: { id: conversationId, channelType: 'sms' } });

      // Operators and the trainee cannot decide.
      expect((await hub.http.post(`/api/messages/${good.body.id}/approve`).set(operator.auth).expect(403)).body.code).toBe('forbidden');
      await hub.http.post(`/api/messages/${good.body.id}/approve`).set(trainee.auth).expect(403);
      await hub.http.post(`/api/messages/${bad.body.id}/reject`).set(supervisor.auth).send({}).expect(400);

      const told = nextEvent<MessageFrame>(traineeDevice, 'message.updated', (m) => m.id === bad.body.id);
      const rejected = await hub.http.post(`/api/messages/${bad.body.id}/reject`).set(supervisor.auth).send({ feedback: '代わりの日時をご提案しましょう' }).expect(200);
      expect(rejected.body).toMatchObject({ status: 'rejected', review: { by: supervisor.id, feedback: '代わりの日時をご提案しましょう' } });
      expect(await told).toMatchObject({ status: 'rejected', review: { feedback: '代わりの日時をご提案しましょう' } });
      const own = await hub.http.get('/api/drafts').set(trainee.auth).expect(200);
      expect(own.body.items).toContainEqual(expect.objectContaining({ id: bad.body.id, status: 'rejected', review: expect.objectContaining({ feedback: '代わりの日時をご提案しましょう' }) }));
      expect(sentTo(phone)).toEqual([]);

      // Two supervisors approving at once: one wins, the draft goes out once.
      const [first, second] = await Promise.all([
        hub.http.post(`/api/messages/${good.body.id}/approve`).set(supervisor.auth),
        hub.http.post(`/api/messages/${good.body.id}/approve`).set(team.admin.auth),
      ]);
      expect([first.status, second.status].sort()).toEqual([200, 409]);
      expect([first, second].find((r) => r.status === 409)!.body.code).toBe('draft_decided');
      const sent = await eventually(() => hub.infra.db.message.findUniqueOrThrow({ where: { id: good.body.id } }), (m) => m.status === 'sent');
      expect(sent).toMatchObject({ authorType: 'member', authorId: trainee.id, reviewedById: expect.any(String) });
      expect(sentTo(phone)).toEqual(['変更できます。何時がよろしいですか？']);
      await hub.http.post(`/api/messages/${bad.body.id}/approve`).set(supervisor.auth).expect(409);
      expect(await hub.infra.db.delivery.count({ where: { messageId: bad.body.id } })).toBe(0);
      expect(sentTo(phone)).toEqual(['変更できます。何時がよろしいですか？']);
    });
  });

  describe('canned replies', () => {
    it('expands :7 with the agent’s surname and the customer’s name, counts a use when it is sent, and keeps personal ones personal', async () => {
      const agent = await addMember(hub, team, { name: '山本 二郎' });
      const other = await addMember(hub, team, { name: '小林 三郎' });
      const created = await hub.http
        .post('/api/canned-replies')
        .set(team.admin.auth)
        .send({ shortCode: ':7', title: 'ご挨拶', body: '{agent.surname}が承ります。{contact.name}様、{team.name}へのお問い合わせありがとうございます。' })
        .expect(201);
      expect(created.body).toMatchObject({ shortCode: '7', ownerId: null });
      expect((await hub.http.post('/api/canned-replies').set(team.admin.auth).send({ shortCode: '7', title: 'x', body: 'y' }).expect(409)).body.code).toBe('short_code_taken');
      expect((await hub.http.post('/api/canned-replies').set(agent.auth).send({ shortCode: 'x1', title: 'x', body: 'y' }).expect(403)).body.code).toBe('forbidden');
      const bad = await hub.http.post('/api/canned-replies').set(team.admin.auth).send({ shortCode: 'a b', title: 'x', body: 'y' }).expect(400);
      expect(bad.body.details).toContainEqual(expect.objectContaining({ field: 'shortCode' }));

      const conversationId = await customerSms('+819012340002', 'こんにちは');
      await hub.infra.db.contact.update({ where: { id: (await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).contactId }, data: { name: '田中 一郎' } });
      const expanded = await hub.http.get('/api/canned-replies/expand').query({ code: ':7', conversationId }).set(agent.auth).expect(200);
      expect(expanded.body).toMatchObject({ id: created.body.id, body: '山本が承ります。田中 一郎様、さくら歯科へのお問い合わせありがとうございます。' });
      expect((await hub.http.get('/api/canned-replies/expand').query({ code: '8' }).set(agent.auth).expect(404)).body.code).toBe('unknown_short_code');

      await hub.http.post(`/api/conversations/${conversationId}/messages`).set(agent.auth).send({ body: expanded.body.body, cannedReplyId: created.body.id }).expect(201);
      await eventually(async () => sentTo('+819012340002'), (bodies) => bodies.length === 1);
      expect(sentTo('+819012340002')).toEqual(['山本が承ります。田中 一郎様、さくら歯科へのお問い合わせありがとうございます。']);
      await hub.http.post(`/api/conversations/${conversationId}/messages`).set(agent.auth).send({ body: '少々お待ちください', cannedReplyId: created.body.id }).expect(201);

      const personal = await hub.http.post('/api/canned-replies').set(agent.auth).send({ shortCode: '7', title: '自分用', body: '{agent.surname}です。', personal: true }).expect(201);
      expect((await hub.http.get('/api/canned-replies/expand').query({ code: '7' }).set(agent.auth).expect(200)).body).toMatchObject({ id: personal.body.id, body: '山本です。' });
      expect((await hub.http.get('/api/canned-replies/expand').query({ code: '7' }).set(other.auth).expect(200)).body.id).toBe(created.body.id);
      // Someone else's personal reply is not theirs to send or change.
      const foreign = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(other.auth).send({ body: 'x', cannedReplyId: personal.body.id }).expect(400);
      expect(foreign.body.details).toContainEqual(expect.objectContaining({ field: 'cannedReplyId' }));
      await hub.http.patch(`/api/canned-replies/${personal.body.id}`).set(other.auth).send({ title: 'mine now' }).expect(404);

      const list = await hub.http.get('/api/canned-replies').set(agent.auth).expect(200);
      expect(list.body.items.find((r: { id: string }) => r.id === created.body.id).uses).toEqual({ total: 2, mine: 2 });
      const othersView = await hub.http.get('/api/canned-replies').set(other.auth).expect(200);
      expect(othersView.body.items.map((r: { id: string }) => r.id)).not.toContain(personal.body.id);
      expect(othersView.body.items.find((r: { id: string }) => r.id === created.body.id).uses).toEqual({ total: 2, mine: 0 });
    });
  });

  describe('categories, outcome and ratings', () => {
    it('nests categories three levels deep, files a resolved chat under one, and marks it handled or unhandled', async () => {
      const top = (await hub.http.post('/api/categories').set(team.admin.auth).send({ name: '予約' }).expect(201)).body;
      const middle = (await hub.http.post('/api/categories').set(team.admin.auth).send({ name: '変更', parentId: top.id }).expect(201)).body;
      const leaf = (await hub.http.post('/api/categories').set(team.admin.auth).send({ name: '日時', parentId: middle.id }).expect(201)).body;
      expect(leaf).toMatchObject({ level: 3, path: ['予約', '変更', '日時'] });
      const tooDeep = await hub.http.post('/api/categories').set(team.admin.auth).send({ name: '午前', parentId: leaf.id }).expect(400);
      expect(tooDeep.body.code).toBe('category_too_deep');
      const agent = await addMember(hub, team, { name: '佐々木 四郎' });
      await hub.http.post('/api/categories').set(agent.auth).send({ name: 'x' }).expect(403);

      const answered = await customerSms('+819012340003', '予約の時間を変えたい');
      await hub.http.post(`/api/conversations/${answered}/messages`).set(agent.auth).send({ body: '承知しました' }).expect(201);
      const resolved = await hub.http.post(`/api/conversations/${answered}/resolve`).set(agent.auth).send({ outcome: 'booked', categoryId: leaf.id }).expect(200);
      expect(resolved.body).toMatchObject({ status: 'resolved', outcome: 'booked', categoryId: leaf.id, handled: true });
      const foreign = await createTeam(hub, 'other');
      const foreignCategory = (await hub.http.post('/api/categories').set(foreign.admin.auth).send({ name: '他' }).expect(201)).body;
      const abandoned = await customerSms('+819012340004', 'もしもし');
      await hub.http.post(`/api/conversations/${abandoned}/resolve`).set(agent.auth).send({ categoryId: foreignCategory.id }).expect(400);
      expect((await hub.http.post(`/api/conversations/${abandoned}/resolve`).set(agent.auth).send({}).expect(200)).body.handled).toBe(false);
      const reopened = await hub.http.post(`/api/conversations/${abandoned}/reopen`).set(agent.auth).expect(200);
      expect(reopened.body.handled).toBeNull();
    });

    it('moves a category with its subcategories, renames it, and refuses a move under itself or below level 3', async () => {
      const create = async (name: string, parentId?: string) =>
        (await hub.http.post('/api/categories').set(team.admin.auth).send({ name, parentId }).expect(201)).body as { id: string };
      const shop = await create('店舗');
      const visit = await create('来店', shop.id);
      const hours = await create('営業時間', visit.id);
      const goods = await create('商品');

      // A two-level branch under a top category: its leaf goes from level 3 to level 3 (unchanged), then up a level.
      const moved = await hub.http.patch(`/api/categories/${visit.id}`).set(team.admin.auth).send({ parentId: goods.id, name: '来店予約' }).expect(200);
      expect(moved.body).toMatchObject({ parentId: goods.id, level: 2, path: ['商品', '来店予約'] });
      const toTop = await hub.http.patch(`/api/categories/${visit.id}`).set(team.admin.auth).send({ parentId: null }).expect(200);
      expect(toTop.body).toMatchObject({ parentId: null, level: 1 });
      const list = (await hub.http.get('/api/categories').set(team.admin.auth).expect(200)).body.items as { id: string; level: number; path: string[] }[];
      expect(list.find((c) => c.id === hours.id)).toMatchObject({ level: 2, path: ['来店予約', '営業時間'] });

      const cycle = await hub.http.patch(`/api/categories/${visit.id}`).set(team.admin.auth).send({ parentId: hours.id }).expect(400);
      expect(cycle.body).toMatchObject({ code: 'category_cycle', details: [{ field: 'parentId' }] });
      const deepLeaf = await create('午前', hours.id);
      // 来店予約 > 営業時間 > 午前 under 商品 > x would reach level 4.
      const middle = await create('在庫', goods.id);
      const tooDeep = await hub.http.patch(`/api/categories/${visit.id}`).set(team.admin.auth).send({ parentId: middle.id }).expect(400);
      expect(tooDeep.body).toMatchObject({ code: 'category_too_deep', details: [{ field: 'parentId' }] });
      expect((await hub.http.get('/api/categories').set(team.admin.auth).expect(200)).body.items.find((c: { id: string }) => c.id === deepLeaf.id).level).toBe(3);

      // A parent from another team is refused by the field, as on create.
      const foreign = await createTeam(hub, 'other-categories');
      const foreignTop = (await hub.http.post('/api/categories').set(foreign.admin.auth).send({ name: '他' }).expect(201)).body;
      const refused = await hub.http.patch(`/api/categories/${goods.id}`).set(team.admin.auth).send({ parentId: foreignTop.id }).expect(400);
      expect(refused.body.details).toEqual([{ field: 'parentId', message: expect.any(String) }]);
      await hub.http.patch(`/api/categories/${goods.id}`).set(team.admin.auth).send({}).expect(400);
    });

    it('asks for a rating on SMS and takes a lone score in reply; the widget’s rating form is stored too', async () => {
      const agent = await addMember(hub, team, { name: '高橋 五郎' });
      const phone = '+819012340005';
      const conversationId = await customerSms(phone, '質問があります');
      await hub.http.post(`/api/conversations/${conversationId}/messages`).set(agent.auth).send({ body: 'どうぞ' }).expect(201);
      await hub.http.post(`/api/conversations/${conversationId}/rating-request`).set(agent.auth).expect(201);
      await eventually(async () => sentTo(phone), (bodies) => bodies.some((b) => b?.includes('1（不満）〜5（満足）')));
      await customerSms(phone, 'ありがとう 3'); // not a score on its own
      await customerSms(phone, '５');
      const rated = await eventually(() => hub.infra.db.conversation.findUniqueOrThrow({ where: { id: conversationId } }), (c) => c.ratingScore !== null);
      expect(rated.ratingScore).toBe(5);

      const visitor = await connect(hub.url, '/widget', { channelId: webchat });
      sockets.push(visitor);
      await sessionOf(visitor);
      expect(await emitWithAck(visitor, 'rating', { score: 4 })).toMatchObject({ ok: false, code: 'no_conversation' });
      const { conversationId: chat } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: '在庫はありますか' });
      expect(await emitWithAck(visitor, 'rating', { score: 9 })).toMatchObject({ ok: false, code: 'invalid_request' });
      expect(await emitWithAck(visitor, 'rating', { score: 4, comment: '早い対応でした' })).toMatchObject({ ok: true, conversationId: chat });
      const view = await hub.http.get(`/api/conversations/${chat}`).set(agent.auth).expect(200);
      expect(view.body.rating).toEqual({ score: 4, comment: '早い対応でした' });
    });
  });

  describe('search', () => {
    it('finds a two-character Japanese word inside longer text, in this team only, paged and filtered', async () => {
      const supervisor = await addMember(hub, team, { role: 'supervisor' });
      const phone = '+819012340006';
      const conversationId = await customerSms(phone, '来週の予約をお願いしたいのですが');
      await customerSms(phone, '予定が変わりました');
      await customerSms(phone, '予 約'); // the characters apart: not the word
      const later = await customerSms('+819012340007', 'キャンセル待ちの予約はできますか？');
      const other = await createTeam(hub, '別の店');
      const otherSms = { id: await createWebchat(hub, other.admin) };
      const otherContact = await hub.infra.db.contact.create({ data: { teamId: other.teamId, name: '他店のお客様' } });
      const otherConversation = await hub.infra.db.conversation.create({ data: { teamId: other.teamId, channelId: otherSms.id, contactId: otherContact.id, threadKey: 'visitor:other-team' } });
      await hub.infra.db.message.create({ data: { teamId: other.teamId, conversationId: otherConversation.id, channelId: otherSms.id, direction: 'in', body: '予約したいです', authorType: 'contact', status: 'received' } });

      const found = await hub.http.get('/api/messages/search').query({ q: '予約' }).set(supervisor.auth).expect(200);
      const bodies = found.body.items.map((hit: { body: string }) => hit.body);
      expect(bodies).toEqual(expect.arrayContaining(['来週の予約をお願いしたいのですが', 'キャンセル待ちの予約はできますか？']));
      expect(bodies).not.toContain('予定が変わりました');
      expect(bodies).not.toContain('予 約');
      expect(bodies).not.toContain('予約したいです');
      expect(found.body.items[0]).toMatchObject({ channelType: 'sms', direction: 'in', author: { type: 'contact' } });
      // The hit count is exact: the messages that hold the word (this file's earlier chats included), not those
      // that hold its characters.
      expect(found.body.nextCursor).toBeNull();
      expect(found.body.total).toBe(found.body.items.length);
      expect(found.body.items.every((hit: { body: string }) => hit.body.includes('予約'))).toBe(true);

      const firstPage = await hub.http.get('/api/messages/search').query({ q: '予約', limit: 1 }).set(supervisor.auth).expect(200);
      expect(firstPage.body.items).toHaveLength(1);
      // Counted over every page, not the one answered.
      expect(firstPage.body.total).toBe(found.body.total);
      expect(firstPage.body.items[0].conversationId).toBe(later);
      const secondPage = await hub.http.get('/api/messages/search').query({ q: '予約', limit: 1, cursor: firstPage.body.nextCursor }).set(supervisor.auth).expect(200);
      expect(secondPage.body.items[0].conversationId).toBe(conversationId);
      // The count comes with the first page; a later page does not count again.
      expect(secondPage.body.total).toBeNull();

      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect((await hub.http.get('/api/messages/search').query({ q: '予約', from: future }).set(supervisor.auth).expect(200)).body.items).toEqual([]);
      expect((await hub.http.get('/api/messages/search').query({ q: '予約', channelType: 'webchat' }).set(supervisor.auth).expect(200)).body.items.map((h: { body: string }) => h.body)).not.toContain('来週の予約をお願いしたいのですが');
      expect((await hub.http.get('/api/messages/search').query({ q: '予約', from: future }).set(supervisor.auth).expect(200)).body.total).toBe(0);
      const missing = await hub.http.get('/api/messages/search').query({ q: '' }).set(supervisor.auth).expect(400);
      expect(missing.body.details).toContainEqual(expect.objectContaining({ field: 'q' }));
      const operator = await addMember(hub, team);
      await hub.http.get('/api/messages/search').query({ q: '予約' }).set(operator.auth).expect(403);

      const csv = await hub.http.get('/api/exports/messages.csv').query({ q: '予約' }).set(supervisor.auth).buffer(true).parse(asText).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
      expect(csv.body.startsWith(BOM)).toBe(true);
      const rows = parseCsv(csv.body.slice(1));
      expect(rows[0]).toEqual(['time', 'conversation_id', 'channel', 'contact', 'direction', 'kind', 'author', 'body', 'time_zone']);
      // Times in the team's zone with its offset, the zone named in its own column (never UTC read as local time).
      expect(rows.slice(1).every((row) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$/.test(row[0]) && row[8] === 'Asia/Tokyo')).toBe(true);
      expect(rows.slice(1).map((row) => row[7])).toEqual(expect.arrayContaining(['来週の予約をお願いしたいのですが', 'キャンセル待ちの予約はできますか？']));
      expect(rows.slice(1).map((row) => row[7])).not.toContain('予約したいです');
    });

    it('finds a longer word only where it is written whole, not where its character pairs are apart', async () => {
      const supervisor = await addMember(hub, team, { role: 'supervisor' });
      const phone = '+819012340016';
      // Both pairs of 予約変 (予約, 約変) are in this text, but not the word: the pairs narrow, the text decides.
      const conversationId = await customerSms(phone, 'ご予約、契約変更について');
      await customerSms(phone, '予約変更をお願いします');

      const found = await hub.http.get('/api/messages/search').query({ q: '予約変' }).set(supervisor.auth).expect(200);
      expect(found.body.items.map((hit: { body: string }) => hit.body)).toEqual(['予約変更をお願いします']);
      expect(found.body.total).toBe(1);

      // A member's messages include those of the chats they hold, counted alike.
      const holder = await addMember(hub, team);
      const bystander = await addMember(hub, team);
      await hub.infra.db.conversation.update({ where: { id: conversationId }, data: { assigneeId: holder.id, status: 'open' } });
      const held = await hub.http.get('/api/messages/search').query({ q: '予約変', memberId: holder.id }).set(supervisor.auth).expect(200);
      expect(held.body.items.map((hit: { body: string }) => hit.body)).toEqual(['予約変更をお願いします']);
      expect(held.body.total).toBe(1);
      const notHeld = await hub.http.get('/api/messages/search').query({ q: '予約変', memberId: bystander.id }).set(supervisor.auth).expect(200);
      expect(notHeld.body).toMatchObject({ items: [], total: 0 });
    });

    it('counts a two-character word from its pair alone, exactly: case folded, not reversed or apart, not unsent or blocked', async () => {
      // A two-character query is answered by the pairs' index without reading the text again: guards that this
      // shortcut counts the same messages the text would (an ASCII word, so that case folding is in play).
      const supervisor = await addMember(hub, team, { role: 'supervisor' });
      const phone = '+819012340036';
      await customerSms(phone, 'QZ の件です');
      await customerSms(phone, 'それはqzでした');
      await customerSms(phone, 'zq は逆さま');
      await customerSms(phone, 'q z は離れている');
      await customerSms(phone, 'Qz 取り消し');
      await customerSms(phone, 'qZ 受け取り拒否');
      await customerSms(phone, 'qz の記録');
      const db = hub.infra.db;
      await db.message.updateMany({ where: { body: 'Qz 取り消し' }, data: { unsentAt: new Date() } });
      await db.message.updateMany({ where: { body: 'qZ 受け取り拒否' }, data: { blocked: true } });
      await db.message.updateMany({ where: { body: 'qz の記録' }, data: { kind: 'event' } });

      for (const q of ['qz', 'QZ']) {
        const found = await hub.http.get('/api/messages/search').query({ q }).set(supervisor.auth).expect(200);
        expect({ q, bodies: found.body.items.map((hit: { body: string }) => hit.body).sort(), total: found.body.total }).toEqual({ q, bodies: ['QZ の件です', 'それはqzでした'], total: 2 });
      }
      // A longer query still reads the text, under the same conditions.
      const three = await hub.http.get('/api/messages/search').query({ q: 'QZ の' }).set(supervisor.auth).expect(200);
      expect(three.body).toMatchObject({ total: 1, items: [expect.objectContaining({ body: 'QZ の件です' })] });
    });

    it('narrows to a member: what they wrote in any chat, and every message of the chats they hold', async () => {
      // Guards both halves of the member filter, on the page and in the count: a reply in a chat someone else holds
      // still counts for its writer, and a held chat's customer messages count for its holder.
      const supervisor = await addMember(hub, team, { role: 'supervisor' });
      const writer = await addMember(hub, team);
      const holder = await addMember(hub, team);
      const held = await customerSms('+819012340046', 'xj を持つ人の会話');
      const elsewhere = await customerSms('+819012340047', 'xj とだけ書いた客');
      await hub.infra.db.conversation.update({ where: { id: held }, data: { assigneeId: holder.id, status: 'open' } });
      await hub.infra.db.message.create({
        data: { teamId: team.teamId, conversationId: elsewhere, channelId: sms, direction: 'out', body: 'xj の件、代わりに返信します', authorType: 'member', authorId: writer.id, status: 'sent' },
      });

      const search = async (memberId: string) => {
        const found = await hub.http.get('/api/messages/search').query({ q: 'XJ', memberId }).set(supervisor.auth).expect(200);
        return { bodies: found.body.items.map((hit: { body: string }) => hit.body), total: found.body.total };
      };
      expect(await search(writer.id)).toEqual({ bodies: ['xj の件、代わりに返信します'], total: 1 });
      expect(await search(holder.id)).toEqual({ bodies: ['xj を持つ人の会話'], total: 1 });
      expect(await search(supervisor.id)).toEqual({ bodies: [], total: 0 });
    });

    it('narrows to a category: its own chats and its sub-categories’, on the page and in the count, in this team only', async () => {
      // Guards the category filter added for the search page: a top-level category takes in what agents filed one
      // level down, and another team's category id finds nothing here.
      const supervisor = await addMember(hub, team, { role: 'supervisor' });
      const db = hub.infra.db;
      const top = await db.category.create({ data: { teamId: team.teamId, name: 'VQ 受付', level: 1 } });
      const leaf = await db.category.create({ data: { teamId: team.teamId, name: 'VQ 新規', level: 2, parentId: top.id } });
      const elsewhere = await db.category.create({ data: { teamId: team.teamId, name: 'VQ その他', level: 1 } });
      const filed = async (phone: string, body: string, categoryId: string | null) => {
        const conversationId = await customerSms(phone, body);
        await db.conversation.update({ where: { id: conversationId }, data: { categoryId } });
      };
      await filed('+819012340056', 'vq 上の分類', top.id);
      await filed('+819012340057', 'vq 下の分類', leaf.id);
      await filed('+819012340058', 'vq 別の分類', elsewhere.id);
      await filed('+819012340059', 'vq 分類なし', null);
      const other = await createTeam(hub, '別の分類の店');
      const foreign = await db.category.create({ data: { teamId: other.teamId, name: 'VQ', level: 1 } });

      const search = async (categoryId?: string) => {
        const found = await hub.http.get('/api/messages/search').query({ q: 'VQ', ...(categoryId ? { categoryId } : {}) }).set(supervisor.auth).expect(200);
        return { bodies: found.body.items.map((hit: { body: string }) => hit.body), total: found.body.total };
      };
      expect(await search()).toEqual({ bodies: ['vq 分類なし', 'vq 別の分類', 'vq 下の分類', 'vq 上の分類'], total: 4 });
      expect(await search(top.id)).toEqual({ bodies: ['vq 下の分類', 'vq 上の分類'], total: 2 });
      expect(await search(leaf.id)).toEqual({ bodies: ['vq 下の分類'], total: 1 });
      expect(await search(foreign.id)).toEqual({ bodies: [], total: 0 });
      const csv = await hub.http.get('/api/exports/messages.csv').query({ q: 'VQ', categoryId: top.id }).set(supervisor.auth).buffer(true).parse(asText).expect(200);
      expect(parseCsv(csv.body.slice(1)).slice(1).map((row) => row[7])).toEqual(['vq 下の分類', 'vq 上の分類']);
    });

    it('looks up quotes, backslashes and query syntax as plain characters', async () => {
      const supervisor = await addMember(hub, team, { role: 'supervisor' });
      // Each pair becomes a quoted lexeme of a text-search query: these must not break out of their quotes.
      await customerSms('+819012340026', "Tom's 予約 C:\\temp & !|");
      for (const q of ["m's", 's 予', ':\\t', '& !|']) {
        const found = await hub.http.get('/api/messages/search').query({ q }).set(supervisor.auth).expect(200);
        expect({ q, bodies: found.body.items.map((hit: { body: string }) => hit.body), total: found.body.total }).toEqual({ q, bodies: ["Tom's 予約 C:\\temp & !|"], total: 1 });
      }
    });
  });

  describe('exports and reports over a seeded period', () => {
    /** A fixture team on a known day (2026-11-20 in Tokyo) with answers worked out by hand. */
    async function seedDay() {
      const seeded = await createTeam(hub, '梅田店');
      const db = hub.infra.db;
      const agentA = await addMember(hub, seeded, { name: '井上 あや' });
      const agentB = await addMember(hub, seeded, { name: '木村 ゆう' });
      const supervisor = await addMember(hub, seeded, { role: 'supervisor' });
      const channel = { id: await createWebchat(hub, seeded.admin) };
      const top = await db.category.create({ data: { teamId: seeded.teamId, name: '予約', level: 1 } });
      const leaf = await db.category.create({ data: { teamId: seeded.teamId, name: '新規', level: 2, parentId: top.id } });
      const at = (hhmmss: string, day = '2026-11-20') => new Date(`${day}T${hhmmss}+09:00`);
      let n = 0;
      async function conversation(spec: {
        assignee: string | null; start: string; reply?: string; resolved?: string; handled?: boolean | null; rating?: number; category?: string; day?: string; extraOut?: number;
      }) {
        const contact = await db.contact.create({ data: { teamId: seeded.teamId, name: `お客様${++n}` } });
        const created = at(spec.start, spec.day);
        const row = await db.conversation.create({
          data: {
            teamId: seeded.teamId, channelId: channel.id, contactId: contact.id, threadKey: `visitor:v${n}`, status: spec.resolved ? 'resolved' : 'open',
            assigneeId: spec.assignee, createdAt: created, resolvedAt: spec.resolved ? at(spec.resolved, spec.day) : null,
            handled: spec.handled ?? null, ratingScore: spec.rating ?? null, categoryId: spec.category ?? null, outcome: spec.resolved ? 'booked' : null,
          },
        });
        const message = (direction: 'in' | 'out', when: Date, authorType: 'contact' | 'member', authorId: string | null, status: 'received' | 'sent') =>
          db.message.create({ data: { teamId: seeded.teamId, conversationId: row.id, channelId: channel.id, direction, body: 'x', authorType, authorId, status, createdAt: when } });
        await message('in', created, 'contact', null, 'received');
        if (spec.reply) await message('out', at(spec.reply, spec.day), 'member', spec.assignee, 'sent');
        for (let i = 0; i < (spec.extraOut ?? 0); i++) await message('out', at(spec.reply!, spec.day), 'member', spec.assignee, 'sent');
        return row;
      }
      // Agent A: first responses 60 s, 120 s, 300 s; handle times 600 s, 1200 s (the third is still open); ratings 5 and 3.
      const first = await conversation({ assignee: agentA.id, start: '10:00:00', reply: '10:01:00', resolved: '10:11:00', handled: true, rating: 5, category: leaf.id, extraOut: 1 });
      await conversation({ assignee: agentA.id, start: '11:00:00', reply: '11:02:00', resolved: '11:22:00', handled: true, rating: 3, category: leaf.id });
      await conversation({ assignee: agentA.id, start: '12:00:00', reply: '12:05:00' });
      // Agent B: one answered in 30 s, one nobody answered (unhandled).
      await conversation({ assignee: agentB.id, start: '13:00:00', reply: '13:00:30', resolved: '13:10:30', handled: true });
      await conversation({ assignee: agentB.id, start: '14:00:00', resolved: '14:30:00', handled: false });
      // The evening before and the day after (Tokyo time) are outside the day, though 2026-11-19T23:30+09:00 is the 19th in UTC too.
      await conversation({ assignee: agentA.id, start: '23:30:00', reply: '23:31:00', day: '2026-11-19' });
      await conversation({ assignee: agentA.id, start: '00:10:00', reply: '00:11:00', day: '2026-11-21' });
      // Offers: A was offered 3 (accepted 2, let 1 expire); B was offered 2 (accepted 2).
      const offer = (memberId: string, status: 'accepted' | 'expired', when: string) =>
        db.offer.create({ data: { teamId: seeded.teamId, conversationId: first.id, memberId, status, createdAt: at(when), expiresAt: at(when) } });
      await offer(agentA.id, 'accepted', '10:00:01');
      await offer(agentA.id, 'accepted', '11:00:01');
      await offer(agentA.id, 'expired', '12:00:01');
      await offer(agentB.id, 'accepted', '13:00:01');
      await offer(agentB.id, 'accepted', '14:00:01');
      // Canned replies: A used :7 twice that day, B once the day after.
      const canned = await db.cannedReply.create({ data: { teamId: seeded.teamId, scope: 'team', shortCode: '7', title: 't', body: 'b' } });
      const use = async (memberId: string, when: Date) => {
        const message = await db.message.create({ data: { teamId: seeded.teamId, conversationId: first.id, channelId: channel.id, direction: 'out', body: 'b', authorType: 'member', authorId: memberId, status: 'sent', createdAt: when } });
        await db.cannedReplyUse.create({ data: { teamId: seeded.teamId, cannedReplyId: canned.id, memberId, messageId: message.id, createdAt: when } });
      };
      await use(agentA.id, at('10:01:00'));
      await use(agentA.id, at('10:05:00'));
      await use(agentB.id, at('09:00:00', '2026-11-21'));
      // Sales: two credited to A through the first chat that day, one refunded (left out), and B's the day after.
      const sale = (orderId: string, memberId: string, amount: number, when: Date, status: 'completed' | 'refunded' = 'completed') =>
        db.sale.create({ data: { teamId: seeded.teamId, orderId, amount, currency: 'JPY', occurredAt: when, memberId, conversationId: first.id, reason: { match: 'visitor' }, status } });
      await sale('A-1', agentA.id, 2800, at('10:30:00'));
      await sale('A-2', agentA.id, 1200, at('15:00:00'));
      await sale('A-3', agentA.id, 9999, at('16:00:00'), 'refunded');
      await sale('B-1', agentB.id, 3500, at('09:30:00', '2026-11-21'));
      return { seeded, supervisor, agentA, agentB, first, top };
    }

    it('gives the fixture day’s counts and times per member, category and channel, as JSON and as CSV', async () => {
      const { seeded, supervisor, agentA, agentB } = await seedDay();
      const report = await hub.http.get('/api/reports/team').query({ from: '2026-11-20', to: '2026-11-20' }).set(supervisor.auth).expect(200);
      expect(report.body).toMatchObject({ from: '2026-11-20', to: '2026-11-20', timeZone: 'Asia/Tokyo', businessHoursOnly: false });
      const rowOf = (memberId: string) => report.body.members.find((row: { memberId: string }) => row.memberId === memberId);
      expect(rowOf(agentA.id)).toEqual({
        day: '2026-11-20', memberId: agentA.id, memberName: '井上 あや', offered: 3, accepted: 2, missed: 1, conversations: 3, handled: 2, unhandled: 0,
        // 60, 120, 300: the median is 120; p90 interpolates 120 + 0.8 × (300 − 120) = 264.
        firstResponse: { count: 3, medianSeconds: 120, p90Seconds: 264 },
        handleTime: { count: 2, medianSeconds: 900, p90Seconds: 1140 },
        ratings: { count: 2, average: 4 },
        cannedReplyUses: 2,
        sales: { count: 2, amounts: [{ currency: 'JPY', amount: 4000 }] },
      });
      expect(rowOf(agentB.id)).toMatchObject({ offered: 2, accepted: 2, missed: 0, conversations: 2, handled: 1, unhandled: 1, firstResponse: { count: 1, medianSeconds: 30 }, cannedReplyUses: 0, sales: { count: 0, amounts: [] } });
      expect(report.body.members).toHaveLength(2);
      expect(report.body.categories).toEqual([
        expect.objectContaining({ key: '', conversations: 3, handled: 1, unhandled: 1 }),
        expect.objectContaining({ key: '予約 > 新規', conversations: 2, handled: 2, ratings: { count: 2, average: 4 } }),
      ]);
      expect(report.body.channels).toEqual([expect.objectContaining({ key: 'webchat', conversations: 5, firstResponse: { count: 4, medianSeconds: 90, p90Seconds: 246 } })]);
      // The whole team, each conversation once: the median of all four first responses (60, 120, 300, 30), not of the members' medians.
      expect(report.body.team).toEqual({
        key: '', conversations: 5, missed: 1, handled: 3, unhandled: 1, firstResponse: { count: 4, medianSeconds: 90, p90Seconds: 246 },
        handleTime: { count: 3, medianSeconds: 600, p90Seconds: 1080 }, ratings: { count: 2, average: 4 }, cannedReplyUses: 3,
        sales: { count: 3, amounts: [{ currency: 'JPY', amount: 7500 }] }, productCards: { sent: 0, opened: 0, bought: 0 },
        calls: { count: 0, seconds: 0 },
      });

      const csv = await hub.http.get('/api/reports/team').query({ from: '2026-11-20', to: '2026-11-20', format: 'csv' }).set(supervisor.auth).buffer(true).parse(asText).expect(200);
      const rows = parseCsv(csv.body.slice(1));
      expect(rows[0]).toEqual(expect.arrayContaining(['day', 'member', 'offered', 'first_response_median_seconds', 'canned_reply_uses']));
      expect(rows).toHaveLength(3);
      expect(rows.find((row) => row[1] === agentA.id)).toEqual(['2026-11-20', agentA.id, '井上 あや', '3', '2', '1', '3', '2', '0', '120', '264', '900', '1140', '2', '4', '2', '2', 'JPY 4000']);

      // Counting only business hours (10:00-10:30 open): A's first chat waits 60 s; its handle time 10:01-10:11 is all open.
      await hub.http
        .patch('/api/teams/current')
        .set(seeded.admin.auth)
        .send({ settings: { reportTimesInBusinessHours: true, businessHours: { weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '10:00', close: '10:30' }] } } })
        .expect(200);
      const open = await hub.http.get('/api/reports/team').query({ from: '2026-11-20', to: '2026-11-20' }).set(supervisor.auth).expect(200);
      expect(open.body.businessHoursOnly).toBe(true);
      // 11:00-11:02 and 12:00-12:05 are closed: 0 s each; 10:00-10:01 is 60 s.
      expect(open.body.members.find((row: { memberId: string }) => row.memberId === agentA.id).firstResponse).toEqual({ count: 3, medianSeconds: 0, p90Seconds: 48 });
      await hub.http.get('/api/reports/team').query({ from: '2026-11-21', to: '2026-11-20' }).set(supervisor.auth).expect(400);
      await hub.http.get('/api/reports/team').query({ from: '2026-11-20', to: '2026-11-20' }).set(agentA.auth).expect(403);
    });

    it('lists the history newest first, filtered and paged in the database, and the CSV takes the same filters', async () => {
      const { supervisor, agentA, agentB, first, top } = await seedDay();
      const period = { from: '2026-11-20T00:00:00+09:00', to: '2026-11-21T00:00:00+09:00' };
      type Item = { id: string; createdAt: string };
      const list = async (query: Record<string, string | number>) => (await hub.http.get('/api/conversation-history').query(query).set(supervisor.auth).expect(200)).body as { items: Item[]; nextCursor: string | null };
      const starts = async (query: Record<string, string | number>) => (await list({ ...period, ...query })).items.map((item) => item.createdAt.slice(11, 16));

      const day = await list(period);
      expect(day.items.map((item) => item.createdAt.slice(11, 16))).toEqual(['05:00', '04:00', '03:00', '02:00', '01:00']);
      expect(day.nextCursor).toBeNull();
      // The same figures as the conversation CSV's row of this chat (see the export test below).
      expect(day.items[4]).toEqual({
        id: first.id, channelType: 'webchat', channelName: 'Web shop', contactName: expect.stringMatching(/^お客様/), category: '予約 > 新規',
        assignee: { id: agentA.id, name: '井上 あや' }, createdAt: '2026-11-20T01:00:00.000Z', firstResponseSeconds: 60, resolvedAt: '2026-11-20T01:11:00.000Z',
        outcome: 'booked', handled: true, rating: 5, messagesIn: 1, messagesOut: 5, sales: [{ currency: 'JPY', amount: 7500 }],
      });
      expect(await starts({ memberId: agentB.id })).toEqual(['05:00', '04:00']);
      expect(await starts({ handled: 'false' })).toEqual(['05:00']);
      expect(await starts({ handled: 'true' })).toEqual(['04:00', '02:00', '01:00']);
      expect(await starts({ rating: 3 })).toEqual(['02:00']);
      expect(await starts({ categoryId: top.id })).toEqual(['02:00', '01:00']);
      expect(await starts({ outcome: 'booked', memberId: agentA.id })).toEqual(['02:00', '01:00']);
      expect(await starts({ channelType: 'sms' })).toEqual([]);
      // Without a period: the evening before and the day after too.
      expect((await list({ memberId: agentA.id })).items).toHaveLength(5);

      // Paged by a cursor: the pages together are the list, none twice.
      const pages: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Item[]; nextCursor: string | null } = await list({ ...period, limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        pages.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(pages).toEqual(day.items.map((item) => item.id));

      const csv = await hub.http.get('/api/exports/conversations.csv').query({ ...period, memberId: agentB.id, handled: 'false' }).set(supervisor.auth).buffer(true).parse(asText).expect(200);
      const rows = parseCsv(csv.body.slice(1));
      expect(rows.slice(1).map((row) => [row[5], row[6], row[10], row[15]])).toEqual([['木村 ゆう', '2026-11-20T14:00:00+09:00', 'unhandled', 'Asia/Tokyo']]);

      // Refusals name the field and keep the stable code.
      const refused = async (query: Record<string, string | number>, field: string) => {
        const answer = await hub.http.get('/api/conversation-history').query(query).set(supervisor.auth).expect(400);
        expect({ code: answer.body.code, fields: answer.body.details.map((detail: { field: string }) => detail.field) }).toEqual({ code: 'invalid_request', fields: [field] });
      };
      await refused({ rating: 6 }, 'rating');
      await refused({ handled: 'yes' }, 'handled');
      await refused({ from: period.to, to: period.from }, 'to');
      await refused({ cursor: 'not-a-cursor' }, 'cursor');
      await hub.http.get('/api/conversation-history').set(agentA.auth).expect(403);
      // Another team's ids pick nothing of theirs and nothing of this team's.
      const elsewhere = await createTeam(hub, '別の履歴の店');
      const foreign = await hub.infra.db.category.create({ data: { teamId: elsewhere.teamId, name: '予約', level: 1 } });
      expect(await starts({ categoryId: foreign.id })).toEqual([]);
      expect((await hub.http.get('/api/conversation-history').query({ memberId: agentA.id }).set(elsewhere.admin.auth).expect(200)).body.items).toEqual([]);
    });

    it('filters the history by store: as the agent set it, or as the visitor’s pages told it when the chat was resolved', async () => {
      // Detection reads URL patterns no query can: the store a resolved chat was detected in is kept, so that the
      // filter is a condition in the database; an agent's choice still wins over it, and clearing it goes back to it.
      const shop = await createTeam(hub, '整骨院チェーン');
      await hub.http
        .patch('/api/teams/current')
        .set(shop.admin.auth)
        .send({ settings: { stores: { patterns: [{ pattern: 'https://clinic.example/shibuya/*', store: '渋谷' }, { pattern: 'https://clinic.example/ikebukuro/*', store: '池袋' }] } } })
        .expect(200);
      const channelId = await createWebchat(hub, shop.admin);
      const db = hub.infra.db;
      let minute = 0;
      const chat = async (visitorId: string, url: string) => {
        const contact = await db.contact.create({ data: { teamId: shop.teamId, name: visitorId } });
        const conversation = await db.conversation.create({
          data: { teamId: shop.teamId, channelId, contactId: contact.id, threadKey: `visitor:${visitorId}`, status: 'open', assigneeId: shop.admin.id, createdAt: new Date(Date.now() - 3_600_000 + minute++ * 60_000) },
        });
        await db.visitorPage.create({ data: { teamId: shop.teamId, channelId, visitorId, url } });
        return conversation.id;
      };
      const shibuya = await chat('v-shibuya', 'https://clinic.example/shibuya/reserve');
      const ikebukuro = await chat('v-ikebukuro', 'https://clinic.example/ikebukuro/access');
      const told = await chat('v-told', 'https://www.instagram.com/clinic/');
      await chat('v-open', 'https://clinic.example/shibuya/menu');
      await hub.http.put(`/api/conversations/${told}/store`).set(shop.admin.auth).send({ store: '渋谷' }).expect(200);
      // These chats have no customer message (rows written for the store test): a booking there is confirmed.
      for (const id of [shibuya, ikebukuro, told]) await hub.http.post(`/api/conversations/${id}/resolve`).set(shop.admin.auth).send({ outcome: 'booked', confirmed: true }).expect(200);

      const inStore = async (store: string) => (await hub.http.get('/api/conversation-history').query({ store }).set(shop.admin.auth).expect(200)).body.items.map((item: { id: string }) => item.id);
      // The open chat is not in it yet: its store is kept when it is resolved.
      await eventually(() => inStore('渋谷'), (ids) => ids.length === 2);
      expect(await inStore('渋谷')).toEqual([told, shibuya]);
      await eventually(() => inStore('池袋'), (ids) => ids.length === 1);
      expect(await inStore('池袋')).toEqual([ikebukuro]);
      expect(await inStore('新宿')).toEqual([]);
      // Kept for the history, it is still detection: the page says where it came from, not an agent.
      expect((await hub.http.get(`/api/conversations/${shibuya}/store`).set(shop.admin.auth).expect(200)).body).toEqual({ store: '渋谷', source: 'page', url: 'https://clinic.example/shibuya/reserve' });

      // The agent says otherwise after the chat ended, then takes it back: detection again.
      await hub.http.put(`/api/conversations/${ikebukuro}/store`).set(shop.admin.auth).send({ store: '渋谷' }).expect(200);
      expect(await inStore('池袋')).toEqual([]);
      expect(await inStore('渋谷')).toEqual([told, ikebukuro, shibuya]);
      await hub.http.put(`/api/conversations/${ikebukuro}/store`).set(shop.admin.auth).send({ store: null }).expect(200);
      expect(await inStore('池袋')).toEqual([ikebukuro]);
      const csv = await hub.http.get('/api/exports/conversations.csv').query({ from: new Date(Date.now() - 7_200_000).toISOString(), to: new Date().toISOString(), store: '渋谷' }).set(shop.admin.auth).buffer(true).parse(asText).expect(200);
      expect(parseCsv(csv.body.slice(1)).slice(1).map((row) => row[0])).toEqual([shibuya, told]);
    });

    it('breaks the period down per day, category, channel and store, each with its CSV of the same figures', async () => {
      const { seeded, supervisor, first } = await seedDay();
      await hub.infra.db.conversationStore.create({ data: { conversationId: first.id, teamId: seeded.teamId, store: '梅田店', setBy: supervisor.id } });
      const report = await hub.http.get('/api/reports/team').query({ from: '2026-11-19', to: '2026-11-21' }).set(supervisor.auth).expect(200);
      // Every figure of a group counts with the conversation, on the day it started: the first chat carries the expired
      // offer, the three canned replies (one used the day after) and its three credited sales (one the day after).
      expect(report.body.days).toEqual([
        expect.objectContaining({ key: '2026-11-19', conversations: 1, missed: 0 }),
        {
          key: '2026-11-20', conversations: 5, missed: 1, handled: 3, unhandled: 1,
          firstResponse: { count: 4, medianSeconds: 90, p90Seconds: 246 },
          // 600, 600, 1200 s.
          handleTime: { count: 3, medianSeconds: 600, p90Seconds: 1080 },
          ratings: { count: 2, average: 4 }, cannedReplyUses: 3, sales: { count: 3, amounts: [{ currency: 'JPY', amount: 7500 }] }, productCards: { sent: 0, opened: 0, bought: 0 },
          calls: { count: 0, seconds: 0 },
        },
        expect.objectContaining({ key: '2026-11-21', conversations: 1 }),
      ]);
      expect(report.body.stores).toEqual([
        expect.objectContaining({ key: '', conversations: 6, cannedReplyUses: 0 }),
        expect.objectContaining({ key: '梅田店', conversations: 1, missed: 1, cannedReplyUses: 3, sales: { count: 3, amounts: [{ currency: 'JPY', amount: 7500 }] } }),
      ]);
      expect(report.body.channels).toEqual([expect.objectContaining({ key: 'webchat', conversations: 7, handleTime: expect.objectContaining({ count: 3 }) })]);

      const csv = await hub.http.get('/api/reports/team').query({ from: '2026-11-19', to: '2026-11-21', format: 'csv', breakdown: 'day' }).set(supervisor.auth).buffer(true).parse(asText).expect(200);
      expect(csv.headers['content-disposition']).toContain('report-day-2026-11-19-2026-11-21.csv');
      const rows = parseCsv(csv.body.slice(1));
      expect(rows[0]).toEqual([
        'day', 'conversations', 'missed', 'handled', 'unhandled', 'first_response_median_seconds', 'first_response_p90_seconds',
        'handle_time_median_seconds', 'handle_time_p90_seconds', 'ratings', 'rating_average', 'canned_reply_uses', 'sales', 'sales_amount',
        'product_cards_sent', 'product_cards_opened', 'product_cards_bought', 'video_calls', 'video_call_minutes',
      ]);
      expect(rows[2]).toEqual(['2026-11-20', '5', '1', '3', '1', '90', '246', '600', '1080', '2', '4', '3', '3', 'JPY 7500', '0', '0', '0', '0', '0']);
      const stores = await hub.http.get('/api/reports/team').query({ from: '2026-11-19', to: '2026-11-21', format: 'csv', breakdown: 'store' }).set(supervisor.auth).buffer(true).parse(asText).expect(200);
      expect(parseCsv(stores.body.slice(1)).map((row) => row[0])).toEqual(['store', '', '梅田店']);

      const refused = await hub.http.get('/api/reports/team').query({ from: '2026-11-19', to: '2026-11-21', breakdown: 'week' }).set(supervisor.auth).expect(400);
      expect(refused.body).toMatchObject({ code: 'invalid_request', details: [expect.objectContaining({ field: 'breakdown' })] });
    });

    it('exports one row per conversation of the period with the agreed columns, UTF-8 with a BOM', async () => {
      const { supervisor, first } = await seedDay();
      const csv = await hub.http
        .get('/api/exports/conversations.csv')
        .query({ from: '2026-11-20T00:00:00+09:00', to: '2026-11-21T00:00:00+09:00' })
        .set(supervisor.auth)
        .buffer(true)
        .parse(asText)
        .expect(200);
      expect(csv.headers['content-disposition']).toContain('conversations.csv');
      expect(csv.body.startsWith(BOM)).toBe(true);
      const rows = parseCsv(csv.body.slice(1));
      expect(rows[0]).toEqual([
        'id', 'channel', 'channel_name', 'contact', 'category', 'assignee', 'created_at', 'first_response_seconds', 'resolved_at',
        'outcome', 'handled', 'rating', 'messages_in', 'messages_out', 'sales', 'time_zone',
      ]);
      expect(rows).toHaveLength(6);
      expect(rows[1]).toEqual([
        first.id, 'webchat', 'Web shop', expect.stringMatching(/^お客様/), '予約 > 新規', '井上 あや', '2026-11-20T10:00:00+09:00', '60', '2026-11-20T10:11:00+09:00',
        // Out: the reply, one more, and the three canned replies written into this chat by the fixture.
        // Sales through this chat: 2,800 and 1,200 yen credited that day, 3,500 the next; the refunded one is left out.
        'booked', 'handled', '5', '1', '5', 'JPY 7500', 'Asia/Tokyo',
      ]);
      expect(rows.map((row) => row[10])).toEqual(['handled', 'handled', 'handled', '', 'handled', 'unhandled']);

      const log = await hub.http.get(`/api/conversations/${first.id}/export.csv`).set(supervisor.auth).buffer(true).parse(asText).expect(200);
      const lines = parseCsv(log.body.slice(1));
      expect(lines[0]).toEqual(['time', 'direction', 'kind', 'author_type', 'author', 'status', 'body', 'time_zone']);
      expect(lines[1]).toEqual(['2026-11-20T10:00:00+09:00', 'in', 'text', 'contact', '', 'received', 'x', 'Asia/Tokyo']);
      await hub.http.get('/api/conversations/00000000-0000-7000-8000-000000000000/export.csv').set(supervisor.auth).expect(404);
      const invalid = await hub.http.get('/api/exports/conversations.csv').query({ from: 'yesterday', to: '2026-11-21T00:00:00+09:00' }).set(supervisor.auth).expect(400);
      expect(invalid.body.details).toContainEqual(expect.objectContaining({ field: 'from' }));
    });
  });
});
