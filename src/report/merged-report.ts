/**
 * One report for a run of several instances (--instances N): what each instance published in Redis
 * (coord/instance-records.ts), merged. Totals are sums; the timeline sums each wall-clock second over instances;
 * latency percentiles come from the instances' HDR histograms added together (their compressed encodings), never from
 * averaged percentiles. While an instance still runs only its Prometheus buckets are known, and the percentiles are
 * the merged buckets' upper bounds, said so.
 */
import { decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { latencyHistogram, type Percentiles, percentilesOf } from '../measure/histograms.js';
import { LATENCY_BUCKETS_MS, type LatencyBuckets, mergeBuckets, noLatencyBuckets } from '../measure/latency-buckets.js';
import { cumulativeAt, decodeSchedule, isUnlimited } from '../scenario/schedule.js';

/** What one instance publishes: every second while it runs, and once more, complete, when it ends. */
export interface InstanceRecord {
  /** The instance process (its producer ids carry it): a restarted instance has the same index and another id. */
  id: string;
  index: number;
  instances: number;
  host: string;
  pid: number;
  /**
   * killed: a later process of its index took over (its counts are then what its producers settled, from Redis);
   * lost: running by its record, but no longer holding its index (killed, not yet taken over). Both left no histogram.
   */
  state: 'running' | 'done' | 'failed' | 'killed' | 'lost';
  /** The run's start by Redis' clock (Unix ms), as the barrier fixed it. */
  startAtMs: number;
  /** When its first slice was granted, ms after the run's start by Redis' clock (null before). */
  startOffsetMs: number | null;
  /** When it last published, on its own clock (Unix ms). */
  updatedAtMs: number;
  acknowledged: number;
  failed: number;
  sent: number;
  bytes: number;
  /** Seconds from the run's start to its last acknowledgement (so far, while it runs). */
  elapsedSec: number;
  /** [seconds since the run's start (the interval's end), acknowledged in the interval]. */
  perSecond: [number, number][];
  /** Every acknowledgement so far, in Prometheus buckets (latency-buckets.ts). */
  buckets: LatencyBuckets;
  /** At the end: the delivery latency histogram (ms), HdrHistogram's compressed encoding. */
  histogram: string | null;
  /**
   * --find-max: per second since the run's start, from the step being judged on, [second, acknowledged, worst p99 ms
   * or null, behind]: what every instance's judge sums (storm/instance-judge.ts).
   */
  judged?: [number, number, number | null, number][];
  /** The rate shape's schedule (scenario/schedule.ts encodeSchedule): '' when as fast as possible. */
  schedule: string;
  count: number | null;
  topic: string;
  error: string | null;
}

export interface MergedReport {
  runId: string;
  topic: string;
  instances: number;
  joined: number;
  finished: number;
  /** Instance processes that published (a restarted instance counts twice). */
  processes: number;
  acknowledged: number;
  failed: number;
  sent: number;
  bytes: number;
  /** From the run's start to the last acknowledgement of any instance. */
  elapsedSec: number;
  rate: { average: number; peak: number };
  latencyMs: Percentiles | null;
  /**
   * histograms: exact, every instance finished with its histogram; buckets: upper bounds of the merged Prometheus
   * buckets (an instance still running, or a killed process that left only the buckets it published).
   */
  latencyFrom: 'histograms' | 'buckets';
  /** The spread of the instances' first granted slices (ms): how far apart they started. */
  startSkewMs: number | null;
  /** [second since the run's start, acknowledged by all instances, target (shaped runs; else null)]. */
  timeline: [number, number, number | null][];
  perInstance: {
    index: number;
    host: string;
    state: InstanceRecord['state'];
    acknowledged: number;
    failed: number;
    startOffsetMs: number | null;
    p50: number | null;
    p99: number | null;
    error: string | null;
  }[];
}

/** Encodes a histogram for an instance record. */
export const encodeHistogram = (h: Histogram): string => encodeIntoCompressedBase64(h);

/** Instances (by index) that have finished: a restarted one counts once, when its last process finished. */
export const finishedInstances = (records: readonly InstanceRecord[]): number =>
  new Set(records.filter((r) => r.state === 'done' || r.state === 'failed').map((r) => r.index)).size;

export function mergeInstanceRecords(runId: string, records: InstanceRecord[]): MergedReport {
  const first = records[0];
  const indexes = new Set(records.map((r) => r.index));
  const finished = finishedInstances(records);
  // Exact only when every instance finished and every process of theirs left its histogram (a killed one has none).
  const exact = finished === (first?.instances ?? 0) && records.every((r) => r.histogram !== null);
  const latency = exact ? mergedHistogramPercentiles(records) : bucketPercentiles(records);
  const timeline = mergedTimeline(records);
  const acknowledged = sum(records, (r) => r.acknowledged);
  const elapsedSec = Math.max(0.001, ...records.map((r) => r.elapsedSec));
  const offsets = records.map((r) => r.startOffsetMs).filter((o): o is number => o !== null);
  return {
    runId,
    topic: first?.topic ?? '',
    instances: first?.instances ?? 0,
    joined: indexes.size,
    finished,
    acknowledged,
    failed: sum(records, (r) => r.failed),
    sent: sum(records, (r) => r.sent),
    bytes: sum(records, (r) => r.bytes),
    elapsedSec,
    rate: { average: Math.round(acknowledged / elapsedSec), peak: Math.max(0, ...timeline.map((p) => p[1])) },
    latencyMs: latency,
    latencyFrom: exact ? 'histograms' : 'buckets',
    startSkewMs: offsets.length > 1 ? Math.max(...offsets) - Math.min(...offsets) : offsets.length ? 0 : null,
    timeline,
    processes: records.length,
    perInstance: records.map((r) => {
      const own = r.histogram ? percentilesOf(decodeFromCompressedBase64(r.histogram)) : bucketPercentiles([r]);
      return {
        index: r.index,
        host: r.host,
        state: r.state,
        acknowledged: r.acknowledged,
        failed: r.failed,
        startOffsetMs: r.startOffsetMs,
        p50: own?.p50 ?? null,
        p99: own?.p99 ?? null,
        error: r.error,
      };
    }),
  };
}

const sum = (records: InstanceRecord[], of: (r: InstanceRecord) => number) =>
  records.reduce((total, r) => total + of(r), 0);

function mergedHistogramPercentiles(records: InstanceRecord[]): Percentiles | null {
  const merged = latencyHistogram();
  for (const r of records) if (r.histogram) merged.add(decodeFromCompressedBase64(r.histogram));
  return percentilesOf(merged);
}

function bucketPercentiles(records: InstanceRecord[]): Percentiles | null {
  const merged = noLatencyBuckets();
  for (const r of records) mergeBuckets(merged, r.buckets);
  return bucketBounds(merged);
}

/** Percentiles as the upper bounds of the buckets they fall in (the last bucket, past 30 s, reads as its bound). */
export function bucketBounds(buckets: LatencyBuckets): Percentiles | null {
  if (buckets.count <= 0) return null;
  const at = (p: number) => {
    const rank = Math.max(1, Math.ceil((p / 100) * buckets.count));
    let seen = 0;
    for (let i = 0; i < buckets.counts.length; i++) {
      seen += buckets.counts[i];
      if (seen >= rank) return LATENCY_BUCKETS_MS[Math.min(i, LATENCY_BUCKETS_MS.length - 1)];
    }
    return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1];
  };
  return { p50: at(50), p95: at(95), p99: at(99), p999: at(99.9), max: at(100), samples: buckets.count };
}

