/** What pulse reports (the run's JSON, its progress and its --summary) and how each reads as text. */

import type { Percentiles } from '../measure/histograms.js';
import type { ThresholdOutcome } from '../thresholds/threshold.js';
import { gateLines, thresholdCases } from './threshold-lines.js';

export interface PulseReport {
  topic: string;
  group: string;
  store: string;
  /** From start to the end: checking InfluxDB and Kafka, joining the group, consuming, idle waiting, shutting down. */
  elapsedSec: number;
  consumed: number;
  /** Messages that were not tweets of the schema (not Avro, truncated, empty, another schema): counted, skipped. */
  undecodable: number;
  undecodableByPartition: Record<string, number>;
  /**
   * Tweets whose created_at InfluxDB cannot store (outside 1677-09-21 … 2262-04-11): counted, copied to --dead-letter,
   * committed past; in no sum.
   */
  unstorable: number;
  /** Undecodable records copied to --dead-letter (null without one). */
  deadLettered: number | null;
  pointsWritten: number;
  /**
   * Tweets per second, two ways: overall (consumed / elapsedSec) and while consuming (consumed / activeSec, from the
   * second before the first tweet to the last); the difference is spent joining the group and waiting idle at the end.
   */
  rate: { overall: number; active: number; activeSec: number; joinSec: number; idleSec: number };
  /** Points written per second while consuming. */
  pointsPerSec: number;
  retries: number;
  writeErrors: number;
  bySentiment: { positive: number; negative: number; neutral: number };
  /**
   * Messages behind the end of each partition (not yet consumed) at the end, their sum (-1: unknown), and when the
   * pipeline first caught up (lag 0 after consuming), in seconds from start; the most it was at any second of the
   * run (-1: never known).
   */
  lag: { atEnd: number; byPartition: Record<string, number>; caughtUpAtSec: number | null; most: number };
  restarts: number;
  /** Everything consumed was acknowledged by InfluxDB before the children ended. */
  allWritten: boolean;
  /**
   * Written but not committed: the open counts windows (pulse/points.ts), which the next run reads again and rewrites
   * onto the same points (no double count).
   */
  rereadOnNextRun: number;
  /**
   * Freshness over the run, ms: from each tweet's created_at to InfluxDB's acknowledgement of the write carrying it
   * (10 ms steps; null when nothing was written). Tweets of a flush cut short by a rebalance are not sampled.
   */
  freshnessMs: Percentiles | null;
  influx: { url: string; org: string; bucket: string };
  /** --threshold: each judged on the exact figures above, and the one that stopped the run live (if one did). */
  thresholds?: ThresholdOutcome;
}

/** Pulse's progress, as its engine emits it once a second ('tick'). */
export interface PulseProgress {
  elapsedSec: number;
  consumed: number;
  points: number;
  consumedRate: number;
  pointsRate: number;
  /** Sum over partitions; -1 while unknown. */
  lag: number;
  lagByPartition: Record<string, number>;
  retries: number;
  writeErrors: number;
  undecodable: number;
  /** Freshness of the tweets InfluxDB acknowledged this interval (ms), null when none. */
  freshnessMs: { p50: number; p99: number; tweets: number } | null;
}

/** `pulse --summary`: the sentiment of what InfluxDB holds over the last minutes. */
export interface PulseSummary {
  minutes: number;
  total: number;
  bySentiment: { positive: number; negative: number; neutral: number };
}

const en = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The partition furthest behind, as " (most on partition p: n)"; empty when none is behind. */
function worstPartition(byPartition: Record<string, number>): string {
  let worst: [string, number] | undefined;
  for (const [p, n] of Object.entries(byPartition)) if (n > 0 && (!worst || n > worst[1])) worst = [p, n];
  return worst ? ` (most on partition ${worst[0]}: ${en(worst[1])})` : '';
}

