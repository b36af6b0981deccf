import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { HubProcess, startHubProcess } from '../support/hub-process.js';
import { connect, emitWithAck, nextEvent, sessionOf } from '../support/sockets.js';
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

  it('made exactly one first team although both processes started on an empty database', async () => {
    const session = await request(a.url).post('/api/auth/login').send({ email: 'admin@two.example', password: 'correct horse' }).expect(200);
    const members = await request(a.url).get('/api/members').set({ Authorization: `Bearer ${session.body.accessToken}` }).expect(200);
    expect(members.body.items).toHaveLength(1);
  });
});
