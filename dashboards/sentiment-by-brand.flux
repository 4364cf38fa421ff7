// BrandPulse: sentiment per brand, per 10 s (InfluxDB 2.x, bucket "brandpulse").
from(bucket: "brandpulse")
  |> range(start: -1h)
  |> filter(fn: (r) => r._measurement == "tweets" and r._field == "count")
  |> group(columns: ["brand", "sentiment"])
  |> aggregateWindow(every: 10s, fn: sum)
