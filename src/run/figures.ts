/**
 * The figures each command's thresholds may name: where each is in the report at the end, and, for those measured
 * every second, where it is in the progress tick. Live readings are the last second's (rate, percentiles, lag) or the
 * run's so far (failures), whichever a person watching would judge.
 */

import type { Percentiles } from '../measure/histograms.js';
import type { StormProgress } from '../report/progress.js';
import type { PulseProgress, PulseReport } from '../report/pulse-report.js';
import type { StormReport } from '../report/storm-report.js';
import type { VerifyReport } from '../report/verify-report.js';
import type { FigureSpec, Unit } from '../thresholds/threshold.js';

export interface Figure<Report, Tick> extends FigureSpec {
  atEnd: (report: Report) => number | null;
  perSecond?: (tick: Tick) => number | null;
  /** Only a run with a rate schedule measures it (every message has an intended send time). */
  needsSchedule?: boolean;
  /** Only a run with readers measures it (--consumer-groups). */
  needsReaders?: boolean;
  /** Narrows a report and a tick to one readers' group (`figure{group=N}`). */
  ofGroup?: { report(r: Report, group: number): Report; tick(t: Tick, group: number): Tick };
}

/** The figure a threshold judges: the whole run's, or with `{group=N}` that readers' group's alone. */
export function figureOf<R, T>(
  figures: Figures<R, T>,
  t: { figure: string; group?: number },
): Pick<Figure<R, T>, 'atEnd' | 'perSecond'> {
  const f = figures[t.figure];
  const { group } = t;
  const scope = f.ofGroup;
  if (group === undefined || !scope) return f;
  const perSecond = f.perSecond;
  return {
    atEnd: (r) => f.atEnd(scope.report(r, group)),
    ...(perSecond ? { perSecond: (tick: T) => perSecond(scope.tick(tick, group)) } : {}),
  };
}

export type Figures<Report, Tick> = Readonly<Record<string, Figure<Report, Tick>>>;

const QUANTILES = { p50: 'p50', p95: 'p95', p99: 'p99', p999: 'p999', max: 'max' } as const;

/** p50 … max of a percentile set, under `prefix` (none for the command's main latency). */
function percentileFigures<R, T>(
  prefix: string,
  of: (report: R) => Omit<Percentiles, 'samples'> | null | undefined,
  live: Partial<Record<keyof typeof QUANTILES, (tick: T) => number | null>> = {},
  extra: Partial<Figure<R, T>> = {},
): Record<string, Figure<R, T>> {
  const figures: Record<string, Figure<R, T>> = {};
  for (const q of Object.keys(QUANTILES) as (keyof typeof QUANTILES)[]) {
    const perSecond = live[q];
    figures[`${prefix}${q}`] = {
      unit: 'ms',
      live: perSecond !== undefined,
      atEnd: (r) => of(r)?.[q] ?? null,
      ...(perSecond ? { perSecond } : {}),
      ...extra,
    };
  }
  return figures;
}

const endOnly = <R, T>(unit: Unit, atEnd: (report: R) => number | null): Figure<R, T> => ({ unit, live: false, atEnd });
const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const tickErrors = (t: StormProgress) => Object.values(t.failedByKind).reduce((a, b) => a + b, 0);

const stormLatencyLive = {
  p50: (t: StormProgress) => t.latencyMs?.p50 ?? null,
  p99: (t: StormProgress) => t.latencyMs?.p99 ?? null,
};

type E2eKey = 'endToEndMs' | 'endToEndFromIntendedMs';

/** Each quantile's worst over the readers' groups: a bar on e2e holds for every group. */
function worstE2e(r: StormReport, key: E2eKey): Omit<Percentiles, 'samples'> | null {
  const sets = (r.readers?.groups ?? []).map((g) => g[key]).filter((p) => p !== null);
  if (!sets.length) return null;
  const worst = (q: keyof Omit<Percentiles, 'samples'>) => Math.max(...sets.map((p) => p[q]));
  return { p50: worst('p50'), p95: worst('p95'), p99: worst('p99'), p999: worst('p999'), max: worst('max') };
}

const readersWorst = (t: StormProgress, of: (g: NonNullable<StormProgress['readers']>[number]) => number | null) => {
  const values = (t.readers ?? []).map(of).filter((v) => v !== null);
  return values.length ? Math.max(...values) : null;
};
const groupsOf = (r: StormReport) => r.readers?.groups ?? [];
const leastOf = (values: number[]) => (values.length ? Math.min(...values) : null);
const mostOf = (values: number[]) => (values.length ? Math.max(...values) : null);

/** A group's name ends in -gN (readers/reader-fleet.ts). */
const isGroup = (name: string, group: number) => name.endsWith(`-g${group}`);
const ONE_GROUP: NonNullable<Figure<StormReport, StormProgress>['ofGroup']> = {
  report: (r, group) =>
    r.readers
      ? { ...r, readers: { ...r.readers, groups: r.readers.groups.filter((g) => isGroup(g.group, group)) } }
      : r,
  tick: (t, group) => ({ ...t, readers: t.readers?.filter((g) => isGroup(g.group, group)) }),
};

