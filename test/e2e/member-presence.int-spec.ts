import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { connect, nextEvent } from '../support/sockets.js';
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

  async function device(token: string): Promise<Socket> {
    const socket = await connect(hub.url, '/inbox', { token });
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
    expect(await hub.infra.db.presenceChange.count({ where: { memberId: agent.id } })).toBe(2);
  });

  it('refuses agents (403), another team’s member (404), a missing reason (400) and switching on a deactivated member (409)', async () => {
    const team = await createTeam(hub);
    const agent = await addMember(hub, team);
    const colleague = await addMember(hub, team);
    const forbidden = await hub.http.put(`/api/members/${colleague.id}/status`).set(agent.auth).send({ status: 'offline', reason: 'いたずら' }).expect(403);
    expect(forbidden.body.code).toBe('forbidden');

    const other = await createTeam(hub);
    const stranger = await addMember(hub, other);
    const notFound = await hub.http.put(`/api/members/${stranger.id}/status`).set(team.admin.auth).send({ status: 'offline', reason: '退勤' }).expect(404);
    expect(notFound.body.code).toBe('not_found');
    expect(await hub.infra.db.member.findUniqueOrThrow({ where: { id: stranger.id } })).toMatchObject({ status: 'online' });

    const unexplained = await hub.http.put(`/api/members/${colleague.id}/status`).set(team.admin.auth).send({ status: 'offline' }).expect(400);
    expect(unexplained.body.details.map((d: { field: string }) => d.field)).toEqual(['reason']);

    await hub.http.delete(`/api/members/${colleague.id}`).set(team.admin.auth).expect(204);
    const deactivated = await hub.http.put(`/api/members/${colleague.id}/status`).set(team.admin.auth).send({ status: 'online', reason: '復帰' }).expect(409);
    expect(deactivated.body.code).toBe('member_deactivated');
    expect(await hub.infra.db.presenceChange.count({ where: { teamId: { in: [team.teamId, other.teamId] } } })).toBe(0);
  });
});
