/**
 * The end of a child's warm-up: until the first lease at or past --warmup every count and latency belongs to the
 * warm-up. At the barrier everything in flight settles first (a pause of one round trip, once), a tick closes the
 * warm-up's interval, and the partition counts so far are set aside, so everything after is measured and nothing
 * before is.
 */

import type { StopSignal } from '../child-main.js';
import type { BatchProducer } from '../kafka/native/batch-producer.js';
import { steadyNow } from '../steady-clock.js';

const SETTLE_TIMEOUT_MS = 30_000;

export class WarmupBarrier {
  warming: boolean;
  /** Acknowledged per partition during the warm-up (subtracted from the run's). */
  partitionsBefore: number[] = [];

  constructor(
    private readonly warmupMs: number,
    private readonly producer: BatchProducer,
    private readonly stop: StopSignal,
  ) {
    this.warming = warmupMs > 0;
  }

  /** Whether a lease at `elapsedMs` into the run crosses the barrier now. */
  reached(elapsedMs: number): boolean {
    return this.warming && elapsedMs >= this.warmupMs;
  }

  /** Crosses it: settles what is in flight, then `tick` reports the warm-up's last interval. */
  async cross(tick: () => Promise<void>): Promise<void> {
    await settle(this.producer, this.stop, SETTLE_TIMEOUT_MS, 2);
    const warmupTick = tick(); // its counts are taken synchronously, before warming ends
    this.warming = false;
    this.partitionsBefore = this.producer.partitionCounts();
    await warmupTick;
  }

  /** Acknowledged per partition after the warm-up. */
  measuredPartitions(): number[] {
    return this.producer.partitionCounts().map((n, p) => n - (this.partitionsBefore[p] ?? 0));
  }
}

/**
 * Waits (bounded, polling every `pollMs`) until nothing is in flight, or a stop when `stop` is given. A bound given
 * as a function is read at every poll, so that it can shorten while it runs (a second Ctrl-C).
 */
export async function settle(
  producer: BatchProducer,
  stop: StopSignal | null,
  timeoutMs: number | (() => number),
  pollMs: number,
): Promise<void> {
  const bound = typeof timeoutMs === 'number' ? () => timeoutMs : timeoutMs;
  const started = steadyNow();
  while (producer.inFlight() > 0 && !stop?.requested && steadyNow() - started < bound())
    await new Promise((resolve) => setTimeout(resolve, pollMs));
}
