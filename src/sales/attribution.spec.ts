import { describe, expect, it } from '@jest/globals';
import { creditedTouch } from './attribution.js';
import type { Touch } from './attribution.js';

const at = (time: string) => new Date(`2026-12-04T${time}:00+09:00`);
const touch = (memberId: string, time: string, match: Touch['match'] = 'visitor', conversationId = `c-${memberId}`): Touch => ({ conversationId, memberId, repliedAt: at(time), match });

describe('creditedTouch', () => {
  const touches = [touch('a', '10:00'), touch('b', '11:00')];

  it('credits the last member within the window by default, the first with first_touch', () => {
    expect(creditedTouch(touches, at('12:00'), 1, 'last_touch')).toEqual({ touch: touches[1], candidates: 2 });
    expect(creditedTouch(touches, at('12:00'), 1, 'first_touch')).toEqual({ touch: touches[0], candidates: 2 });
  });

  it('ignores replies after the purchase and before the window', () => {
    const later = creditedTouch(touches, at('10:30'), 1, 'last_touch');
    expect(later.touch?.memberId).toBe('a');
    const twoDaysLater = new Date(at('12:00').getTime() + 2 * 86_400_000);
    expect(creditedTouch(touches, twoDaysLater, 1, 'last_touch')).toEqual({ touch: null, candidates: 0 });
    expect(creditedTouch(touches, twoDaysLater, 3, 'last_touch').touch?.memberId).toBe('b');
  });

  it('counts a chat found both by browser and by identity once, as the browser match', () => {
    const result = creditedTouch([touch('a', '10:00', 'identity'), touch('a', '10:00', 'visitor')], at('12:00'), 1, 'last_touch');
    expect(result).toEqual({ touch: touch('a', '10:00', 'visitor'), candidates: 1 });
  });
});
