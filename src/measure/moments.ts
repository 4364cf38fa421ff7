/**
 * Count, sum and sum of squares of a series: enough for its mean and standard deviation, merged by adding, in three
 * numbers however long the run (the per-batch sentiment shares of a volatile storm).
 */
export type Moments = [n: number, sum: number, sumOfSquares: number];

export const noMoments = (): Moments => [0, 0, 0];

export function addValue(m: Moments, x: number): void {
  m[0]++;
  m[1] += x;
  m[2] += x * x;
}

export function mergeMoments(into: Moments, m: Readonly<Moments>): void {
  into[0] += m[0];
  into[1] += m[1];
  into[2] += m[2];
}

/** Population standard deviation; null for an empty series. */
export function stdOf(m: Readonly<Moments>): number | null {
  if (m[0] === 0) return null;
  const mean = m[1] / m[0];
  return Math.sqrt(Math.max(0, m[2] / m[0] - mean * mean));
}
