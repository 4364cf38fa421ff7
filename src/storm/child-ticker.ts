/**
 * A child's once-a-second report to the primary (and Redis' run counters): what it handed this interval, what was
 * acknowledged or failed since the last tick, latency and health. Ticks fall on whole wall-clock seconds, the same in
 * every child: the primary adds the children's counts per second whatever order or delay their messages arrive in,
 * so the timeline and the peak are true rates. Failed deliveries go back to the quota, so another batch replaces them
 * and an exact --count still lands.
 */

import type { CounterDelta, Counters } from '../coord/counters.js';
import type { Quota } from '../coord/quota.js';
import type { BatchProducer, ProducerCounts } from '../kafka/native/batch-producer.js';
import { routeClientLog } from '../kafka/native/client-log.js';
import { log } from '../log.js';
import { addValue, noMoments } from '../measure/moments.js';
import { steadyNow } from '../steady-clock.js';
import type { ChildLatency } from './child-latency.js';
import type { HealthProbe } from './health-probe.js';
import type { TickMessage } from './protocol.js';

const TICK_MS = 1000;

/** What the child handed to librdkafka this interval. */
export class HandedTally {
  count = 0;
  /** Per sentiment: positive, negative, neutral (tweets only). */
  mix: [number, number, number] = [0, 0, 0];
  /** Positive share of each volatile batch (the report's spread). */
  shares = noMoments();
  /** Open-loop lag at the last lease: messages the schedule allowed that no child had taken yet. */
  behind = 0;

  /** A batch of `count` went out: tweets `bySentiment`, `share` its positive share when the mix is volatile. */
  add(count: number, bySentiment: ArrayLike<number> | null, share: number | null): void {
    this.count += count;
    if (!bySentiment) return;
    this.mix[0] += bySentiment[0];
    this.mix[1] += bySentiment[1];
    this.mix[2] += bySentiment[2];
    if (share !== null) addValue(this.shares, share);
  }

  reset(): void {
    this.count = 0;
    this.mix = [0, 0, 0];
    this.shares = noMoments();
  }
}

export interface TickerParts {
  slot: number;
  producer: BatchProducer;
  latency: ChildLatency;
  health: HealthProbe;
  counters: Counters;
  quota: Quota;
  /** Failed messages go back to the quota only under an exact --count. */
  givesBackFailures: boolean;
  /** Whether this interval's counts belong to the warm-up. */
  warming: () => boolean;
  /** The run's start on this process's clock. */
  scheduleStartMs: () => number | null;
  /** When this child's first slice was granted, ms after the run's start by Redis' clock. */
  firstGrantMs: () => number | null;
  send: (tick: TickMessage) => void;
}

export class ChildTicker {
  readonly handed = new HandedTally();
  private acknowledged = { acked: 0, bytes: 0, failed: 0 };
  /** Throttle time (ms) brokers had answered with at the last tick. */
  private throttledMs = 0;
  private failuresSoFar: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly parts: TickerParts) {}

  /** Failures counted so far (the last tick's reading). */
  get failedSoFar(): number {
    return this.acknowledged.failed;
  }

  /** Ticks on every whole second from now on. */
  start(): void {
    const next = () => {
      this.timer = setTimeout(() => void this.tick().finally(next), TICK_MS - (steadyNow() % TICK_MS));
    };
    next();
  }

  /**
   * What was in flight at the last tick, read with the counts it sent: the unresolved of a child's last report, so
   * that what was acknowledged after it is unresolved, not counted nowhere.
   */
  inFlightAtLastTick = 0;

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Reports the interval; the final tick ends wherever the child finished. Counts are read synchronously. */
  async tick(final = false): Promise<void> {
    const { parts } = this;
    const counts = parts.producer.counts();
    this.inFlightAtLastTick = counts.inFlight;
    const delta = this.deltaSince(counts);
    const message = this.message(counts, delta, final);
    this.handed.reset();
    parts.send(message);
    routeClientLog(`storm child ${parts.slot}`);
    // Redis blips must not stop the run; the primary counts too.
    await parts.counters
      .add(delta)
      .catch((e: Error) => log.warn(`child ${parts.slot}: Redis counters not updated this interval: ${e.message}`));
    if (parts.givesBackFailures && delta.failed > 0)
      await parts.quota
        .giveBack(delta.failed)
        .catch((e: Error) =>
          log.warn(`child ${parts.slot}: ${delta.failed} failed messages not given back: ${e.message}`),
        );
  }

  private deltaSince(counts: ProducerCounts): CounterDelta {
    const before = this.acknowledged;
    const { mix } = this.handed;
    this.acknowledged = { acked: counts.acked, bytes: counts.ackedBytes, failed: counts.failed };
    return {
      acked: counts.acked - before.acked,
      bytes: counts.ackedBytes - before.bytes,
      failed: counts.failed - before.failed,
      positive: mix[0],
      negative: mix[1],
      neutral: mix[2],
    };
  }

  private message(counts: ProducerCounts, delta: CounterDelta, final: boolean): TickMessage {
    const { parts, handed } = this;
    const warming = parts.warming();
    return {
      t: 'tick',
      slot: parts.slot,
      second: final ? Math.ceil(steadyNow() / TICK_MS) : Math.round(steadyNow() / TICK_MS),
      acked: delta.acked,
      bytes: delta.bytes,
      failed: delta.failed > 0 ? this.failuresByKind() : {},
      sent: handed.count,
      mix: handed.mix,
      inFlight: counts.inFlight,
      behind: handed.behind,
      batchShares: handed.shares,
      latency: parts.latency.tick(warming),
      warmup: warming,
      scheduleStartMs: parts.scheduleStartMs(),
      firstGrantMs: parts.firstGrantMs(),
      health: parts.health.interval(),
      throttledMs: this.throttledSince(counts),
    };
  }

  private throttledSince(counts: ProducerCounts): number {
    const interval = counts.throttledMs - this.throttledMs;
    this.throttledMs = counts.throttledMs;
    return interval;
  }

  /** This interval's failures by librdkafka error name. */
  private failuresByKind(): Record<string, number> {
    const now = this.parts.producer.failures();
    const interval: Record<string, number> = {};
    for (const [kind, n] of Object.entries(now)) {
      const before = this.failuresSoFar[kind] ?? 0;
      if (n !== before) interval[kind] = n - before;
    }
    this.failuresSoFar = now;
    return interval;
  }
}
