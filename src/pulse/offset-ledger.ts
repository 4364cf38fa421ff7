/**
 * Where a pulse child stands on each partition it owns: consumed up to (position), buffered up to (pending: what the
 * next flush covers, at most) and committed to. A flush commits only what InfluxDB acknowledged; a revoked partition
 * is forgotten whole, so a later flush of ours never overwrites its new owner's points.
 */
import type { PointBuffer } from './point-buffer.js';

export class OffsetLedger {
  private pending = new Map<number, number>();
  private readonly position = new Map<number, number>();
  private readonly committedTo = new Map<number, number>();

  /** A message at this offset was read (decoded or not). */
  consumed(partition: number, offset: number): void {
    this.pending.set(partition, offset + 1);
    this.position.set(partition, offset + 1);
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** The next offset this child reads on the partition; undefined before its first message there. */
  positionOf(partition: number): number | undefined {
    return this.position.get(partition);
  }

  /** What a flush of `buffer`'s lines may commit once acknowledged; the buffered range starts again after it. */
  takeCommitPlan(buffer: PointBuffer): Map<number, number> {
    const plan = new Map<number, number>();
    for (const [p, next] of this.pending) plan.set(p, buffer.commitOffset(p, next));
    this.pending = new Map();
    return plan;
  }

  committed(plan: Map<number, number>): void {
    for (const [p, at] of plan) this.committedTo.set(p, at);
  }

  revoke(partitions: Iterable<number>): void {
    for (const p of partitions) {
      this.pending.delete(p);
      this.position.delete(p);
      this.committedTo.delete(p);
    }
  }

  /** Consumed but not committed, summed over partitions (a counts window still open: read again next run). */
  uncommitted(): number {
    let total = 0;
    for (const [p, at] of this.position) total += at - (this.committedTo.get(p) ?? at);
    return total;
  }
}
