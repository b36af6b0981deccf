import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestHub, TestMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

describe('Request validation', () => {
  let hub: TestHub;
  let admin: TestMember;
  let channelId: string;

  beforeAll(async () => {
    hub = await startTestHub();
    admin = (await createTeam(hub)).admin;
    channelId = await createWebchat(hub, admin);
  });

  afterAll(() => hub.stop());

  // Mass assignment: a field the route does not know is refused, never silently stored.
  it.each([
    ['post', '/api/channels', { type: 'webchat', provider: 'webchat', name: 'x', config: {}, teamId: 'other' }, 'teamId'],
    ['patch', '/api/teams/current', { name: 'x', inviteCode: 'AAAAAA' }, 'inviteCode'],
    ['post', '/api/teams/current/api-keys', { name: 'x', keyHash: 'y' }, 'keyHash'],
    ['put', '/api/members/me/status', { status: 'online', capacity: 99 }, 'capacity'],
    ['post', '/api/auth/login', { email: 'a@b.c', password: 'x', role: 'administrator' }, 'role'],
  ] as const)('%s %s refuses an unknown field', async (method, path, body, field) => {
    const response = await hub.http[method](path).set(admin.auth).send(body).expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, code: 'invalid_request' });
    expect(response.body.details).toContainEqual({ field, message: 'is not a known field' });
  });

  it('names each bad field', async () => {
    const response = await hub.http.post('/api/channels').set(admin.auth).send({ type: 'fax', name: '' }).expect(400);
    expect(response.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['name', 'provider', 'type']);
  });

  it('names a bad field inside a channel config and an unknown one', async () => {
    const response = await hub.http
      .post('/api/channels')
      .set(admin.auth)
      .send({ type: 'webchat', provider: 'webchat', name: 'x', config: { allowedOrigins: ['not a url'], colour: 'red' } })
      .expect(400);
    const fields = response.body.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['config.allowedOrigins.0', 'config.colour']));
  });

  it('refuses a provider the hub does not run, saying which exist', async () => {
    const response = await hub.http.post('/api/channels').set(admin.auth).send({ type: 'sms', provider: 'carrier-pigeon', name: 'x', config: {} }).expect(400);
    expect(response.body.code).toBe('unsupported_channel');
    expect(response.body.message).toContain('webchat/webchat');
  });

  it('refuses malformed JSON with a clear error', async () => {
    const response = await hub.http.post('/api/channels').set(admin.auth).set('content-type', 'application/json').send('{"type":').expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, code: 'invalid_request' });
  });

  it('refuses bad query parameters and cursors', async () => {
    const response = await hub.http.get('/api/conversations?limit=5000&view=everything').set(admin.auth).expect(400);
    expect(response.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'view']);
    await hub.http.get('/api/conversations?cursor=garbage').set(admin.auth).expect(400);
  });

  it('never returns a channel’s secrets and keeps them sealed at rest', async () => {
    const channel = await hub.http.get(`/api/channels/${channelId}`).set(admin.auth).expect(200);
    expect(channel.body).not.toHaveProperty('secrets');
    const rows = await hub.infra.db.channel.findMany();
    for (const row of rows) expect(row.secrets).toMatch(/^v2\./);
  });

  it('answers 404 in the API’s error shape for an unknown route', async () => {
    const response = await hub.http.get('/api/nothing-here').set(admin.auth).expect(404);
    expect(response.body).toMatchObject({ statusCode: 404, code: 'not_found' });
  });
});
