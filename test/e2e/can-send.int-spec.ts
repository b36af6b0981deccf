import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { emitWithAck, connect, sessionOf } from '../support/sockets.js';
import { TestHub, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

/** What the composer asks before it offers free text, a template picker, or nothing with the reason. */
describe('GET /api/conversations/:id/can-send', () => {
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;

  beforeAll(async () => {
    hub = await startTestHub();
    team = await createTeam(hub);
  });

  afterAll(async () => {
    await hub?.stop();
  });

  const canSend = async (conversationId: string) => (await hub.http.get(`/api/conversations/${conversationId}/can-send`).set(team.admin.auth).expect(200)).body;

  it('answers ok for an open web chat, and conversation_resolved once it ends', async () => {
    const channelId = await createWebchat(hub, team.admin);
    const visitor = await connect(hub.url, '/widget', { channelId });
    try {
      await sessionOf(visitor);
      const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: 'こんにちは' });
      expect(await canSend(conversationId)).toEqual({ ok: true, templateOnly: false, templates: [], maxTextLength: 5000 });
      await hub.http.post(`/api/conversations/${conversationId}/resolve`).set(team.admin.auth).send({}).expect(200);
      expect(await canSend(conversationId)).toMatchObject({ ok: false, code: 'conversation_resolved', templateOnly: false });
    } finally {
      visitor.close();
    }
  });

  it('offers only the approved templates once the WhatsApp window has closed, and nothing to an opted-out customer', async () => {
    const whatsapp = await hub.http
      .post('/api/channels')
      .set(team.admin.auth)
      .send({
        type: 'whatsapp',
        provider: 'whatsapp-cloud',
        name: 'WhatsApp',
        config: {
          accessToken: 'token',
          appSecret: 'app-secret-0123',
          verifyToken: 'verify-token-0123',
          phoneNumberId: '106540352242922',
          templates: [{ name: 'order_update', language: 'ja', variables: ['name'], text: '{{1}}様、ご注文の件でご連絡しました。' }],
        },
      })
      .expect(201);
    const db = hub.infra.db;
    const contact = await db.contact.create({ data: { teamId: team.teamId, name: '田中', identities: { create: { teamId: team.teamId, kind: 'phone', address: '+819011112222' } } } });
    const conversation = await db.conversation.create({
      data: { teamId: team.teamId, channelId: whatsapp.body.id, contactId: contact.id, status: 'open', threadKey: 'phone:+819011112222', lastCustomerMessageAt: new Date(Date.now() - 30 * 3600_000) },
    });
    expect(await canSend(conversation.id)).toEqual({
      ok: false,
      code: 'reply_window_closed',
      reason: expect.stringContaining('24 hours'),
      templateOnly: true,
      templates: [{ name: 'order_update', language: 'ja', variables: ['name'], text: '{{1}}様、ご注文の件でご連絡しました。' }],
      maxTextLength: 4096,
    });

    await db.contactEvent.create({ data: { teamId: team.teamId, contactId: contact.id, kind: 'opt_out', channelType: 'whatsapp', channelId: whatsapp.body.id, eventKey: 'test-stop', occurredAt: new Date(), detail: { source: 'keyword', keyword: 'STOP' } } });
    expect(await canSend(conversation.id)).toMatchObject({ ok: false, code: 'opted_out', templateOnly: false });
  });
});
