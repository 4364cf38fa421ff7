/**
 * abort-on-fail, second by second: a threshold stops the run once its figure failed at every reading for its grace
 * period; a reading that holds starts the count again; a second without a reading neither fails nor passes; a
 * threshold without abort-on-fail, or judged only at the end, is never watched.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StormProgress } from '../../../src/report/progress.js';
import { STORM_FIGURES } from '../../../src/run/figures.js';
import { LiveGate } from '../../../src/run/live-gate.js';
import { parseThresholds } from '../../../src/thresholds/threshold.js';

const gateOf = (...exprs: string[]) => new LiveGate(parseThresholds(exprs, STORM_FIGURES).thresholds, STORM_FIGURES);
const tick = (currentRate: number, p99: number | null = 10): StormProgress =>
  ({
    currentRate,
    latencyMs: p99 === null ? null : { p50: 1, p99 },
    failedByKind: {},
    acked: 1000,
  }) as unknown as StormProgress;

test('a figure failing every second stops the run once its grace is over, not before', () => {
  const gate = gateOf('rate>=10M abort-on-fail=3s');
  assert.ok(gate.watching);
  assert.equal(gate.observe(1, tick(20_000)), null);
  assert.equal(gate.observe(2, tick(20_000)), null);
  const stop = gate.observe(3, tick(20_000));
  assert.deepEqual(stop, { expr: 'rate>=10M abort-on-fail=3s', atSec: 3, value: 20_000, failingSec: 3 });
  assert.deepEqual(gate.aborted, stop, 'the gate keeps the threshold that stopped the run');
  assert.equal(gate.observe(4, tick(20_000)), null, 'and stops a run once');
});

test('a reading that holds starts the count again; a second without a reading changes nothing', () => {
  const gate = gateOf('p99<100ms abort-on-fail=2s');
  assert.equal(gate.observe(1, tick(1, 500)), null);
  assert.equal(gate.observe(2, tick(1, 50)), null, 'held: the count starts again');
  assert.equal(gate.observe(3, tick(1, 500)), null);
  assert.equal(gate.observe(4, tick(1, null)), null, 'no acknowledgement to time this second');
  assert.deepEqual(gate.observe(5, tick(1, 500))?.failingSec, 3);
});

test('grace 0 stops at the first failing second; the warm-up is skipped and starts nothing', () => {
  const gate = gateOf('rate>=10M abort-on-fail=0');
  gate.skip(1);
  assert.equal(gate.observe(2, tick(20_000))?.atSec, 2);
  const warm = gateOf('rate>=10M abort-on-fail=2s');
  assert.equal(warm.observe(1, tick(20_000)), null);
  warm.skip(2);
  assert.equal(warm.observe(3, tick(20_000)), null, 'the failing run before the warm-up ended does not count');
});

test('thresholds without abort-on-fail are not watched', () => {
  const gate = gateOf('rate>=10M', 'p99<1ms');
  assert.equal(gate.watching, false);
  for (let s = 1; s < 100; s++) assert.equal(gate.observe(s, tick(1, 1000)), null);
});

test("{group=N} watches that group's backlog alone: the other group's does not stop the run", () => {
  const groups = (b0: number, b1: number) =>
    ({
      ...tick(1000),
      readers: [
        { group: 'datastorm-r-g0', consumed: 0, reread: 0, backlog: b0, e2e: null, intendedP99: null },
        { group: 'datastorm-r-g1', consumed: 0, reread: 0, backlog: b1, e2e: null, intendedP99: null },
      ],
    }) as StormProgress;
  const one = gateOf('backlog{group=0}<100 abort-on-fail=0');
  assert.equal(one.observe(1, groups(10, 5000)), null, 'group 1 lags; group 0 holds');
  assert.equal(one.observe(2, groups(500, 5000))?.value, 500, "group 0's own backlog stops it");
  const worst = gateOf('backlog<100 abort-on-fail=0');
  assert.equal(worst.observe(1, groups(10, 5000))?.value, 5000, 'without a group, the worst group is judged');
});
