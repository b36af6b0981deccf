import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { HubProcess, startHubProcess } from '../support/hub-process.js';
import { collect, connect, emitWithAck, nextEvent, sessionOf } from '../support/sockets.js';
import { servicesEnv } from './services-env.js';

// Production runs N stateless processes behind a load balancer: PostgreSQL holds the state, Redis carries
// the jobs and the socket events between them.
describe('Two hub processes on one PostgreSQL and one Redis', () => {
  let a: HubProcess;
  let b: HubProcess;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const env = { ...(await servicesEnv()), PORT: '0', HUB_ADMIN_EMAIL: 'admin@two.example', HUB_ADMIN_PASSWORD: 'correct horse', HUB_TEAM_NAME: 'Two' };
    // Started together on an empty database: both migrate and both try to create the first team.
    [a, b] = await Promise.all([startHubProcess(env), startHubProcess(env)]);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('lets a visitor on process A and an agent on process B talk both ways', async () => {
    const session = await request(b.url).post('/api/auth/login').send({ email: 'admin@two.example', password: 'correct horse' }).expect(200);
    const auth = { Authorization: `Bearer ${session.body.accessToken}` };
    const channel = await request(b.url).post('/api/channels').set(auth).send({ type: 'webchat', provider: 'webchat', name: 'Shop', config: {} }).expect(201);

    const agent = await connect(b.url, '/inbox', { token: session.body.accessToken });
    const visitor = await connect(a.url, '/widget', { channelId: channel.body.id });
    sockets.push(agent, visitor);
    await sessionOf(visitor);

    const atAgent = nextEvent<{ body: string; conversationId: string }>(agent, 'message.created');
    const ack = await emitWithAck<{ ok: boolean; conversationId: string }>(visitor, 'message', { body: 'from process A' });
    expect(ack.ok).toBe(true);
    expect(await atAgent).toMatchObject({ body: 'from process A', conversationId: ack.conversationId });

    const atVisitor = nextEvent<{ body: string }>(visitor, 'message', (m: { body: string }) => m.body === 'from process B');
    await request(b.url).post(`/api/conversations/${ack.conversationId}/messages`).set(auth).send({ body: 'from process B' }).expect(201);
    expect(await atVisitor).toMatchObject({ body: 'from process B' });

    // Status changes reach the agent wherever the delivery job ran.
    const sentAtAgent = nextEvent<{ body: string; status: string }>(agent, 'message.updated', (m) => m.body === 'again' && m.status === 'sent');
    const againAtVisitor = nextEvent<{ body: string }>(visitor, 'message', (m: { body: string }) => m.body === 'again');
    await request(a.url).post(`/api/conversations/${ack.conversationId}/messages`).set(auth).send({ body: 'again' }).expect(201);
    await Promise.all([sentAtAgent, againAtVisitor]);
  });

  it('gives a chat offered to three members to exactly one of two accepting at once on two processes', async () => {
    const admin = await request(a.url).post('/api/auth/login').send({ email: 'admin@two.example', password: 'correct horse' }).expect(200);
    const adminAuth = { Authorization: `Bearer ${admin.body.accessToken}` };
    await request(a.url).put('/api/members/me/status').set(adminAuth).send({ status: 'offline' }).expect(200);
    const { inviteCode } = (await request(a.url).get('/api/teams/current').set(adminAuth).expect(200)).body;
    const staff: { id: string; auth: Record<string, string>; devices: Socket[] }[] = [];
    for (let i = 0; i < 3; i++) {
      const email = `agent${i}-${Date.now()}@two.example`;
      const signup = await request(b.url).post('/api/auth/signup').send({ inviteCode, email, password: 'correct horse', name: `Agent ${i}` }).expect(201);
      const session = await request(b.url).post('/api/auth/login').send({ email, password: 'correct horse' }).expect(200);
      const auth = { Authorization: `Bearer ${session.body.accessToken}` };
      await request(b.url).put('/api/members/me/status').set(auth).send({ status: 'online' }).expect(200);
      // One device on each process: what happens on one must reach the other.
      const devices = [await connect(a.url, '/inbox', { token: session.body.accessToken }), await connect(b.url, '/inbox', { token: session.body.accessToken })];
      sockets.push(...devices);
      staff.push({ id: signup.body.id, auth, devices });
    }
    const channel = await request(a.url).post('/api/channels').set(adminAuth).send({ type: 'webchat', provider: 'webchat', name: 'Race', config: {} }).expect(201);
    const offered = staff.map(({ devices }) => Promise.all(devices.map((device) => nextEvent<{ conversationId: string }>(device, 'offer', () => true, 10_000))));
    const visitor = await connect(a.url, '/widget', { channelId: channel.body.id });
    sockets.push(visitor);
    await sessionOf(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: 'race' });
    for (const pair of await Promise.all(offered)) for (const offer of pair) expect(offer.conversationId).toBe(conversationId);

    const withdrawn = staff.map(({ devices }) => devices.map((device) => collect<{ conversationId: string; reason: string }>(device, 'offer.withdrawn')));
    const [viaA, viaB] = await Promise.all([
      request(a.url).post(`/api/conversations/${conversationId}/accept`).set(staff[0].auth),
      request(b.url).post(`/api/conversations/${conversationId}/accept`).set(staff[1].auth),
    ]);
    expect([viaA.status, viaB.status].sort()).toEqual([200, 409]);
    expect((viaA.status === 409 ? viaA : viaB).body.code).toBe('offer_taken');
    const winner = viaA.status === 200 ? 0 : 1;
    const deadline = Date.now() + 5_000;
    const everyoneElseHeard = () => staff.every((_, i) => i === winner || withdrawn[i].every((events) => events.some((e) => e.conversationId === conversationId && e.reason === 'taken')));
    while (!everyoneElseHeard() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(everyoneElseHeard()).toBe(true);
    expect(withdrawn[winner].flat()).toEqual([]);
  });

  // Attack: a dismissed member keeps a socket open on another hub process than the one the administrator used.
  it('signs a deactivated member’s socket out within 5 s although it is held by the other process', async () => {
    const session = await request(a.url).post('/api/auth/login').send({ email: 'admin@two.example', password: 'correct horse' }).expect(200);
    const admin = { Authorization: `Bearer ${session.body.accessToken}` };
    const { inviteCode } = (await request(a.url).get('/api/teams/current').set(admin).expect(200)).body as { inviteCode: string };
    const email = `leaver-${Date.now().toString(36)}@two.example`;
    const joined = await request(a.url).post('/api/auth/signup').send({ inviteCode, email, password: 'correct horse', name: '退職 予定' }).expect(201);
    const leaver = await request(b.url).post('/api/auth/login').send({ email, password: 'correct horse' }).expect(200);
    const device = await connect(b.url, '/inbox', { token: leaver.body.accessToken });
    sockets.push(device);
    const signedOut = nextEvent<{ code: string }>(device, 'signed_out', () => true, 5_000);
    const gone = nextEvent(device, 'disconnect', () => true, 5_000);
    await request(a.url).delete(`/api/members/${joined.body.id}`).set(admin).expect(204);
    expect(await signedOut).toEqual({ code: 'member_deactivated' });
    await gone;
    await request(b.url).get('/api/conversations').set({ Authorization: `Bearer ${leaver.body.accessToken}` }).expect(401);
  });

  // The members list asks every process for the team's sockets (the Redis adapter), and a colleague's status switch
  // made on one process reaches the member's devices held by the other.
  it('lists a member’s devices held by both processes, and tells both of a status a supervisor set', async () => {
    const session = await request(a.url).post('/api/auth/login').send({ email: 'admin@two.example', password: 'correct horse' }).expect(200);
    const admin = { Authorization: `Bearer ${session.body.accessToken}` };
    const { inviteCode } = (await request(a.url).get('/api/teams/current').set(admin).expect(200)).body as { inviteCode: string };
    const email = `devices-${Date.now().toString(36)}@two.example`;
    const joined = await request(a.url).post('/api/auth/signup').send({ inviteCode, email, password: 'correct horse', name: '二台 持ち' }).expect(201);
    const login = await request(b.url).post('/api/auth/login').send({ email, password: 'correct horse' }).expect(200);
    const onA = await connect(a.url, '/inbox', { token: login.body.accessToken }, { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Mobile/15E148' });
    const onB = await connect(b.url, '/inbox', { token: login.body.accessToken }, { userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0' });
    sockets.push(onA, onB);

    for (const hub of [a, b]) {
      const members = (await request(hub.url).get('/api/members').set(admin).expect(200)).body.items as { id: string; devices: { kind: string }[] }[];
      expect(members.find((m) => m.id === joined.body.id)?.devices.map((d) => d.kind).sort()).toEqual(['desktop', 'mobile']);
    }

    const told = [onA, onB].map((device) => nextEvent<{ status: string; reason: string }>(device, 'presence.set'));
    await request(a.url).put(`/api/members/${joined.body.id}/status`).set(admin).send({ status: 'break', reason: '休憩' }).expect(200);
    for (const event of await Promise.all(told)) expect(event).toMatchObject({ status: 'break', reason: '休憩' });
  });

  it('made exactly one first team although both processes started on an empty database', async () => {
    const session = await request(a.url).post('/api/auth/login').send({ email: 'admin@two.example', password: 'correct horse' }).expect(200);
    const members = await request(a.url).get('/api/members').set({ Authorization: `Bearer ${session.body.accessToken}` }).expect(200);
    expect(members.body.items.filter((m: { role: string }) => m.role === 'administrator')).toHaveLength(1);
  });
});
