/**
 * Sentiment mix planners (pure). A planner turns a batch size into exact counts per sentiment and an order.
 *
 * fixed:    the user's percentages, met exactly in every batch by largest-remainder rounding; the remainders are
 *           carried from batch to batch so the run total is exact as well (even when a batch's share is fractional).
 * volatile, per batch (--swing-every batch):
 *           every batch draws its own mix from a Dirichlet distribution whose mean is where the run should be
 *           (the user's percentages, corrected by what earlier batches over- or under-shot) and whose concentration
 *           α = 94 · ((1 - v) / v)² falls as the volatility v rises (floored at 0.3). A share's spread per batch is
 *           sqrt(b (1 - b) / (α + 1)): with v = 0.8 (α ≈ 5.9) the positive share of a 50% base swings with a standard
 *           deviation of about 0.19 (from a few % to over 85%), with v = 0.1 (α ≈ 7,600) by half a point. Because each
 *           batch's mean makes up for the ones before, the run's mix stays on the user's percentages (off by at most
 *           about one batch's swing over the whole run), however wild the batches.
 * volatile, per period (--swing-every P, 1 s by default: the dashboards' resolution): time is cut into periods of
 *           P aligned on the clock (whole seconds for 1 s: the seconds the dashboards plot by created_at), numbered
 *           from the one the run starts in by Redis' clock (one number every process reads with its leases: an
 *           estimate of the start on each host's own clock could fall either side of a period's edge), and period k
 *           gets one mix, drawn the same way (Dirichlet, its mean
 *           correcting where the periods before it left the mean of the mixes), from a generator seeded by the run id
 *           alone: every child of every instance draws the same sequence, so the whole run swings at once. Batches
 *           inside a period follow its mix exactly (rounding carried from batch to batch, as fixed does). Periods
 *           follow each host's clock, as its tweets' created_at do: hosts whose clocks differ by d disagree for d of
 *           each period. The mean of the periods' mixes stays within about one period's swing divided by their number
 *           of the percentages; the tweets' mix weighs periods by how many tweets each had (a rate shape), which moves
 *           it by a point or so over minutes.
 */
import { Rng } from '../random.js';

export const SENTIMENTS = ['positive', 'negative', 'neutral'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];
export type Mix = readonly [number, number, number];

export interface MixPlanner {
  /**
   * Counts per sentiment (positive, negative, neutral) for the next batch of n tweets; they sum to n. `nowMs`: this
   * clock now; `startMs`: the run's start by Redis' clock (only a per-period planner looks at them).
   */
  counts(n: number, nowMs?: number, startMs?: number): [number, number, number];
}

/** Largest-remainder rounding of shares (summing to 1) times n, ties broken by index. */
export function largestRemainder(shares: Mix, n: number): [number, number, number] {
  const exact = shares.map((s) => s * n);
  const out = exact.map(Math.floor) as [number, number, number];
  let left = n - out[0] - out[1] - out[2];
  const order = [0, 1, 2].sort((a, b) => exact[b] - out[b] - (exact[a] - out[a]) || a - b);
  for (let k = 0; left > 0; k = (k + 1) % 3, left--) out[order[k]]++;
  return out;
}

export class FixedPlanner implements MixPlanner {
  private readonly shares: Mix;
  /** Produced so far and per sentiment: each batch takes what keeps the cumulative totals on target. */
  private total = 0;
  private readonly done: [number, number, number] = [0, 0, 0];
  constructor(percentages: Mix) {
    this.shares = percentages.map((p) => p / 100) as unknown as Mix;
  }
  counts(n: number): [number, number, number] {
    const target = largestRemainder(this.shares, this.total + n);
    const out: [number, number, number] = [
      target[0] - this.done[0],
      target[1] - this.done[1],
      target[2] - this.done[2],
    ];
    // Cumulative rounding can ask one batch for -1 of a sentiment; fall back to per-batch rounding then.
    if (out[0] < 0 || out[1] < 0 || out[2] < 0) {
      const own = largestRemainder(this.shares, n);
      out[0] = own[0];
      out[1] = own[1];
      out[2] = own[2];
    }
    this.total += n;
    for (let i = 0; i < 3; i++) this.done[i] += out[i];
    return out;
  }
}

