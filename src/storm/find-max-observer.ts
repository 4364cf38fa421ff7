/**
 * --find-max as an observer of the storm's ticks: each second it judges the steps that ended (on this process's
 * figures, or on the run's merged figures for an instance of several) and stops the run at the first that failed;
 * when the run is over, the steps left are judged.
 */
import type { StepResult } from '../scenario/find-max.js';
import type { InstanceJudge } from './instance-judge.js';
import type { RunAggregate } from './run-aggregate.js';
import type { StepJudge } from './step-judge.js';

export interface FindMaxRun {
  stop(): void;
  emit(event: 'step', failed: StepResult): boolean;
  emit(event: 'warning', message: string): boolean;
}

export class FindMaxObserver {
  /** Set once the run's merged figures are judged (an instance of several, after the barrier). */
  instanceJudge?: InstanceJudge;
  /** A step failed: the run was stopped there. */
  ended = false;

  constructor(
    readonly judge: StepJudge,
    private readonly agg: RunAggregate,
    private readonly run: FindMaxRun,
  ) {}

  tick(t: { readers?: { backlog: number }[] }, final: boolean): void {
    if (final) return;
    const nowMs = performance.timeOrigin + performance.now();
    if (t.readers?.length)
      this.judge.addReaders(Math.round(nowMs / 1000), Math.max(...t.readers.map((g) => g.backlog)));
    this.step(nowMs);
  }

  private step(nowMs: number): void {
    const start = this.agg.totals.scheduleStartMs;
    if (this.ended || start === null) return;
    if (this.instanceJudge) {
      this.instanceJudge
        .step(nowMs, start)
        .then((failed) => failed && this.end(failed))
        .catch((e: Error) => this.run.emit('warning', `--find-max: the run's merged figures not read: ${e.message}`));
      return;
    }
    const failed = this.judge.judge(nowMs, start);
    if (failed) this.end(failed);
  }

  private end(failed: StepResult): void {
    if (this.ended) return;
    this.ended = true;
    this.run.emit('step', failed);
    this.run.stop();
  }

  /** The run over: the steps left are judged, on the run's merged figures for an instance (published first). */
  async final(endMs: number, publish: () => Promise<void>): Promise<void> {
    const startMs = this.agg.totals.scheduleStartMs;
    if (this.ended || startMs === null) return;
    if (!this.instanceJudge) {
      this.judge.judge(endMs, startMs, true);
      return;
    }
    await publish();
    // Every instance's last seconds, published after they end here (their children tick once more as they finish).
    const untilSec = (endMs - startMs) / 1000 + 1.5;
    await this.instanceJudge
      .final(endMs, startMs, untilSec)
      .catch((e: Error) => this.run.emit('warning', `--find-max: the run's last step not judged: ${e.message}`));
  }
}
