/**
 * A child's own health, per interval: GC pauses (kept for the run as a histogram in µs, beside the interval's total
 * and longest) and the event-loop delay (a loop that falls behind shows here before throughput drops).
 */
import { type IntervalHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { ValueCounts } from '../measure/value-counts.js';
import type { ChildHealth } from './protocol.js';

const LOOP_RESOLUTION_MS = 10;
/** Node's histogram holds the time between its timer's runs, resolution included: the delay is what exceeds it. */
const delayOverMs = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);

export class HealthProbe {
  /** Every GC pause of the run, µs. */
  readonly gcPauses = new ValueCounts();
  private gcMs = 0;
  private gcMaxMs = 0;
  private readonly gcObserver: PerformanceObserver;
  private readonly loopDelay: IntervalHistogram;

  constructor() {
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.recordGc(entry.duration);
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
    this.loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.loopDelay.enable();
  }

  private recordGc(ms: number): void {
    this.gcPauses.record(Math.max(1, Math.round(ms * 1000)));
    this.gcMs += ms;
    if (ms > this.gcMaxMs) this.gcMaxMs = ms;
  }

  /** This interval's health; the next interval starts now. */
  interval(): ChildHealth {
    const memory = process.memoryUsage();
    const delay = this.loopDelay;
    const health: ChildHealth = {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      loopDelayP99Ms: delay.count ? delayOverMs(delay.percentile(99)) : 0,
      loopDelayMaxMs: delay.count ? delayOverMs(delay.max) : 0,
      gcMs: this.gcMs,
      gcMaxMs: this.gcMaxMs,
    };
    this.gcMs = this.gcMaxMs = 0;
    delay.reset();
    return health;
  }

  stop(): void {
    this.gcObserver.disconnect();
    this.loopDelay.disable();
  }
}