/** The Dirichlet concentration for a volatility in [0, 1] (Infinity: no swing at all). */
export function concentrationFor(volatility: number): number {
  if (volatility <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(0.3, 94 * ((1 - volatility) / volatility) ** 2);
}

export class VolatilePlanner implements MixPlanner {
  private readonly base: Mix;
  private readonly alpha: number;
  /** Produced so far, in all and per sentiment: the next batch's mean makes up for where the run is off. */
  private total = 0;
  private readonly done: [number, number, number] = [0, 0, 0];
  constructor(
    percentages: Mix,
    volatility: number,
    private readonly rng = new Rng(),
  ) {
    this.base = percentages.map((p) => p / 100) as unknown as Mix;
    this.alpha = concentrationFor(volatility);
  }
  /** The mix of the next batch of n (shares summing to 1). */
  draw(n: number): Mix {
    // Where the run should be after this batch, minus where it is: the batch's mean (kept off zero for the draw).
    const want = this.base.map((b, i) => Math.max(1e-3, (b * (this.total + n) - this.done[i]) / n));
    const sum = want[0] + want[1] + want[2];
    const mean = want.map((w) => w / sum);
    return dirichlet(this.rng, this.alpha, mean as unknown as Mix, this.base);
  }
  counts(n: number): [number, number, number] {
    const out = largestRemainder(this.draw(n), n);
    this.total += n;
    for (let i = 0; i < 3; i++) this.done[i] += out[i];
    return out;
  }
}

/** A draw around `mean` with concentration alpha (Infinity: the mean itself); a zero base share stays zero. */
function dirichlet(rng: Rng, alpha: number, mean: Mix, base: Mix): Mix {
  if (!Number.isFinite(alpha)) return mean;
  const g = mean.map((m, i) => (base[i] === 0 ? 0 : rng.gamma(alpha * m))); // Gamma(0) would be 0 anyway
  const s = g[0] + g[1] + g[2] || 1;
  return [g[0] / s, g[1] / s, g[2] / s];
}

/** 32 bits of FNV-1a over a string's UTF-16 units: the run id's seed. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** One mix per period of the run, the same sequence in every process of the run (see the header). */
export class PeriodMixes {
  private readonly base: Mix;
  private readonly alpha: number;
  private readonly rng: Rng;
  private readonly mixes: Mix[] = [];
  private readonly sums: [number, number, number] = [0, 0, 0];
  constructor(percentages: Mix, volatility: number, runId: string) {
    this.base = percentages.map((p) => p / 100) as unknown as Mix;
    this.alpha = concentrationFor(volatility);
    this.rng = new Rng(seedOf(runId));
  }
  /** Period k's mix (k from 0, the run's first period). */
  mixOf(k: number): Mix {
    while (this.mixes.length <= k) this.mixes.push(this.next());
    return this.mixes[k];
  }
  private next(): Mix {
    const k = this.mixes.length;
    const want = this.base.map((b, i) => Math.max(1e-3, b * (k + 1) - this.sums[i]));
    const sum = want[0] + want[1] + want[2];
    const mix = dirichlet(this.rng, this.alpha, want.map((w) => w / sum) as unknown as Mix, this.base);
    for (let i = 0; i < 3; i++) this.sums[i] += mix[i];
    return mix;
  }
}

/** Batches inside a period follow its mix, rounding carried within the period. */
export class PeriodPlanner implements MixPlanner {
  private period = -1;
  private within: FixedPlanner | undefined;
  constructor(
    private readonly mixes: PeriodMixes,
    private readonly periodMs: number,
  ) {}
  counts(n: number, nowMs = 0, startMs = nowMs): [number, number, number] {
    // A clock stepping back keeps the current period: periods only move on.
    const since = Math.floor(nowMs / this.periodMs) - Math.floor(startMs / this.periodMs);
    const period = Math.max(this.period, since, 0);
    if (period !== this.period || !this.within) {
      this.period = period;
      this.within = new FixedPlanner(this.mixes.mixOf(period).map((share) => share * 100) as unknown as Mix);
    }
    return this.within.counts(n);
  }
}

/** Fills `out[0..n)` with sentiment indexes in the given counts, shuffled (Fisher-Yates) so batches are not sorted. */
export function fillShuffled(out: Uint8Array, counts: readonly number[], rng: Rng): number {
  let k = 0;
  for (let s = 0; s < counts.length; s++) for (let i = 0; i < counts[s]; i++) out[k++] = s;
  for (let i = k - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return k;
}
