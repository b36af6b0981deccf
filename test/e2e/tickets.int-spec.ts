import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { TicketEvents, TicketsService } from '../../src/tickets/index.js';
import { postSignedTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { eventually } from '../support/eventually.js';
import { MovableClock } from '../support/movable-clock.js';
import { collect, connect, nextEvent } from '../support/sockets.js';
import { createHubDatabase } from '../support/test-database.js';
import { TestHub, TestMember, addMember, createTeam, startTestHub } from '../support/test-hub.js';
import type { TestHubOptions } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'd'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-tickets-0123';
const HUB_NUMBER = '+15005550006';
const CUSTOMER = '+819012345678';
const HOUR = 60 * 60_000;

let sidCounter = 0;
const newSid = () => `SM${(Date.now().toString(16) + (sidCounter++).toString(16)).padStart(32, '0')}`;

interface TicketFrame {
  id: string;
  number: number;
  status: string;
  overdue: boolean;
  contactId: string | null;
  conversationId: string | null;
  dueAt: string | null;
  remindAt: string | null;
}

/**
 * Issue 23, Done-when 1, on the wire: an SMS chat becomes a ticket with its history; the customer's later SMS reply
 * lands on the ticket; the due reminder reaches the assignee once, across a restart; overdue tickets are listed.
 */
describe('Tickets', () => {
  const clock = new MovableClock(new Date('2026-12-07T01:00:00Z'));
  let fake: TwilioFake;
  let database: { url: string; drop(): Promise<void> } | null;
  let dataDir: string;
  let options: TestHubOptions;
  let env: Record<string, string>;
  let hub: TestHub;
  let admin: TestMember;
  let agent: TestMember;
  let sms: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    // One database for both hubs, so that the second finds what the first left (the restart below).
    database = await createHubDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-tickets-'));
    env = { PUBLIC_URL, ...(database ? { DATABASE_URL: database.url } : {}) };
    options = { clock, dataDir, ...(database ? {} : { memoryDatabase: false }) };
    hub = await startTestHub(env, options);
    const team = await createTeam(hub, 'フォローアップ');
    admin = team.admin;
    agent = await addMember(hub, team, { name: '担当 ネネ' });
    const config = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: fake.url, from: HUB_NUMBER, sendsPerSecond: 200 };
    sms = (await hub.http.post('/api/channels').set(admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config }).expect(201)).body.id;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await hub?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
    await fake?.close();
  });

  async function textIn(from: string, body: string): Promise<{ messageId: string; conversationId: string; contactId: string }> {
    const params = { MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: from, To: HUB_NUMBER, Body: body, NumMedia: '0' };
    await postSignedTwilioForm(hub.url, PUBLIC_URL, `/webhooks/twilio/${sms}`, AUTH_TOKEN, params).expect(200);
    const message = await hub.infra.db.message.findFirstOrThrow({ where: { channelId: sms, eventKey: params.MessageSid } });
    return { messageId: message.id, conversationId: message.conversationId, contactId: message.authorId! };
  }

  async function open(member: TestMember): Promise<Socket> {
    const socket = await connect(hub.url, '/inbox', { token: member.token });
    sockets.push(socket);
    return socket;
  }

  const detail = async (id: string) => (await hub.http.get(`/api/tickets/${id}`).set(agent.auth).expect(200)).body;

  let chat: { messageId: string; conversationId: string; contactId: string };
  let ticket: TicketFrame;

  it('turns an SMS chat into a ticket that links the chat’s history and its contact', async () => {
    chat = await textIn(CUSTOMER, '注文した商品がまだ届きません');
    const socket = await open(admin);
    const heard = nextEvent<TicketFrame>(socket, 'ticket.updated');
    const dueAt = new Date(clock.now().getTime() + 3 * HOUR).toISOString();
    const made = await hub.http
      .post(`/api/conversations/${chat.conversationId}/tickets`)
      .set(agent.auth)
      .send({ title: '配送遅延の確認', priority: 'high', dueAt })
      .expect(201);
    ticket = made.body;
    expect(ticket).toMatchObject({ number: 1, status: 'open', conversationId: chat.conversationId, contactId: chat.contactId, dueAt, overdue: false });
    // The reminder defaults to an hour before the due time.
    expect(ticket.remindAt).toBe(new Date(Date.parse(dueAt) - HOUR).toISOString());
    expect((await heard).id).toBe(ticket.id);
    // Numbers count per team.
    const second = await hub.http.post('/api/tickets').set(admin.auth).send({ title: '手作業のチケット', contactId: chat.contactId }).expect(201);
    expect(second.body).toMatchObject({ number: 2, conversationId: null, contactId: chat.contactId });

    // The history is the conversation's, read through its own route; the conversation lists its tickets.
    const history = await hub.http.get(`/api/conversations/${ticket.conversationId}/messages`).set(agent.auth).expect(200);
    expect(history.body.items.map((m: { body: string }) => m.body)).toContain('注文した商品がまだ届きません');
    const listed = await hub.http.get(`/api/conversations/${chat.conversationId}/tickets`).set(agent.auth).expect(200);
    expect(listed.body.items.map((t: TicketFrame) => t.id)).toEqual([ticket.id]);
  });

  it('keeps internal comments and the history of changes', async () => {
    await hub.http.post(`/api/tickets/${ticket.id}/comments`).set(agent.auth).send({ body: '配送業者に確認中' }).expect(201);
    const waiting = await hub.http.patch(`/api/tickets/${ticket.id}`).set(agent.auth).send({ status: 'pending_customer', assigneeId: agent.id }).expect(200);
    expect(waiting.body.status).toBe('pending_customer');
    const page = await detail(ticket.id);
    expect(page.comments).toEqual([expect.objectContaining({ authorId: agent.id, authorName: '担当 ネネ', body: '配送業者に確認中' })]);
    expect(page.activities.map((a: { kind: string }) => a.kind)).toEqual(['created', 'comment', 'status']);
    expect(page.activities[2].data).toEqual({ from: 'open', to: 'pending_customer' });
  });

  it('refuses what the status rules and the fields do not allow, with a code', async () => {
    const bad = await hub.http.patch(`/api/tickets/${ticket.id}`).set(agent.auth).send({ remindAt: new Date(Date.parse(ticket.dueAt!) + HOUR).toISOString() }).expect(400);
    expect(bad.body.code).toBe('reminder_after_due');
    const invalid = await hub.http.patch(`/api/tickets/${ticket.id}`).set(agent.auth).send({ status: 'waiting' }).expect(400);
    expect(invalid.body.code).toBe('invalid_request');
    const made = (await hub.http.post('/api/tickets').set(agent.auth).send({ title: 'closing' }).expect(201)).body;
    await hub.http.patch(`/api/tickets/${made.id}`).set(agent.auth).send({ status: 'closed' }).expect(200);
    expect((await hub.http.patch(`/api/tickets/${made.id}`).set(agent.auth).send({ status: 'open' }).expect(409)).body.code).toBe('ticket_closed');
  });

  it('threads the customer’s later SMS reply into the ticket waiting on them, and tells its assignee live', async () => {
    const socket = await open(agent);
    const told = nextEvent<{ type: string; data: Record<string, unknown> }>(socket, 'notification.added', (n) => n.type === 'ticket_reply');
    const reply = await textIn(CUSTOMER, '追跡番号は 1234 です');
    const notice = await told;
    expect(notice.data).toMatchObject({ ticketId: ticket.id, number: 1, messageId: reply.messageId });
    const page = await eventually(() => detail(ticket.id), (p) => p.ticket.status === 'pending_us');
    expect(page.replies.map((m: { id: string; body: string }) => [m.id, m.body])).toEqual([[reply.messageId, '追跡番号は 1234 です']]);
    expect(page.activities.map((a: { kind: string }) => a.kind)).toEqual(['created', 'comment', 'status', 'reply_joined', 'status']);
    // The message still lives in its conversation.
    const history = await hub.http.get(`/api/conversations/${reply.conversationId}/messages`).set(agent.auth).expect(200);
    expect(history.body.items.map((m: { id: string }) => m.id)).toContain(reply.messageId);
    // And the contact's page lists the ticket.
    const mine = await hub.http.get(`/api/contacts/${chat.contactId}/tickets`).set(agent.auth).expect(200);
    expect(mine.body.items.map((t: TicketFrame) => t.id)).toContain(ticket.id);
  });

  it('joins nothing when no ticket waits on the customer: the message opens or continues a conversation as before', async () => {
    const before = await hub.infra.db.ticketMessage.count();
    const other = await textIn('+819087654321', 'はじめまして');
    const again = await textIn(CUSTOMER, 'まだですか');
    // The ticket waits on us now: the customer's next message is only the conversation's.
    await hub.infra.resumableWork.resumeAll();
    expect(await hub.infra.db.ticketMessage.count()).toBe(before);
    expect((await detail(ticket.id)).ticket.status).toBe('pending_us');
    expect(other.conversationId).not.toBe(again.conversationId);
  });

  // A process that died between the message's commit and its joining left the message unjoined: the start's
  // catch-up joins it, once.
  it('joins a reply the process died before joining when the hub starts again', async () => {
    // The customer's earlier messages are from before the ticket began to wait again.
    clock.advance(60_000);
    const waitingSince = clock.now();
    await hub.http.patch(`/api/tickets/${ticket.id}`).set(agent.auth).send({ status: 'pending_customer' }).expect(200);
    const reply = await textIn(CUSTOMER, '写真を送ります');
    await eventually(() => detail(ticket.id), (p) => p.ticket.status === 'pending_us');
    // What a crash leaves: the message committed, the ticket still waiting, no link.
    await hub.infra.db.ticketMessage.delete({ where: { messageId: reply.messageId } });
    await hub.infra.db.ticket.update({ where: { id: ticket.id }, data: { status: 'pending_customer', waitingSince } });
    const counts = await hub.infra.resumableWork.resumeAll();
    expect(counts['ticket replies']).toBe(1);
    expect((await detail(ticket.id)).replies.map((m: { id: string }) => m.id)).toContain(reply.messageId);
    expect((await hub.infra.resumableWork.resumeAll())['ticket replies']).toBe(0);
  });

  it('makes one ticket for a rule’s dedupe key, however often the rule runs', async () => {
    const service = hub.app.get(TicketsService);
    const input = { teamId: agent.teamId, title: '予約の確認', conversationId: chat.conversationId, createdBy: { kind: 'rule' as const, ruleId: 'rule-1' }, dedupeKey: `rule-1:${chat.conversationId}` };
    const [a, b] = await Promise.all([service.createTicket(input), service.createTicket(input)]);
    expect(a).toEqual(b);
    expect(await hub.infra.db.ticket.count({ where: { teamId: agent.teamId, dedupeKey: input.dedupeKey } })).toBe(1);
  });

  it('reminds the assignee once, across a restart, and lists the ticket overdue after its due time', async () => {
    const { remindAt, dueAt } = (await detail(ticket.id)).ticket as TicketFrame;
    // The hub stops before the reminder is due; the next one takes the timer up from the row.
    await hub.close();
    hub = await startTestHub(env, options);
    const events: unknown[] = [];
    const ticketEvents = hub.app.get(TicketEvents);
    ticketEvents.on('ticket.overdue', (event) => void events.push(event));
    const socket = await open(agent);
    const reminders = collect<{ type: string; data: Record<string, unknown> }>(socket, 'notification.added');
    const told = nextEvent<{ type: string; data: Record<string, unknown> }>(socket, 'notification.added', (n) => n.type === 'ticket_reminder');
    await eventually(async () => clock.pending().map((at) => at.toISOString()), (pending) => pending.includes(remindAt!));
    clock.set(new Date(remindAt!));
    expect((await told).data).toMatchObject({ ticketId: ticket.id, number: 1, dueAt });

    // A second restart, and the job store asked again: the reminder was claimed on the row, so it is not told again.
    await hub.infra.resumableWork.resumeAll();
    clock.advance(60_000);
    const overdueSocket = await open(admin);
    const overdueFrame = nextEvent<TicketFrame>(overdueSocket, 'ticket.updated', (t) => t.id === ticket.id && t.overdue);
    clock.set(new Date(dueAt!));
    await overdueFrame;
    await hub.infra.resumableWork.resumeAll();
    clock.advance(60_000);
    await eventually(async () => hub.infra.db.ticketActivity.count({ where: { ticketId: ticket.id, kind: 'overdue' } }), (n) => n === 1);
    expect(reminders.filter((n) => n.type === 'ticket_reminder')).toHaveLength(1);
    // The domain event an automation rule listens to: once per ticket and due time.
    expect(events).toEqual([{ teamId: agent.teamId, ticketId: ticket.id, dueAt }]);
    expect(await hub.infra.db.notification.count({ where: { memberId: agent.id, type: 'ticket_reminder' } })).toBe(1);
    expect(await hub.infra.db.ticketActivity.count({ where: { ticketId: ticket.id, kind: 'reminded' } })).toBe(1);

    const overdue = await hub.http.get('/api/tickets').query({ view: 'overdue' }).set(agent.auth).expect(200);
    expect(overdue.body.items.map((t: TicketFrame) => [t.id, t.overdue])).toEqual([[ticket.id, true]]);
    const mine = await hub.http.get('/api/tickets').query({ view: 'mine' }).set(agent.auth).expect(200);
    expect(mine.body.items.map((t: TicketFrame) => t.id)).toContain(ticket.id);
  });

  it('counts tickets opened, solved and overdue per day, as JSON and CSV', async () => {
    const solved = new Promise((resolve) => hub.app.get(TicketEvents).on('ticket.solved', resolve));
    await hub.http.patch(`/api/tickets/${ticket.id}`).set(agent.auth).send({ status: 'solved' }).expect(200);
    expect(await solved).toEqual({ teamId: agent.teamId, ticketId: ticket.id });
    const report = await hub.http.get('/api/reports/tickets').set(admin.auth).expect(200);
    expect(report.body.totals).toEqual({ opened: 4, solved: 1, overdue: 1 });
    const csv = await request(hub.url).get('/api/reports/tickets').query({ format: 'csv' }).set(admin.auth).expect(200);
    expect(csv.text).toContain('date,opened,solved,overdue');
    expect(csv.text).toContain(`${report.body.to},4,1,1`);
    // Operators do not read the team's figures.
    await hub.http.get('/api/reports/tickets').set(agent.auth).expect(403);
  });

  it('lists my groups’ tickets by due time, filters the team’s, and reminds every member of the group', async () => {
    const team = { inviteCode: (await hub.infra.db.team.findUniqueOrThrow({ where: { id: agent.teamId } })).inviteCode, admin };
    const colleague = await addMember(hub, team, { name: '夜間 ミカ' });
    const group = (await hub.http.post('/api/groups').set(admin.auth).send({ name: '夜間', memberIds: [agent.id, colleague.id] }).expect(201)).body.id as string;
    const at = (hours: number) => new Date(clock.now().getTime() + hours * HOUR).toISOString();
    const later = (await hub.http.post('/api/tickets').set(admin.auth).send({ title: '後で', groupId: group, assigneeId: null, dueAt: at(5) }).expect(201)).body as TicketFrame;
    const sooner = (await hub.http.post('/api/tickets').set(admin.auth).send({ title: '先に', groupId: group, assigneeId: null, dueAt: at(2), priority: 'urgent' }).expect(201)).body as TicketFrame;
    const undated = (await hub.http.post('/api/tickets').set(admin.auth).send({ title: '期限なし', groupId: group, assigneeId: null }).expect(201)).body as TicketFrame;

    const groups = await hub.http.get('/api/tickets').query({ view: 'groups' }).set(colleague.auth).expect(200);
    expect(groups.body.items.map((t: TicketFrame) => t.id)).toEqual([sooner.id, later.id, undated.id]);
    const urgent = await hub.http.get('/api/tickets').query({ priority: 'urgent' }).set(colleague.auth).expect(200);
    expect(urgent.body.items.map((t: TicketFrame) => t.id)).toEqual([sooner.id]);
    const solved = await hub.http.get('/api/tickets').query({ status: 'solved', assigneeId: agent.id }).set(colleague.auth).expect(200);
    expect(solved.body.items.map((t: TicketFrame) => t.id)).toEqual([ticket.id]);

    // The reminder of a group's ticket: each member of the group, once.
    const heard = nextEvent<{ type: string; data: Record<string, unknown> }>(await open(colleague), 'notification.added', (n) => n.type === 'ticket_reminder' && n.data.ticketId === sooner.id);
    const reminder = new Date(Date.parse(sooner.dueAt!) - HOUR);
    await eventually(async () => clock.pending().map((d) => d.getTime()), (pending) => pending.includes(reminder.getTime()));
    clock.set(reminder);
    await heard;
    const told = await eventually(
      () => hub.infra.db.notification.findMany({ where: { type: 'ticket_reminder', payload: { path: ['ticketId'], equals: sooner.id } }, select: { memberId: true } }),
      (rows) => rows.length === 2,
    );
    expect(told.map((r) => r.memberId).sort()).toEqual([agent.id, colleague.id].sort());
  });
});
