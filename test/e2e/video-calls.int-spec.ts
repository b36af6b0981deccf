import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { collect, emitWithAck, nextEvent, sessionOf, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const TURN_SECRET = 'video-call-turn-secret-0123456789';
const OFFER = { description: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n' } };
const CANDIDATE = { candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } };

type Refusal = { ok: false; code: string };

describe('Video calls: signalling between the inbox and the widget', () => {
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let agent: TestMember;
  let colleague: TestMember;
  let channelId: string;
  const { open, closeAll } = socketPool();

  beforeAll(async () => {
    hub = await startTestHub({ HUB_ICE_SERVERS: 'stun:127.0.0.1:3478,turn:127.0.0.1:3478?transport=udp', HUB_TURN_SECRET: TURN_SECRET, HUB_TURN_TTL_SECONDS: '600' });
    team = await createTeam(hub, 'ビデオ通話の店');
    agent = await addMember(hub, team, { name: '佐藤 花子' });
    colleague = await addMember(hub, team, { name: '田中 次郎' });
    channelId = await createWebchat(hub, team.admin);
  });

  afterAll(async () => {
    closeAll();
    await hub?.stop();
  });

  /** A visitor's chat, held by the agent. */
  async function heldChat() {
    const visitor = await open(hub.url, '/widget', { channelId });
    const { visitorId } = await sessionOf<{ visitorId: string }>(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: '商品を映像で見せてもらえますか' });
    await hub.http.post(`/api/conversations/${conversationId}/assign`).set(team.admin.auth).send({ memberId: agent.id, override: true }).expect(200);
    const desk = await open(hub.url, '/inbox', { token: agent.token });
    return { visitor, visitorId, conversationId, desk };
  }

  async function threadEvents(conversationId: string) {
    const page = await hub.http.get(`/api/conversations/${conversationId}/messages`).set(agent.auth).expect(200);
    return (page.body.items as Array<{ kind: string; body: string; attachments: Array<{ meta: Record<string, unknown> }> }>).filter((m) => m.kind === 'event');
  }

  it('rings the visitor, relays offer, answer and candidates, and writes the start and the end with its duration', async () => {
    const { visitor, visitorId, conversationId, desk } = await heldChat();
    const ringing = nextEvent<{ callId: string; agentName: string }>(visitor, 'call.invite');
    const invited = await emitWithAck<{ ok: true; callId: string; iceServers: Array<{ urls: string[]; username?: string; credential?: string }> }>(desk, 'call.invite', { conversationId });
    expect(invited.ok).toBe(true);
    expect(await ringing).toMatchObject({ callId: invited.callId, conversationId, agentName: '佐藤 花子' });

    // Each side gets TURN credentials of its own (the TURN REST API), checkable by coturn with the shared secret.
    const [stun, turn] = invited.iceServers;
    expect(stun).toEqual({ urls: ['stun:127.0.0.1:3478'] });
    expect(turn.username).toMatch(new RegExp(`^\\d+:${agent.id}$`));
    expect(turn.credential).toBe(createHmac('sha1', TURN_SECRET).update(turn.username!).digest('base64'));
    expect(Number(turn.username!.split(':')[0]) - Date.now() / 1000).toBeGreaterThan(590);

    // Signals before the visitor answered go nowhere.
    expect(await emitWithAck<Refusal>(desk, 'call.signal', { callId: invited.callId, signal: OFFER })).toMatchObject({ ok: false, code: 'call_not_found' });

    const accepted = nextEvent<{ callId: string }>(desk, 'call.accepted');
    const answered = await emitWithAck<{ ok: true; iceServers: Array<{ username?: string }> }>(visitor, 'call.accept', { callId: invited.callId });
    expect(answered.iceServers[1].username).toMatch(new RegExp(`^\\d+:${visitorId}$`));
    expect(await accepted).toEqual({ callId: invited.callId, conversationId });

    const atVisitor = nextEvent<{ signal: unknown }>(visitor, 'call.signal');
    expect(await emitWithAck(desk, 'call.signal', { callId: invited.callId, signal: OFFER })).toEqual({ ok: true });
    expect((await atVisitor).signal).toEqual(OFFER);
    const atAgent = nextEvent<{ signal: unknown }>(desk, 'call.signal');
    expect(await emitWithAck(visitor, 'call.signal', { callId: invited.callId, signal: CANDIDATE })).toEqual({ ok: true });
    expect((await atAgent).signal).toEqual(CANDIDATE);
    // The visitor's connection dropped: the caller's browser is told to restart ICE.
    const restart = nextEvent(desk, 'call.restart');
    expect(await emitWithAck(visitor, 'call.restart', { callId: invited.callId })).toEqual({ ok: true });
    expect(await restart).toEqual({ callId: invited.callId });

    // Both hang up at once: one end, one event.
    const visitorHeard = nextEvent<{ status: string }>(visitor, 'call.ended');
    const [mine, theirs] = await Promise.all([
      emitWithAck<{ ok: true; call: { status: string; reason: string } }>(desk, 'call.end', { callId: invited.callId }),
      emitWithAck<{ ok: true; call: { status: string; reason: string } }>(visitor, 'call.end', { callId: invited.callId }),
    ]);
    expect(mine.call).toEqual(theirs.call);
    expect(mine.call).toMatchObject({ status: 'ended', reason: 'hung_up' });
    expect(await visitorHeard).toMatchObject({ callId: invited.callId, status: 'ended' });

    const events = await threadEvents(conversationId);
    expect(events.map((e) => e.attachments[0].meta.type)).toEqual(['call_started', 'call_ended']);
    expect(events[0].body).toBe('ビデオ通話が始まりました');
    expect(events[1].attachments[0].meta).toMatchObject({ callId: invited.callId, memberId: agent.id, durationSeconds: expect.any(Number) });
    expect(events[1].body).toMatch(/^ビデオ通話が終了しました（0分\d\d秒）$/);
    // Ended calls accept nothing more.
    expect(await emitWithAck<Refusal>(visitor, 'call.signal', { callId: invited.callId, signal: CANDIDATE })).toMatchObject({ ok: false, code: 'call_not_found' });
  });

  it('writes a declined call as a failure with its reason, and lets the agent call again', async () => {
    const { visitor, conversationId, desk } = await heldChat();
    const first = await emitWithAck<{ callId: string }>(desk, 'call.invite', { conversationId });
    // One call at a time per conversation.
    expect(await emitWithAck<Refusal>(desk, 'call.invite', { conversationId })).toMatchObject({ ok: false, code: 'call_in_progress' });
    const told = nextEvent<{ status: string; reason: string }>(desk, 'call.ended');
    expect(await emitWithAck(visitor, 'call.decline', { callId: first.callId })).toEqual({ ok: true });
    expect(await told).toMatchObject({ callId: first.callId, status: 'failed', reason: 'declined', durationSeconds: 0 });
    // A late accept from another tab finds no call.
    expect(await emitWithAck<Refusal>(visitor, 'call.accept', { callId: first.callId })).toMatchObject({ ok: false, code: 'call_not_found' });

    const second = await emitWithAck<{ ok: boolean; callId: string }>(desk, 'call.invite', { conversationId });
    expect(second.ok).toBe(true);
    expect(await emitWithAck(visitor, 'call.accept', { callId: second.callId })).toMatchObject({ ok: true });
    expect(await emitWithAck(desk, 'call.end', { callId: second.callId, reason: 'connection_lost' })).toMatchObject({ ok: true, call: { status: 'failed', reason: 'connection_lost' } });

    const events = await threadEvents(conversationId);
    expect(events.map((e) => [e.attachments[0].meta.type, e.attachments[0].meta.reason])).toEqual([
      ['call_failed', 'declined'],
      ['call_started', undefined],
      ['call_failed', 'connection_lost'],
    ]);
    expect(events[0].body).toBe('お客様がビデオ通話を辞退しました');
  });

  // Guards the relay against being a way into other people's calls: every frame is checked against the call's row.
  it('refuses a member of another team, a colleague who does not hold the chat, and another visitor', async () => {
    const { visitor, conversationId, desk } = await heldChat();
    const otherTeam = await createTeam(hub, '別の店');
    const stranger = await open(hub.url, '/inbox', { token: otherTeam.admin.token });
    expect(await emitWithAck<Refusal>(stranger, 'call.invite', { conversationId })).toMatchObject({ ok: false, code: 'not_found' });
    const bystander = await open(hub.url, '/inbox', { token: colleague.token });
    expect(await emitWithAck<Refusal>(bystander, 'call.invite', { conversationId })).toMatchObject({ ok: false, code: 'not_assigned' });

    const call = await emitWithAck<{ callId: string }>(desk, 'call.invite', { conversationId });
    const intruder = await open(hub.url, '/widget', { channelId });
    await sessionOf(intruder);
    const heardByIntruder = collect(intruder, 'call.signal');
    expect(await emitWithAck<Refusal>(intruder, 'call.accept', { callId: call.callId })).toMatchObject({ ok: false, code: 'call_not_found' });
    expect(await emitWithAck(visitor, 'call.accept', { callId: call.callId })).toMatchObject({ ok: true });
    expect(await emitWithAck<Refusal>(intruder, 'call.signal', { callId: call.callId, signal: CANDIDATE })).toMatchObject({ ok: false, code: 'call_not_found' });
    expect(await emitWithAck<Refusal>(intruder, 'call.end', { callId: call.callId })).toMatchObject({ ok: false, code: 'call_not_found' });
    for (const member of [stranger, bystander]) {
      expect(await emitWithAck<Refusal>(member, 'call.signal', { callId: call.callId, signal: OFFER })).toMatchObject({ ok: false, code: 'call_not_found' });
      expect(await emitWithAck<Refusal>(member, 'call.end', { callId: call.callId })).toMatchObject({ ok: false, code: 'call_not_found' });
    }
    expect(await emitWithAck(desk, 'call.signal', { callId: call.callId, signal: OFFER })).toEqual({ ok: true });
    expect(heardByIntruder).toEqual([]);
    // A malformed signal is refused by its schema before anything is relayed.
    expect(await emitWithAck<Refusal>(desk, 'call.signal', { callId: call.callId, signal: { description: { type: 'pranswer', sdp: 'x' } } })).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(await emitWithAck(desk, 'call.end', { callId: call.callId })).toMatchObject({ ok: true, call: { status: 'ended' } });
  });

  it('refuses a call on a channel other than web chat', async () => {
    const db = hub.infra.db;
    const channel = await db.channel.findFirstOrThrow({ where: { id: channelId } });
    const email = await db.channel.create({ data: { teamId: team.teamId, type: 'email', provider: 'sendgrid', name: 'Mail', secrets: channel.secrets } });
    const contact = await db.contact.create({ data: { teamId: team.teamId, name: '山田 太郎' } });
    const conversation = await db.conversation.create({
      data: { teamId: team.teamId, channelId: email.id, contactId: contact.id, threadKey: 'email:yamada@example.jp', activeKey: `${email.id}:email:yamada@example.jp`, status: 'open', assigneeId: agent.id },
    });
    const desk = await open(hub.url, '/inbox', { token: agent.token });
    expect(await emitWithAck<Refusal>(desk, 'call.invite', { conversationId: conversation.id })).toMatchObject({ ok: false, code: 'call_unsupported' });
  });

  // Runs last: the calls of the tests above are the team's. Only calls the customer answered count, with their length.
  it('counts the calls that ran, and their length, in the team report', async () => {
    const ran = await hub.infra.db.call.findMany({ where: { teamId: team.teamId, acceptedAt: { not: null } } });
    expect(ran.length).toBeGreaterThanOrEqual(3);
    const seconds = ran.reduce((sum, call) => sum + (call.endedAt && call.acceptedAt ? (call.endedAt.getTime() - call.acceptedAt.getTime()) / 1000 : 0), 0);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
    const report = await hub.http.get('/api/reports/team').query({ from: today, to: today }).set(team.admin.auth).expect(200);
    expect(report.body.team.calls.count).toBe(ran.length);
    expect(Math.abs(report.body.team.calls.seconds - seconds)).toBeLessThanOrEqual(ran.length);
    // The email conversation of the test above has no calls: they are all web chat's.
    expect(report.body.channels).toEqual([expect.objectContaining({ key: 'email', calls: { count: 0, seconds: 0 } }), expect.objectContaining({ key: 'webchat', calls: report.body.team.calls })]);
  });
});
