import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latencyHistogram } from '../../../src/measure/histograms.js';
import { addPairs, ValueCounts } from '../../../src/measure/value-counts.js';
import { Rng } from '../../../src/random.js';

test('percentiles of a sparse histogram are what HDR reads for the same values', () => {
  const rng = new Rng(20);
  for (let round = 0; round < 200; round++) {
    const counts = new ValueCounts();
    const hdr = latencyHistogram();
    const distinct = 1 + rng.int(40);
    for (let i = 0; i < distinct; i++) {
      // Latencies as the child sees them: below 2048 ms exact, as HDR keeps them at 3 significant digits.
      const value = 1 + rng.int(2000);
      const n = 1 + rng.int(50);
      counts.record(value, n);
      hdr.recordValueWithCount(value, n);
    }
    for (const p of [0, 1, 50, 90, 99, 99.9, 100])
      assert.equal(counts.percentile(p), hdr.getValueAtPercentile(p), `round ${round} p${p}`);
    const merged = latencyHistogram();
    addPairs(merged, counts.pairs());
    assert.equal(merged.totalCount, counts.total);
    assert.equal(merged.maxValue, hdr.maxValue);
  }
});

test('an empty histogram has no percentile; add and reset keep the total', () => {
  const a = new ValueCounts();
  assert.equal(a.percentile(99), null);
  const b = new ValueCounts();
  b.record(5, 3);
  b.record(2);
  a.add(b);
  a.add(b);
  assert.equal(a.total, 8);
  assert.deepEqual(a.pairs(), [2, 2, 5, 6]);
  a.reset();
  assert.equal(a.total, 0);
  assert.deepEqual(a.pairs(), []);
});
