/** A pulse child's lag per partition it owns, from librdkafka's statistics and where the child has read to. */

interface PartitionStats {
  hi_offset: number;
  committed_offset: number;
  next_offset: number;
}
export interface ConsumerStatistics {
  topics?: Record<string, { partitions: Record<string, PartitionStats> }>;
}

/**
 * Messages behind each assigned partition's end (-1: unknown yet). A partition not consumed from yet in this run is
 * placed by the group's committed offset, or at the end when the fetch already is.
 */
export function partitionLag(
  statistics: ConsumerStatistics,
  topic: string,
  assigned: Iterable<number>,
  positionOf: (partition: number) => number | undefined,
): Record<number, number> {
  const partitions = statistics.topics?.[topic]?.partitions ?? {};
  const lag: Record<number, number> = {};
  for (const p of assigned) {
    const stats = partitions[String(p)];
    if (!stats || stats.hi_offset < 0) {
      lag[p] = -1;
      continue;
    }
    const at = positionOf(p) ?? startOf(stats);
    lag[p] = at < 0 ? -1 : Math.max(0, stats.hi_offset - at);
  }
  return lag;
}

const startOf = (stats: PartitionStats) =>
  stats.committed_offset >= 0 ? stats.committed_offset : stats.next_offset >= stats.hi_offset ? stats.hi_offset : -1;
