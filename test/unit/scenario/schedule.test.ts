/** Schedules: the closed-form sums every shape compiles to, their inverse (intended send times), and the encoding. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constantShape } from '../../../src/scenario/constant.js';
import { parseFindMax } from '../../../src/scenario/find-max.js';
import {
  cumulativeAt,
  decodeSchedule,
  encodeSchedule,
  rateAt,
  type Schedule,
  scheduleMs,
  timeOfIndex,
  UNLIMITED,
} from '../../../src/scenario/schedule.js';
import { parseSine } from '../../../src/scenario/sine.js';
import { parseStages } from '../../../src/scenario/stages.js';
import { parseDuration, parseRate } from '../../../src/scenario/units.js';

const close = (a: number, b: number, eps = 1e-6) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≈ ${b}`);
const stages = (s: string): Schedule => {
  const r = parseStages(s);
  assert.deepEqual(r.problems, []);
  return (r.shape as { schedule: Schedule }).schedule;
};

test('rates and durations as people write them', () => {
  assert.equal(parseRate('200k'), 200_000);
  assert.equal(parseRate('1.5M'), 1_500_000);
  assert.equal(parseRate('50000'), 50_000);
  assert.ok(Number.isNaN(parseRate('fast')));
  assert.ok(Number.isNaN(parseRate('-5')));
  assert.equal(parseDuration('500ms'), 0.5);
  assert.equal(parseDuration('2m'), 120);
  assert.equal(parseDuration('1h'), 3600);
  assert.equal(parseDuration('45'), 45);
  assert.ok(Number.isNaN(parseDuration('10 minutes')));
});

test('a constant rate schedules rate × time; unlimited schedules nothing and has no rate cap', () => {
  const c = constantShape(1000).schedule;
  close(cumulativeAt(c, 2500), 2500);
  assert.equal(rateAt(c, 1e9), 1000);
  assert.equal(scheduleMs(c), Number.POSITIVE_INFINITY);
  assert.equal(rateAt(UNLIMITED, 5), Number.POSITIVE_INFINITY);
  assert.equal(constantShape(0).name, 'unlimited');
});

test('stages: ramps are triangles, holds rectangles, and the schedule ends with the last stage', () => {
  const s = stages('10s:0-1000,5s:1000,5s:0');
  close(cumulativeAt(s, 10_000), 5000); // ramp 0→1000 over 10 s
  close(cumulativeAt(s, 15_000), 10_000); // + hold 1000 for 5 s
  close(cumulativeAt(s, 20_000), 12_500); // + ramp down 1000→0 over 5 s
  close(cumulativeAt(s, 60_000), 12_500); // nothing after the end
  assert.equal(rateAt(s, 5000), 500);
  assert.equal(rateAt(s, 25_000), 0);
  assert.equal(scheduleMs(s), 20_000);
});

test('a sine schedules its mean over whole periods; the staircase sums its steps', () => {
  const sine = (parseSine('1000,500,10s').shape as { schedule: Schedule }).schedule;
  close(cumulativeAt(sine, 10_000), 10_000);
  close(cumulativeAt(sine, 5000), 5000 + (500 * 10) / Math.PI); // the first half-period is above the mean
  close(rateAt(sine, 2500), 1500);
  const fm = parseFindMax('start=1000,step=1000,every=4s');
  const steps = (fm.shape as { schedule: Schedule }).schedule;
  close(cumulativeAt(steps, 8000), 4000 + 8000);
  close(cumulativeAt(steps, 10_000), 4000 + 8000 + 2 * 3000);
  assert.equal(rateAt(steps, 9000), 3000);
});

test('timeOfIndex inverts the sum: message n is meant for when the schedule reaches n + 1', () => {
  for (const s of [stages('10s:0-1000,5s:1000'), constantShape(20_000).schedule]) {
    for (const n of [0, 10, 999, 4999, 7000]) {
      const t = timeOfIndex(s, n);
      assert.ok(cumulativeAt(s, t) >= n + 1 - 1e-6 && cumulativeAt(s, t - 0.01) < n + 1, `n=${n} t=${t}`);
    }
  }
  close(timeOfIndex(constantShape(1000).schedule, 999), 1000, 1e-5);
  // Beyond what the stages schedule in all: never.
  assert.equal(timeOfIndex(stages('1s:10'), 100), Number.POSITIVE_INFINITY);
});

test('the encoding the lease script reads round-trips, open ends included', () => {
  for (const s of [
    stages('30s:0-200k,60s:200k,10s:600k,30s:0'),
    constantShape(5).schedule,
    (parseSine('100k,50k,60s').shape as { schedule: Schedule }).schedule,
    (parseFindMax('').shape as { schedule: Schedule }).schedule,
    UNLIMITED,
  ])
    assert.deepEqual(decodeSchedule(encodeSchedule(s)), s);
  assert.equal(encodeSchedule(constantShape(5).schedule), 'L,-1,5,5,0');
});
