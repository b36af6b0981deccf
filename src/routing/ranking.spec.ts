import { rankCandidates } from './ranking.js';
import type { Candidate } from './ranking.js';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 2, 10, minute));
const member = (id: string, load: number, lastAssignedAt: Date | null, capacity = 2): Candidate => ({ id, load, capacity, lastAssignedAt });

describe('ranking who is offered a chat first', () => {
  it('puts the least loaded first, and among equals the one idle longest (never assigned before all)', () => {
    const ranked = rankCandidates([member('busy', 1, at(0)), member('recent', 0, at(50)), member('idle', 0, at(10)), member('new', 0, null)]);
    expect(ranked.map((c) => c.id)).toEqual(['new', 'idle', 'recent', 'busy']);
  });

  it('puts the member who last served the customer first when sticky, even if busier', () => {
    const ranked = rankCandidates([member('free', 0, null), member('known', 1, at(5))], 'known');
    expect(ranked.map((c) => c.id)).toEqual(['known', 'free']);
  });

  it('leaves out members at capacity, the sticky one too', () => {
    const ranked = rankCandidates([member('full', 2, null), member('known', 1, null, 1), member('free', 0, null)], 'known');
    expect(ranked.map((c) => c.id)).toEqual(['free']);
  });
});
