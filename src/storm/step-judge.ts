/**
 * --find-max's referee: collects what every child reported per wall-clock second (acknowledged, the worst p99 from the
 * intended send times, how far behind the schedule was), and once a step of the staircase is over (plus a moment for
 * the last ticks to arrive) judges it with scenario/find-max.ts judgeStep. The primary stops the run at the first
 * step that fails.
 */
import { type FindMaxSpec, judgeStep, type StepResult } from '../scenario/find-max.js';

/** Ticks of a second arrive within this long after it ends. */
const SETTLE_MS = 1500;

export class StepJudge {
  private readonly acked = new Map<number, number>();
  private readonly p99 = new Map<number, number>();
  private readonly behind = new Map<number, number>();
  readonly steps: StepResult[] = [];

  constructor(private readonly spec: FindMaxSpec) {}

  /** One child's tick for the interval ending at Unix second `second`. */
  add(second: number, acked: number, p99: number | null, behind: number): void {
    this.acked.set(second, (this.acked.get(second) ?? 0) + acked);
    if (p99 !== null) this.p99.set(second, Math.max(this.p99.get(second) ?? 0, p99));
    this.behind.set(second, Math.max(this.behind.get(second) ?? 0, behind));
  }

  /**
   * Judges every step that ended by `nowMs` (run started at `startMs`, Unix ms); the first failure, if any. `final`:
   * the run is over and every tick is in, so a step that ended just now is judged too.
   */
  judge(nowMs: number, startMs: number, final = false): StepResult | undefined {
    const everyMs = this.spec.everySec * 1000;
    for (;;) {
      const k = this.steps.length;
      const stepStart = startMs + k * everyMs;
      const stepEnd = stepStart + everyMs;
      if (nowMs < stepEnd + (final ? 0 : SETTLE_MS)) return undefined;
      // Whole seconds inside the step, its first second left out (the rate has just changed there).
      const seconds: number[] = [];
      for (let s = Math.ceil((stepStart + 1000) / 1000) + 1; s <= Math.floor(stepEnd / 1000); s++) seconds.push(s);
      const result = judgeStep(
        this.spec,
        this.spec.start + k * this.spec.step,
        seconds.map((s) => this.acked.get(s) ?? 0),
        seconds.flatMap((s) => (this.p99.has(s) ? [this.p99.get(s) as number] : [])),
        this.behind.get(seconds[seconds.length - 1] ?? Math.floor(stepEnd / 1000)) ?? 0,
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
