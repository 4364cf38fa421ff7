/**
 * The shape every engine run shares (storm, pulse, and what comes next: readers, faults, a processor under test).
 *
 * A run is a sequence of named phases over one context, as OpenMessaging Benchmark's WorkloadGenerator runs create
 * topics → create consumers → create producers → wait → warm up → measure → collect. Each phase does one thing to
 * the context and knows nothing of the outputs; the run emits 'phase' as each begins (name, and seconds since the
 * run started), and its report can say where the time went.
 *
 * While the run measures, one tick a second goes to every observer, as k6 feeds one sample stream to its outputs:
 * started once, fed each tick, told the last. The 'tick' event, the live gate, find-max's referee and an instance's
 * publisher are observers; a new one (fault windows, readers' latency) plugs in with observe() and touches nothing
 * else. An observer knows nothing of the phases: the two meet in the tick.
 */
import { AwaitableRun } from '../awaitable-run.js';

/** One named step of a run over its context C. */
export interface Phase<C> {
  readonly name: string;
  run(context: C): Promise<void>;
}

/** Something that follows a run's ticks; `final` is the tick after the run ended (nothing is left to stop). */
export interface TickObserver<T> {
  start?(): void;
  tick(t: T, final: boolean): void;
  stop?(): void;
}

/** Where a phase began, seconds after the run's start. */
export interface PhaseMark {
  name: string;
  atSec: number;
}

const TICK_MS = 1000;

export abstract class RunEngine<R, T> extends AwaitableRun<R> {
  private readonly observers: TickObserver<T>[] = [{ tick: (t) => this.emit('tick', t) }];
  private timer?: NodeJS.Timeout;
  private sample?: () => T | undefined;
  private readonly startedAt = performance.now();
  /** The phases as they began, for the report and for a newcomer reading a run's log. */
  readonly phases: PhaseMark[] = [];

  /** Adds an observer of the ticks (before or during the run). */
  observe(observer: TickObserver<T>): this {
    this.observers.push(observer);
    if (this.timer) observer.start?.();
    return this;
  }

  /** Runs the phases in order; the first that throws ends the run with its error. */
  protected async runPhases<C>(context: C, phases: readonly Phase<C>[]): Promise<void> {
    for (const phase of phases) {
      const mark = { name: phase.name, atSec: (performance.now() - this.startedAt) / 1000 };
      this.phases.push(mark);
      this.emit('phase', mark);
      await phase.run(context);
    }
  }

  /** Starts the tick stream: `sample` makes a tick (undefined: nothing to say yet), once a second. */
  protected startTicks(sample: () => T | undefined): void {
    this.sample = sample;
    for (const o of this.observers) o.start?.();
    this.timer = setInterval(() => this.feed(false), TICK_MS);
  }

  /** Ends the tick stream with one last tick, so every observer ends on the final totals. */
  protected stopTicks(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.feed(true);
    for (const o of this.observers) o.stop?.();
  }

  private feed(final: boolean): void {
    const t = this.sample?.();
    if (t === undefined) return;
    for (const o of this.observers) o.tick(t, final);
  }
}
