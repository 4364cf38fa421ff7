/**
 * OpenMessaging Benchmark's result file (`--omb-result FILE`): the fields of its `TestResult`, so its chart script
 * (bin/create_charts.py) reads a DataStorm run as it reads its own. Built from per-second aggregates the children send
 * when asked (latency pairs of each second, never per-message traffic): 10-second periods after the warm-up, as OMB
 * prints its stats, and the quantiles of the whole measured run. Units are OMB's: publish and end-to-end latency in
 * ms, publish delay in µs (DataStorm measures it to the ms: whole thousands).
 */
import type { Histogram } from 'hdr-histogram-js';
import { latencyHistogram, readerLatencyHistogram } from '../measure/histograms.js';
import { addPairs } from '../measure/value-counts.js';
import type { ReaderTick } from '../readers/protocol.js';
import type { StormProgress } from '../report/progress.js';
import type { StormReport } from '../report/storm-report.js';
import type { TickMessage } from './protocol.js';
import type { StormContext } from './storm-phases.js';

const PERIOD_SEC = 10;
const QUANTILES = [1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 99.999, 100];

/** One second of the run, as the children told it. */
interface Second {
  acked: number;
  failed: number;
  consumed: number;
  backlog: number | null;
  /** (value, count) pairs: publish latency and publish delay in ms (as children measure them), end to end in µs. */
  publishMs: number[];
  delayMs: number[];
  e2eUs: number[];
}

export interface OmbRunInfo {
  workload: string;
  messageSize: number;
  partitions: number;
  producers: number;
  consumersPerTopic: number;
  /** Statistics count from this second (Unix s): the warm-up's end. */
  fromSecond: number;
}

export class OmbSeries {
  private readonly seconds = new Map<number, Second>();

  private at(second: number): Second {
    let s = this.seconds.get(second);
    if (!s) {
      s = { acked: 0, failed: 0, consumed: 0, backlog: null, publishMs: [], delayMs: [], e2eUs: [] };
      this.seconds.set(second, s);
    }
    return s;
  }

  /** A producer's second: counts and its latency pairs (ms) and publish-delay pairs (ms). */
  publish(second: number, acked: number, failed: number, latencyMs: number[], delayMs: number[]): void {
    const s = this.at(second);
    s.acked += acked;
    s.failed += failed;
    s.publishMs.push(...latencyMs);
    s.delayMs.push(...delayMs);
  }

  /** A reader's second: new reads and its end-to-end pairs (µs). */
  consume(second: number, consumed: number, e2eUs: number[]): void {
    const s = this.at(second);
    s.consumed += consumed;
    s.e2eUs.push(...e2eUs);
  }

  /** The readers' backlog at a second (the sum over groups, as OMB counts it over subscriptions). */
  backlog(second: number, messages: number): void {
    this.at(second).backlog = messages;
  }

  result(info: OmbRunInfo): Record<string, unknown> {
    const seconds = [...this.seconds.keys()].filter((s) => s >= info.fromSecond).sort((a, b) => a - b);
    const periods: number[][] = [];
    for (const s of seconds) {
      const k = Math.floor((s - info.fromSecond) / PERIOD_SEC);
      periods[k] = [...(periods[k] ?? []), s];
    }
    const all = histograms();
    const series = emptySeries();
    for (const period of periods.filter(Boolean)) this.addPeriod(series, period, all);
    return {
      workload: info.workload,
      driver: 'DataStorm',
      messageSize: info.messageSize,
      topics: 1,
      partitions: info.partitions,
      producersPerTopic: info.producers,
      consumersPerTopic: info.consumersPerTopic,
      ...series,
      ...aggregated('Publish', all.publish, 1),
      ...aggregated('PublishDelay', all.delay, 1000, true),
      ...aggregated('EndToEnd', all.e2e, 0.001),
    };
  }

  private addPeriod(series: Series, period: number[], all: Record<'publish' | 'delay' | 'e2e', Histogram>): void {
    const secs = period.map((s) => this.at(s));
    const n = period.length;
    const sum = (f: (s: Second) => number) => secs.reduce((a, s) => a + f(s), 0);
    series.publishRate.push(sum((s) => s.acked) / n);
    series.publishErrorRate.push(sum((s) => s.failed) / n);
    series.consumeRate.push(sum((s) => s.consumed) / n);
    series.backlog.push(
      secs
        .map((s) => s.backlog)
        .filter((b) => b !== null)
        .pop() ?? 0,
    );
    const h = histograms();
    for (const s of secs) {
      addPairs(h.publish, s.publishMs);
      addPairs(h.delay, s.delayMs);
      addPairs(h.e2e, s.e2eUs);
    }
    periodStats(series, 'publishLatency', h.publish, 1);
    periodStats(series, 'publishDelayLatency', h.delay, 1000, true);
    periodStats(series, 'endToEndLatency', h.e2e, 0.001);
    all.publish.add(h.publish);
    all.delay.add(h.delay);
    all.e2e.add(h.e2e);
  }
}

