import { expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { Hub } from '../../src/hub.js';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake } from '../fakes/sendgrid-fake.js';
import { eventually } from './eventually.js';
import { addMember, createTeam } from './test-hub.js';
import type { TestMember } from './test-hub.js';

const ACCESS_TOKEN = 'line-channel-access-token';
const SECRET = 'line-channel-secret';
const SENDGRID_KEY = 'SG.pending-work-0123456789abcdef';
const CUSTOMER = 'U206d25c2ea6bd87c17655609a1c37cb8';
const OTHER_CUSTOMER = 'U5f1e9b2c3d4a5b6c7d8e9f0a1b2c3d4e';
const GROUP = 'Ca56f94637cc4347f90a25382909b24b9';
const FILE = Buffer.from('見積書 / quotation');
const TRANSCRIPT_TO = 'kiroku@customer.example';
/** Long enough to outlast the disruption, short enough to wait for: the offer must still count down across it. */
const OFFER_TIMEOUT_SECONDS = 12;

const fixture = (name: string) => JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'providers', 'line', name), 'utf8')).events as Record<string, unknown>[];
let events = 0;

/** The providers, faked on the wire, that keep the work pending while they are down. */
export interface PendingWorkProviders {
  line: LineFake;
  sendgrid: SendgridFake;
  close(): Promise<void>;
}

export async function startPendingWorkProviders(): Promise<PendingWorkProviders> {
  const line = await startLineFake({ channelAccessToken: ACCESS_TOKEN });
  const sendgrid = await startSendgridFake({ apiKey: SENDGRID_KEY });
  return { line, sendgrid, close: async () => void (await Promise.all([line.close(), sendgrid.close()])) };
}

/** What was left pending, to check afterwards. */
export interface PendingWork {
  teamId: string;
  admin: TestMember;
  agentId: string;
  fileMessageId: string;
  fileConversationId: string;
  fileContactId: string;
  replyId: string;
  reportId: string;
  offerId: string;
}

/**
 * One piece of pending work of every kind, each waiting for its delayed job: LINE down for pushes and reads, SendGrid
 * answering 503. A reply in the outbox, a report post to a staff group, an offer counting down, an attachment to
 * fetch, a new contact to name, a transcript to mail. Returns once each has failed its first try (or, for the offer,
 * is set), so that what keeps it alive is a delayed job and its row.
 */
