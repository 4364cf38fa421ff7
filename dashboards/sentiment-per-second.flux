// InfluxDB 2.x equivalent (bucket "brandpulse"), for a cluster that runs 2.x; DataStorm's own scripts run 1.x.
from(bucket: "brandpulse")
  |> range(start: -1h)
  |> filter(fn: (r) => r._measurement == "tweets" and r._field == "count")
  |> group(columns: ["sentiment"])
  |> aggregateWindow(every: 1s, fn: sum)
