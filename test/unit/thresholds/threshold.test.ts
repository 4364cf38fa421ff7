/**
 * The threshold grammar: every unit's values, every operator, k6's p(99) spelling, abort-on-fail and its grace; every
 * kind of bad expression refused with one line naming it and what is allowed; judging on exact values, where a figure
 * the run did not measure fails; and generated expressions (well-formed and garbage) never throw.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PULSE_FIGURES, STORM_FIGURES, VERIFY_FIGURES } from '../../../src/run/figures.js';
import {
  DEFAULT_GRACE_SEC,
  type FigureSpec,
  formatValue,
  holds,
  judgeAtEnd,
  type Op,
  parseThresholds,
  type Threshold,
} from '../../../src/thresholds/threshold.js';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';

const one = (expr: string, figures: Readonly<Record<string, FigureSpec>> = STORM_FIGURES): Threshold => {
  const { thresholds, problems } = parseThresholds([expr], figures);
  assert.deepEqual(problems, [], expr);
  return thresholds[0];
};
const problem = (expr: string, figures: Readonly<Record<string, FigureSpec>> = STORM_FIGURES): string => {
  const { thresholds, problems } = parseThresholds([expr], figures);
  assert.equal(thresholds.length, 0, expr);
  assert.equal(problems.length, 1, expr);
  return problems[0];
};

test('each unit reads its values: rates, times, counts, shares, megabytes per second', () => {
  assert.equal(one('rate>=500k').limit, 500_000);
  assert.equal(one('rate >= 1.5M/s').limit, 1_500_000);
  assert.equal(one('rate>20000').limit, 20_000);
  assert.equal(one('p99<250ms').limit, 250);
  assert.equal(one('p99<250').limit, 250, 'a bare number of milliseconds, as k6 reads it');
  assert.equal(one('intended.p99<1.5s').limit, 1500);
  assert.equal(one('publish-delay.max<2m').limit, 120_000);
  assert.equal(one('failed==0').limit, 0);
  assert.equal(one('acknowledged>=2k').limit, 2000);
  assert.equal(one('failed.rate<0.1%').limit, 0.001);
  assert.equal(one('failed.rate<0.25').limit, 0.25);
  assert.equal(one('throughput>=120MB/s').limit, 120);
  assert.equal(one('lag.most<100k', PULSE_FIGURES).limit, 100_000);
  assert.equal(one('freshness.p99<5s', PULSE_FIGURES).limit, 5000);
  assert.equal(one('duplicated==0', VERIFY_FIGURES).figure, 'duplicated');
});

test("k6's p(99) and p(99.9) name p99 and p999; the expression is kept as written", () => {
  const t = one('  p(99.9) < 1s ');
  assert.equal(t.figure, 'p999');
  assert.equal(t.expr, 'p(99.9) < 1s');
  assert.equal(one('intended.p(95)<2s').figure, 'intended.p95');
});

test('every operator judges as written', () => {
  const cases: [Op, number, boolean][] = [
    ['<', 9, true],
    ['<', 10, false],
    ['<=', 10, true],
    ['>', 10, false],
    ['>=', 10, true],
    ['==', 10, true],
    ['==', 11, false],
    ['!=', 11, true],
  ];
  for (const [op, value, want] of cases) assert.equal(holds({ op, limit: 10 }, value), want, `${value} ${op} 10`);
});

test('abort-on-fail takes a grace period (5 s unless given; 0 stops at the first failing second)', () => {
  assert.deepEqual(one('rate>=500k abort-on-fail').abort, { graceSec: DEFAULT_GRACE_SEC });
  assert.deepEqual(one('rate>=500k abort-on-fail=10s').abort, { graceSec: 10 });
  assert.deepEqual(one('p99<1s abort-on-fail=0').abort, { graceSec: 0 });
  assert.equal(one('rate>=500k').abort, null);
});

test('each bad expression is one line naming the threshold and what is allowed', () => {
  const shape = "must be a figure, an operator (< <= > >= == !=) and a value, e.g. 'rate>=500k' or 'p99<250ms'";
  assert.equal(problem('rate>='), `--threshold 'rate>=': ${shape}`);
  assert.equal(problem('rate => 5'), `--threshold 'rate => 5': ${shape}`);
  assert.equal(problem(''), `--threshold '': ${shape}`);
  assert.match(
    problem('speed>=5k'),
    /^--threshold 'speed>=5k': 'speed' is not a figure of this command \(known: rate, /,
  );
  assert.equal(
    problem('p99<fast'),
    "--threshold 'p99<fast': p99 takes a time like 250ms, 1.5s or 2m (a bare number is milliseconds) (got 'fast')",
  );
  assert.equal(
    problem('failed.rate<150%'),
    "--threshold 'failed.rate<150%': failed.rate takes a share like 0.1% or a fraction from 0 to 1 (got '150%')",
  );
  assert.equal(
    problem('failed==0.5'),
    "--threshold 'failed==0.5': failed takes a count like 0, 1500, 2k or 1M (got '0.5')",
  );
  assert.match(problem('p99<1s soon'), /after the value only 'abort-on-fail' or 'abort-on-fail=GRACE' may follow/);
  assert.match(problem('rate>=1M abort-on-fail=forever'), /abort-on-fail's grace must be a duration like/);
  assert.equal(
    problem('acknowledged>=1M abort-on-fail'),
    "--threshold 'acknowledged>=1M abort-on-fail': abort-on-fail needs a figure measured every second; " +
      'acknowledged is known only at the end (judge it then)',
  );
  assert.match(problem('lost==0 abort-on-fail', VERIFY_FIGURES), /lost is known only at the end/);
  assert.match(problem('rate>=1k', VERIFY_FIGURES), /'rate' is not a figure of this command \(known: received, /);
});

test('every problem at once, named where it came from; a threshold given twice counts once', () => {
  const { thresholds, problems } = parseThresholds(['rate>=', 'p99<1s', 'p99<1s', 'x>1'], STORM_FIGURES, 'here');
  assert.equal(thresholds.length, 1);
  assert.equal(problems.length, 2);
  for (const p of problems) assert.match(p, /^here '/);
});

test('judged at the end on exact values: a figure not measured fails, the one that stopped the run fails', () => {
  const thresholds = parseThresholds(['rate>=100', 'p99<1s', 'failed==0'], STORM_FIGURES).thresholds;
  const values: Record<string, number | null> = { rate: 150, p99: null, failed: 0 };
  const outcome = judgeAtEnd(thresholds, (t) => values[t.figure]);
  assert.deepEqual(
    outcome.results.map((r) => [r.expr, r.value, r.passed]),
    [
      ['rate>=100', 150, true],
      ['p99<1s', null, false],
      ['failed==0', 0, true],
    ],
  );
  assert.equal(outcome.passed, false);
  const aborted = { expr: 'rate>=100', atSec: 3, value: 50, failingSec: 2 };
  const stopped = judgeAtEnd(thresholds.slice(0, 1), () => 150, aborted);
  assert.equal(stopped.results[0].passed, false, 'its end value holds, but it stopped the run');
  assert.equal(stopped.passed, false);
  assert.equal(judgeAtEnd(thresholds.slice(2), () => 0).passed, true);
});

test('values print in their units', () => {
  assert.equal(formatValue(812_345.4, 'rate'), '812,345/s');
  assert.equal(formatValue(250, 'ms'), '250 ms');
  assert.equal(formatValue(0.0012, 'share'), '0.12%');
  assert.equal(formatValue(1500, 'count'), '1,500');
  assert.equal(formatValue(95.25, 'mb/s'), '95.25 MB/s');
  assert.equal(formatValue(null, 'ms'), 'not measured');
});

test('every figure of every command has a unit, and is live exactly when it has a per-second reading', () => {
  const catalogs: Readonly<Record<string, FigureSpec & { perSecond?: unknown }>>[] = [
    STORM_FIGURES,
    PULSE_FIGURES,
    VERIFY_FIGURES,
  ];
  for (const figures of catalogs)
    for (const [name, figure] of Object.entries(figures)) {
      assert.ok(['rate', 'ms', 'count', 'share', 'mb/s'].includes(figure.unit), name);
      assert.equal(figure.live, figure.perSecond !== undefined, `${name}: live exactly when it has a reading`);
    }
});

test('generated expressions: well-formed ones parse to their value, garbage is one problem line', () => {
  const { seed, runs } = fuzzSettings(400);
  const figures = Object.keys(STORM_FIGURES);
  const ops: Op[] = ['<', '<=', '>', '>=', '==', '!='];
  let wellFormed = 0;
  let garbage = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...figures),
      fc.constantFrom(...ops),
      fc.integer({ min: 0, max: 10_000 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      (figure, op, n, noise) => {
        const unit = STORM_FIGURES[figure].unit;
        const text = unit === 'share' ? `${n / 100}%` : unit === 'ms' ? `${n}ms` : String(n);
        const parsed = parseThresholds([`${figure}${op}${text}`], STORM_FIGURES);
        assert.deepEqual(parsed.problems, []);
        const want = unit === 'share' ? n / 10_000 : n;
        if (!(unit === 'share' && n > 10_000)) assert.ok(Math.abs(parsed.thresholds[0].limit - want) < 1e-9);
        wellFormed++;
        const wild = parseThresholds([noise], STORM_FIGURES);
        assert.equal(wild.thresholds.length + wild.problems.length, 1);
        for (const p of wild.problems) assert.ok(p.startsWith('--threshold ') && p.length < 2000);
        garbage += wild.problems.length;
      },
    ),
    { seed, numRuns: runs },
  );
  reportFuzz('thresholds', wellFormed + garbage, `${wellFormed} well-formed parsed, ${garbage} garbage refused`);
});

test('a readers figure takes {group=N}: that group alone; other figures and other shapes are refused', () => {
  const { thresholds, problems } = parseThresholds(
    ['e2e.p99{group=1}<5s', 'backlog{group:g0}<10k abort-on-fail', 'rate{group=0}>1', 'e2e.p99{grp=1}<1s'],
    STORM_FIGURES,
  );
  assert.deepEqual(
    thresholds.map((t) => [t.figure, t.group]),
    [
      ['e2e.p99', 1],
      ['backlog', 0],
    ],
  );
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0], /'rate\{group=0\}>1': rate is not a readers' figure: only those take \{group=N\}/);
  assert.match(problems[1], /a group is named \{group=N\}, N the number its name ends in \(-gN\)/);
});
