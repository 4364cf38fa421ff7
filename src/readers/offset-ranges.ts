/**
 * The offsets a consumer group has read, per partition, as sorted disjoint ranges: what makes a group's count exact.
 * A run of offsets a member read adds only what no member read before (new); the rest was read again (a rebalance
 * hands a partition to a member that starts at the last commit, behind what the previous owner had read).
 */
type Range = [first: number, last: number];

export class OffsetRanges {
  private readonly partitions = new Map<number, Range[]>();

  /** Adds offsets first … last of a partition; returns how many of them no earlier add had. */
  add(partition: number, first: number, last: number): number {
    const ranges = this.partitions.get(partition) ?? [];
    this.partitions.set(partition, ranges);
    const tail = ranges[ranges.length - 1];
    // The common case: the run goes on where the partition's last range ends.
    if (!tail || first > tail[1] + 1) {
      ranges.push([first, last]);
      return last - first + 1;
    }
    if (first === tail[1] + 1) {
      tail[1] = last;
      return last - first + 1;
    }
    return this.merge(ranges, first, last);
  }

  /** Inserts a run that overlaps or precedes the existing ranges; returns how many offsets were new. */
  private merge(ranges: Range[], first: number, last: number): number {
    let fresh = last - first + 1;
    const kept: Range[] = [];
    let lo = first;
    let hi = last;
    for (const r of ranges) {
      if (r[1] + 1 < lo || r[0] > hi + 1) {
        kept.push(r);
        continue;
      }
      fresh -= Math.max(0, Math.min(r[1], last) - Math.max(r[0], first) + 1);
      lo = Math.min(lo, r[0]);
      hi = Math.max(hi, r[1]);
    }
    kept.push([lo, hi]);
    kept.sort((a, b) => a[0] - b[0]);
    ranges.splice(0, ranges.length, ...kept);
    return fresh;
  }

  /** Offsets of [from, to) of a partition not read (to: the partition's end, exclusive). */
  missing(partition: number, from: number, to: number): number {
    let covered = 0;
    for (const [a, b] of this.partitions.get(partition) ?? [])
      covered += Math.max(0, Math.min(b, to - 1) - Math.max(a, from) + 1);
    return Math.max(0, to - from - covered);
  }

  /** Offsets read of a partition outside [from, to): read, but not written by this run. */
  outside(partition: number, from: number, to: number): number {
    let all = 0;
    for (const [a, b] of this.partitions.get(partition) ?? []) all += b - a + 1;
    return all - (to - from - this.missing(partition, from, to));
  }
}
