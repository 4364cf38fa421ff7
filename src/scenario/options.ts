/**
 * The scenario flags of a storm, parsed beside the shapes they choose: --rate's alternatives (--stages, --sine,
 * --find-max), --warmup and --keys, with the rules between them and the run's length (one shape; the stages set the
 * duration; a sine needs an end; the warm-up shorter than the run). Problems go to the storm's OptionChecks, so a user
 * sees them all at once with the rest.
 */
import type { Options as FlagSpec } from 'yargs';
import type { OptionChecks, RawFlags } from '../option-checks.js';
import { constantShape } from './constant.js';
import { FIND_MAX_FORMAT, type FindMaxSpec, parseFindMax } from './find-max.js';
import { KEYS_FORMAT, type KeySpec, parseKeys } from './keys.js';
import { encodeSchedule, scheduleMs } from './schedule.js';
import type { RateShape, ShapeName } from './shape.js';
import { parseSine, SINE_FORMAT } from './sine.js';
import { parseStages, STAGES_FORMAT } from './stages.js';
import { DURATION_FORMAT, parseDuration } from './units.js';

/** What a storm takes from its scenario flags (JSON-safe: children get it through their environment). */
export interface ScenarioOptions {
  /** The rate shape every child and process of the run follows: its name, one-line description and schedule as the
   * quota's Lua reads it (schedule.ts encodeSchedule; '' = as fast as possible). */
  shape: { name: ShapeName; description: string; schedule: string };
  /** --find-max's staircase and bounds (the shape is then 'find-max'). */
  findMax?: FindMaxSpec;
  /** Seconds from the run's start whose messages are produced but kept out of the statistics. */
  warmup: number;
  keys: KeySpec;
}

export const scenarioFlags = {
  stages: {
    type: 'string',
    describe: `rate shape: ${STAGES_FORMAT}; D:R ramps from the previous stage's end to R (the first holds R)`,
  },
  sine: { type: 'string', describe: `rate shape: ${SINE_FORMAT} (mean ± amplitude, sine of that period)` },
  'find-max': {
    type: 'string',
    describe:
      'step the rate up until the cluster falls behind and report the highest rate held ' +
      `(${FIND_MAX_FORMAT}; bare: start=50k,step=50k,every=10s,tolerance=5%,p99=1s)`,
  },
  warmup: {
    type: 'string',
    describe: `produce for this long first, kept out of throughput and latency (${DURATION_FORMAT})`,
  },
  keys: { type: 'string', defaultDescription: 'none', describe: `message keys: ${KEYS_FORMAT}` },
  scenario: {
    type: 'string',
    describe: 'a scenario file (YAML or JSON): any of these flags by name, plus a one-line "description"',
  },
} as const satisfies Record<string, FlagSpec>;

/**
 * The scenario options and how long the run lasts because of them (`runSec`: the stages' total, --duration, or
 * find-max's staircase with a max); `endsItself`: the shape needs no default --count. Undefined after a problem.
 */
export function parseScenarioOptions(
  c: OptionChecks,
  raw: RawFlags,
  run: { rate?: number; duration?: number; count?: number },
): { options: ScenarioOptions; runSec?: number; endsItself: boolean } | undefined {
  const before = c.problems.length;
  const shaped = parseShape(c, raw, run.rate);
  const warmup = parseWarmup(c, raw.warmup);
  const keys = raw.keys === undefined ? undefined : parseKeys(String(raw.keys));
  if (keys) for (const p of keys.problems) c.add(p);
  const name = shaped?.shape.name;
  if (name === 'sine' && run.duration === undefined && run.count === undefined)
    c.add('--sine needs --duration or --count: a sine has no end of its own');
  if (name === 'stages' && run.duration !== undefined)
    c.add(`--duration cannot be given with --stages: the stages set how long the run lasts`);
  const shape = shaped?.shape ?? constantShape(run.rate ?? 0);
  const shapeMs = scheduleMs(shape.schedule);
  const runSec =
    name === 'stages'
      ? shapeMs / 1000
      : (run.duration ?? (name === 'find-max' && Number.isFinite(shapeMs) ? shapeMs / 1000 : undefined));
  if (warmup !== undefined && warmup >= (runSec ?? Infinity))
    c.add(`--warmup must be shorter than the run (${runSec} s; got '${String(raw.warmup)}')`);
  if (c.problems.length > before) return undefined;
  return {
    options: {
      shape: { name: shape.name, description: shape.description, schedule: encodeSchedule(shape.schedule) },
      findMax: shaped?.findMax,
      warmup: warmup ?? 0,
      keys: keys?.keys ?? { kind: 'none' },
    },
    runSec,
    endsItself: name === 'stages' || name === 'find-max' || name === 'sine',
  };
}

/** At most one rate shape: --rate R, --stages, --sine or --find-max (each its own module here). */
function parseShape(
  c: OptionChecks,
  raw: RawFlags,
  rate: number | undefined,
): { shape: RateShape; findMax?: FindMaxSpec } | undefined {
  const given = (['stages', 'sine', 'find-max'] as const).filter((k) => raw[k] !== undefined && raw[k] !== false);
  if (rate !== undefined && rate > 0) given.unshift('rate' as never);
  if (given.length > 1) {
    c.add(`--${given.join(', --')}: give one rate shape, not ${given.length}`);
    return undefined;
  }
  const spec = (k: string) => (raw[k] === true || raw[k] === '' ? '' : String(raw[k]));
  const take = (r: { shape?: RateShape; problems: string[] }) => {
    for (const p of r.problems) c.add(p);
    return r.shape;
  };
  if (raw.stages !== undefined) {
    const shape = take(parseStages(spec('stages')));
    return shape && { shape };
  }
  if (raw.sine !== undefined) {
    const shape = take(parseSine(spec('sine')));
    return shape && { shape };
  }
  if (raw['find-max'] !== undefined && raw['find-max'] !== false) {
    const r = parseFindMax(spec('find-max'));
    const shape = take(r);
    return shape && { shape, findMax: r.spec };
  }
  return undefined;
}

function parseWarmup(c: OptionChecks, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const sec = parseDuration(v);
  if (Number.isFinite(sec) && sec > 0) return sec;
  c.add(`--warmup must be ${DURATION_FORMAT}, above 0 (got '${String(v)}')`);
  return undefined;
}
