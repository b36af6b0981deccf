import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { systemClock } from './clock.js';

/**
 * The few places that read the wall clock on purpose, each with how many times and why. Everything else asks the
 * hub's `Clock`, so that tests move time instead of sleeping and no "now" disagrees with another.
 */
const WALL_CLOCK_ALLOWED: Record<string, { count: number; why: string }> = {
  'src/common/clock.ts': { count: 1, why: 'the system clock itself' },
  'src/common/jobs/bullmq-job-queue.ts': { count: 2, why: 'BullMQ runs its delays and stamps its jobs on wall time' },
  'src/common/database/migrations.ts': { count: 1, why: "a developer's command names a migration for when it was written" },
  'src/reports/report-triggers.service.ts': { count: 1, why: 'shifts are cut on the rows’ database timestamps' },
  'src/common/cache/invalidated-cache.ts': { count: 1, why: 'a cache’s age bounds, in real time, a change whose publication was lost' },
};

const WALL_CLOCK = /new Date\(\s*\)|Date\.now\(\s*\)/g;

function productionSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : productionSources(path);
    return /\.ts$/.test(entry.name) && !/\.(spec|int-spec|browser-spec|contract)\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('Clock', () => {
  // Guards the review finding "62 new Date()/Date.now() calls remain, some inside services that inject the clock":
  // a new reading of the wall clock fails here until it goes through the Clock or is allowed above with a reason.
  it('is the only source of "now" in src/ outside the allowed places', () => {
    const found: Record<string, number> = {};
    for (const path of productionSources('src')) {
      const count = readFileSync(path, 'utf8').match(WALL_CLOCK)?.length ?? 0;
      if (count > 0) found[relative(process.cwd(), path).split('\\').join('/')] = count;
    }
    const allowed = Object.fromEntries(Object.entries(WALL_CLOCK_ALLOWED).map(([path, { count }]) => [path, count]));
    expect(found).toEqual(allowed);
  });

  it('fires a system timer once its time comes, and not once cancelled', async () => {
    const fired: string[] = [];
    systemClock.setTimer(new Date(systemClock.now().getTime() + 20), () => fired.push('due'));
    const cancel = systemClock.setTimer(new Date(systemClock.now().getTime() + 20), () => fired.push('cancelled'));
    systemClock.setTimer(new Date(0), () => fired.push('past'));
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fired).toEqual(['past', 'due']);
  });
});
