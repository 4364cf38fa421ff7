import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timelineOf } from '../../../src/storm/timeline.js';

test('partial first and last seconds are rated over their real length; the peak over whole seconds only', () => {
  // Production from t=100.5 s to t=103.25 s (Unix seconds); counts per second ending at 101, 102, 103, 104.
  const perSecond = new Map([
    [101, 500],
    [102, 1200],
    [103, 900],
    [104, 100],
  ]);
  const { timeline, peak } = timelineOf(perSecond, 100_500, 2.75);
  assert.deepEqual(timeline, [
    [0.5, 1000],
    [1.5, 1200],
    [2.5, 900],
    [2.8, 400],
  ]);
  assert.equal(peak, 1200);
});

test('a run shorter than a whole second has no peak', () => {
  assert.equal(timelineOf(new Map([[11, 10]]), 10_200, 0.5).peak, null);
});
