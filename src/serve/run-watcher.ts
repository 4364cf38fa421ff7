/**
 * `datastorm dashboard`: watches a run from outside, through the run's global counters in Redis (every process of
 * the run adds to them), and emits the storm's 'tick' shape for the dashboard. What only the storm process knows
 * (latency, in flight, its children) is left empty: open the storm's own --dashboard for that.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { Counters } from '../coord/counters.js';
import { noLatencyBuckets } from '../report/latency-buckets.js';
import type { StormProgress } from '../report/progress.js';

export class RunWatcher extends EventEmitter {
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly redis: Redis,
    private readonly runId: string,
  ) {
    super();
  }

  start(everyMs = 1000): this {
    const counters = new Counters(this.redis, this.runId);
    const t0 = Date.now();
    let last: { acked: number; t: number } | undefined;
    let first: { acked: number; t: number } | undefined;
    this.timer = setInterval(async () => {
      const totals = await counters.read().catch(() => undefined);
      if (!totals) return;
      const now = Date.now();
      first ??= { acked: totals.acked, t: now };
      const current = last ? ((totals.acked - last.acked) * 1000) / (now - last.t) : 0;
      last = { acked: totals.acked, t: now };
      const tick: StormProgress = {
        elapsedSec: (now - t0) / 1000,
        acked: totals.acked,
        currentRate: current,
        averageRate: now > first.t ? ((totals.acked - first.acked) * 1000) / (now - first.t) : 0,
        errors: totals.failed,
        inFlight: 0,
        behind: 0,
        targetRate: null,
        warmingUp: false,
        sent: totals.acked + totals.failed,
        failedByKind: totals.failed ? { failed: totals.failed } : {},
        mix: [totals.positive, totals.negative, totals.neutral],
        latencyMs: null,
        latencyBuckets: noLatencyBuckets(),
        children: [],
      };
      this.emit('tick', tick);
    }, everyMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
