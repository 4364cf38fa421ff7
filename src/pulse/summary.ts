/** `pulse --summary`: the sentiment breakdown of the last minutes, from InfluxDB's own sums. */
import type { PulseSummary } from '../report/pulse-report.js';
import { checkInflux, type InfluxTarget, influxQuery } from './influx-sink.js';
import { MEASUREMENT } from './points.js';

export async function sentimentSummary(influx: InfluxTarget, minutes: number): Promise<PulseSummary> {
  await checkInflux(influx);
  const q = `SELECT sum("count") FROM "${MEASUREMENT}" WHERE time > now() - ${minutes}m GROUP BY "sentiment"`;
  const series = await influxQuery(influx, q);
  const by = { positive: 0, negative: 0, neutral: 0 };
  for (const s of series) {
    const k = s.tags?.sentiment;
    if (k === 'positive' || k === 'negative' || k === 'neutral') by[k] = Number(s.values[0]?.[1] ?? 0);
  }
  return { minutes, total: by.positive + by.negative + by.neutral, bySentiment: by };
}
