import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  concentrationFor,
  FixedPlanner,
  fillShuffled,
  largestRemainder,
  PeriodMixes,
  PeriodPlanner,
  VolatilePlanner,
} from '../../../src/generate/mix.js';
import { Rng } from '../../../src/random.js';

test('largest remainder sums to n and is exact when shares divide n', () => {
  assert.deepEqual(largestRemainder([0.5, 0.3, 0.2], 8000), [4000, 2400, 1600]);
  assert.deepEqual(largestRemainder([1 / 3, 1 / 3, 1 / 3], 10), [4, 3, 3]);
  for (let n = 0; n < 200; n++) {
    const c = largestRemainder([0.37, 0.41, 0.22], n);
    assert.equal(c[0] + c[1] + c[2], n);
  }
});

test('fixed 50/30/20 is exact in every batch of 8000 and over the run', () => {
  const p = new FixedPlanner([50, 30, 20]);
  for (let b = 0; b < 100; b++) assert.deepEqual(p.counts(8000), [4000, 2400, 1600]);
});

test('fixed keeps the run total exact with odd batch sizes', () => {
  const p = new FixedPlanner([33, 33, 34]);
  const tot = [0, 0, 0];
  let n = 0;
  for (let b = 1; b <= 500; b++) {
    const size = ((b * 37) % 101) + 1;
    const c = p.counts(size);
    assert.equal(c[0] + c[1] + c[2], size);
    assert.ok(c.every((x) => x >= 0));
    for (let i = 0; i < 3; i++) tot[i] += c[i];
    n += size;
  }
  assert.deepEqual(tot, largestRemainder([0.33, 0.33, 0.34], n));
});

function positiveShareStd(volatility: number): { sd: number; min: number; max: number } {
  const p = new VolatilePlanner([40, 30, 30], volatility, new Rng(42));
  const xs: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const c = p.counts(8000);
    assert.equal(c[0] + c[1] + c[2], 8000);
    xs.push(c[0] / 8000);
  }
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { sd, min: Math.min(...xs), max: Math.max(...xs) };
}

test('volatile 0.8 swings hard; 0.1 barely moves (per-batch positive share)', () => {
  const hi = positiveShareStd(0.8);
  const lo = positiveShareStd(0.1);
  assert.ok(hi.sd > 0.15, `sd at 0.8 = ${hi.sd}`);
  assert.ok(hi.max > 0.7 && hi.min < 0.15, `range at 0.8 = ${hi.min}..${hi.max}`);
  assert.ok(lo.sd < 0.03, `sd at 0.1 = ${lo.sd}`);
});

test('fillShuffled keeps the counts and mixes the order', () => {
  const out = new Uint8Array(1000);
  const n = fillShuffled(out, [500, 300, 200], new Rng(7));
  assert.equal(n, 1000);
  const c = [0, 0, 0];
  for (const s of out) c[s]++;
  assert.deepEqual(c, [500, 300, 200]);
  assert.ok(
    out.slice(0, 500).some((s) => s !== 0),
    'not sorted',
  );
});

test('volatile swings around the base: the long-run mix is the requested one within a point, however wild', () => {
  for (const volatility of [0.8, 0.95, 1]) {
    const p = new VolatilePlanner([50, 30, 20], volatility, new Rng(11));
    const tot = [0, 0, 0];
    const shares: number[] = [];
    for (let i = 0; i < 50; i++) {
      const c = p.counts(8000); // 400,000 tweets, the case
      for (let k = 0; k < 3; k++) tot[k] += c[k];
      shares.push(c[0] / 8000);
    }
    const n = tot[0] + tot[1] + tot[2];
    for (const [k, want] of [50, 30, 20].entries())
      assert.ok(Math.abs((100 * tot[k]) / n - want) < 1, `v=${volatility}: ${tot.map((t) => (100 * t) / n)}`);
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    const sd = Math.sqrt(shares.reduce((a, b) => a + (b - mean) ** 2, 0) / shares.length);
    assert.ok(sd > 0.15, `per-batch spread stays wide at v=${volatility}: sd ${sd}`);
  }
});

test('a zero share stays zero in volatile mode; the concentration falls as volatility rises', () => {
  const p = new VolatilePlanner([70, 30, 0], 0.9, new Rng(3));
  for (let i = 0; i < 100; i++) assert.equal(p.counts(1000)[2], 0);
  assert.equal(concentrationFor(0), Number.POSITIVE_INFINITY);
  assert.ok(concentrationFor(0.1) > concentrationFor(0.5) && concentrationFor(0.5) > concentrationFor(0.8));
  assert.ok(Math.abs(concentrationFor(0.8) - 5.875) < 1e-9);
});

