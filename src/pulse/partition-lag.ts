/** A pulse child's lag per partition it owns, from librdkafka's statistics and where the child has read to. */

interface PartitionStats {
  hi_offset: number;
  committed_offset: number;
  next_offset: number;
}
export interface ConsumerStatistics {
  /** librdkafka's monotonic clock when the statistics were taken (µs). */
  ts?: number;
  topics?: Record<string, { partitions: Record<string, PartitionStats> }>;
}

/**
 * Messages behind each assigned partition's end (-1: unknown yet). A partition not consumed from yet since it was
 * assigned is placed by the group's committed offset, or at the end when the fetch already is, but only by statistics
 * taken after the assignment (`assignedAt`: the statistics' ts then): older ones show where the fetch stood under the
 * previous assignment (all read, say, before a rebalance dropped what was not yet written), not where it restarts.
 */
export function partitionLag(
  statistics: ConsumerStatistics,
  topic: string,
  assigned: Iterable<number>,
  positionOf: (partition: number) => number | undefined,
  assignedAt: (partition: number) => number | undefined = () => undefined,
): Record<number, number> {
  const partitions = statistics.topics?.[topic]?.partitions ?? {};
  const taken = statistics.ts ?? Number.NEGATIVE_INFINITY;
  const stale = (p: number) => {
    const since = assignedAt(p);
    return since !== undefined && taken <= since;
  };
  const lag: Record<number, number> = {};
  for (const p of assigned) {
    const stats = partitions[String(p)];
    const position = positionOf(p);
    if (!stats || stats.hi_offset < 0 || (position === undefined && stale(p))) {
      lag[p] = -1;
      continue;
    }
    const at = position ?? startOf(stats);
    lag[p] = at < 0 ? -1 : Math.max(0, stats.hi_offset - at);
  }
  return lag;
}

const startOf = (stats: PartitionStats) =>
  stats.committed_offset >= 0 ? stats.committed_offset : stats.next_offset >= stats.hi_offset ? stats.hi_offset : -1;
