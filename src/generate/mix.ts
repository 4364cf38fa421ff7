/**
 * Sentiment mix planners (pure). A planner turns a batch size into exact counts per sentiment and an order.
 *
 * fixed:    the user's percentages, met exactly in every batch by largest-remainder rounding; the remainders are
 *           carried from batch to batch so the run total is exact as well (even when a batch's share is fractional).
 * volatile: every batch draws its own mix  m = (1 - v) * base + v * D,  D ~ Dirichlet(1, 1, 1) (uniform on the
 * simplex),
 *           where base is the user's percentages and v the volatility (0..1). With v = 0.8 the positive share of one
 * batch
 *           ranges over about 6%..87% (standard deviation ~ 0.19); with v = 0.1 it stays within a few points of base.
 */
import { Rng } from './random.js';

export const SENTIMENTS = ['positive', 'negative', 'neutral'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];
export type Mix = readonly [number, number, number];

export interface MixPlanner {
  /** Counts per sentiment (positive, negative, neutral) for the next batch of n tweets; they sum to n. */
  counts(n: number): [number, number, number];
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

export class VolatilePlanner implements MixPlanner {
  private readonly base: Mix;
  constructor(
    percentages: Mix,
    private readonly volatility: number,
    private readonly rng = new Rng(),
  ) {
    this.base = percentages.map((p) => p / 100) as unknown as Mix;
  }
  /** The mix of the next batch (shares summing to 1). */
  draw(): Mix {
    const e0 = this.rng.exp(),
      e1 = this.rng.exp(),
      e2 = this.rng.exp();
    const s = e0 + e1 + e2;
    const v = this.volatility;
    return [
      (1 - v) * this.base[0] + (v * e0) / s,
      (1 - v) * this.base[1] + (v * e1) / s,
      (1 - v) * this.base[2] + (v * e2) / s,
    ];
  }
  counts(n: number): [number, number, number] {
    return largestRemainder(this.draw(), n);
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
