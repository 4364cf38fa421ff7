/** Each rate shape's validation (every problem at once, naming the stage or key) and its one-line description. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIND_MAX_DEFAULTS, judgeStep, parseFindMax } from '../../../src/scenario/find-max.js';
import { parseSine } from '../../../src/scenario/sine.js';
import { parseStages } from '../../../src/scenario/stages.js';

test('stages: D:R ramps from the previous stage (the first holds), D:A-B ramps A to B', () => {
  const r = parseStages('30s:0-200k,60s:200k,10s:600k,30s:0');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(
    r.shape?.schedule.segments.map((g) => (g.kind === 'linear' ? [g.durationMs, g.from, g.to] : [])),
    [
      [30_000, 0, 200_000],
      [60_000, 200_000, 200_000],
      [10_000, 200_000, 600_000],
      [30_000, 600_000, 0],
    ],
  );
  assert.equal(
    r.shape?.description,
    'stages: 0→200k/s over 30s, 200k/s for 1m, 200k→600k/s over 10s, 600k→0/s over 30s (2m10s)',
  );
  const first = parseStages('60s:5k').shape?.schedule.segments[0];
  assert.deepEqual(first, { kind: 'linear', durationMs: 60_000, from: 5000, to: 5000 });
});

test('stages: every bad stage is named at once; all-zero and zero-length schedules are refused', () => {
  const r = parseStages('30s:fast,ten:5k,60s');
  assert.equal(r.problems.length, 3, r.problems.join('\n'));
  assert.match(r.problems[0], /stage 1 '30s:fast': rate must be/);
  assert.match(r.problems[1], /stage 2 'ten:5k': duration must be/);
  assert.match(r.problems[2], /stage 3 '60s' must be DURATION:RATE or DURATION:FROM-TO/);
  assert.match(parseStages('10s:0,5s:0').problems[0], /every stage is at rate 0/);
  assert.match(parseStages('0s:5k').problems[0], /must last longer than 0s/);
});

test('sine: the amplitude may not exceed the mean; three parts', () => {
  assert.equal(parseSine('100k,50k,60s').shape?.description, 'sine: 100k/s ± 50k/s every 1m');
  assert.match(parseSine('100k,150k,60s').problems[0], /amplitude must not exceed the mean/);
  assert.match(parseSine('100k,50k').problems[0], /MEAN,AMPLITUDE,PERIOD/);
  assert.equal(parseSine('0,0,0').problems.length, 2);
});

test('find-max: the bare flag takes the defaults; each key is checked; unknown keys are named', () => {
  assert.deepEqual(parseFindMax('').spec, FIND_MAX_DEFAULTS);
  const s = parseFindMax('start=10k, step=5k, every=5s, tolerance=10%, p99=250ms, max=100k').spec;
  assert.deepEqual(s, { start: 10_000, step: 5000, everySec: 5, tolerance: 0.1, p99Ms: 250, max: 100_000 });
  const bad = parseFindMax('start=0,every=1s,tolerance=5,speed=9');
  assert.equal(bad.problems.length, 4, bad.problems.join('\n'));
  assert.match(bad.problems[3], /unknown: 'speed=9'/);
  assert.match(parseFindMax('start=50k,max=10k').problems[0], /max must not be below start/);
  // With a max, the staircase ends after its last step.
  const seg = parseFindMax('start=10k,step=10k,every=4s,max=35k').shape?.schedule.segments[0];
  assert.equal(seg?.durationMs, 3 * 4000);
});

test('a step fails on a short rate, a p99 above the bound, or a schedule lag above a second', () => {
  const spec = { ...FIND_MAX_DEFAULTS, p99Ms: 500 };
  assert.equal(judgeStep(spec, 1000, [990, 1000, 980], [20, 30, 25], 10).held, true);
  const short = judgeStep(spec, 1000, [900, 940, 930], [20], 0);
  assert.equal(short.held, false);
  assert.match(short.reason, /more than 5% short/);
  assert.match(judgeStep(spec, 1000, [1000, 1000], [100, 900, 800], 0).reason, /p99 800 ms above 500 ms/);
  assert.match(judgeStep(spec, 1000, [1000, 1000], [], 1500).reason, /1500 messages behind/);
  assert.equal(judgeStep(spec, 1000, [], [], 0).held, false, 'a step with no acknowledged second did not hold');
});

test('with readers, a step fails when the slowest group is more than a second of production behind', () => {
  const spec = FIND_MAX_DEFAULTS;
  const kept = judgeStep(spec, 1000, [1000, 1000], [], 0, 300);
  assert.equal(kept.held, true);
  assert.equal(kept.readersBehind, 300);
  const lagging = judgeStep(spec, 1000, [1000, 1000], [], 0, 2500);
  assert.equal(lagging.held, false);
  assert.match(lagging.reason, /the readers 2500 messages behind \(more than a second\)/);
  assert.equal(judgeStep(spec, 1000, [1000, 1000], [], 0).readersBehind, undefined, 'no readers, nothing said');
});
