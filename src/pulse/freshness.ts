/**
 * Freshness: from a tweet's created_at to the moment InfluxDB acknowledged the write that carries it (from then on a
 * query sees it). A child notes each tweet's created_at as it buffers it, in 10 ms steps, as runs of equal steps (a
 * partition's tweets come in created_at order, so runs are long: no Map operation per tweet); when a flush's write is
 * acknowledged, each run adds its tweets' ages to a ValueCounts (10 ms resolution) that goes to the primary with the
 * tick. A created_at later than the acknowledgement (a producer's clock ahead of ours) counts as 0.
 */
import type { ValueCounts } from '../measure/value-counts.js';

/** Resolution of the created_at steps and of the ages, ms. */
export const FRESHNESS_STEP_MS = 10;
/** Runs a flush keeps before it counts steps in a Map instead (tweets whose created_at jump about). */
const MAX_RUNS = 65_536;

export class CreatedRuns {
  private steps: number[] = [];
  private counts: number[] = [];
  private lastStep = Number.NaN;
  private lastCount = 0;
  private overflow: Map<number, number> | undefined;

  add(createdAt: number): void {
    const step = Math.floor(createdAt / FRESHNESS_STEP_MS);
    if (step === this.lastStep) {
      this.lastCount++;
      return;
    }
    this.closeRun();
    this.lastStep = step;
    this.lastCount = 1;
  }

  /** Adds the age at `ackMs` of every tweet noted, into `ages` (ms, in FRESHNESS_STEP_MS steps). */
  recordAges(ackMs: number, ages: ValueCounts): void {
    this.closeRun();
    const age = (step: number) =>
      Math.max(0, Math.round((ackMs - (step + 0.5) * FRESHNESS_STEP_MS) / FRESHNESS_STEP_MS) * FRESHNESS_STEP_MS);
    for (let i = 0; i < this.steps.length; i++) ages.record(age(this.steps[i]), this.counts[i]);
    for (const [step, n] of this.overflow ?? []) ages.record(age(step), n);
  }

  get tweets(): number {
    let n = this.lastCount;
    for (const c of this.counts) n += c;
    for (const c of this.overflow?.values() ?? []) n += c;
    return n;
  }

  private closeRun(): void {
    if (this.lastCount === 0) return;
    if (this.steps.length < MAX_RUNS) {
      this.steps.push(this.lastStep);
      this.counts.push(this.lastCount);
    } else {
      this.overflow ??= new Map();
      this.overflow.set(this.lastStep, (this.overflow.get(this.lastStep) ?? 0) + this.lastCount);
    }
    this.lastCount = 0;
    this.lastStep = Number.NaN;
  }
}