test('gamma draws have the right mean, above and below shape 1', () => {
  const rng = new Rng(5);
  for (const shape of [0.4, 1, 5.9]) {
    let sum = 0;
    for (let i = 0; i < 20000; i++) sum += rng.gamma(shape);
    assert.ok(Math.abs(sum / 20000 - shape) < 0.05 * Math.max(1, shape), `shape ${shape}: mean ${sum / 20000}`);
  }
});

const std = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
};

test('swing per period: the run id alone fixes the sequence; every process draws the same one', () => {
  const a = new PeriodMixes([50, 30, 20], 0.8, 'run-1');
  const b = new PeriodMixes([50, 30, 20], 0.8, 'run-1');
  const other = new PeriodMixes([50, 30, 20], 0.8, 'run-2');
  assert.deepEqual(b.mixOf(40), a.mixOf(40), 'asked out of order, the same mix');
  for (let k = 0; k < 40; k++) assert.deepEqual(b.mixOf(k), a.mixOf(k));
  assert.notDeepEqual(other.mixOf(3), a.mixOf(3));
});

test('swing per period: wild at 0.8, the mean of the periods on the percentages over minutes (1 s periods)', () => {
  for (const runId of ['r-a', 'r-b', 'r-c']) {
    const mixes = new PeriodMixes([50, 30, 20], 0.8, runId);
    const shares = Array.from({ length: 300 }, (_, k) => mixes.mixOf(k));
    assert.ok(std(shares.map((m) => m[0])) > 0.12, `positive share std ${std(shares.map((m) => m[0]))}`);
    for (const [i, base] of [0.5, 0.3, 0.2].entries()) {
      const mean = shares.reduce((sum, m) => sum + m[i], 0) / shares.length;
      assert.ok(Math.abs(mean - base) < 0.01, `${runId} sentiment ${i}: ${mean} over 5 minutes`);
    }
    const calm = new PeriodMixes([50, 30, 20], 0.1, runId);
    assert.ok(std(Array.from({ length: 300 }, (_, k) => calm.mixOf(k)[0])) < 0.01);
  }
});

test('swing per period: two children with their own batch sizes follow the same mix in each period', () => {
  const periodMs = 1000;
  const start = 1_700_000_000_400; // the run starts 0.4 s into a second: its first period is that second's rest
  const children = [5000, 1237].map((batch) => ({
    batch,
    planner: new PeriodPlanner(new PeriodMixes([50, 30, 20], 0.8, 'shared'), periodMs),
    perSecond: new Map<number, number[]>(),
  }));
  const reference = new PeriodMixes([50, 30, 20], 0.8, 'shared');
  const rng = new Rng(3);
  for (let now = start; now < start + 20_000; now += 1 + rng.int(40))
    for (const child of children) {
      const c = child.planner.counts(child.batch, now, start);
      const second = Math.floor(now / 1000);
      const sums = child.perSecond.get(second) ?? [0, 0, 0];
      child.perSecond.set(
        second,
        sums.map((x, i) => x + c[i]),
      );
    }
  for (const child of children)
    for (const [second, sums] of child.perSecond) {
      const total = sums[0] + sums[1] + sums[2];
      const mix = reference.mixOf(second - Math.floor(start / 1000));
      for (let i = 0; i < 3; i++)
        assert.ok(Math.abs(sums[i] - mix[i] * total) <= 1, `batch ${child.batch}, second ${second}: ${sums} vs ${mix}`);
    }
});

test('swing per period: a clock stepping back keeps the period; a zero share stays zero', () => {
  const planner = new PeriodPlanner(new PeriodMixes([60, 0, 40], 0.9, 'r'), 1000);
  const mixes = new PeriodMixes([60, 0, 40], 0.9, 'r');
  const first = planner.counts(10_000, 5_500, 1_000); // period 4
  const back = planner.counts(10_000, 2_000, 1_000); // the clock went back: still period 4
  const expected = largestRemainder(mixes.mixOf(4), 20_000);
  assert.deepEqual([first[0] + back[0], first[1] + back[1], first[2] + back[2]], expected);
  for (let k = 0; k < 50; k++) assert.equal(mixes.mixOf(k)[1], 0);
});
