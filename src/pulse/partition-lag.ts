/** A pulse child's lag per partition it owns, from librdkafka's statistics and where the child has read to. */

interface PartitionStats {
  hi_offset: number;
  /** The log's start on the broker (-1 until a fetch or an offset request told). */
  lo_offset?: number;
  committed_offset: number;
}
export interface ConsumerStatistics {
  /** librdkafka's monotonic clock when the statistics were taken (µs). */
  ts?: number;
  topics?: Record<string, { partitions: Record<string, PartitionStats> }>;
}

/**
 * Messages behind each assigned partition's end (-1: unknown yet). A partition not consumed from yet since it was
 * assigned is placed where its reading starts: the group's committed offset, or the log's start when the group never
 * committed it (pulse reads from the earliest), and only by statistics taken after the assignment (`assignedAt`: the
 * statistics' ts then). Never by the fetch position: under an earlier assignment this consumer may have fetched the
 * partition to its end and dropped what it had not written at the revocation; until the fetch restarts, the
 * statistics still show that old position, and "caught up" read from it ended a run with a window half read again.
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
  stats.committed_offset >= 0 ? stats.committed_offset : (stats.lo_offset ?? -1);
