import { expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OffersService } from '../../src/routing/index.js';
import { eventually } from './eventually.js';
import type { MovableClock } from './movable-clock.js';
import { connect, emitWithAck, sessionOf } from './sockets.js';
import { addMember, createTeam, createWebchat, startTestHub } from './test-hub.js';

/**
 * Offer timers are delayed jobs, and the offer rows are the truth: a hub stopped in the middle of a countdown
 * expires the offer once, when it was due, after it is back (on either job runner). With a `clock` (the in-process
 * runner) the countdown is run by moving it; BullMQ counts on Redis's time, so there the test waits for it.
 */
export function itExpiresOffersOnceAcrossARestart(env: () => Record<string, string>, clock?: () => MovableClock) {
  it('expires an offer once, on time, after a restart in the middle of its countdown', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-offers-'));
    const hubClock = clock?.();
    const options = { memoryDatabase: false, dataDir, ...(hubClock ? { clock: hubClock } : {}) };
    const first = await startTestHub(env(), options);
    const team = await createTeam(first);
    await first.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    await first.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { offerTimeoutSeconds: 3 } }).expect(200);
    const member = await addMember(first, team);
    await first.http.put('/api/members/me/status').set(member.auth).send({ status: 'online' }).expect(200);
    const channelId = await createWebchat(first, team.admin);
    const visitor = await connect(first.url, '/widget', { channelId });
    await sessionOf(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: '予約したいです' });
    // Offers follow the conversation's start, just after the visitor's acknowledgement.
    const offer = (await eventually(() => first.infra.db.offer.findFirst({ where: { conversationId } }), (found) => found !== null))!;
    visitor.close();
    await first.close();

    const second = await startTestHub(env(), { ...options, startJobs: false });
    try {
      const offers = second.app.get(OffersService);
      const expire = offers.expire.bind(offers);
      const runs: number[] = [];
      offers.expire = async (id: string) => {
        if (id === conversationId) runs.push(second.infra.clock.now().getTime());
        return expire(id);
      };
      await second.startJobs();
      if (hubClock) {
        // Set again by the restarted hub, the timer fires when the clock reaches the deadline; a moment before, not.
        await eventually(async () => hubClock.pending().map((at) => at.getTime()), (due) => due.includes(offer.expiresAt.getTime()));
        hubClock.set(new Date(offer.expiresAt.getTime() - 1));
        await second.infra.jobs.idle();
        expect(runs).toEqual([]);
        hubClock.set(offer.expiresAt);
      }
      const { closedAt: expiredAt } = await eventually(() => second.infra.db.offer.findUniqueOrThrow({ where: { id: offer.id } }), (row) => row.status === 'expired');
      // On time: not before it was due, and not long after (the restart took less than its 3 seconds).
      expect(expiredAt!.getTime()).toBeGreaterThanOrEqual(offer.expiresAt.getTime());
      expect(expiredAt!.getTime() - offer.expiresAt.getTime()).toBeLessThan(2_000);
      // Every timer that was going to run has run.
      await second.infra.jobs.idle();
      const counted = await second.infra.db.member.findUniqueOrThrow({ where: { id: offer.memberId } });
      // Counted once, however many timers ran.
      expect(counted.ignoredOffers).toBe(1);
      expect(runs.length).toBeGreaterThanOrEqual(1);
    } finally {
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}
