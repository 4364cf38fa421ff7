/**
 * One consumer group's reading of a run, as its members' ticks tell it: the offsets read (exact new reads and
 * re-reads), bytes, reads per second, the second's end-to-end percentiles, which partitions are assigned, and the
 * members' latency histograms at the end (merged, never their percentiles).
 */
import type { Histogram } from 'hdr-histogram-js';
import { readerLatencyHistogram } from '../measure/histograms.js';
import { addPairs } from '../measure/value-counts.js';
import { OffsetRanges } from './offset-ranges.js';
import type { ReaderDone, ReaderTick } from './protocol.js';

export class GroupTally {
  readonly ranges = new OffsetRanges();
  /** New reads: offsets no member of the group read before. */
  consumed = 0;
  /** Offsets read again (a rebalance restarts a partition at its last commit). */
  reread = 0;
  bytes = 0;
  /** New reads per wall-clock second (Unix s). */
  readonly perSecond = new Map<number, number>();
  /** The first and last read of any member (Unix ms): the span the group read over. */
  firstReadMs = Number.POSITIVE_INFINITY;
  lastReadMs = Number.NEGATIVE_INFINITY;
  /** Each member's partitions now. */
  readonly assigned = new Map<number, Set<number>>();
  /** Members that ever had a partition. */
  readonly everAssigned = new Set<number>();
  /** The worst member's end-to-end p99 (ms) of the last second, from creation and from the intended time. */
  secondE2e: { p50: number; p99: number } | null = null;
  secondIntendedP99: number | null = null;
  readonly e2e: Histogram = readerLatencyHistogram();
  readonly intended: Histogram = readerLatencyHistogram();
  cpuMicros = 0;
  /** --backlog: what the group had read when told to resume, and when it had caught up (Unix ms). */
  resumedFrom = 0;
  caughtUpAtMs?: number;
  consumedAtCatchUp = 0;
  /** The most messages acknowledged and not yet read by the group, seen at a tick. */
  backlogMost = 0;

  constructor(
    readonly name: string,
    readonly members: number,
  ) {}

  tick(m: ReaderTick): void {
    let fresh = 0;
    for (let i = 0; i + 2 < m.runs.length; i += 3) fresh += this.ranges.add(m.runs[i], m.runs[i + 1], m.runs[i + 2]);
    this.consumed += fresh;
    this.reread += m.read - fresh;
    this.bytes += m.bytes;
    if (m.firstReadMs !== null) this.firstReadMs = Math.min(this.firstReadMs, m.firstReadMs);
    if (m.lastReadMs !== null) this.lastReadMs = Math.max(this.lastReadMs, m.lastReadMs);
    if (fresh > 0) this.perSecond.set(m.second, (this.perSecond.get(m.second) ?? 0) + fresh);
    if (m.e2e && (!this.secondE2e || m.e2e.p99 > this.secondE2e.p99)) this.secondE2e = m.e2e;
    if (m.intendedP99 !== null) this.secondIntendedP99 = Math.max(this.secondIntendedP99 ?? 0, m.intendedP99);
  }

  assignment(member: number, assigned: boolean, partitions: number[]): void {
    const own = this.assigned.get(member) ?? new Set<number>();
    this.assigned.set(member, own);
    for (const p of partitions) {
      if (assigned) own.add(p);
      else own.delete(p);
    }
    if (assigned && partitions.length) this.everAssigned.add(member);
  }

  /** Whether every partition of the topic has a member. */
  covers(partitions: number): boolean {
    const all = new Set<number>();
    for (const own of this.assigned.values()) for (const p of own) all.add(p);
    return all.size >= partitions;
  }

  done(m: ReaderDone): void {
    addPairs(this.e2e, m.e2e);
    addPairs(this.intended, m.intended);
    this.cpuMicros += m.cpuMicros;
  }

  /** The second's figures are read once by the sampler, then start again. */
  takeSecond(): { e2e: { p50: number; p99: number } | null; intendedP99: number | null } {
    const second = { e2e: this.secondE2e, intendedP99: this.secondIntendedP99 };
    this.secondE2e = null;
    this.secondIntendedP99 = null;
    return second;
  }
}
