#!/usr/bin/env bash
# Benchmarks side by side on one local cluster (its own state and ports: .run/bench-cluster, 28090-28099, below
# Linux's ephemeral range, where a client connection could hold a broker's port as it starts).
#   benchmarks/run.sh quick   the regression gate: 1 broker, acks=all, 5M tweets, DataStorm and the C reference alternated
#                             3 times; exit 1 when DataStorm's msgs/s or client CPU per message is outside baseline.json
#   benchmarks/run.sh full    1 and 4 brokers, acks=all, 3 runs, every tool (and three over SASL_SSL on 1 broker):
#                             results/bench-full.json, RESULTS.md, throughput.svg
#   benchmarks/run.sh tls     the storm, the C reference and ProducerPerformance over the PLAINTEXT and SASL_SSL
#                             listeners of one broker, rotated, 3 rounds: results/bench-tls.json, TLS.md
#   benchmarks/run.sh pulse   pulse (both stores, real InfluxDB) beside Kafka's ConsumerPerformance and the storm, and
#                             InfluxDB's ceiling (inch, built with go, and prepared lines): results/pulse.json, PULSE.md
#   benchmarks/run.sh readers   the storm's readers beside ConsumerPerformance (read rate) and EndToEndLatency:
#                             results/readers.json, READERS.md
#   benchmarks/run.sh omb       OpenMessaging Benchmark's 1-topic-16-partitions-1kb workload with its kafka-latency
#                             driver at full scale (15 min) on 1 broker: results/omb-result.json (OMB's format), OMB.md
#   benchmarks/run.sh pipeline   storm and pulse at once, rate steps up to where pulse's lag stops being bounded,
#                             freshness measured in InfluxDB: results/pipeline.json, PIPELINE.md
#   benchmarks/run.sh dashboard   storms without and with --dashboard (a page and a scraper watching), alternated:
#                             results/dashboard.json, DASHBOARD.md
#   benchmarks/run.sh records     every datagen quickstart's generator alone, then storms of tweets and of quickstarts,
#                             rotated: results/records.json, RECORDS.md
#   benchmarks/run.sh scenarios   storms without keys, with zipf and uniform keys, and ProducerPerformance, rotated:
#                             results/scenarios.json, SCENARIOS.md
#   benchmarks/run.sh scale   one storm process with 3 workers vs 3 instances of one run, alternated; merged latency
#                             checked against a merge done by the benchmark; Redis load per instance: SCALE.md
#   benchmarks/run.sh soak [--minutes N] [--rate R]   10 min at 50,000/s on 3 brokers, memory/loop/GC sampled, then
#                             ProducerPerformance the same: results/soak.json, SOAK.md
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
profile=${1:-quick}
[[ $profile =~ ^(quick|full|tls|pulse|pipeline|soak|dashboard|scenarios|scale|records|readers|omb)$ ]] || { echo "run.sh: error: profile must be quick, full, tls, pulse, pipeline, soak, dashboard, scenarios, scale, records, readers or omb (got '$profile')" >&2; exit 2; }
shift || true
bash scripts/setup.sh
REDIS_PORT=6391
started_redis=0
[[ -f .run/redis-$REDIS_PORT.pid ]] || started_redis=1
bash scripts/redis.sh up "$REDIS_PORT" >/dev/null
trap '((started_redis)) && bash scripts/redis.sh down "$REDIS_PORT" || true' EXIT
if [[ $profile == pulse || $profile == pipeline ]]; then
  INFLUX_PORT=8296
  started_influx=0
  [[ -f .run/influxdb-$INFLUX_PORT/influxd.pid ]] || started_influx=1
  bash scripts/influxdb.sh up "$INFLUX_PORT" >/dev/null
  trap '((started_redis)) && bash scripts/redis.sh down "$REDIS_PORT"; ((started_influx)) && bash scripts/influxdb.sh down "$INFLUX_PORT" --purge; true' EXIT
  DATASTORM_BENCH_REDIS=redis://127.0.0.1:$REDIS_PORT DATASTORM_BENCH_INFLUX=http://127.0.0.1:$INFLUX_PORT node "dist/benchmarks/$profile-bench.js"
elif [[ $profile == readers ]]; then
  DATASTORM_BENCH_REDIS=redis://127.0.0.1:$REDIS_PORT node dist/benchmarks/readers-bench.js
elif [[ $profile == omb ]]; then
  DATASTORM_BENCH_REDIS=redis://127.0.0.1:$REDIS_PORT node dist/benchmarks/omb-bench.js
elif [[ $profile == records ]]; then
  DATASTORM_BENCH_REDIS=redis://127.0.0.1:$REDIS_PORT node dist/benchmarks/records-bench.js
elif [[ $profile == scenarios ]]; then
  DATASTORM_BENCH_REDIS=redis://127.0.0.1:$REDIS_PORT node dist/benchmarks/scenario-bench.js
elif [[ $profile == dashboard ]]; then
  DATASTORM_BENCH_REDIS=redis://127.0.0.1:$REDIS_PORT node dist/benchmarks/dashboard-overhead.js
elif [[ $profile == scale ]]; then
  DATASTORM_BENCH_REDIS=redis://127.0.0.1:$REDIS_PORT node dist/benchmarks/scale-bench.js
elif [[ $profile == soak ]]; then
  DATASTORM_BENCH_REDIS=redis://127.0.0.1:$REDIS_PORT node dist/benchmarks/soak.js "$@"
else
  DATASTORM_BENCH_REDIS=redis://127.0.0.1:$REDIS_PORT node dist/benchmarks/bench.js "$profile"
fi