/** Publish latency and delay in ms (as the children measure them), end to end in µs (as the readers do). */
const histograms = () => ({ publish: latencyHistogram(), delay: latencyHistogram(), e2e: readerLatencyHistogram() });
const SUFFIXES = ['Avg', '50pct', '75pct', '95pct', '99pct', '999pct', '9999pct', 'Max'] as const;
type Series = Record<string, number[]>;

function emptySeries(): Series {
  const series: Series = { publishRate: [], publishErrorRate: [], consumeRate: [], backlog: [] };
  for (const name of ['publishLatency', 'publishDelayLatency', 'endToEndLatency'])
    for (const s of SUFFIXES) series[`${name}${s}`] = [];
  return series;
}

/** Avg, p50 … p99.99, max of a histogram, scaled to OMB's unit (whole: µs as integers). */
function stats(h: Histogram, scale: number, whole = false): number[] {
  const v = (x: number) => (whole ? Math.round(x * scale) : Math.round(x * scale * 1000) / 1000);
  if (h.totalCount === 0) return SUFFIXES.map(() => 0);
  const q = [50, 75, 95, 99, 99.9, 99.99].map((p) => v(Math.min(h.getValueAtPercentile(p), h.maxValue)));
  return [v(h.mean), ...q, v(h.maxValue)];
}

function periodStats(series: Series, name: string, h: Histogram, scale: number, whole = false): void {
  const values = stats(h, scale, whole);
  for (let i = 0; i < values.length; i++) series[`${name}${SUFFIXES[i]}`].push(values[i]);
}

function aggregated(name: string, h: Histogram, scale: number, whole = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  stats(h, scale, whole).forEach((x, i) => {
    out[`aggregated${name}Latency${SUFFIXES[i]}`] = x;
  });
  const quantiles: Record<string, number> = {};
  if (h.totalCount > 0)
    for (const p of QUANTILES) {
      const x = Math.min(h.getValueAtPercentile(p), h.maxValue) * scale;
      quantiles[Number.isInteger(p) ? `${p}.0` : String(p)] = whole ? Math.round(x) : Math.round(x * 1000) / 1000;
    }
  out[`aggregated${name}LatencyQuantiles`] = quantiles;
  return out;
}

/** What feeds the series: the producers' and readers' ticks, and the readers' backlog each second. */
export function ombFeeds(series: OmbSeries) {
  return {
    producer: (m: TickMessage) =>
      series.publish(
        m.second,
        m.acked,
        Object.values(m.failed).reduce((a, b) => a + b, 0),
        m.latency.pairs ?? [],
        m.latency.delayPairs ?? [],
      ),
    reader: (m: ReaderTick) => series.consume(m.second, m.read, m.e2ePairs ?? []),
    observer: {
      tick: (t: StormProgress) => {
        if (t.readers)
          series.backlog(
            Math.round(Date.now() / 1000),
            t.readers.reduce((a, g) => a + g.backlog, 0),
          );
      },
    },
  };
}

/** The result of a run that is over: its periods after the warm-up, and what the workload was. */
export function ombResultOf(
  series: OmbSeries,
  c: StormContext,
  report: StormReport,
  scheduleStartMs: number | null,
): Record<string, unknown> {
  const o = c.options;
  const measured = report.acknowledged ?? report.sent;
  return series.result({
    workload: o.scenario?.description ?? o.scenario?.file ?? 'DataStorm storm',
    messageSize: measured > 0 ? Math.round(report.bytes / measured) : 0,
    partitions: report.settings.partitions,
    producers: o.workers,
    consumersPerTopic: o.readers ? o.readers.groups * o.readers.perGroup : 0,
    // OMB's periods start once its warm-up is over: here, the run's start by the schedule's clock plus --warmup.
    fromSecond: Math.ceil(((scheduleStartMs ?? Date.parse(report.startedAt)) + o.warmup * 1000) / 1000),
  });
}
