// BrandPulse: per-second sentiment, summed over brands and partitions (InfluxDB 2.x, bucket "brandpulse").
// The query the seed's dashboard runs; test/integration/pulse/pulse.test.ts runs this file unchanged.
from(bucket: "brandpulse")
  |> range(start: -1h)
  |> filter(fn: (r) => r._measurement == "tweets" and r._field == "count")
  |> group(columns: ["sentiment"])
  |> aggregateWindow(every: 1s, fn: sum)
