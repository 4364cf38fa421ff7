#!/usr/bin/env bash
# The CI example's one step (github-actions.yml, gitlab-ci.yml and Jenkinsfile beside this file run it, and
# test/integration/ci/example.test.ts runs it too): set everything up, start a one-broker Kafka cluster and Redis on
# this runner, storm at a fixed rate with thresholds, verify what the topic holds, and leave JUnit XML and a Markdown
# summary per command in $DATASTORM_CI_RESULTS (default ci-results/) for the CI's test reporter.
# Exit: 0 when every threshold and check passed; 99 when a threshold failed; 1 when verify found a message lost or out
# of order; another code (docs/storm.md) when a step could not run. Both commands run whatever the first gave, so the
# reporter always has both files.
#   DATASTORM_CI_RATE (20k), DATASTORM_CI_DURATION (20s): the storm's pace and length; DATASTORM_CI_MIN_RATE (18k):
#   the acknowledged rate it must reach.
#   Arguments are added to the storm's: more thresholds, e.g. --threshold 'p99<100ms'.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
RESULTS=${DATASTORM_CI_RESULTS:-$ROOT/ci-results}
RATE=${DATASTORM_CI_RATE:-20k}
DURATION=${DATASTORM_CI_DURATION:-20s}
REDIS_PORT=${DATASTORM_CI_REDIS_PORT:-6379}
mkdir -p "$RESULTS"

bash scripts/setup.sh
export DATASTORM_KAFKA_HOME=${DATASTORM_KAFKA_HOME:-$ROOT/.run/ci-cluster}
export DATASTORM_KAFKA_PORT=${DATASTORM_KAFKA_PORT:-24092} DATASTORM_CONTROLLER_PORT=${DATASTORM_CONTROLLER_PORT:-24090}
bootstrap=$(bash kafka-cluster/cluster.sh up --brokers 1 | tail -1)
redis=$(bash scripts/redis.sh up "$REDIS_PORT" | tail -1)
trap 'bash kafka-cluster/cluster.sh down --purge >&2 || true; bash scripts/redis.sh down "$REDIS_PORT" >&2 || true' EXIT

run_id=ci-$(date -u +%Y%m%d%H%M%S)
datastorm() { node dist/src/cli/index.js "$@"; }
storm_exit=0
datastorm storm --bootstrap "$bootstrap" --redis "$redis" --topic ci-gate --run-id "$run_id" --no-save \
  --rate "$RATE" --duration "$DURATION" --warmup 2s \
  --threshold "rate>=${DATASTORM_CI_MIN_RATE:-18k}" --threshold 'failed==0' --threshold 'p99<2s' \
  --threshold 'intended.p99<5s abort-on-fail=10s' \
  --junit "$RESULTS/storm.xml" --summary-md "$RESULTS/storm.md" "$@" || storm_exit=$?
verify_exit=0
datastorm verify --bootstrap "$bootstrap" --topic ci-gate --run "$run_id" --threshold 'duplicated==0' \
  --junit "$RESULTS/verify.xml" --summary-md "$RESULTS/verify.md" || verify_exit=$?
echo "storm-gate: storm exit $storm_exit, verify exit $verify_exit; results in $RESULTS" >&2
((storm_exit)) && exit "$storm_exit"
exit "$verify_exit"
