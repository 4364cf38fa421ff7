/**
 * A child's side of the global quota (coord/quota.ts): leases slices sized to the rate the shape aims at next, numbers
 * them so a retried call gets the same slice, rides out Redis blips for REDIS_GRACE_MS, and keeps this process's
 * reading of the run's start (Redis' start minus the lease's elapsed time; the least reading is the closest).
 * As fast as possible, a slice grows by whole batches while leases come faster than one per FAST_LEASE_MS, up to
 * MAX_BATCHES_PER_LEASE: Redis sees about ten leases a second per child whatever the message rate.
 */

import type { StopSignal } from '../child-main.js';
import { type Lease, leaseChunk, type Quota } from '../coord/quota.js';
import { displayRedisUrl } from '../coord/redis.js';
import { DataStormError, isDataStormError } from '../errors.js';
import { rateAt, type Schedule } from '../scenario/schedule.js';
import { steadyNow } from '../steady-clock.js';

/**
 * A lease that fails is retried for this long (a Redis restart, a failover); after that the child stops producing,
 * flushes what is in flight and reports true counts: without the quota it cannot honour an exact --count or a shared
 * --rate, and guessing would make the numbers untrue.
 */
export const REDIS_GRACE_MS = 5000;
const RETRY_MS = 250;
/** A slice is sized to the rate a fiftieth of a second ahead: the second the slice will be sent in. */
const AIM_AHEAD_MS = 20;
/** As fast as possible: leases closer than this double the next slice; further apart than SLOW_LEASE_MS halve it. */
const FAST_LEASE_MS = 100;
const SLOW_LEASE_MS = 400;
/**
 * The most batches one slice spans: 8 batches of 8,000 is what a child sends in about 100 ms at full speed. A
 * child's unsent remainder at a stop or death is at most this (given back like any unsettled slice).
 */
export const MAX_BATCHES_PER_LEASE = 8;

export interface LeaserSettings {
  producerId: string;
  batchSize: number;
  workers: number;
  /** Named in the error when Redis stays away. */
  redisUrl: string;
}

export class QuotaLeaser {
  /** The run's start on this process's steady clock (steady-clock.ts, Unix ms); +Infinity before the first lease. */
  startLocal = Number.POSITIVE_INFINITY;
  /** When this producer's first slice was granted, ms after the run's start by Redis' clock (an instance's start). */
  firstGrantMs: number | null = null;
  /** Messages the next lease asks for. */
  chunk: number;
  /** Numbers this producer's granted leases; a retried call reuses its number (see Quota.lease). */
  private leaseNo = 0;
  /** As fast as possible: how many batches the next slice spans, and when the last one was granted. */
  private batchesPerLease = 1;
  private lastGrantAt = Number.NaN;

  constructor(
    private readonly quota: Quota,
    private readonly schedule: Schedule,
    private readonly settings: LeaserSettings,
    private readonly stop: StopSignal,
  ) {
    this.chunk = leaseChunk(settings.batchSize, rateAt(schedule, 0), settings.workers);
  }

  /** The run's start on this process's clock, once a lease has read it. */
  get scheduleStartMs(): number | null {
    return Number.isFinite(this.startLocal) ? this.startLocal : null;
  }

  /** The next slice; sizes the one after to the rate the schedule aims at when it will be sent. */
  async next(): Promise<Lease> {
    const lease = await this.leaseWithRetries();
    const rate = this.rateAhead(lease);
    this.chunk = Number.isFinite(rate)
      ? leaseChunk(this.settings.batchSize, rate, this.settings.workers)
      : this.settings.batchSize * this.fullSpeedBatches(lease);
    return lease;
  }

  /** As fast as possible: more batches per slice while leases come fast, fewer when they slow down. */
  private fullSpeedBatches(lease: Lease): number {
    if (lease.granted === 0) return this.batchesPerLease;
    const now = performance.now();
    const sinceLast = now - this.lastGrantAt;
    this.lastGrantAt = now;
    if (sinceLast < FAST_LEASE_MS) this.batchesPerLease = Math.min(MAX_BATCHES_PER_LEASE, this.batchesPerLease * 2);
    else if (sinceLast > SLOW_LEASE_MS) this.batchesPerLease = Math.max(1, this.batchesPerLease / 2);
    return this.batchesPerLease;
  }

  /** The rate the schedule aims at just after this lease. */
  rateAhead(lease: Lease): number {
    return rateAt(this.schedule, lease.elapsedMs + AIM_AHEAD_MS);
  }

  private async leaseWithRetries(): Promise<Lease> {
    const deadline = steadyNow() + REDIS_GRACE_MS;
    for (;;) {
      try {
        const lease = await this.quota.lease(this.chunk, this.settings.producerId, this.leaseNo);
        if (lease.granted > 0) {
          this.firstGrantMs ??= lease.elapsedMs;
          this.leaseNo++;
        }
        this.startLocal = Math.min(this.startLocal, steadyNow() - lease.elapsedMs);
        return lease;
      } catch (e) {
        if (isDataStormError(e)) throw e;
        if (this.stop.requested || steadyNow() >= deadline) throw this.redisLost(e as Error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private redisLost(cause: Error): DataStormError {
    return new DataStormError(
      'REDIS_UNREACHABLE',
      `lost Redis at ${displayRedisUrl(this.settings.redisUrl)} mid-run for more than ${REDIS_GRACE_MS / 1000} s ` +
        `(${cause.message}); ` +
        `stopped producing and flushed what was in flight`,
    );
  }
}