export async function leavePendingWorkOfEveryKind(hub: Hub, providers: PendingWorkProviders): Promise<PendingWork> {
  const { line, sendgrid } = providers;
  const http = request(hub.url);
  const team = await createTeam(hub);
  const { admin } = team;
  await http.put('/api/members/me/status').set(admin.auth).send({ status: 'offline' }).expect(200);
  await http.patch('/api/teams/current').set(admin.auth).send({ settings: { offerTimeoutSeconds: OFFER_TIMEOUT_SECONDS } }).expect(200);
  const lineChannel = await http
    .post('/api/channels')
    .set(admin.auth)
    .send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: SECRET, channelAccessToken: ACCESS_TOKEN, apiBaseUrl: line.url } })
    .expect(201);
  const lineChannelId = lineChannel.body.id as string;
  const email = await http
    .post('/api/channels')
    .set(admin.auth)
    .send({ type: 'email', provider: 'sendgrid', name: 'Mail', config: { apiKey: SENDGRID_KEY, fromEmail: 'support@shop.example', inboundToken: 'inbound-token-0123456789', apiBaseUrl: sendgrid.url } })
    .expect(201);
  const deliver = async (name: string, patch: Record<string, unknown>) => {
    const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events: fixture(name).map((event) => ({ ...event, webhookEventId: `01PENDING${String(events++).padStart(17, '0')}`, ...patch })) });
    await http.post(`/webhooks/line/${lineChannelId}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(SECRET, body)).send(body).expect(200);
  };
  // The staff group the handoff is reported to, named while LINE still answers.
  line.setGroup(GROUP, 'コールセンター');
  await deliver('single-join-group.json', {});
  await eventually(() => hub.infra.db.channelGroup.findFirst({ where: { channelId: lineChannelId, groupId: GROUP } }), (group) => group?.name === 'コールセンター');
  await http.put('/api/teams/current/report-targets').set(admin.auth).send({ callCenter: { channelId: lineChannelId, groupId: GROUP } }).expect(200);

  line.setOutage({ status: 500 });
  line.setReadOutage(500);
  line.setProfile(CUSTOMER, { displayName: '田中 美咲' });
  const agent = await addMember(hub, team);
  await http.put('/api/members/me/status').set(agent.auth).send({ status: 'online' }).expect(200);

  // A file from a new customer: its content to fetch, the customer to name, the chat offered to the agent.
  await deliver('single-user-file.json', { timestamp: Date.now() });
  const file = await eventually(() => hub.infra.db.message.findFirst({ where: { teamId: team.teamId, kind: 'media' } }), (row) => row !== null);
  const offer = await eventually(() => hub.infra.db.offer.findFirst({ where: { conversationId: file!.conversationId } }), (row) => row !== null);

  // Another customer's chat: a reply, a handoff report and a transcript, all refused for now.
  await deliver('single-user-text.json', { timestamp: Date.now(), source: { type: 'user', userId: OTHER_CUSTOMER } });
  const text = await eventually(() => hub.infra.db.message.findFirst({ where: { teamId: team.teamId, kind: 'text', direction: 'in' } }), (row) => row !== null);
  const reply = await http.post(`/api/conversations/${text!.conversationId}/messages`).set(admin.auth).send({ body: 'お見積りをお送りします' }).expect(201);
  const handoff = await http.post(`/api/conversations/${text!.conversationId}/handoff`).set(admin.auth).send({}).expect(202);
  // The first try and the retry 5 s later: the next is 10 s after that, well past the disruption.
  sendgrid.failNext({ status: 503 }, { status: 503 });
  await http.post(`/api/conversations/${text!.conversationId}/transcript`).set(admin.auth).send({ email: TRANSCRIPT_TO, channelId: email.body.id }).expect(202);

  // Each has been tried once and failed: what is left of it is a delayed retry (and, where it is durable, a row).
  await eventually(() => hub.infra.db.delivery.findUniqueOrThrow({ where: { messageId: reply.body.id } }), (row) => row.attempts >= 1);
  await eventually(() => hub.infra.db.report.findUniqueOrThrow({ where: { id: handoff.body.report.id } }), (row) => row.attempts >= 1);
  await eventually(async () => line.requests.filter((r) => r.path.endsWith('/content')).length, (n) => n >= 1);
  await eventually(async () => line.requests.filter((r) => r.path === `/v2/bot/profile/${CUSTOMER}`).length, (n) => n >= 1);
  await eventually(async () => sendgrid.requests.length, (n) => n >= 1);
  return {
    teamId: team.teamId,
    admin,
    agentId: agent.id,
    fileMessageId: file!.id,
    fileConversationId: file!.conversationId,
    fileContactId: (await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: file!.conversationId } })).contactId,
    replyId: reply.body.id,
    reportId: handoff.body.report.id,
    offerId: offer!.id,
  };
}

/** The providers come back. */
export function providersBack(providers: PendingWorkProviders): void {
  providers.line.setOutage(null);
  providers.line.setReadOutage(null);
  providers.line.setContent('325708', FILE, 'text/plain');
}

/** Every piece of the pending work was done, and done once, by whichever hub runs now. */
export async function expectEveryPieceDoneOnce(hub: Hub, providers: PendingWorkProviders, work: PendingWork, timeoutMs = 40_000): Promise<void> {
  const { db } = hub.infra;
  const { line, sendgrid } = providers;
  const pushed = (to: string, text: string) => line.pushes.filter((p) => p.to === to && p.messages.some((m) => (m.text ?? '').includes(text)));

  await eventually(() => db.delivery.findUniqueOrThrow({ where: { messageId: work.replyId } }), (row) => row.state === 'done', timeoutMs);
  await eventually(() => db.report.findUniqueOrThrow({ where: { id: work.reportId } }), (row) => row.status === 'sent', timeoutMs);
  const fetched = await eventually(() => db.message.findUniqueOrThrow({ where: { id: work.fileMessageId } }), (row) => JSON.stringify(row.attachments).includes('"url"'), timeoutMs);
  await eventually(() => db.contact.findUniqueOrThrow({ where: { id: work.fileContactId } }), (row) => row.name === '田中 美咲', timeoutMs);
  await eventually(async () => sendgrid.sent.filter((mail) => mail.body.personalizations[0]?.to[0]?.email === TRANSCRIPT_TO).length, (n) => n >= 1, timeoutMs);
  await eventually(() => db.offer.findUniqueOrThrow({ where: { id: work.offerId } }), (row) => row.status === 'expired', timeoutMs);
  // Whatever else was going to run has run.
  await hub.infra.jobs.idle();

  expect(pushed(OTHER_CUSTOMER, 'お見積りをお送りします')).toHaveLength(1);
  // The handoff, and the taking report the reply made: each posted once.
  const reports = await db.report.findMany({ where: { teamId: work.teamId } });
  expect(reports.map((report) => report.status)).toEqual(reports.map(() => 'sent'));
  expect(line.pushesTo(GROUP)).toHaveLength(reports.length);
  expect(line.pushesTo(GROUP).filter((p) => p.messages.some((m) => (m.text ?? '').includes('お願いします')))).toHaveLength(1);
  expect(sendgrid.sent.filter((mail) => mail.body.personalizations[0]?.to[0]?.email === TRANSCRIPT_TO)).toHaveLength(1);
  expect(fetched.attachments).toEqual([expect.objectContaining({ url: `/api/messages/${work.fileMessageId}/attachments/0`, size: FILE.length })]);
  const stored = await request(hub.url).get(`/api/messages/${work.fileMessageId}/attachments/0`).set(work.admin.auth).expect(200);
  expect(stored.text).toBe(FILE.toString());
  // The offer's expiry counted once against the agent, however many timers ran.
  const expired = await db.offer.count({ where: { memberId: work.agentId, status: 'expired' } });
  expect((await db.member.findUniqueOrThrow({ where: { id: work.agentId } })).ignoredOffers).toBe(expired);
  // Nothing is left for a later start to do again.
  expect(await db.mediaFetch.count({ where: { messageId: work.fileMessageId } })).toBe(0);
  expect(await db.contactNaming.count({ where: { contactId: work.fileContactId } })).toBe(0);
  expect(await db.transcriptRequest.count({ where: { conversation: { teamId: work.teamId } } })).toBe(0);
}
