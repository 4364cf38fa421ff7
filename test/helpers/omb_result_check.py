"""Reads a DataStorm --omb-result file as OpenMessaging Benchmark's tools do, and checks it has TestResult's shape.

Every field of io.openmessaging.benchmark.TestResult with its JSON type; per-period series of one length; quantile
maps keyed by percentiles that bin/create_charts.py turns into floats; each period's and the run's percentiles in
order. Prints one line per problem and exits 1, or prints the number of periods and exits 0.
"""
import json
import sys

SERIES = ["publishRate", "publishErrorRate", "consumeRate", "backlog"] + [
    f"{name}{suffix}"
    for name in ["publishLatency", "publishDelayLatency", "endToEndLatency"]
    for suffix in ["Avg", "50pct", "75pct", "95pct", "99pct", "999pct", "9999pct", "Max"]
]
SCALARS = {"workload": str, "driver": str, "messageSize": int, "topics": int, "partitions": int,
            "producersPerTopic": int, "consumersPerTopic": int}
ORDER = ["50pct", "75pct", "95pct", "99pct", "999pct", "9999pct", "Max"]


def main(path):
    r = json.load(open(path))
    problems = []
    for k, t in SCALARS.items():
        if not isinstance(r.get(k), t):
            problems.append(f"{k}: {r.get(k)!r} is not {t.__name__}")
    lengths = {len(r.get(k, [])) for k in SERIES}
    if len(lengths) != 1 or 0 in lengths:
        problems.append(f"series lengths differ or are empty: {lengths}")
    for k in SERIES:
        if not all(isinstance(x, (int, float)) for x in r.get(k, [None])):
            problems.append(f"{k}: not a list of numbers")
    for name in ["Publish", "PublishDelay", "EndToEnd"]:
        agg = [r.get(f"aggregated{name}Latency{s}") for s in ORDER]
        if not all(isinstance(x, (int, float)) for x in agg) or agg != sorted(agg):
            problems.append(f"aggregated{name}Latency: not in order: {agg}")
        q = r.get(f"aggregated{name}LatencyQuantiles")
        if not isinstance(q, dict):
            problems.append(f"aggregated{name}LatencyQuantiles is not a map")
            continue
        values = [v for _, v in sorted((float(p), v) for p, v in q.items())]
        if values != sorted(values):
            problems.append(f"aggregated{name}LatencyQuantiles: not in order")
    for name in ["publishLatency", "endToEndLatency"]:
        for i in range(len(r.get("publishRate", []))):
            period = [r[f"{name}{s}"][i] for s in ORDER]
            if period != sorted(period):
                problems.append(f"{name} period {i}: percentiles not in order: {period}")
    for p in problems:
        print(p)
    if not problems:
        print(len(r["publishRate"]))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
