/** What pulse reports (the run's JSON, its progress and its --summary) and how each reads as text. */

export interface PulseReport {
  topic: string;
  group: string;
  store: string;
  elapsedSec: number;
  consumed: number;
  /**
   * Messages that were not tweets of the schema (not Avro, truncated, empty, another schema): counted, committed past.
   */
  undecodable: number;
  pointsWritten: number;
  /**
   * Over the time tweets were being consumed (first to last tick that consumed any): excludes group join and idle wait.
   */
  consumedPerSec: number;
  activeSec: number;
  pointsPerSec: number;
  retries: number;
  writeErrors: number;
  bySentiment: { positive: number; negative: number; neutral: number };
  lagAtEnd: number;
  restarts: number;
  allCommitted: boolean;
  influx: { url: string; db: string };
}

/** Pulse's progress, as its engine emits it once a second ('tick'). */
export interface PulseProgress {
  elapsedSec: number;
  consumed: number;
  points: number;
  consumedRate: number;
  pointsRate: number;
  /** -1 while unknown. */
  lag: number;
  retries: number;
  writeErrors: number;
}

/** `pulse --summary`: the sentiment of what InfluxDB holds over the last minutes. */
export interface PulseSummary {
  minutes: number;
  total: number;
  bySentiment: { positive: number; negative: number; neutral: number };
}

const en = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderPulseProgress(t: PulseProgress): string {
  return (
    `consumed ${en(t.consumed)} (${en(t.consumedRate)}/s)  points ${en(t.points)} (${en(t.pointsRate)}/s)  ` +
    `lag ${en(t.lag)}  retries ${t.retries}  write errors ${t.writeErrors}`
  );
}

export function renderPulseText(r: PulseReport): string {
  const s = r.bySentiment;
  const undecodable = r.undecodable ? `, ${en(r.undecodable)} undecodable (not tweets of the schema; skipped)` : '';
  const lines = [
    `pulse ${r.topic} → ${r.influx.url}/${r.influx.db} (${r.store}): ` +
      `consumed ${en(r.consumed)} tweets in ${r.elapsedSec} s (${en(r.consumedPerSec)}/s), ` +
      `${en(r.pointsWritten)} points written (${en(r.pointsPerSec)}/s), ` +
      `${r.retries} retries, ${r.writeErrors} write errors, lag ${r.lagAtEnd}${undecodable}`,
    `  sentiment consumed: positive ${en(s.positive)}, negative ${en(s.negative)}, neutral ${en(s.neutral)}`,
  ];
  if (!r.allCommitted)
    lines.push(
      '  note: some offsets were not committed (a write was not acknowledged before shutdown); they will be read again',
    );
  return lines.join('\n');
}

export function renderPulseSummary(s: PulseSummary, influx: { url: string; db: string }): string {
  const lines = [
    `Sentiment over the last ${s.minutes} minutes (InfluxDB ${influx.url}, database ${influx.db}): ${en(s.total)} ` +
      `tweets`,
  ];
  for (const k of ['positive', 'negative', 'neutral'] as const) {
    const share = s.total ? ((100 * s.bySentiment[k]) / s.total).toFixed(2) : '0.00';
    lines.push(`  ${k.padEnd(9)} ${en(s.bySentiment[k]).padStart(12)}  ${share}%`);
  }
  return lines.join('\n');
}
