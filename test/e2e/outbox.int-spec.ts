import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SendResult } from '../../src/channels/index.js';
import { WebchatSender } from '../../src/channels/webchat/webchat.sender.js';
import { retryDelayMs } from '../../src/conversations/outbox.service.js';
import { itSendsQueuedRepliesOnceAfterRestart } from '../support/outbox-restart.scenario.js';
import { eventually } from '../support/eventually.js';
import { MovableClock } from '../support/movable-clock.js';
import { connect, emitWithAck, sessionOf } from '../support/sockets.js';
import { TestHub, TestMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

describe('Outbox on the in-process job runner and the embedded database', () => {
  itSendsQueuedRepliesOnceAfterRestart(() => ({}));
});

describe('Outbox when the provider fails', () => {
  let hub: TestHub;
  let admin: TestMember;
  let channelId: string;
  let sender: WebchatSender;
  const results: SendResult[] = [];
  // Retries wait on this clock: the cases move it instead of sleeping through the backoff.
  const clock = new MovableClock(new Date());

  beforeAll(async () => {
    hub = await startTestHub({}, { clock });
    admin = (await createTeam(hub)).admin;
    channelId = await createWebchat(hub, admin);
    sender = hub.app.get(WebchatSender);
    const send = sender.send.bind(sender);
    // The provider's answers, in order; once they run out, the real send.
    sender.send = async (channel, message) => results.shift() ?? send(channel, message);
  });

  afterAll(() => hub.stop());

  async function replyInNewConversation(body: string) {
    const visitor = await connect(hub.url, '/widget', { channelId });
    await sessionOf(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: 'hello' });
    visitor.close();
    const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body }).expect(201);
    return reply.body.id as string;
  }

  const settled = (messageId: string, status: string) => eventually(() => hub.infra.db.message.findUniqueOrThrow({ where: { id: messageId } }), (row) => row.status === status);

  it('keeps a message queued through an outage and sends it once the provider is back', async () => {
    results.push({ ok: false, retry: true, code: 'provider_unavailable', reason: 'The provider is unavailable; retrying.' });
    const id = await replyInNewConversation('after the outage');
    // The first attempt failed and its retry waits out the backoff: the clock moves past it.
    const retryAt = clock.now().getTime() + retryDelayMs(1);
    await eventually(async () => clock.pending().map((at) => at.getTime()), (due) => due.includes(retryAt));
    clock.set(new Date(retryAt));
    const row = await settled(id, 'sent');
    expect(row.error).toBeNull();
    expect(await hub.infra.db.delivery.findUniqueOrThrow({ where: { messageId: id } })).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('marks a message failed with the provider’s reason on a permanent refusal, and does not retry', async () => {
    results.push({ ok: false, retry: false, code: 'opted_out', reason: 'The customer has unsubscribed from this channel.' });
    const id = await replyInNewConversation('never delivered');
    const row = await settled(id, 'failed');
    expect(row.error).toBe('The customer has unsubscribed from this channel.');
    // Past any backoff, nothing tries it again.
    clock.advance(retryDelayMs(10));
    await hub.infra.jobs.idle();
    expect(await hub.infra.db.delivery.findUniqueOrThrow({ where: { messageId: id } })).toMatchObject({ state: 'failed', attempts: 1 });
  });

  // The hub no longer lists what it resumes: a service that forgot to register would leave its rows untouched after a
  // restart. Taking the work up again is harmless (the rows are the truth), so it can be asked of a running hub.
  it('has every kind of work a restart leaves behind registered, pending deliveries among it', async () => {
    const counts = await hub.infra.resumableWork.resumeAll();
    expect(Object.keys(counts).sort()).toEqual(
      ['business hours', 'catalog syncs', 'contacts to name', 'logged events', 'media to fetch', 'message follow-ups', 'offer timers', 'outgoing webhook deliveries', 'pending deliveries', 'pending reports', 'presence checks', 'pushes to send', 'slow reply timers', 'taking posts of chats just taken', 'ticket replies', 'ticket timers', 'transcripts to mail', 'unsent system mail', 'unsent uploads to remove'].sort(),
    );
  });
});
