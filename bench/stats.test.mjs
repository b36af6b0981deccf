// node --test bench/
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, percentile } from './stats.mjs';

describe('percentile', () => {
  it('takes the nearest rank, so p99 of 100 values is the 99th, not the largest', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 100), 100);
  });

  it('answers the only value for one, and NaN for none', () => {
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('leaves the values it was given in their order', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    assert.deepEqual(values, [3, 1, 2]);
  });
});

describe('median', () => {
  it('takes the middle of an odd count and the mean of the middle two of an even one', () => {
    assert.equal(median([30, 10, 20]), 20);
    assert.equal(median([40, 10, 30, 20]), 25);
  });

  it('skips figures a run could not measure (NaN), and answers NaN when none was', () => {
    assert.equal(median([NaN, 5, 7]), 6);
    assert.ok(Number.isNaN(median([NaN])));
  });
});
