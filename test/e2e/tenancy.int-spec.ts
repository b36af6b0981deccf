import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, emitWithAck, nextEvent, sessionOf } from '../support/sockets.js';
import { TestHub, TestMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

describe('Tenancy', () => {
  let hub: TestHub;
  let adminA: TestMember;
  let adminB: TestMember;
  const ids = { conversation: '', channel: '', contact: '', member: '', apiKey: '' };

  beforeAll(async () => {
    hub = await startTestHub();
    adminA = (await createTeam(hub, 'A')).admin;
    adminB = (await createTeam(hub, 'B')).admin;
    ids.channel = await createWebchat(hub, adminA);
    const visitor = await connect(hub.url, '/widget', { channelId: ids.channel });
    await sessionOf(visitor);
    ids.conversation = (await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: 'secret of team A' })).conversationId;
    visitor.close();
    const conversation = await hub.http.get(`/api/conversations/${ids.conversation}`).set(adminA.auth).expect(200);
    ids.contact = conversation.body.contact.id;
    ids.member = adminA.id;
    ids.apiKey = (await hub.http.post('/api/teams/current/api-keys').set(adminA.auth).send({ name: 'shop' }).expect(201)).body.id;
  });

  afterAll(() => hub.stop());

  // Every route that takes an id: another team's id must look exactly like an id that does not exist.
  const routes: [method: 'get' | 'post' | 'patch' | 'delete', path: (i: typeof ids) => string, body?: object][] = [
    ['get', (i) => `/api/conversations/${i.conversation}`],
    ['get', (i) => `/api/conversations/${i.conversation}/messages`],
    ['post', (i) => `/api/conversations/${i.conversation}/messages`, { body: 'hijack' }],
    ['post', (i) => `/api/conversations/${i.conversation}/messages`, { body: 'peek', kind: 'note' }],
    ['post', (i) => `/api/conversations/${i.conversation}/accept`],
    ['post', (i) => `/api/conversations/${i.conversation}/assign`, { memberId: 'x' }],
    ['post', (i) => `/api/conversations/${i.conversation}/resolve`, {}],
    ['post', (i) => `/api/conversations/${i.conversation}/reopen`],
    ['post', (i) => `/api/conversations/${i.conversation}/favorite`],
    ['post', (i) => `/api/conversations/${i.conversation}/unfavorite`],
    ['get', (i) => `/api/channels/${i.channel}`],
    ['patch', (i) => `/api/channels/${i.channel}`, { name: 'taken over' }],
    ['delete', (i) => `/api/channels/${i.channel}`],
    ['get', (i) => `/api/contacts/${i.contact}`],
    ['patch', (i) => `/api/members/${i.member}`, { role: 'operator' }],
    ['delete', (i) => `/api/teams/current/api-keys/${i.apiKey}`],
  ];

  it.each(routes.map(([method, path, body]) => ({ method, path, body, name: path({ conversation: ':conversation', channel: ':channel', contact: ':contact', member: ':member', apiKey: ':apiKey' }) })))(
    '$method $name answers 404 to another team',
    async ({ method, path, body }) => {
    const call = hub.http[method](path(ids)).set(adminB.auth).timeout(3000);
    const response = await (body ? call.send(body) : call);
    expect(response.status).toBe(404);
    expect(response.body.code).toMatch(/not_found/);
    },
  );

  it('left team A untouched', async () => {
    const conversation = await hub.http.get(`/api/conversations/${ids.conversation}`).set(adminA.auth).expect(200);
    expect(conversation.body).toMatchObject({ status: 'waiting', assigneeId: null });
    const messages = await hub.http.get(`/api/conversations/${ids.conversation}/messages`).set(adminA.auth).expect(200);
    expect(messages.body.items.map((m: { body: string }) => m.body)).toEqual(['secret of team A']);
    const channel = await hub.http.get(`/api/channels/${ids.channel}`).set(adminA.auth).expect(200);
    expect(channel.body.name).toBe('Web shop');
    const keys = await hub.http.get('/api/teams/current/api-keys').set(adminA.auth).expect(200);
    expect(keys.body.items[0].revokedAt).toBeNull();
    const members = await hub.http.get('/api/members').set(adminA.auth).expect(200);
    expect(members.body.items[0].role).toBe('administrator');
  });

  it('lists only the caller’s own team', async () => {
    for (const path of ['/api/conversations', '/api/channels', '/api/contacts', '/api/members']) {
      const response = await hub.http.get(path).set(adminB.auth).expect(200);
      const found = JSON.stringify(response.body);
      expect(found).not.toContain(ids.conversation);
      expect(found).not.toContain(ids.channel);
      expect(found).not.toContain(ids.contact);
    }
  });

  it('gives agents of another team no events of this team', async () => {
    const spy = await connect(hub.url, '/inbox', { token: adminB.token });
    const own = await connect(hub.url, '/inbox', { token: adminA.token });
    const seenBySpy: unknown[] = [];
    spy.onAny((...args) => seenBySpy.push(args));
    const ownEvent = nextEvent(own, 'message.created');
    await hub.http.post(`/api/conversations/${ids.conversation}/messages`).set(adminA.auth).send({ body: 'note', kind: 'note' }).expect(201);
    await ownEvent;
    expect(seenBySpy).toEqual([]);
    spy.close();
    own.close();
  });
});
