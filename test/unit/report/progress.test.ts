import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clock, progressLines } from '../../../src/report/progress.js';

test('progress lines show total/target, rates, elapsed, remaining and errors', () => {
  const lines = progressLines(
    {
      elapsedSec: 65,
      acked: 9_392_000,
      target: 50_000_000,
      currentRate: 150_321.4,
      averageRate: 144_492,
      errors: 3,
      behind: 0,
    },
    20,
  );
  assert.equal(lines[0], `[${'▓'.repeat(4)}${'░'.repeat(16)}] 18.78%`);
  assert.equal(lines[1], 'Total Tweets: 9,392,000 / 50,000,000');
  assert.equal(lines[2], 'Throughput (current): 150,321 tweets/sec');
  assert.equal(lines[3], 'Throughput (avg): 144,492 tweets/sec');
  assert.equal(lines[4], 'Elapsed: 00:01:05');
  assert.equal(lines[5], `Remaining: ${clock((50_000_000 - 9_392_000) / 144_492)}`);
  assert.equal(lines[6], 'Errors: 3');
});

test('with --duration the bar follows time, and lag behind an open-loop schedule is shown', () => {
  const lines = progressLines(
    {
      elapsedSec: 5,
      acked: 1000,
      durationSec: 10,
      currentRate: 200,
      averageRate: 200,
      errors: 0,
      behind: 500,
    },
    10,
  );
  assert.equal(lines[0], '[▓▓▓▓▓░░░░░] 50.00%');
  assert.equal(lines[1], 'Total Tweets: 1,000');
  assert.equal(lines[5], 'Remaining: 00:00:05');
  assert.equal(lines[6], 'Errors: 0   Behind schedule: 500');
});

test('clock formats hours and unknowns', () => {
  assert.equal(clock(3725), '01:02:05');
  assert.equal(clock(NaN), '--:--:--');
});

test('under a shape the current rate has its target beside it; the warm-up says it is not counted', () => {
  const t = { elapsedSec: 1, acked: 10, durationSec: 10, currentRate: 480, averageRate: 400, errors: 0, behind: 0 };
  const lines = progressLines({ ...t, targetRate: 500, warmingUp: true }, 10);
  assert.equal(lines[2], 'Throughput (current): 480 tweets/sec (target 500)   [warming up: not counted in the report]');
  assert.equal(progressLines({ ...t, targetRate: null, warmingUp: false })[2], 'Throughput (current): 480 tweets/sec');
});
