import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intendedTable } from '../../../src/readers/intended-table.js';
import { decodeSchedule, type Schedule, timeOfIndex, UNLIMITED } from '../../../src/scenario/schedule.js';

/** The lookup reader-measure.c does, in JavaScript: the table's time of message n (ms after the start). */
function lookup(cumulative: Float64Array, stepMs: number, n: number): number {
  const want = n + 1 - 1e-6;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] >= want) hi = mid;
    else lo = mid + 1;
  }
  let at = hi * stepMs;
  if (hi > 0 && cumulative[hi] > cumulative[hi - 1])
    at -= (stepMs * (cumulative[hi] - want)) / (cumulative[hi] - cumulative[hi - 1]);
  return at;
}

test('the table gives the producer’s intended times, within a microsecond for constant and ramped rates', () => {
  const schedules: Schedule[] = [
    { segments: [{ kind: 'linear', durationMs: Number.POSITIVE_INFINITY, from: 40_000, to: 40_000 }] },
    { segments: [{ kind: 'linear', durationMs: 60_000, from: 1000, to: 100_000 }] },
    decodeSchedule('L,10000,5000,5000,0;L,20000,5000,50000,0'),
  ];
  for (const s of schedules) {
    const table = intendedTable(s, 30_000);
    assert.ok(table);
    for (const n of [0, 1, 999, 12_345, 100_000, 150_000]) {
      const want = timeOfIndex(s, n);
      if (want > 29_000) continue;
      const got = lookup(table.cumulative, table.stepMs, n);
      assert.ok(Math.abs(got - want) < 0.01, `message ${n}: ${got} ms, the producer's ${want} ms`);
    }
  }
  assert.equal(intendedTable(UNLIMITED, 30_000), null, 'as fast as possible: no intended times');
});
