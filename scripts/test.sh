#!/usr/bin/env bash
# The README's test command: sets everything up on a fresh machine, starts a real 3-broker Kafka cluster and Redis
# (own ports and state, apart from a storm's default cluster), runs unit and integration tests against them, stops
# what it started (DATASTORM_KEEP=1 keeps them for the next run), then runs the performance gate (make bench-quick).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

bash scripts/setup.sh
# Format, lint and line length first: seconds, and a red tree is not worth a cluster.
npm run -s lint

export DATASTORM_KAFKA_HOME=$ROOT/.run/test-cluster
export DATASTORM_KAFKA_PORT=${DATASTORM_TEST_KAFKA_PORT:-29092}
export DATASTORM_CONTROLLER_PORT=${DATASTORM_TEST_CONTROLLER_PORT:-29090}
export DATASTORM_BROKER_HEAP=${DATASTORM_BROKER_HEAP:-512m}
REDIS_PORT=${DATASTORM_TEST_REDIS_PORT:-6390}
INFLUX_PORT=${DATASTORM_TEST_INFLUX_PORT:-8196}
INFLUX_TLS_PORT=$((INFLUX_PORT + 1))
REGISTRY_PORT=${DATASTORM_TEST_REGISTRY_PORT:-18181}

started_cluster=0 started_redis=0 started_influx=0 started_influx_tls=0 started_registry=0
cleanup() {
  [[ ${DATASTORM_KEEP:-0} == 1 ]] && return 0
  ((started_cluster)) && bash kafka-cluster/cluster.sh down --purge || true
  ((started_redis)) && bash scripts/redis.sh down "$REDIS_PORT" || true
  ((started_influx)) && bash scripts/influxdb.sh down "$INFLUX_PORT" --purge || true
  ((started_influx_tls)) && bash scripts/influxdb.sh down "$INFLUX_TLS_PORT" --purge || true
  ((started_registry)) && bash scripts/registry.sh down "$REGISTRY_PORT" || true
}
trap cleanup EXIT

[[ -f $DATASTORM_KAFKA_HOME/brokers ]] || started_cluster=1
[[ -f $ROOT/.run/redis-$REDIS_PORT.pid ]] || started_redis=1
[[ -f $ROOT/.run/influxdb-$INFLUX_PORT/influxd.pid ]] || started_influx=1
[[ -f $ROOT/.run/influxdb-$INFLUX_TLS_PORT/influxd.pid ]] || started_influx_tls=1
[[ -f $ROOT/.run/registry-$REGISTRY_PORT/registry.pid ]] || started_registry=1
# A cluster of another size left by an interrupted run is replaced.
# Each broker also has a SASL_SSL listener (SCRAM-SHA-512, a CA made on the spot): the secured-cluster tests and the
# bad-input rows about TLS and SASL use it, with the client.properties cluster.sh writes.
DATASTORM_TEST_SECURED_BOOTSTRAP=$(bash kafka-cluster/cluster.sh up --brokers 3 --security sasl_ssl --restart | tail -1)
DATASTORM_TEST_BOOTSTRAP=$(bash kafka-cluster/cluster.sh bootstrap)
DATASTORM_TEST_KAFKA_CONFIG=$DATASTORM_KAFKA_HOME/security/client.properties
export DATASTORM_TEST_SECURED_BOOTSTRAP DATASTORM_TEST_KAFKA_CONFIG
DATASTORM_TEST_REDIS=$(bash scripts/redis.sh up "$REDIS_PORT" | tail -1)
DATASTORM_TEST_INFLUX=$(bash scripts/influxdb.sh up "$INFLUX_PORT" | tail -1)
DATASTORM_TEST_INFLUX_TOKEN=$(bash scripts/influxdb.sh token "$INFLUX_PORT")
export DATASTORM_TEST_BOOTSTRAP DATASTORM_TEST_REDIS DATASTORM_TEST_INFLUX DATASTORM_TEST_INFLUX_TOKEN
export DATASTORM_TEST_INFLUX_PORT=$INFLUX_PORT
# A second InfluxDB, https only, with a CA of its own (pulse and the dashboard over TLS, and their bad-input rows).
DATASTORM_TEST_INFLUX_TLS=$(bash scripts/influxdb.sh up "$INFLUX_TLS_PORT" --tls | tail -1)
export DATASTORM_TEST_INFLUX_TLS DATASTORM_TEST_INFLUX_CA=$ROOT/.run/influxdb-$INFLUX_TLS_PORT/tls/ca.pem
# Jenkins' JUnit schema and xmllint: --junit's output is validated against them, not string-matched.
DATASTORM_TEST_JUNIT_XSD=$(bash scripts/junit-xsd.sh | tail -1)
export DATASTORM_TEST_JUNIT_XSD
# A real Schema Registry (Apicurio, Confluent's API) and independent readers (fastavro, confluent-kafka) for records.
DATASTORM_TEST_REGISTRY=$(bash scripts/registry.sh up "$REGISTRY_PORT" | tail -1)
DATASTORM_TEST_PYTHON=$(bash scripts/python-readers.sh | tail -1)
export DATASTORM_TEST_REGISTRY DATASTORM_TEST_PYTHON
echo "test: Kafka at $DATASTORM_TEST_BOOTSTRAP, Redis at $DATASTORM_TEST_REDIS, InfluxDB at $DATASTORM_TEST_INFLUX" >&2

# One file at a time: the files share one cluster and the machine has 2 cores. DATASTORM_TEST_FILES (make fuzz) runs
# only those files, and then no gate.
# shellcheck disable=SC2086
node --test --test-concurrency=1 ${DATASTORM_TEST_FILES:-dist/test/unit/ dist/test/integration/}
[[ -z ${DATASTORM_TEST_FILES:-} ]] || exit 0

# The performance gate (make bench-quick: DataStorm against the C reference in the same runs, benchmarks/baseline.json)
# on its own 1-broker cluster, once the test services are stopped so they take no CPU from it.
cleanup
trap - EXIT
bash benchmarks/run.sh quick
