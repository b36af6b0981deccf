import { expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebchatSender } from '../../src/channels/webchat/webchat.sender.js';
import type { HubOptions } from '../../src/hub.js';
import { eventually } from './eventually.js';
import { connect, emitWithAck, sessionOf } from './sockets.js';
import { createTeam, createWebchat, startTestHub } from './test-hub.js';

/**
 * The outbox's promise (docs/architecture.md, "The outbox"): a reply written while no worker runs is sent once the hub is back, and
 * exactly once. Run on each job runner: in-process (embedded database) and BullMQ (PostgreSQL + Redis).
 */
export function itSendsQueuedRepliesOnceAfterRestart(env: () => Record<string, string>, options: () => HubOptions = () => ({})) {
  it('sends a reply written while the worker was down exactly once after a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-restart-'));
    const hubOptions = { memoryDatabase: false, dataDir, startJobs: false, ...options() };
    const first = await startTestHub(env(), hubOptions);
    const { admin } = await createTeam(first);
    const channelId = await createWebchat(first, admin);
    const visitor = await connect(first.url, '/widget', { channelId });
    const { visitorId } = await sessionOf<{ visitorId: string }>(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: '営業時間は？' });
    const reply = await first.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: '10時からです' }).expect(201);
    // No worker runs: the delivery waits untried.
    expect(await first.infra.db.delivery.findUniqueOrThrow({ where: { messageId: reply.body.id } })).toMatchObject({ state: 'pending', attempts: 0 });
    const stillQueued = await first.http.get(`/api/conversations/${conversationId}/messages`).set(admin.auth).expect(200);
    expect(stillQueued.body.items.find((m: { id: string }) => m.id === reply.body.id).status).toBe('queued');
    visitor.close();
    await first.close();

    const second = await startTestHub(env(), hubOptions);
    try {
      const sender = second.app.get(WebchatSender);
      const sent: string[] = [];
      const send = sender.send.bind(sender);
      sender.send = async (channel, message) => {
        sent.push(message.messageId);
        return send(channel, message);
      };
      await second.startJobs();
      await eventually(() => second.infra.db.message.findUniqueOrThrow({ where: { id: reply.body.id } }), (row) => row.status === 'sent');
      // Every job that was going to send it has run.
      await second.infra.jobs.idle();
      expect(sent).toEqual([reply.body.id]);
      const delivery = await second.infra.db.delivery.findUniqueOrThrow({ where: { messageId: reply.body.id } });
      expect(delivery).toMatchObject({ state: 'done', attempts: 1 });

      const back = await connect(second.url, '/widget', { channelId, visitorId });
      const session = await sessionOf<{ messages: { id: string; body: string }[] }>(back);
      expect(session.messages.map((m) => m.body)).toEqual(['営業時間は？', '10時からです']);
      back.close();
    } finally {
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}
