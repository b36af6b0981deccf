import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { ChannelAccount, ChannelAddress } from '../../src/channels/index.js';
import { ConversationsService } from '../../src/conversations/index.js';
import { IngestService } from '../../src/conversations/ingest.service.js';
import { ReportsService } from '../../src/reports/index.js';
import { ReportTargetsService } from '../../src/reports/report-targets.service.js';
import { ReportTriggersService } from '../../src/reports/report-triggers.service.js';
import { MembersService, TeamsService } from '../../src/teams/index.js';
import type { AuthMember } from '../../src/teams/index.js';
import { startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { eventually } from '../support/eventually.js';
import { TestContext, createTestContext, inboundMessage } from '../support/test-context.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCESS_TOKEN = 'line-channel-access-token';

let ids = 0;
/** LINE ids are 33 characters: a letter and 32 hex digits. */
const lineId = (prefix: 'U' | 'C') => `${prefix}${(Date.now() * 1000 + ids++).toString(16).padStart(32, '0')}`;

describe(ReportsService.name, () => {
  let ctx: TestContext;
  let fake: LineFake;
  let reports: ReportsService;
  let team: Awaited<ReturnType<TestContext['createTeam']>>;
  let line: ChannelAccount;
  let agent: AuthMember;
  let callCenter: string;

  beforeAll(async () => {
    fake = await startLineFake({ channelAccessToken: ACCESS_TOKEN });
    ctx = await createTestContext({ env: { PUBLIC_URL } });
    reports = ctx.get(ReportsService);
  });

  afterAll(async () => {
    await ctx?.close();
    await fake?.close();
  });

  // Reports are per team: each case starts with a team whose call center group is mapped and nothing else.
  beforeEach(async () => {
    ctx.clock.set(new Date());
    team = await ctx.createTeam('時短ボディ');
    line = await ctx.createChannel(team.teamId, { type: 'line', provider: 'line', name: 'LINE公式', config: { channelSecret: 'line-channel-secret', channelAccessToken: ACCESS_TOKEN, apiBaseUrl: fake.url } });
    agent = await ctx.addMember(team, { name: '鈴木 一郎' });
    // Online, so a new chat is offered to the agent rather than answered with the away notice.
    await ctx.get(MembersService).setStatus(agent, 'online');
    callCenter = await joinGroup('JBコールセンター');
    await ctx.get(ReportTargetsService).replace(team.teamId, { callCenter: { channelId: line.id, groupId: callCenter } });
  });

  /** The bot invited to a staff group, as LINE's join event reaches ingest. */
  async function joinGroup(name: string): Promise<string> {
    const groupId = lineId('C');
    fake.setGroup(groupId, name);
    await ctx.get(IngestService).ingest(line, [{ type: 'group', eventKey: `join-${groupId}`, group: { kind: 'line_group', address: groupId }, kind: 'joined', members: [], occurredAt: new Date() }]);
    return groupId;
  }

  /** A LINE customer's first message, taken by the agent. */
  async function takenChat(customer: ChannelAddress = { kind: 'line', address: lineId('U'), name: '山田 太郎' }): Promise<string> {
    const [{ conversationId }] = await ctx.get(IngestService).ingest(line, [inboundMessage(customer, '予約したいです')]);
    await ctx.get(ConversationsService).assign(agent, conversationId!, agent.id);
    return conversationId!;
  }

  const rowsOf = (conversationId: string) => ctx.db.report.findMany({ where: { conversationId }, orderBy: { id: 'asc' } });
  const sentOf = (conversationId: string, kind: string) => eventually(() => rowsOf(conversationId), (rows) => rows.some((r) => r.kind === kind && r.status === 'sent'), 5_000);

  // Guards: the cluster's kill scenario, where a process killed between an accept's commit and its trigger lost the
  // taking post for good (3 of 60 accepts on a slow machine).
  it('posts at start the taking report of a chat taken just before the process died, once, and leaves older chats alone', async () => {
    const triggers = ctx.get(ReportTriggersService);
    const [{ conversationId: lost }] = await ctx.get(IngestService).ingest(line, [inboundMessage({ kind: 'line', address: lineId('U'), name: '佐藤 花子' }, '空きはありますか')]);
    const [{ conversationId: old }] = await ctx.get(IngestService).ingest(line, [inboundMessage({ kind: 'line', address: lineId('U'), name: '高橋 次郎' }, '先週の件です')]);
    // Taken as an accept's commit leaves it, with no event after (the process is gone).
    await ctx.db.conversation.updateMany({ where: { id: { in: [lost!, old!] } }, data: { assigneeId: agent.id, status: 'open' } });
    await ctx.db.conversation.update({ where: { id: old! }, data: { lastMessageAt: new Date(ctx.clock.now().getTime() - 60 * 60_000) } });

    expect(await triggers.resume()).toBe(1);
    await sentOf(lost!, 'taking');
    expect(await triggers.resume()).toBe(0);
    expect((await rowsOf(lost!)).filter((row) => row.kind === 'taking')).toHaveLength(1);
    expect(await rowsOf(old!)).toEqual([]);
  });

  it('posts one taking report however often its trigger fires, in the team’s own words', async () => {
    await ctx.get(TeamsService).update(team.teamId, { settings: { reportTexts: { taking: '{agent.surname}が{contact.name}様を担当します ({channel}/{store})' } } });

    const conversationId = await takenChat();
    await sentOf(conversationId, 'taking');
    const again = await ctx.get(ReportTriggersService).taking(conversationId, agent.id);

    const rows = await rowsOf(conversationId);
    expect(rows).toHaveLength(1);
    expect(again?.id).toBe(rows[0].id);
    expect(rows[0].text).toBe('鈴木が山田 太郎様を担当します (LINE公式/店舗不明)');
    expect(fake.pushesTo(callCenter).map((p) => p.retryKey)).toEqual([rows[0].id]);
  });

  it('writes a failed report for a purpose mapped to no group, and posts it on retry once one is mapped', async () => {
    const conversationId = await takenChat();
    await sentOf(conversationId, 'taking');
    await ctx.get(ConversationsService).resolve(agent, conversationId, { outcome: 'booked' });

    const [booking] = await eventually(() => ctx.db.report.findMany({ where: { conversationId, kind: 'resolved' } }), (rows) => rows.length === 1, 5_000);
    expect(booking).toMatchObject({ purpose: 'bookings', status: 'failed', groupId: null });
    expect(booking.error).toContain('"bookings"');
    await expect(reports.retry(team.teamId, booking.id)).rejects.toMatchObject({ code: 'report_target_missing' });

    const bookings = await joinGroup('予約報告');
    await ctx.get(ReportTargetsService).replace(team.teamId, { callCenter: { channelId: line.id, groupId: callCenter }, bookings: { channelId: line.id, groupId: bookings } });
    await reports.retry(team.teamId, booking.id);

    await eventually(() => ctx.db.report.findUniqueOrThrow({ where: { id: booking.id } }), (row) => row.status === 'sent', 5_000);
    expect(fake.pushesTo(bookings).map((p) => p.retryKey)).toEqual([booking.id]);
    await expect(reports.retry(team.teamId, booking.id)).rejects.toMatchObject({ code: 'report_not_failed' });
  });

  it('reports no resolution for a chat ended without an outcome', async () => {
    const conversationId = await takenChat();
    await sentOf(conversationId, 'taking');
    await ctx.get(ConversationsService).resolve(agent, conversationId, {});
    await ctx.get(ConversationsService).reopen(agent, conversationId);
    await ctx.get(ConversationsService).resolve(agent, conversationId, { outcome: 'not_booked' });

    // The second resolution's report is written after the first's would have been: one is all there is.
    const rows = await eventually(() => rowsOf(conversationId), (r) => r.some((row) => row.kind === 'resolved'), 5_000);
    expect(rows.map((r) => r.kind)).toEqual(['taking', 'resolved']);
    expect(rows[1]).toMatchObject({ quotedReportId: rows[0].id, text: '鈴木: 山田 太郎様 予約に至りませんでした (予約なし)' });
  });

  it('reports nothing for a team that mapped no purpose', async () => {
    await ctx.get(ReportTargetsService).replace(team.teamId, {});
    const conversationId = await takenChat();

    expect(await ctx.get(ReportTriggersService).taking(conversationId, agent.id)).toBeNull();
    expect(await rowsOf(conversationId)).toEqual([]);
  });

  it('says a customer has been silent once ten minutes by the clock have passed since the agent’s answer', async () => {
    const conversationId = await takenChat();
    // The clock stands still between moves: the agent answers a minute after the customer wrote.
    ctx.clock.set(new Date(ctx.clock.now().getTime() + 60_000));
    await ctx.get(ConversationsService).post(agent, conversationId, { kind: 'text', body: 'ご希望の日時はありますか' });
    const answeredAt = (await ctx.db.message.findFirstOrThrow({ where: { conversationId, direction: 'out', kind: 'text' } })).createdAt;
    const triggers = ctx.get(ReportTriggersService);

    ctx.clock.set(new Date(answeredAt.getTime() + 10 * 60_000 - 1_000));
    const early = await triggers.requestHandoff(agent, conversationId, '折り返し希望');
    ctx.clock.set(new Date(answeredAt.getTime() + 10 * 60_000));
    const late = await triggers.requestHandoff(agent, conversationId);

    expect(early?.text).not.toContain('お客様から10分以上返信がありません');
    expect(late?.text).toContain('お客様から10分以上返信がありません');
    // The note given with the first request stays on the conversation for the next.
    expect(late?.text).toContain('メモ: 折り返し希望');
    expect(late?.text).toContain('お客様: 予約したいです\n鈴木: ご希望の日時はありますか');
  });
});