/** Acknowledged per second since the run's start, summed over instances; beside it the schedule's target. */
function mergedTimeline(records: InstanceRecord[]): MergedReport['timeline'] {
  const first = records[0];
  if (!first) return [];
  const bySecond = new Map<number, number>();
  for (const r of records)
    for (const [second, acked] of r.perSecond) bySecond.set(second, (bySecond.get(second) ?? 0) + acked);
  const schedule = decodeSchedule(first.schedule);
  const target = (second: number): number | null =>
    isUnlimited(schedule)
      ? null
      : Math.round(cumulativeAt(schedule, second * 1000) - cumulativeAt(schedule, Math.max(0, second * 1000 - 1000)));
  return [...bySecond.keys()]
    .sort((a, b) => a - b)
    .map((second) => [second, bySecond.get(second) ?? 0, target(second)]);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** A shaped run's seconds: what was scheduled and acknowledged in all, and the three seconds furthest under target. */
function targetAndAchieved(m: MergedReport) {
  const seconds = m.timeline.filter((p): p is [number, number, number] => p[2] !== null);
  if (seconds.length === 0) return undefined;
  const worst = [...seconds].sort((a, b) => a[1] - a[2] - (b[1] - b[2])).slice(0, 3);
  return {
    seconds: seconds.length,
    target: seconds.reduce((s, p) => s + p[2], 0),
    achieved: seconds.reduce((s, p) => s + p[1], 0),
    worst: worst.sort((a, b) => a[0] - b[0]),
  };
}

export function renderMergedText(m: MergedReport): string {
  const lines = [
    `DataStorm run ${m.runId}, merged: ${m.finished} of ${m.instances} instance(s) finished` +
      `${m.joined < m.instances ? `, ${m.instances - m.joined} never joined` : ''}; topic ${m.topic}`,
  ];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(14)} ${text}`);
  row('acknowledged:', `${fmt(m.acknowledged)} messages by all instances in ${m.elapsedSec.toFixed(1)} s`);
  row('failed:', fmt(m.failed));
  row('rate:', `${fmt(m.rate.average)} msg/s average, ${fmt(m.rate.peak)} msg/s peak (all instances)`);
  const l = m.latencyMs;
  if (l) {
    const how =
      m.latencyFrom === 'histograms'
        ? 'merged histograms'
        : `merged buckets, upper bounds (${m.finished < m.instances ? 'still running' : 'a process was killed'})`;
    row('latency (ms):', `p50 ${l.p50}  p95 ${l.p95}  p99 ${l.p99}  p99.9 ${l.p999}  max ${l.max} (${how})`);
  }
  if (m.startSkewMs !== null) row('start skew:', `${m.startSkewMs} ms between the first and the last instance`);
  const shaped = targetAndAchieved(m);
  if (shaped)
    row(
      'schedule:',
      `${fmt(shaped.achieved)} acknowledged of ${fmt(shaped.target)} scheduled over ${shaped.seconds} s ` +
        `(${((shaped.achieved / Math.max(1, shaped.target)) * 100).toFixed(1)}%); seconds furthest under target: ` +
        shaped.worst.map(([second, acked, target]) => `${second}: ${fmt(acked)}/${fmt(target)}`).join(', '),
    );
  lines.push('  instance  host                  state     acknowledged   failed   start (ms)   p50    p99');
  for (const i of m.perInstance)
    lines.push(
      `  ${String(i.index).padStart(8)}  ${i.host.slice(0, 20).padEnd(20)}  ${i.state.padEnd(8)} ` +
        `${fmt(i.acknowledged).padStart(13)} ${fmt(i.failed).padStart(8)} ` +
        `${String(i.startOffsetMs ?? '-').padStart(12)} ` +
        `${String(i.p50 ?? '-').padStart(5)} ${String(i.p99 ?? '-').padStart(6)}` +
        `${i.error ? `  ${i.error}` : ''}`,
    );
  return lines.join('\n');
}
