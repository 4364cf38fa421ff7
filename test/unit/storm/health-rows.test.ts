import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEALTH_EVERY_SEC, HealthRows } from '../../../src/storm/health-rows.js';

const h = (loop: number, gc: number) => ({
  rssBytes: 2 ** 20 * 100,
  heapUsedBytes: 2 ** 20 * 40,
  loopDelayP99Ms: loop,
  loopDelayMaxMs: loop * 2,
  gcMs: gc,
  gcMaxMs: gc,
});

test('one row per child every few seconds, with the worst delay and all GC of the window', () => {
  const rows = new HealthRows();
  const t0 = 1_000_000; // performance.now() of a process that has run a while
  rows.start(t0);
  for (let s = 1; s <= 2 * HEALTH_EVERY_SEC; s++) rows.add(0, h(s === 3 ? 9 : 1, 1), t0 + s * 1000);
  assert.equal(rows.rows.length, 2);
  // The first row is kept at the first tick; the second after HEALTH_EVERY_SEC more ticks, whose worst delay was 9.
  assert.deepEqual(rows.rows[0], [1, 0, 100, 40, 1, 2, 1, 1]);
  assert.deepEqual(rows.rows[1], [6, 0, 100, 40, 9, 18, 5, 1]);
});

test('nothing is kept before production starts', () => {
  const rows = new HealthRows();
  rows.add(0, h(1, 1), 10_000);
  assert.equal(rows.rows.length, 0);
});
