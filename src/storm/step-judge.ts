/**
 * --find-max's referee: collects what every child reported per wall-clock second (acknowledged, the worst p99 from the
 * intended send times, how far behind the schedule was), and once a step of the staircase is over (plus a moment for
 * the last ticks to arrive) judges it with scenario/find-max.ts judgeStep. The primary stops the run at the first
 * step that fails. An instance of a run of several judges the run's merged figures instead (storm/instance-judge.ts):
 * what every instance published, summed per second since the run's start.
 */
import { type FindMaxSpec, judgeStep, type StepResult } from '../scenario/find-max.js';

/** Ticks of a second arrive within this long after it ends. */
const SETTLE_MS = 1500;

/** [second since the run's start (the interval's end), acknowledged, worst p99 (ms) or null, behind]. */
export type SecondFigures = [number, number, number | null, number];

/** The value at the latest second up to `second` (the primary's ticks may skip one). */
function lastUpTo(bySecond: Map<number, number>, second: number): number | undefined {
  for (let s = second; s > second - 3; s--) if (bySecond.has(s)) return bySecond.get(s);
  return undefined;
}

/** Per-second figures keyed by Unix second on this host's clock. */
class Figures {
  readonly acked = new Map<number, number>();
  readonly p99 = new Map<number, number>();
  readonly behind = new Map<number, number>();
  /** The slowest readers' group's backlog, by second (with --consumer-groups). */
  readonly readersBehind = new Map<number, number>();

  add(second: number, acked: number, p99: number | null, behind: number): void {
    this.acked.set(second, (this.acked.get(second) ?? 0) + acked);
    if (p99 !== null) this.p99.set(second, Math.max(this.p99.get(second) ?? 0, p99));
    this.behind.set(second, Math.max(this.behind.get(second) ?? 0, behind));
  }
}

export class StepJudge {
  /** What this process's children reported. */
  private readonly own = new Figures();
  /** What the steps are judged on: this process's figures, or the run's merged ones (useMerged). */
  private view = this.own;
  readonly steps: StepResult[] = [];

  constructor(
    readonly spec: FindMaxSpec,
    /** How long after a step ends its figures are all in (longer when they come from other instances). */
    private readonly settleMs = SETTLE_MS,
  ) {}

  /** The slowest readers' group's backlog at Unix second `second` (the primary's tick). */
  addReaders(second: number, backlog: number): void {
    this.own.readersBehind.set(second, backlog);
  }

  /** One child's tick for the interval ending at Unix second `second`. */
  add(second: number, acked: number, p99: number | null, behind: number): void {
    this.own.add(second, acked, p99, behind);
  }

  /**
   * This process's figures from the first step not yet judged on, seconds counted from the run's start (`startMs`,
   * Unix ms on this host's clock) as every instance counts them, for the others' judges.
   */
  ownSinceStart(startMs: number): SecondFigures[] {
    const from = startMs / 1000 + (this.steps.length - 1) * this.spec.everySec;
    const rows: SecondFigures[] = [];
    for (const [second, acked] of this.own.acked)
      if (second >= from)
        rows.push([
          Math.round(second - startMs / 1000),
          acked,
          this.own.p99.get(second) ?? null,
          this.own.behind.get(second) ?? 0,
        ]);
    return rows;
  }

  /** Judge on the run's merged figures (every instance's, seconds since the start) from now on. */
  useMerged(rows: Iterable<SecondFigures>, startMs: number): void {
    const merged = new Figures();
    // round(start) + round(second - start) is the second itself, whatever the start's fraction.
    const base = Math.round(startMs / 1000);
    for (const [sinceStart, acked, p99, behind] of rows) merged.add(base + sinceStart, acked, p99, behind);
    this.view = merged;
  }

  /** Takes the steps another instance judged (the run's find-max ended there). */
  adopt(steps: StepResult[]): void {
    this.steps.splice(0, this.steps.length, ...steps);
  }

  /**
   * Judges every step that ended by `nowMs` (run started at `startMs`, Unix ms); the first failure, if any. `final`:
   * the run is over and every tick is in, so a step that ended just now is judged too.
   */
  judge(nowMs: number, startMs: number, final = false): StepResult | undefined {
    const everyMs = this.spec.everySec * 1000;
    const { acked, p99, behind, readersBehind } = this.view;
    for (;;) {
      const k = this.steps.length;
      const stepStart = startMs + k * everyMs;
      const stepEnd = stepStart + everyMs;
      if (nowMs < stepEnd + (final ? 0 : this.settleMs)) return undefined;
      // Whole seconds inside the step, its first second left out (the rate has just changed there).
      const seconds: number[] = [];
      for (let s = Math.ceil((stepStart + 1000) / 1000) + 1; s <= Math.floor(stepEnd / 1000); s++) seconds.push(s);
      const result = judgeStep(
        this.spec,
        this.spec.start + k * this.spec.step,
        seconds.map((s) => acked.get(s) ?? 0),
        seconds.flatMap((s) => (p99.has(s) ? [p99.get(s) as number] : [])),
        behind.get(seconds[seconds.length - 1] ?? Math.floor(stepEnd / 1000)) ?? 0,
        readersBehind.size ? lastUpTo(readersBehind, Math.floor(stepEnd / 1000)) : undefined,
      );
      this.steps.push(result);
      if (!result.held) return result;
    }
  }

  /** The highest rate a step held (null: not even the first). */
  maxHeld(): number | null {
    const held = this.steps.filter((s) => s.held);
    return held.length ? held[held.length - 1].rate : null;
  }
}
