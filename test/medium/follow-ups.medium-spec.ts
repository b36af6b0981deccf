import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { IngestOutcome } from '../../src/channels/index.js';
import { Prisma } from '../../src/common/database/database.js';
import { MessageFollowUps } from '../../src/conversations/index.js';
import { IngestService } from '../../src/conversations/ingest.service.js';
import { MembersService, TeamsService } from '../../src/teams/index.js';
import { TestContext, createTestContext, inboundMessage } from '../support/test-context.js';

/**
 * The follow-ups of new messages on the embedded database: left pending as a process killed before they ran leaves
 * them (HUB_TEST_HOLD_FOLLOW_UPS=before), they are taken up by the start's resume, and taken up again (as after a
 * kill between the work and the removal of its row) they offer nothing more. The service suite kills real processes.
 */
describe(MessageFollowUps.name, () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_TEST_HOLD_FOLLOW_UPS: 'before' } });
  });

  afterAll(async () => {
    await ctx?.close();
  });

  it('offers each new conversation once when its follow-up is resumed, and not again when resumed twice', async () => {
    const team = await ctx.createTeam();
    await ctx.get(TeamsService).update(team.teamId, { settings: { offerTimeoutSeconds: 3600 } });
    await ctx.get(MembersService).setStatus(team.admin, 'online');
    const webchat = await ctx.createChannel(team.teamId, { type: 'webchat', provider: 'webchat' });
    const ingest = ctx.get(IngestService);
    const stored: IngestOutcome[] = [];
    for (let i = 0; i < 3; i++) [stored[i]] = await ingest.ingest(webchat, [inboundMessage({ kind: 'visitor', address: randomUUID() }, `こんにちは ${i}`)]);
    const conversationIds = stored.map((outcome) => outcome.conversationId!);
    const pending = () => ctx.db.message.count({ where: { followUp: { not: Prisma.DbNull } } });
    const offersPer = async () => Promise.all(conversationIds.map((conversationId) => ctx.db.offer.count({ where: { conversationId } })));

    // Committed, and nothing of what follows has run.
    expect(await pending()).toBe(3);
    expect(await offersPer()).toEqual([0, 0, 0]);

    expect(await ctx.get(MessageFollowUps).resume()).toBe(3);
    expect(await offersPer()).toEqual([1, 1, 1]);
    expect(await pending()).toBe(0);

    // The markers back, as a process killed after the work but before they were cleared leaves them.
    await ctx.db.message.updateMany({ where: { id: { in: stored.map((outcome) => outcome.messageId!) } }, data: { followUp: { started: true } } });
    expect(await ctx.get(MessageFollowUps).resume()).toBe(3);
    expect(await offersPer()).toEqual([1, 1, 1]);
    expect(await pending()).toBe(0);
  });
});
