import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ConversationsService, OutboxService } from '../../src/conversations/index.js';
import { IngestService } from '../../src/conversations/ingest.service.js';
import { startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { eventually } from '../support/eventually.js';
import { TestContext, createTestContext, inboundMessage } from '../support/test-context.js';

describe(OutboxService.name, () => {
  let ctx: TestContext;
  let line: LineFake;

  beforeAll(async () => {
    line = await startLineFake({ channelAccessToken: 'outbox-token' });
    ctx = await createTestContext();
  });

  afterAll(async () => {
    await ctx?.close();
    await line?.close();
  });

  /** A LINE customer's new chat in a team of its own: what a reply goes out to. */
  async function lineChat(userId: string, text: string) {
    const team = await ctx.createTeam();
    const channel = await ctx.createChannel(team.teamId, {
      type: 'line',
      provider: 'line',
      config: { channelSecret: 'outbox-secret', channelAccessToken: 'outbox-token', apiBaseUrl: line.url },
    });
    line.setProfile(userId, { displayName: 'お客様' });
    const [outcome] = await ctx.get(IngestService).ingest(channel, [inboundMessage({ kind: 'line', address: userId }, text)]);
    return { admin: team.admin, conversationId: outcome.conversationId! };
  }

  // Found by the cluster suite: under load the database refused the transaction that records a send ("unable to
  // start a transaction in the given time"); the job failed for good with its attempt claimed, and the delivery
  // stayed pending until some hub restarted.
  it('takes up a delivery again when recording its attempt fails, and LINE still gets it once', async () => {
    const userId = `U${'a'.repeat(32)}`;
    const { admin, conversationId } = await lineChat(userId, 'こんにちは');

    // The first transaction after LINE accepted the reply is the one that records it: it fails once.
    const text = 'お待たせしました';
    const pushed = () => line.pushesTo(userId).flatMap((push) => push.messages.map((message) => message.text)).filter((sent) => sent === text);
    const transaction = ctx.db.$transaction.bind(ctx.db);
    let failed = false;
    const spy = jest.spyOn(ctx.db, '$transaction').mockImplementation(((...args: Parameters<typeof transaction>) => {
      if (!failed && pushed().length > 0) {
        failed = true;
        return Promise.reject(new Error('Transaction API error: Unable to start a transaction in the given time.'));
      }
      return transaction(...args);
    }) as typeof ctx.db.$transaction);
    try {
      const reply = await ctx.get(ConversationsService).post(admin, conversationId, { body: text, kind: 'text' });
      await eventually(async () => failed, Boolean);
      const delivery = () => ctx.db.delivery.findUniqueOrThrow({ where: { messageId: reply.id } });
      await eventually(
        async () => {
          // The retry waits its backoff on the hub's clock.
          ctx.clock.advance(5_000);
          return (await delivery()).state;
        },
        (state) => state === 'done',
      );
      expect((await ctx.db.message.findUniqueOrThrow({ where: { id: reply.id } })).status).toBe('sent');
      expect(pushed()).toEqual([text]);
    } finally {
      spy.mockRestore();
    }
  });

  // Found by the cluster suite: the delivery job's first read met a connection PostgreSQL had just ended; the job
  // failed for good before claiming its attempt, and the reply stayed pending (attempts 0) until a restart.
  it('runs a delivery job again when it fails before claiming its attempt', async () => {
    const userId = `U${'b'.repeat(32)}`;
    const { admin, conversationId } = await lineChat(userId, 'もしもし');
    const text = '確認いたします';
    // The delivery's read fails once, then reads as always.
    // Called on whatever client it is called on: a transaction's too.
    const raw = ctx.db.$queryRaw;
    let deliveryReads = 0;
    const spy = jest.spyOn(ctx.db, '$queryRaw').mockImplementation(function (this: unknown, query: TemplateStringsArray, ...values: unknown[]) {
      if (query.join('').includes('FROM deliveries d') && deliveryReads++ === 0) return Promise.reject(new Error('terminating connection due to administrator command'));
      return raw.apply(this, [query, ...values]);
    } as typeof ctx.db.$queryRaw);
    try {
      const reply = await ctx.get(ConversationsService).post(admin, conversationId, { body: text, kind: 'text' });
      await eventually(
        async () => {
          ctx.clock.advance(5_000);
          return (await ctx.db.delivery.findUniqueOrThrow({ where: { messageId: reply.id } })).state;
        },
        (state) => state === 'done',
      );
      expect(deliveryReads).toBeGreaterThan(1);
      expect(line.pushesTo(userId).flatMap((push) => push.messages.map((message) => message.text))).toContain(text);
    } finally {
      spy.mockRestore();
    }
  });
  // Found by the soak: LINE's API stalled for a minute now and then; replies that failed in it had backed off to a
  // few minutes each, and went out that late although LINE was answering again within seconds.
  it('sends the replies that waited out an outage as soon as the channel sends again, not after their backoff', async () => {
    const team = await ctx.createTeam();
    const channel = await ctx.createChannel(team.teamId, {
      type: 'line',
      provider: 'line',
      config: { channelSecret: 'outbox-secret', channelAccessToken: 'outbox-token', apiBaseUrl: line.url },
    });
    const [early, late] = [`U${'c'.repeat(32)}`, `U${'d'.repeat(32)}`];
    const chats: string[] = [];
    for (const userId of [early, late]) {
      line.setProfile(userId, { displayName: 'お客様' });
      const [outcome] = await ctx.get(IngestService).ingest(channel, [inboundMessage({ kind: 'line', address: userId }, 'すみません')]);
      chats.push(outcome.conversationId!);
    }
    // The team's away reply (nobody is online) waits out the outage too: only the agents' replies are looked at.
    const written = ['停止中に書きました', '復旧後に書きました'];
    const texts = (userId: string) => line.pushesTo(userId).flatMap((push) => push.messages.map((message) => message.text)).filter((text) => written.includes(text ?? ''));
    const conversations = ctx.get(ConversationsService);

    line.setOutage({ status: 500 });
    let waiting: Awaited<ReturnType<typeof conversations.post>>;
    try {
      waiting = await conversations.post(team.admin, chats[0], { body: '停止中に書きました', kind: 'text' });
      // Three failed attempts: the next one is 8 s away on the hub's clock, which the test does not move from here.
      await eventually(
        async () => {
          ctx.clock.advance(10_000);
          return (await ctx.db.delivery.findUniqueOrThrow({ where: { messageId: waiting.id } })).attempts;
        },
        (attempts) => attempts >= 3,
      );
      // An attempt the last move of the clock started fails too: LINE is still down until it has heard nothing for a while.
      const heard = () => [...line.retryKeyRequests.values()].reduce((sum, n) => sum + n, 0);
      for (let before = -1; before !== heard(); ) {
        before = heard();
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    } finally {
      line.setOutage(null);
    }
    expect(texts(early)).toEqual([]);

    await conversations.post(team.admin, chats[1], { body: '復旧後に書きました', kind: 'text' });

    await eventually(async () => texts(early), (sent) => sent.length > 0);
    expect(texts(early)).toEqual(['停止中に書きました']);
    expect(texts(late)).toEqual(['復旧後に書きました']);
    await eventually(async () => (await ctx.db.delivery.findUniqueOrThrow({ where: { messageId: waiting.id } })).state, (state) => state === 'done');
  });
});
