/** The live progress bar: a 'tick' listener that redraws a few lines on stderr (TTY only), once per second. */
import type { LatencyBuckets } from '../measure/latency-buckets.js';

/** One consumer group of a storm's readers, as a second's tick carries it. */
export interface ReadersSecond {
  group: string;
  /** Messages the group read so far, each once (re-reads apart). */
  consumed: number;
  reread: number;
  /** Acknowledged, not yet read by the group. */
  backlog: number;
  /** The worst member's end-to-end p50/p99 this second (ms), from creation; and p99 from the intended time. */
  e2e: { p50: number; p99: number } | null;
  intendedP99: number | null;
}

/** A storm's progress, as its engine emits it once a second ('tick'). */
export interface StormProgress {
  elapsedSec: number;
  acked: number;
  /** --count, when the run has one. */
  target?: number;
  durationSec?: number;
  currentRate: number;
  averageRate: number;
  errors: number;
  inFlight: number;
  /** Messages the rate schedule allowed that no child had taken yet. */
  behind: number;
  /** The rate the shape aims at now (messages/s), or null when as fast as possible. */
  targetRate: number | null;
  /** Still inside --warmup (its counts will be kept out of the report's statistics). */
  warmingUp: boolean;
  /** Handed to librdkafka so far. */
  sent: number;
  failedByKind: Record<string, number>;
  /** Handed so far per sentiment (positive, negative, neutral). */
  mix: [number, number, number];
  /** Delivery latency over the last second, the worst child's p50 and p99 (ms); null when nothing was acknowledged. */
  latencyMs: { p50: number; p99: number } | null;
  /** Under a rate schedule: the worst child's p99 over the last second, counted from the intended send times (ms). */
  intendedP99Ms?: number | null;
  /** What latencyMs is when not the worst child's (a run watched from outside: its instances' merged buckets). */
  latencyFrom?: string;
  /** Every acknowledgement so far, in Prometheus buckets. */
  latencyBuckets: LatencyBuckets;
  /** Each child's memory and event-loop delay at its last tick. */
  children: { slot: number; rssMiB: number; loopDelayP99Ms: number }[];
  /** --consumer-groups: each group's reading so far (consumed, backlog) and this second's end-to-end latency. */
  readers?: ReadersSecond[];
}

/** What the progress bar needs of a tick. */
export type BarTick = Pick<
  StormProgress,
  'elapsedSec' | 'acked' | 'target' | 'durationSec' | 'currentRate' | 'averageRate' | 'errors' | 'behind'
> &
  Partial<Pick<StormProgress, 'targetRate' | 'warmingUp'>>;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function clock(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '--:--:--';
  const s = Math.round(sec);
  return [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((x) => String(x).padStart(2, '0')).join(':');
}

/** The lines for one tick (pure: tested without a terminal). */
/** `noun`: what the run writes (tweets, or records of another schema), capitalised in the first count. */
export function progressLines(t: BarTick, width = 40, noun = 'tweets'): string[] {
  const Noun = `${noun[0].toUpperCase()}${noun.slice(1)}`;
  let fraction: number | undefined;
  let remaining = NaN;
  if (t.target !== undefined) {
    fraction = Math.min(1, t.acked / t.target);
    remaining = t.averageRate > 0 ? (t.target - t.acked) / t.averageRate : NaN;
  }
  if (t.durationSec !== undefined) {
    const byTime = Math.min(1, t.elapsedSec / t.durationSec);
    if (fraction === undefined || byTime > fraction) {
      fraction = byTime;
      remaining = Math.max(0, t.durationSec - t.elapsedSec);
    }
  }
  const f = fraction ?? 0;
  const filled = Math.round(f * width);
  return [
    `[${'▓'.repeat(filled)}${'░'.repeat(width - filled)}] ${(f * 100).toFixed(2)}%`,
    `Total ${Noun}: ${fmt(t.acked)}${t.target !== undefined ? ` / ${fmt(t.target)}` : ''}`,
    `Throughput (current): ${fmt(t.currentRate)} ${noun}/sec` +
      (t.targetRate !== null && t.targetRate !== undefined ? ` (target ${fmt(t.targetRate)})` : '') +
      (t.warmingUp ? '   [warming up: not counted in the report]' : ''),
    `Throughput (avg): ${fmt(t.averageRate)} ${noun}/sec`,
    `Elapsed: ${clock(t.elapsedSec)}`,
    `Remaining: ${clock(remaining)}`,
    `Errors: ${fmt(t.errors)}${t.behind > 0 ? `   Behind schedule: ${fmt(t.behind)}` : ''}`,
  ];
}

export class ProgressBar {
  private drawn = 0;
  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly noun = 'tweets',
  ) {}
  readonly onTick = (t: StormProgress): void => {
    const lines = progressLines(t, 40, this.noun);
    // Move up over the previous frame and clear it, then draw the new one.
    let s = this.drawn ? `\x1b[${this.drawn}A` : '';
    for (const l of lines) s += `\x1b[2K${l}\n`;
    this.out.write(s);
    this.drawn = lines.length;
  };
  clear(): void {
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }
}