export function renderPulseProgress(t: PulseProgress): string {
  return (
    `consumed ${en(t.consumed)} (${en(t.consumedRate)}/s)  points ${en(t.points)} (${en(t.pointsRate)}/s)  ` +
    `lag ${en(t.lag)}${worstPartition(t.lagByPartition)}  ` +
    `${t.freshnessMs ? `fresh p50 ${seconds(t.freshnessMs.p50)} p99 ${seconds(t.freshnessMs.p99)}  ` : ''}` +
    `retries ${t.retries}  write errors ${t.writeErrors}` +
    `${t.undecodable ? `  undecodable ${en(t.undecodable)}` : ''}`
  );
}

export function renderPulseText(r: PulseReport): string {
  const s = r.bySentiment;
  const q = r.rate;
  const lines = [
    `pulse ${r.topic} → ${r.influx.url} bucket ${r.influx.bucket} (${r.store}): ` +
      `consumed ${en(r.consumed)} tweets in ${r.elapsedSec} s: ${en(q.overall)}/s overall, ` +
      `${en(q.active)}/s while consuming (${q.activeSec} s; ${q.joinSec} s starting and joining the group before, ` +
      `${q.idleSec} s idle after)`,
    `  written:   ${en(r.pointsWritten)} points (${en(r.pointsPerSec)}/s), ${r.retries} retries, ` +
      `${r.writeErrors} write errors`,
    `  sentiment: positive ${en(s.positive)}, negative ${en(s.negative)}, neutral ${en(s.neutral)}`,
    `  lag:       ${en(r.lag.atEnd)} at the end${worstPartition(r.lag.byPartition)}` +
      `${r.lag.caughtUpAtSec !== null ? `; caught up with the topic at ${r.lag.caughtUpAtSec} s` : ''}` +
      `${r.lag.most > 0 ? `; at most ${en(r.lag.most)} behind` : ''}`,
  ];
  const f = r.freshnessMs;
  if (f)
    lines.push(
      `  freshness: p50 ${seconds(f.p50)}, p99 ${seconds(f.p99)}, max ${seconds(f.max)} from a tweet's created_at ` +
        `to InfluxDB acknowledging it (${en(f.samples)} tweets)`,
    );
  if (r.undecodable) {
    const where = Object.entries(r.undecodableByPartition)
      .map(([p, n]) => `partition ${p}: ${en(n)}`)
      .join(', ');
    const dl = r.deadLettered !== null ? `, ${en(r.deadLettered)} copied to the dead-letter topic` : '';
    lines.push(`  skipped:   ${en(r.undecodable)} undecodable, not tweets of the schema (${where})${dl}`);
  }
  if (r.unstorable) {
    const dl = r.deadLettered !== null ? ', copied to the dead-letter topic' : '';
    lines.push(
      `  skipped:   ${en(r.unstorable)} tweets with a created_at InfluxDB cannot store ` +
        `(outside 1677-09-21 … 2262-04-11)${dl}`,
    );
  }
  if (!r.allWritten)
    lines.push(
      '  note: some tweets were not acknowledged by InfluxDB before shutdown; their offsets were not committed',
    );
  if (r.rereadOnNextRun)
    lines.push(
      `  note: ${en(r.rereadOnNextRun)} messages of open counts windows are written but not committed; ` +
        'the next run reads them again onto the same points',
    );
  if (r.thresholds?.aborted)
    lines.push(`  note: stopped at ${r.thresholds.aborted.atSec} s by the threshold '${r.thresholds.aborted.expr}'`);
  lines.push(...gateLines(thresholdCases(r.thresholds)).map((l) => `  ${l}`));
  return lines.join('\n');
}

export function renderPulseSummary(s: PulseSummary, influx: { url: string; bucket: string }): string {
  const lines = [
    `Sentiment over the last ${s.minutes} minutes (InfluxDB ${influx.url}, bucket ${influx.bucket}): ` +
      `${en(s.total)} tweets`,
  ];
  for (const k of ['positive', 'negative', 'neutral'] as const) {
    const share = s.total ? ((100 * s.bySentiment[k]) / s.total).toFixed(2) : '0.00';
    lines.push(`  ${k.padEnd(9)} ${en(s.bySentiment[k]).padStart(12)}  ${share}%`);
  }
  return lines.join('\n');
}
