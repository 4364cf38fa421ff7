/** `pulse --summary`: the sentiment breakdown of the last minutes, summed by InfluxDB (Flux, through the QueryApi). */

import { checkInflux, fluxRows, fluxString, type InfluxTarget } from '../influx/influx-sink.js';
import type { PulseSummary } from '../report/pulse-report.js';
import { MEASUREMENT } from './points.js';

export async function sentimentSummary(influx: InfluxTarget, minutes: number): Promise<PulseSummary> {
  await checkInflux(influx);
  const flux =
    `from(bucket: ${fluxString(influx.bucket)}) |> range(start: -${minutes}m)` +
    ` |> filter(fn: (r) => r._measurement == "${MEASUREMENT}" and r._field == "count")` +
    ' |> group(columns: ["sentiment"]) |> sum()';
  const by = { positive: 0, negative: 0, neutral: 0 };
  for (const row of await fluxRows(influx, flux)) {
    const k = row.sentiment;
    if (k === 'positive' || k === 'negative' || k === 'neutral') by[k] = Number(row._value ?? 0);
  }
  return { minutes, total: by.positive + by.negative + by.neutral, bySentiment: by };
}
