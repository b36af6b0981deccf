import { describe, expect, it } from '@jest/globals';
import { callDurationText } from './call-events.service.js';

describe('callDurationText', () => {
  // The message log export has only the body: a length must read the same whether the call ran seconds or an hour.
  it('writes minutes and two-digit seconds', () => {
    expect(callDurationText(0)).toBe('0分00秒');
    expect(callDurationText(65)).toBe('1分05秒');
    expect(callDurationText(3600)).toBe('60分00秒');
  });
});
