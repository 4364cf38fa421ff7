/**
 * abort-on-fail: the thresholds that may stop a run, watched on each second's readings. A threshold stops the run once
 * its figure has failed at every reading for its grace period (a second without a reading, such as no acknowledgement
 * to time, neither fails nor passes it); one reading that holds starts the count again.
 */

import { holds, type Threshold, type ThresholdOutcome } from '../thresholds/threshold.js';
import { type Figures, figureOf } from './figures.js';

export class LiveGate<Tick, Report = unknown> {
  private readonly watched: Threshold[];
  /** Per watched threshold: when the second of its first failing reading in a row began. */
  private readonly failingFrom = new Map<string, number>();
  private lastAtSec = 0;
  /** The threshold that stopped the run, once one did: nothing is watched after it. */
  aborted: NonNullable<ThresholdOutcome['aborted']> | null = null;

  constructor(
    thresholds: readonly Threshold[],
    private readonly figures: Figures<Report, Tick>,
  ) {
    this.watched = thresholds.filter((t) => t.abort !== null && figures[t.figure]?.perSecond);
  }

  get watching(): boolean {
    return this.watched.length > 0;
  }

  /** One second's tick at `atSec` of the run; the threshold that stops the run now (once), or null. */
  observe(atSec: number, tick: Tick): NonNullable<ThresholdOutcome['aborted']> | null {
    if (this.aborted) return null;
    const secondBegan = this.lastAtSec;
    this.lastAtSec = atSec;
    for (const t of this.watched) {
      const value = figureOf(this.figures, t).perSecond?.(tick) ?? null;
      if (value === null) continue;
      if (holds(t, value)) {
        this.failingFrom.delete(t.expr);
        continue;
      }
      const from = this.failingFrom.get(t.expr) ?? secondBegan;
      this.failingFrom.set(t.expr, from);
      const failingSec = atSec - from;
      if (failingSec >= (t.abort?.graceSec ?? Number.POSITIVE_INFINITY)) {
        const reading = Math.round(value * 100) / 100;
        this.aborted = { expr: t.expr, atSec: round1(atSec), value: reading, failingSec: round1(failingSec) };
        return this.aborted;
      }
    }
    return null;
  }

  /** A second not judged (the warm-up): failing runs start again after it. */
  skip(atSec: number): void {
    this.lastAtSec = atSec;
    this.failingFrom.clear();
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** The warning line a run gives when a threshold stops it. */
export const abortWarning = (a: NonNullable<ThresholdOutcome['aborted']>) =>
  `threshold '${a.expr}' failed every second for ${a.failingSec} s: stopping`;

/**
 * The live gate as an observer of a run's ticks: seconds of the warm-up are skipped, and a threshold failing every
 * second for its grace period warns and stops the run (the last tick comes after the end: nothing is left to stop).
 */
export function liveGateObserver<T extends { elapsedSec: number; warmingUp?: boolean }, R>(
  gate: LiveGate<T, R>,
  run: { stop(): void; emit(event: 'warning', message: string): boolean },
): { tick(t: T, final: boolean): void } {
  return {
    tick(t, final) {
      if (final) return;
      if (t.warmingUp) {
        gate.skip(t.elapsedSec);
        return;
      }
      const aborted = gate.observe(t.elapsedSec, t);
      if (!aborted) return;
      run.emit('warning', abortWarning(aborted));
      run.stop();
    },
  };
}
