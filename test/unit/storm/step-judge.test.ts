/** --find-max's referee: steps judged once their ticks are in, on their whole seconds but the first; the answer. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIND_MAX_DEFAULTS } from '../../../src/scenario/find-max.js';
import { StepJudge } from '../../../src/storm/step-judge.js';

const spec = { ...FIND_MAX_DEFAULTS, start: 1000, step: 1000, everySec: 4 };
const START = 1_000_000_000; // Unix ms, on a whole second

/** A cluster that acknowledges up to `ceiling`/s: each second of step k gets min(rate, ceiling). */
function feed(judge: StepJudge, seconds: number, ceiling: number): void {
  for (let s = 1; s <= seconds; s++) {
    const k = Math.floor((s - 1) / spec.everySec);
    const rate = spec.start + k * spec.step;
    judge.add(START / 1000 + s, Math.min(rate, ceiling), 20, 0);
  }
}

test('steps are judged only once ended and settled; the first failure ends it with the highest held', () => {
  const j = new StepJudge(spec);
  feed(j, 16, 2500);
  assert.equal(j.judge(START + 4000, START), undefined, 'step 1 just ended: its last ticks may still come');
  assert.equal(j.steps.length, 0);
  assert.equal(j.judge(START + 5600, START), undefined);
  assert.deepEqual(
    j.steps.map((s) => [s.rate, s.achieved, s.held]),
    [[1000, 1000, true]],
    'seconds 2-4 of the first step judged (its first second left out)',
  );
  const failed = j.judge(START + 20_000, START);
  assert.equal(failed?.rate, 3000);
  assert.equal(failed?.achieved, 2500);
  assert.equal(j.maxHeld(), 2000);
  assert.deepEqual(
    j.steps.map((s) => s.held),
    [true, true, false],
  );
});

test('at the end of the run a step that just ended is judged; none held is null', () => {
  const j = new StepJudge(spec);
  feed(j, 8, 100_000);
  assert.equal(j.judge(START + 8000, START, true), undefined);
  assert.equal(j.steps.length, 2, 'both steps judged with every tick in');
  assert.equal(j.maxHeld(), 2000);
  const none = new StepJudge(spec);
  feed(none, 4, 500);
  assert.equal(none.judge(START + 4000, START, true)?.held, false);
  assert.equal(none.maxHeld(), null);
});

test('instances: each publishes its seconds since the start, and a judge of their sum judges as one would', () => {
  // One process that sees the whole cluster, and two instances that each see half of it on clocks 0.3 s and 0.7 s off.
  const whole = new StepJudge(spec);
  feed(whole, 16, 2500);
  const halves = [300, 700].map((skewMs) => {
    const half = new StepJudge(spec);
    for (let s = 1; s <= 16; s++) {
      const k = Math.floor((s - 1) / spec.everySec);
      half.add(Math.round((START + skewMs) / 1000) + s, Math.min(spec.start + k * spec.step, 2500) / 2, 20, 0);
    }
    return half.ownSinceStart(START + skewMs);
  });
  const merged = new StepJudge(spec);
  const sum = new Map<number, [number, number, number | null, number]>();
  for (const [second, acked, p99, behind] of halves.flat()) {
    const row = sum.get(second) ?? [second, 0, p99, behind];
    row[1] += acked;
    sum.set(second, row);
  }
  merged.useMerged(sum.values(), START);
  assert.deepEqual(merged.judge(START + 20_000, START), whole.judge(START + 20_000, START));
  assert.deepEqual(merged.steps, whole.steps);
});
