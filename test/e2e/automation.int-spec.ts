import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { systemClock } from '../../src/common/clock.js';
import { startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { startWebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import type { WebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import { bookingsGroup } from '../support/bookings-group.js';
import { eventually } from '../support/eventually.js';
import { emitWithAck, socketPool } from '../support/sockets.js';
import { createHubDatabase } from '../support/test-database.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const LINE = { token: 'line-token-automation', secret: 'line-secret-automation' };

describe('Automation rules', () => {
  let database: Awaited<ReturnType<typeof createHubDatabase>>;
  let hub: TestHub;
  let line: LineFake;
  // The clinic's reservation system: it verifies each delivery's signature with the Standard Webhooks library.
  let receiver: WebhookReceiverFake;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let agent: TestMember;
  let channelId: string;
  let groupId: string;
  const { open, closeAll } = socketPool();

  const start = (options: { startJobs?: boolean } = {}) =>
    startTestHub(database ? { DATABASE_URL: database.url } : {}, options);

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: LINE.token });
    receiver = await startWebhookReceiverFake(systemClock);
    // A database of its own that outlives each hub: the restart finds the rows the stopped hub left.
    database = await createHubDatabase();
    hub = await start();
    team = await createTeam(hub, 'クリニック');
    agent = await addMember(hub, team, { name: '受付 花子' });
    channelId = await createWebchat(hub, team.admin);
    groupId = await bookingsGroup(hub, team.admin, line, LINE);
  });

  afterAll(async () => {
    closeAll();
    await hub?.stop();
    await database?.drop();
    await line?.close();
    await receiver?.close();
  });

  async function visitorChat(body: string): Promise<string> {
    const visitor = await open(hub.url, '/widget', { channelId });
    const ack = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body });
    return ack.conversationId;
  }

  const rule = (body: Record<string, unknown>) => hub.http.post('/api/automation/rules').set(team.admin.auth).send(body).expect(201).then((r) => r.body as { id: string });
  const runsOf = async (conversationId: string) =>
    ((await hub.http.get('/api/automation/runs').set(team.admin.auth).expect(200)).body.items as { ruleId: string; conversationId: string; status: string; conditions: unknown[]; actions: { kind: string; status: string }[] }[]).filter(
      (run) => run.conversationId === conversationId,
    );

  // Done when 3: once per resolution, across a restart before the run and after it.
  it('posts to LINE and publishes a webhook once when a chat is resolved as booked, across restarts', async () => {
    // Subscribed to an event this case never makes: what reaches it is what the rule sends.
    const endpoint = await hub.http.post('/api/webhooks/endpoints').set(team.admin.auth).send({ url: `${receiver.url}/reservations`, events: ['sale.reversed'] }).expect(201);
    receiver.secrets.set('/reservations', endpoint.body.secret as string);
    const booked = await rule({
      name: '予約 → 予約システムと報告',
      event: 'conversation.resolved',
      conditions: [{ kind: 'outcome', outcomes: ['booked'] }],
      actions: [
        { kind: 'webhook', endpointId: endpoint.body.id },
        { kind: 'report', purpose: 'bookings', text: '【自動化】予約連絡' },
      ],
    });
    const conversationId = await visitorChat('明日の予約をお願いします');
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(agent.auth);

    // The hub stops after the resolution committed and before its job ran: the event is still pending.
    await hub.stop();
    hub = await start({ startJobs: false });
    await hub.http.post(`/api/conversations/${conversationId}/resolve`).set(team.admin.auth).send({ outcome: 'booked', confirmed: true }).expect(200);
    expect(await hub.infra.db.eventLog.findMany({ where: { conversationId, type: 'conversation.resolved' } })).toEqual([expect.objectContaining({ pending: expect.arrayContaining(['automation', 'reports']) })]);
    // The team's own "booked" report waits in the log with the rule: nothing was posted by the hub that stopped.
    expect(await hub.infra.db.report.count({ where: { conversationId, kind: 'resolved' } })).toBe(0);
    await hub.stop();

    hub = await start();
    await eventually(() => hub.infra.db.report.findMany({ where: { conversationId, kind: 'resolved' } }), (rows) => rows.length === 1 && rows[0].status === 'sent');
    await eventually(async () => line.pushesTo(groupId).filter((p) => p.messages.some((m) => m.text === '【自動化】予約連絡')).length, (n) => n === 1);
    const delivered = () => receiver.received.filter((hit) => hit.path === '/reservations' && hit.data.conversationId === conversationId);
    await eventually(async () => delivered().length, (n) => n === 1);
    expect(delivered()).toEqual([expect.objectContaining({ type: 'conversation.resolved', data: expect.objectContaining({ outcome: 'booked', channelId }) })]);
    const [run] = await runsOf(conversationId);
    expect(run).toMatchObject({ ruleId: booked.id, status: 'matched', conditions: [{ kind: 'outcome', matched: true }], actions: [{ kind: 'webhook', status: 'done' }, { kind: 'report', status: 'done' }] });

    // The event handed again (as after a crash before its consumer was marked done), and a restart after the run.
    await hub.infra.db.$executeRaw`UPDATE event_log SET pending = ARRAY['automation'] WHERE conversation_id = ${conversationId} AND type = 'conversation.resolved'`;
    await hub.stop();
    hub = await start();
    await eventually(async () => (await hub.infra.db.eventLog.findFirstOrThrow({ where: { conversationId, type: 'conversation.resolved' } })).pending, (p) => p.length === 0);
    expect(line.pushesTo(groupId).filter((p) => p.messages.some((m) => m.text === '【自動化】予約連絡'))).toHaveLength(1);
    await hub.infra.jobs.idle();
    expect(delivered()).toHaveLength(1);
    expect(receiver.unverified).toBe(0);
    expect(await runsOf(conversationId)).toHaveLength(1);
    await hub.http.delete(`/api/automation/rules/${booked.id}`).set(team.admin.auth).expect(204);
  });

  // The event log is what feeds subscribed endpoints: no rule is involved, and nothing is logged before one subscribes.
  it('delivers a chat\'s events to a subscribed endpoint in the order they happened, through the event log', async () => {
    const before = await visitorChat('購読前のメッセージ');
    expect(await hub.infra.db.eventLog.count({ where: { conversationId: before } })).toBe(0);

    const endpoint = await hub.http.post('/api/webhooks/endpoints').set(team.admin.auth).send({ url: `${receiver.url}/crm`, events: ['conversation.created', 'message.created', 'conversation.resolved'] }).expect(201);
    receiver.secrets.set('/crm', endpoint.body.secret as string);
    const visitor = await open(hub.url, '/widget', { channelId });
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: '一通目' });
    await emitWithAck(visitor, 'message', { body: '二通目' });
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(agent.auth).expect(200);
    await hub.http.post(`/api/conversations/${conversationId}/resolve`).set(agent.auth).send({ outcome: 'not_booked', confirmed: true }).expect(200);

    const hits = () => receiver.received.filter((hit) => hit.path === '/crm' && hit.data.conversationId === conversationId);
    await eventually(async () => hits().length, (n) => n === 4);
    expect(hits().map((hit) => [hit.type, hit.data.text ?? hit.data.outcome ?? null])).toEqual([
      ['conversation.created', null],
      ['message.created', '一通目'],
      ['message.created', '二通目'],
      ['conversation.resolved', 'not_booked'],
    ]);
    expect(receiver.received.some((hit) => hit.data.conversationId === before)).toBe(false);
    expect(receiver.unverified).toBe(0);
    await hub.http.delete(`/api/webhooks/endpoints/${endpoint.body.id}`).set(team.admin.auth).expect(204);
  });

  it('sends a new chat to a group before routing offers it, and a later rule is skipped after one that stops', async () => {
    const group = await hub.http.post('/api/groups').set(team.admin.auth).send({ name: '夜間', memberIds: [agent.id] }).expect(201);
    await hub.http.put('/api/members/me/status').set(agent.auth).send({ status: 'online' }).expect(200);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'online' }).expect(200);
    const first = await rule({ name: '夜間へ', event: 'conversation.created', conditions: [{ kind: 'channel', channelIds: [channelId] }], actions: [{ kind: 'assign_group', groupId: group.body.id }], stopProcessing: true });
    const later = await rule({ name: 'メモ', event: 'conversation.created', actions: [{ kind: 'note', text: '届かないはず' }] });

    const conversationId = await visitorChat('こんばんは');
    const offers = await eventually(() => hub.infra.db.offer.findMany({ where: { conversationId } }), (rows) => rows.length > 0);
    // The admin is online too, but not in the group the rule chose.
    expect(offers.map((o) => o.memberId)).toEqual([agent.id]);
    expect((await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).ruleGroupId).toBe(group.body.id);
    const runs = await eventually(() => runsOf(conversationId), (r) => r.length === 1 && r[0].status === 'matched');
    expect(runs.map((r) => r.ruleId)).toEqual([first.id]);
    expect(await hub.infra.db.message.count({ where: { conversationId, kind: 'note' } })).toBe(0);

    for (const id of [first.id, later.id]) await hub.http.delete(`/api/automation/rules/${id}`).set(team.admin.auth).expect(204);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
  });

  it('tests a rule against a past conversation without doing anything', async () => {
    const conversationId = await visitorChat('キャンセルしたいです');
    const dry = await rule({ name: 'キャンセル', event: 'message.created', conditions: [{ kind: 'words', words: ['キャンセル'] }], actions: [{ kind: 'note', text: 'キャンセル希望' }, { kind: 'report', purpose: 'bookings', text: 'キャンセル' }] });
    const pushes = line.pushesTo(groupId).length;
    const result = await hub.http.post('/api/automation/rules/test').set(team.admin.auth).send({ conversationId, ruleId: dry.id }).expect(200);
    expect(result.body).toEqual({
      eventType: 'message.created',
      results: [{ ruleId: dry.id, ruleName: 'キャンセル', matched: true, stopsHere: false, conditions: [{ kind: 'words', matched: true }], actions: [{ kind: 'note', status: 'would_run' }, { kind: 'report', status: 'would_run' }] }],
    });
    expect(await hub.infra.db.message.count({ where: { conversationId, kind: 'note' } })).toBe(0);
    expect(await runsOf(conversationId)).toEqual([]);
    expect(line.pushesTo(groupId)).toHaveLength(pushes);
    await hub.http.delete(`/api/automation/rules/${dry.id}`).set(team.admin.auth).expect(204);
  });

  // A rule's ticket is made once per event: the action's key is the ticket's dedupe key, so an event handed again
  // (as after a crash before its consumer was marked done) finds the first ticket; the action after it runs too.
  it('makes one ticket for a booked resolution, linked to its chat, however often the event is handed', async () => {
    const ticketRule = await rule({
      name: '予約 → チケット',
      event: 'conversation.resolved',
      conditions: [{ kind: 'outcome', outcomes: ['booked'] }],
      actions: [
        { kind: 'create_ticket', title: '予約の確認' },
        { kind: 'note', text: '確認のチケットを作りました' },
      ],
    });
    const conversationId = await visitorChat('来週の予約をお願いします');
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(agent.auth).expect(200);
    await hub.http.post(`/api/conversations/${conversationId}/resolve`).set(agent.auth).send({ outcome: 'booked' }).expect(200);
    const [run] = await eventually(() => runsOf(conversationId), (runs) => runs.length === 1 && runs[0].status === 'matched');
    expect(run).toMatchObject({
      ruleId: ticketRule.id,
      conditions: [{ kind: 'outcome', matched: true }],
      actions: [
        { kind: 'create_ticket', status: 'done' },
        { kind: 'note', status: 'done' },
      ],
    });
    const tickets = await hub.http.get(`/api/conversations/${conversationId}/tickets`).set(agent.auth).expect(200);
    expect(tickets.body.items).toEqual([expect.objectContaining({ title: '予約の確認', status: 'open' })]);

    await hub.infra.db.$executeRaw`UPDATE event_log SET pending = ARRAY['automation'] WHERE conversation_id = ${conversationId} AND type = 'conversation.resolved'`;
    await hub.stop();
    hub = await start();
    await eventually(async () => (await hub.infra.db.eventLog.findFirstOrThrow({ where: { conversationId, type: 'conversation.resolved' } })).pending, (p) => p.length === 0);
    expect(await hub.infra.db.ticket.count({ where: { conversationId } })).toBe(1);
    expect(await hub.infra.db.message.count({ where: { conversationId, kind: 'note', body: '確認のチケットを作りました' } })).toBe(1);
    await hub.http.delete(`/api/automation/rules/${ticketRule.id}`).set(team.admin.auth).expect(204);
  });

  it('lets administrators only edit rules, and refuses a group of another team', async () => {
    await hub.http.get('/api/automation/rules').set(agent.auth).expect(403);
    await hub.http.post('/api/automation/rules').set(agent.auth).send({ name: 'x', event: 'conversation.created', actions: [{ kind: 'note', text: 'x' }] }).expect(403);
    const other = await createTeam(hub, '別のチーム');
    const theirs = await hub.http.post('/api/groups').set(other.admin.auth).send({ name: '他', memberIds: [] }).expect(201);
    const refused = await hub.http.post('/api/automation/rules').set(team.admin.auth).send({ name: 'x', event: 'conversation.created', actions: [{ kind: 'assign_group', groupId: theirs.body.id }] }).expect(400);
    expect(refused.body).toMatchObject({ code: 'invalid_rule', details: [{ field: 'actions.0.groupId' }] });
  });
});
