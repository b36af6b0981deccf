import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WHATSAPP_WEB_RUNTIME } from '../../src/channels/index.js';
import { fakeWhatsAppWebRuntime, incomingMessage } from '../fakes/whatsapp-web-fake.js';
import type { FakeWhatsAppWebClient } from '../fakes/whatsapp-web-fake.js';
import { sleep } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, startTestHub } from '../support/test-hub.js';
import { eventually } from '../support/eventually.js';

const CUSTOMER = '554199999999@c.us';
const QR = '1@9Q8tWf6bnezr8uVGwVCluyRuBOJ3tIglimzI5dHB0vQW2m4DQ0GMlCGf,f1/vGcW4Z3vBa1eDNl3tOjWqLL5DpYTI84DMVkYnQE8=,ZL7YnK2qdPN8vKo2ESxhOQ==';

describe('WhatsApp Web sessions', () => {
  let hub: TestHub;
  let admin: TestMember;
  let team: Awaited<ReturnType<typeof createTeam>>;
  // A second between a disconnect and the new client: long enough to see the `disconnected` state.
  const runtime = fakeWhatsAppWebRuntime(1_000);

  beforeAll(async () => {
    hub = await startTestHub({}, { providers: [{ provide: WHATSAPP_WEB_RUNTIME, useValue: runtime }] });
    team = await createTeam(hub);
    admin = team.admin;
  });

  afterAll(async () => {
    await hub?.stop();
  });

  const pairing = async (channelId: string) => (await hub.http.get(`/api/channels/${channelId}/pairing`).set(admin.auth).expect(200)).body;
  const statusOf = (messageId: string, wanted: string[], timeoutMs = 10_000) =>
    eventually(() => hub.infra.db.message.findUniqueOrThrow({ where: { id: messageId } }), (m) => wanted.includes(m.status), timeoutMs);

  async function webChannel(sessionName: string): Promise<{ channelId: string; client: FakeWhatsAppWebClient }> {
    const made = runtime.clients.length;
    const response = await hub.http.post('/api/channels').set(admin.auth).send({ type: 'whatsapp', provider: 'whatsapp-web', name: 'Shop phone', config: { sessionName } }).expect(201);
    expect(runtime.clients.length).toBe(made + 1);
    const client = runtime.clients.at(-1)!;
    expect(client.initialized).toBe(true);
    return { channelId: response.body.id, client };
  }

  it('starts no client while no WhatsApp Web channel exists, and one per channel once created, LocalAuth under the data directory', async () => {
    expect(runtime.clients).toHaveLength(0);
    const { channelId, client } = await webChannel('front-desk');
    expect(client.options).toMatchObject({ channelId, sessionName: 'front-desk', chromiumPath: '/usr/bin/chromium', dataPath: `${hub.dataDir}/whatsapp-web/${channelId}` });
    await hub.http.delete(`/api/channels/${channelId}`).set(admin.auth).expect(204);
    expect(client.destroyed).toBe(true);
  });

  it('shows the QR code while pairing (text and PNG), then ready', async () => {
    const { channelId, client } = await webChannel('shop');
    expect((await pairing(channelId)).state).toBe('starting');
    client.emit('qr', QR);
    const shown = await eventually(() => pairing(channelId), (p) => p.state === 'pairing');
    expect(shown.qr).toBe(QR);
    const png = Buffer.from(shown.qrDataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect((await hub.http.get(`/api/channels/${channelId}`).set(admin.auth).expect(200)).body.session).toEqual({ state: 'pairing', detail: null });

    client.emit('ready');
    const ready = await eventually(() => pairing(channelId), (p) => p.state === 'ready');
    expect(ready).toMatchObject({ qr: null, qrDataUrl: null });

    // Only administrators see the code; a channel that is not paired by QR says so.
    const operator = await addMember(hub, team);
    await hub.http.get(`/api/channels/${channelId}/pairing`).set(operator.auth).expect(403);
    const line = await hub.http.post('/api/channels').set(admin.auth).send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: 'line-channel-secret', channelAccessToken: 't' } }).expect(201);
    const refused = await hub.http.get(`/api/channels/${line.body.id}/pairing`).set(admin.auth).expect(409);
    expect(refused.body.code).toBe('pairing_unsupported');
  });

  it('stores a customer’s messages once, leaves out groups, broadcasts and our own, and replies to the right chat id with acks moving forward', async () => {
    const { channelId, client } = await webChannel('counter');
    client.emit('ready');
    const hello = incomingMessage(CUSTOMER, 'Hello!', { _data: { notifyName: 'John' } });
    client.emit('message', hello);
    // The library replays what arrived while away after a reconnect: the same id is stored once.
    client.emit('message', hello);
    client.emit('message', incomingMessage('120363020000000000@g.us', 'in a group', { author: CUSTOMER }));
    client.emit('message', incomingMessage('status@broadcast', 'a status', { broadcast: true }));
    client.emit('message', { ...incomingMessage(CUSTOMER, 'typed on the phone'), fromMe: true });
    const message = await eventually(() => hub.infra.db.message.findFirst({ where: { channelId }, include: { conversation: true } }), (m) => m !== null);
    await sleep(200);
    expect(await hub.infra.db.message.count({ where: { channelId } })).toBe(1);
    expect(message).toMatchObject({ body: 'Hello!', direction: 'in', eventKey: hello.id._serialized, conversation: { threadKey: 'phone:+554199999999' } });
    const contact = await hub.infra.db.contact.findUniqueOrThrow({ where: { id: message!.conversation.contactId } });
    expect(contact.name).toBe('John');

    const reply = await hub.http.post(`/api/conversations/${message!.conversationId}/messages`).set(admin.auth).send({ body: 'こんにちは' }).expect(201);
    const sent = await statusOf(reply.body.id, ['sent']);
    expect(client.sent.map((s) => [s.chatId, s.content])).toEqual([[CUSTOMER, 'こんにちは']]);
    expect(sent.providerMessageId).toBe(client.sent[0].message.id._serialized);

    client.emit('message_ack', client.sent[0].message, 2);
    await statusOf(reply.body.id, ['delivered']);
    client.emit('message_ack', client.sent[0].message, 3);
    await statusOf(reply.body.id, ['read']);
    client.emit('message_ack', client.sent[0].message, 1);
    await sleep(200);
    expect((await hub.infra.db.message.findUniqueOrThrow({ where: { id: reply.body.id } })).status).toBe('read');
  });

  it('fetches a received photo through the session', async () => {
    const { channelId, client } = await webChannel('photos');
    client.emit('ready');
    const photo = incomingMessage(CUSTOMER.replace('99999', '77777'), 'the scratch', { type: 'image', hasMedia: true, _data: { mimetype: 'image/jpeg' } });
    client.media.set(photo.id._serialized, { mimetype: 'image/jpeg', data: Buffer.from('jpeg bytes').toString('base64') });
    client.emit('message', photo);
    const message = await eventually(
      () => hub.infra.db.message.findFirst({ where: { channelId } }),
      (m) => Boolean(m && (m.attachments as { url?: string }[])[0]?.url),
    );
    expect(message).toMatchObject({ kind: 'media', body: 'the scratch' });
    const file = await hub.http.get((message!.attachments as { url: string }[])[0].url).set(admin.auth).expect(200);
    expect(file.body.toString()).toBe('jpeg bytes');
  });

  it('shows a disconnect, reconnects with a new client after a wait, and sends what was queued meanwhile', async () => {
    const { channelId, client } = await webChannel('reconnects');
    client.emit('ready');
    client.emit('message', incomingMessage('818033334444@c.us', 'are you open?'));
    const inbound = await eventually(() => hub.infra.db.message.findFirst({ where: { channelId } }), (m) => m !== null);
    const clients = runtime.clients.length;

    client.emit('disconnected', 'NAVIGATION');
    const down = await eventually(() => pairing(channelId), (p) => p.state === 'disconnected');
    expect(down.detail).toBe('NAVIGATION');
    expect(client.destroyed).toBe(true);
    const reply = await hub.http.post(`/api/conversations/${inbound!.conversationId}/messages`).set(admin.auth).send({ body: 'Yes, until 8 pm.' }).expect(201);

    const next = await eventually(async () => runtime.clients[clients], (c) => c !== undefined);
    expect(next.initialized).toBe(true);
    // Tried while the session was down: kept queued, with the reason for the agent.
    const waiting = await eventually(() => hub.infra.db.message.findUniqueOrThrow({ where: { id: reply.body.id } }), (m) => m.error !== null);
    expect(waiting).toMatchObject({ status: 'queued', error: expect.stringMatching(/not connected/) });
    // The old client's late events change nothing any more.
    client.emit('qr', 'stale');
    next.emit('ready');
    await eventually(() => pairing(channelId), (p) => p.state === 'ready');
    await statusOf(reply.body.id, ['sent'], 15_000);
    expect(next.sent.map((s) => [s.chatId, s.content])).toEqual([['818033334444@c.us', 'Yes, until 8 pm.']]);
    expect(client.sent).toEqual([]);

    // Logged out on the phone: a new client asks for a new QR code.
    next.emit('disconnected', 'LOGOUT');
    const third = await eventually(async () => runtime.clients[clients + 1], (c) => c !== undefined);
    third.emit('qr', QR);
    expect(await eventually(() => pairing(channelId), (p) => p.state === 'pairing')).toMatchObject({ qr: QR });
  });
});
