import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { connect, nextEvent } from '../support/sockets.js';
import { eventually } from '../support/eventually.js';
import { TestHub, addMember, createTeam, startTestHub } from '../support/test-hub.js';

/** Supervisors and administrators switching a colleague on, on break or off (the clinic's 担当者管理). */
describe('A colleague’s status', () => {
  let hub: TestHub;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await hub?.stop();
  });

  async function device(token: string, userAgent?: string): Promise<Socket> {
    const socket = await connect(hub.url, '/inbox', { token }, { userAgent });
    sockets.push(socket);
    return socket;
  }

  it('lets a supervisor put an agent on break with a reason: recorded with who, told to the agent’s devices and the team', async () => {
    const team = await createTeam(hub);
    const supervisor = await addMember(hub, team, { role: 'supervisor', name: '佐藤 花子' });
    const agent = await addMember(hub, team);
    const [phone, laptop, watcher] = [await device(agent.token), await device(agent.token), await device(supervisor.token)];
    const toPhone = nextEvent<Record<string, unknown>>(phone, 'presence.set');
    const toLaptop = nextEvent<Record<string, unknown>>(laptop, 'presence.set');
    const toTeam = nextEvent<Record<string, unknown>>(watcher, 'presence.updated', (p) => p.memberId === agent.id && p.status === 'break');

    const answer = await hub.http.put(`/api/members/${agent.id}/status`).set(supervisor.auth).send({ status: 'break', reason: '受付の応援' }).expect(200);
    expect(answer.body).toMatchObject({ id: agent.id, status: 'break' });

    const told = { status: 'break', reason: '受付の応援', by: { id: supervisor.id, name: '佐藤 花子' }, at: expect.any(String) };
    expect(await toPhone).toEqual(told);
    expect(await toLaptop).toEqual(told);
    expect(await toTeam).toEqual({ memberId: agent.id, status: 'break', reason: 'set_by_colleague' });
    expect(await hub.infra.db.presenceChange.findMany({ where: { memberId: agent.id } })).toEqual([
      expect.objectContaining({ teamId: team.teamId, status: 'break', reason: '受付の応援', byId: supervisor.id }),
    ]);

    // An administrator switches them back on.
    await hub.http.put(`/api/members/${agent.id}/status`).set(team.admin.auth).send({ status: 'online', reason: '応援終了' }).expect(200);
    expect(await hub.infra.db.member.findUniqueOrThrow({ where: { id: agent.id } })).toMatchObject({ status: 'online', statusReason: null });
    const history = await hub.http.get(`/api/members/${agent.id}/status-changes`).set(supervisor.auth).expect(200);
    expect(history.body).toEqual({
      items: [
        { status: 'online', reason: '応援終了', by: { id: team.admin.id, name: expect.any(String) }, at: expect.any(String) },
        { status: 'break', reason: '受付の応援', by: { id: supervisor.id, name: '佐藤 花子' }, at: expect.any(String) },
      ],
      nextCursor: null,
    });
  });

  it('refuses agents (403), another team’s member (404), a missing reason (400) and switching on a deactivated member (409)', async () => {
    const team = await createTeam(hub);
    const agent = await addMember(hub, team);
    const colleague = await addMember(hub, team);
    const forbidden = await hub.http.put(`/api/members/${colleague.id}/status`).set(agent.auth).send({ status: 'offline', reason: 'いたずら' }).expect(403);
    expect(forbidden.body.code).toBe('forbidden');
    await hub.http.get(`/api/members/${colleague.id}/status-changes`).set(agent.auth).expect(403);

    const other = await createTeam(hub);
    const stranger = await addMember(hub, other);
    const notFound = await hub.http.put(`/api/members/${stranger.id}/status`).set(team.admin.auth).send({ status: 'offline', reason: '退勤' }).expect(404);
    expect(notFound.body.code).toBe('not_found');
    expect(await hub.infra.db.member.findUniqueOrThrow({ where: { id: stranger.id } })).toMatchObject({ status: 'online' });
    await hub.http.get(`/api/members/${stranger.id}/status-changes`).set(team.admin.auth).expect(404);

    const unexplained = await hub.http.put(`/api/members/${colleague.id}/status`).set(team.admin.auth).send({ status: 'offline' }).expect(400);
    expect(unexplained.body.details.map((d: { field: string }) => d.field)).toEqual(['reason']);

    await hub.http.delete(`/api/members/${colleague.id}`).set(team.admin.auth).expect(204);
    const deactivated = await hub.http.put(`/api/members/${colleague.id}/status`).set(team.admin.auth).send({ status: 'online', reason: '復帰' }).expect(409);
    expect(deactivated.body.code).toBe('member_deactivated');
    expect(await hub.infra.db.presenceChange.count({ where: { teamId: { in: [team.teamId, other.teamId] } } })).toBe(0);
  });

  const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
  const WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

  it('lists each member’s connected devices and last activity for supervisors; operators see no devices', async () => {
    const team = await createTeam(hub);
    const agent = await addMember(hub, team);
    const listed = async (by = team.admin) => {
      const body = (await hub.http.get('/api/members').set(by.auth).expect(200)).body as { items: { id: string; devices: unknown[] | null; lastActiveAt: string | null }[] };
      return body.items.find((m) => m.id === agent.id)!;
    };
    expect(await listed()).toMatchObject({ devices: [], lastActiveAt: null });

    const before = Date.now();
    const phone = await device(agent.token, IPHONE);
    await device(agent.token, WINDOWS);
    const both = await eventually(listed, (m) => m.devices?.length === 2);
    expect(both.devices).toEqual(
      expect.arrayContaining([
        { kind: 'mobile', userAgent: IPHONE, connectedAt: expect.any(String) },
        { kind: 'desktop', userAgent: WINDOWS, connectedAt: expect.any(String) },
      ]),
    );
    // Connecting is activity: recorded at once, to the minute.
    const active = await eventually(listed, (m) => m.lastActiveAt !== null);
    expect(Date.parse(active.lastActiveAt!)).toBeGreaterThanOrEqual(before - 1000);

    phone.close();
    expect((await eventually(listed, (m) => m.devices?.length === 1)).devices).toEqual([{ kind: 'desktop', userAgent: WINDOWS, connectedAt: expect.any(String) }]);
    expect((await listed(agent)).devices).toBeNull();
  });
});
