/** The primary's aggregate of its children's messages: warm-up ticks kept apart, the rest summed per second. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noLatencyBuckets } from '../../../src/measure/latency-buckets.js';
import { noMoments } from '../../../src/measure/moments.js';
import type { TickMessage } from '../../../src/storm/protocol.js';
import { RunAggregate } from '../../../src/storm/run-aggregate.js';

const tick = (slot: number, second: number, acked: number, warmup: boolean): TickMessage => ({
  t: 'tick',
  slot,
  second,
  acked,
  bytes: acked * 100,
  failed: warmup ? { _MSG_TIMED_OUT: 1 } : {},
  sent: acked,
  mix: [acked, 0, 0],
  inFlight: 5,
  behind: 0,
  batchShares: noMoments(),
  latency: { p50: 3, p99: slot + 10, buckets: noLatencyBuckets(), intendedP99: null },
  warmup,
  scheduleStartMs: 1000 + slot,
  firstGrantMs: null,
  health: { rssBytes: 2 ** 20, heapUsedBytes: 0, loopDelayP99Ms: 0, loopDelayMaxMs: 0, gcMs: 0, gcMaxMs: 0 },
  throttledMs: slot * 10,
});

test('warm-up ticks apart; measured ones per second; the earliest start; the worst child latency', () => {
  const a = new RunAggregate(2);
  a.tick(tick(0, 100, 50, true));
  a.tick(tick(1, 100, 70, true));
  a.tick(tick(0, 101, 500, false));
  a.tick(tick(1, 101, 300, false));
  const t = a.totals;
  assert.deepEqual(t.warmup, { acked: 120, failed: 2, bytes: 12_000 });
  assert.equal(t.acked, 800);
  assert.deepEqual(t.mix, [800, 0, 0], 'the mix of measured messages only');
  assert.deepEqual(t.failed, {}, 'failures of the warm-up are its own');
  assert.equal(t.throttledMs, 20, "every tick's throttle time, summed over children");
  assert.deepEqual([...a.perSecond], [[101, 800]]);
  assert.equal(t.scheduleStartMs, 1000);
  assert.deepEqual(a.secondLatency(), { p50: 3, p99: 11, intendedP99: null });
  assert.equal(a.secondLatency(), null, 'taken once per emitted second');
  assert.equal(a.slots[0].acked, 550, "a slot's acknowledged includes its warm-up (give-backs need all it settled)");
  // Under a rate schedule: the worst child's p99 from the send, and the worst p99 from the intended time (any child).
  a.tick({ ...tick(0, 102, 10, false), latency: { ...tick(0, 102, 10, false).latency, p99: 50, intendedP99: 900 } });
  a.tick({ ...tick(1, 102, 10, false), latency: { ...tick(1, 102, 10, false).latency, p99: 80, intendedP99: 400 } });
  assert.deepEqual(a.secondLatency(), { p50: 3, p99: 80, intendedP99: 900 });
});

test("children's done messages merge their histograms and per-partition counts", () => {
  const a = new RunAggregate(2);
  const pairs = [7, 1, 900, 3];
  for (const [slot, partitions] of [
    [0, [1, 2]],
    [1, [10, 20, 30]],
  ] as const)
    a.done({
      t: 'done',
      slot,
      histogram: pairs,
      intendedHistogram: pairs,
      publishDelayHistogram: null,
      partitions: [...partitions],
      unresolved: 0,
      gcHistogram: [120, 2],
      maxRssBytes: 5,
      cpuMicros: 250_000,
    });
  assert.deepEqual(a.totals.partitions, [11, 22, 30]);
  assert.equal(a.totals.histogram.totalCount, 8);
  assert.equal(a.totals.histogram.getValueAtPercentile(20), 7);
  assert.equal(a.totals.histogram.maxValue, 900);
  assert.equal(a.totals.intended.totalCount, 8);
  assert.equal(a.totals.gcPauses.totalCount, 4);
  assert.equal(a.totals.childCpuMicros, 500_000);
  assert.equal(a.totals.childrenCounted, 2);
  assert.equal(a.totals.publishDelay.totalCount, 0);
});
