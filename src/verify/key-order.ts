/**
 * Verify's order-per-key check (pure: fed messages, no I/O). Kafka keeps order per partition, and the default
 * partitioner sends every message of a key to one partition, so a keyed stream is in order per key when each key
 * stays in one partition and each producer's sequence rises along it. Counts keys seen in more than one partition
 * (their order across partitions cannot hold, e.g. after the partition count changed) and messages whose sequence is
 * lower than the previous one of the same producer and key.
 */
import type { KeyOrderTotals } from '../report/verify-report.js';

export class KeyOrder {
  /** key → its partition (-1 once seen in a second one) and message count */
  private readonly keys = new Map<string, { partition: number; count: number }>();
  /** producer + key → last sequence read */
  private readonly last = new Map<string, number>();
  private keyed = 0;
  private outOfOrder = 0;

  add(key: string, producer: string, seq: number, partition: number): void {
    this.keyed++;
    const k = this.keys.get(key);
    if (!k) this.keys.set(key, { partition, count: 1 });
    else {
      k.count++;
      if (k.partition !== partition) k.partition = -1;
    }
    const id = `${producer}\u0000${key}`;
    const prev = this.last.get(id);
    if (prev !== undefined && seq < prev) this.outOfOrder++;
    this.last.set(id, seq);
  }

  /** Null when no message had a key. */
  result(): KeyOrderTotals | null {
    if (this.keyed === 0) return null;
    let several = 0,
      top = 0;
    for (const k of this.keys.values()) {
      if (k.partition === -1) several++;
      if (k.count > top) top = k.count;
    }
    return {
      keys: this.keys.size,
      keyedMessages: this.keyed,
      keysInSeveralPartitions: several,
      outOfOrder: this.outOfOrder,
      topKeyShare: top / this.keyed,
    };
  }
}