/** The readers' figures (--consumer-groups): the worst group's. */
const READER_FIGURES: Figures<StormReport, StormProgress> = readersOnly({
  ...percentileFigures<StormReport, StormProgress>('e2e.', (r) => worstE2e(r, 'endToEndMs'), {
    p50: (t) => readersWorst(t, (g) => g.e2e?.p50 ?? null),
    p99: (t) => readersWorst(t, (g) => g.e2e?.p99 ?? null),
  }),
  ...percentileFigures<StormReport, StormProgress>(
    'e2e.intended.',
    (r) => worstE2e(r, 'endToEndFromIntendedMs'),
    { p99: (t) => readersWorst(t, (g) => g.intendedP99) },
    { needsSchedule: true },
  ),
  'consume.rate': endOnly('rate', (r) => leastOf(groupsOf(r).map((g) => g.consumeRate.average))),
  'consume.missed': endOnly('count', (r) => mostOf(groupsOf(r).map((g) => g.missed))),
  'consume.reread': endOnly('count', (r) => mostOf(groupsOf(r).map((g) => g.reread))),
  backlog: {
    unit: 'count',
    live: true,
    atEnd: (r) => mostOf(groupsOf(r).map((g) => g.missed)),
    perSecond: (t) => readersWorst(t, (g) => g.backlog),
  },
  'backlog.most': endOnly('count', (r) => mostOf(groupsOf(r).map((g) => g.backlogMost))),
});

function readersOnly(figures: Figures<StormReport, StormProgress>): Figures<StormReport, StormProgress> {
  return Object.fromEntries(
    Object.entries(figures).map(([k, f]) => [k, { ...f, needsReaders: true, perGroup: true, ofGroup: ONE_GROUP }]),
  );
}

export const STORM_FIGURES: Figures<StormReport, StormProgress> = {
  rate: { unit: 'rate', live: true, atEnd: (r) => r.rate.average, perSecond: (t) => t.currentRate },
  'peak-rate': endOnly('rate', (r) => r.rate.peak),
  acknowledged: endOnly('count', (r) => r.acknowledged ?? r.sent),
  throughput: endOnly('mb/s', (r) => r.megabytesPerSec),
  failed: { unit: 'count', live: true, atEnd: (r) => r.failed, perSecond: tickErrors },
  'failed.rate': {
    unit: 'share',
    live: true,
    atEnd: (r) => share(r.failed, (r.acknowledged ?? 0) + r.failed),
    perSecond: (t) => share(tickErrors(t), t.acked + tickErrors(t)),
  },
  unresolved: endOnly('count', (r) => r.unresolved),
  'not-sent': { ...endOnly('count', (r) => r.schedule.notSent), needsSchedule: true },
  ...percentileFigures<StormReport, StormProgress>('', (r) => r.latencyMs, stormLatencyLive),
  ...percentileFigures<StormReport, StormProgress>('latency.', (r) => r.latencyMs, stormLatencyLive),
  ...percentileFigures<StormReport, StormProgress>(
    'intended.',
    (r) => r.coordinatedOmission?.latencyFromIntendedMs,
    { p99: (t) => t.intendedP99Ms ?? null },
    { needsSchedule: true },
  ),
  ...percentileFigures<StormReport, StormProgress>(
    'publish-delay.',
    (r) => r.coordinatedOmission?.publishDelayMs,
    {},
    { needsSchedule: true },
  ),
  ...READER_FIGURES,
};

const freshnessLive = {
  p50: (t: PulseProgress) => t.freshnessMs?.p50 ?? null,
  p99: (t: PulseProgress) => t.freshnessMs?.p99 ?? null,
};
const knownLag = (n: number) => (n < 0 ? null : n);

export const PULSE_FIGURES: Figures<PulseReport, PulseProgress> = {
  rate: endOnly('rate', (r) => r.rate.active),
  'rate.overall': endOnly('rate', (r) => r.rate.overall),
  consumed: endOnly('count', (r) => r.consumed),
  lag: { unit: 'count', live: true, atEnd: (r) => knownLag(r.lag.atEnd), perSecond: (t) => knownLag(t.lag) },
  'lag.most': endOnly('count', (r) => knownLag(r.lag.most)),
  ...percentileFigures<PulseReport, PulseProgress>('freshness.', (r) => r.freshnessMs, freshnessLive),
  undecodable: endOnly('count', (r) => r.undecodable),
  unstorable: endOnly('count', (r) => r.unstorable),
  'write-errors': { unit: 'count', live: true, atEnd: (r) => r.writeErrors, perSecond: (t) => t.writeErrors },
};

export const VERIFY_FIGURES: Figures<VerifyReport, never> = {
  received: endOnly('count', (r) => r.received),
  lost: endOnly('count', (r) => r.lost),
  duplicated: endOnly('count', (r) => r.duplicated),
  'out-of-order': endOnly('count', (r) => r.outOfOrder),
  'key-out-of-order': endOnly('count', (r) => r.keys?.outOfOrder ?? 0),
  unconfirmed: endOnly('count', (r) => r.unconfirmed),
  undecodable: endOnly('count', (r) => r.undecodable),
  ...percentileFigures<VerifyReport, never>('', (r) => r.latencyMs),
};
