/**
 * BrandPulse beside the storm: every few seconds, the per-second sentiment InfluxDB holds (the dashboards' own Flux
 * query, last minute) and the pulse consumer group's lag per partition (its committed offsets against the partitions'
 * ends, kafka/group-lag.ts). Either may be missing (no InfluxDB token, no group yet): the panel says so.
 */
import { fluxRows, fluxString, type InfluxTarget } from '../influx/influx-sink.js';
import { ownValue, setOwn } from '../own-property.js';
import { MEASUREMENT } from '../pulse/points.js';

export interface BrandPulseView {
  /** [unix seconds, positive, negative, neutral] per second of the last minute, from InfluxDB. */
  perSecond: [number, number, number, number][];
  /** Tweets per brand and sentiment over the last minute. */
  byBrand: Record<string, { positive: number; negative: number; neutral: number }>;
  /**
   * How long ago the newest second InfluxDB holds (by created_at) ended, at the query, seconds: the pipeline's data
   * age as the panel sees it (null: nothing in the last minute). pulse's own freshness is per tweet (its dashboard).
   */
  newestSecondAgoSec?: number | null;
  /** The pulse group's lag per partition (-1: nothing committed yet). */
  lagByPartition: Record<string, number>;
  /** Why a part is missing, in one line each. */
  notes: string[];
}

export async function sentimentLastMinute(
  t: InfluxTarget,
): Promise<Pick<BrandPulseView, 'perSecond' | 'byBrand' | 'newestSecondAgoSec'>> {
  const queriedAt = Date.now();
  const flux =
    `from(bucket: ${fluxString(t.bucket)}) |> range(start: -60s)` +
    ` |> filter(fn: (r) => r._measurement == "${MEASUREMENT}" and r._field == "count")` +
    ' |> group(columns: ["brand", "sentiment"]) |> aggregateWindow(every: 1s, fn: sum, createEmpty: false)';
  const seconds = new Map<number, [number, number, number, number]>();
  const byBrand: BrandPulseView['byBrand'] = {};
  const index = { positive: 1, negative: 2, neutral: 3 } as const;
  for (const r of await fluxRows(t, flux)) {
    const sentiment = String(r.sentiment) as keyof typeof index;
    if (!Object.hasOwn(index, sentiment)) continue;
    const sec = Math.round(Date.parse(String(r._time)) / 1000);
    const n = Number(r._value ?? 0);
    const row = seconds.get(sec) ?? [sec, 0, 0, 0];
    seconds.set(sec, row);
    row[index[sentiment]] += n;
    // A brand is data, whatever its name: "__proto__" or "constructor" must be a brand like any other.
    const brand = String(r.brand);
    const b = ownValue(byBrand, brand) ?? { positive: 0, negative: 0, neutral: 0 };
    setOwn(byBrand, brand, b);
    b[sentiment] += n;
  }
  const perSecond = [...seconds.values()].sort((a, b) => a[0] - b[0]);
  // aggregateWindow stamps each second with its end (_stop).
  const newestEnd = perSecond.at(-1)?.[0];
  const newestSecondAgoSec = newestEnd === undefined ? null : Math.round((queriedAt / 1000 - newestEnd) * 10) / 10;
  return { perSecond, byBrand, newestSecondAgoSec };
}
