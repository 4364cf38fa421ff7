#!/usr/bin/env bash
# Three containers of DataStorm's image as three load hosts, one run: each on its own address of a podman network,
# Kafka (1 broker) and Redis on that network's gateway, run with --instances 3. Prints the run's merged report (the
# instance that finished last carries it) and checks its count. Root; builds the image first if it is missing.
#   deploy/container/try-hosts.sh [COUNT]      default 3000000
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COUNT=${1:-3000000}
IMAGE=localhost/datastorm:latest
NET=datastorm-hosts
REDIS_PORT=6397
say() { echo "try-hosts.sh: $*" >&2; }
die() { echo "try-hosts.sh: error: $*" >&2; exit 1; }
[[ $COUNT =~ ^[1-9][0-9]{3,9}$ ]] || { echo "try-hosts.sh: error: COUNT must be 1000 or more (got '$COUNT')" >&2; exit 2; }
podman image exists "$IMAGE" || bash "$ROOT/deploy/container/build.sh" "$IMAGE" >/dev/null
podman network exists "$NET" || podman network create "$NET" >/dev/null 2>&1
GATEWAY=$(podman network inspect "$NET" --format '{{range .Subnets}}{{.Gateway}} {{end}}' | awk '{print $1}')
[[ -n $GATEWAY ]] || die "no gateway address for podman network $NET"
export DATASTORM_KAFKA_HOME=$ROOT/.run/container-hosts-cluster DATASTORM_KAFKA_HOST=$GATEWAY DATASTORM_KAFKA_PORT=39892 \
  DATASTORM_CONTROLLER_PORT=39890 DATASTORM_BROKER_HEAP=512m
cleanup() {
  podman rm -f -t 0 ds-anchor-sleep ds-host-0 ds-host-1 ds-host-2 >/dev/null 2>&1 || true
  [[ -n ${REDIS_PID:-} ]] && kill "$REDIS_PID" 2>/dev/null || true
  bash "$ROOT/kafka-cluster/cluster.sh" down --purge >/dev/null 2>&1 || true
}
trap cleanup EXIT
# The bridge exists once a container was attached: start one that waits, so Kafka can bind the gateway address.
podman run -d --name ds-anchor-sleep --network "$NET" --entrypoint sleep "$IMAGE" 3600 >/dev/null
bootstrap=$(bash "$ROOT/kafka-cluster/cluster.sh" up --brokers 1 --restart | tail -1)
redis-server --bind "$GATEWAY" --port "$REDIS_PORT" --protected-mode no --save '' --appendonly no >/dev/null &
REDIS_PID=$!
sleep 0.5
run_id=hosts-$(date +%s)
say "3 containers on $NET, Kafka at $bootstrap, Redis at $GATEWAY:$REDIS_PORT, run $run_id, $COUNT tweets"
for i in 0 1 2; do
  podman run -d --name "ds-host-$i" --hostname "load-host-$i" --network "$NET" "$IMAGE" storm \
    --bootstrap "$bootstrap" --redis "redis://$GATEWAY:$REDIS_PORT" --run-id "$run_id" --instances 3 --instance "$i" \
    --count "$COUNT" --workers 1 --partitions 3 --no-save --json --quiet >/dev/null
done
for i in 0 1 2; do
  code=$(podman wait "ds-host-$i")
  [[ $code == 0 ]] || die "host $i exited $code: $(podman logs "ds-host-$i" 2>&1 | tail -3)"
done
podman run --rm --network "$NET" "$IMAGE" report --run-id "$run_id" --redis "redis://$GATEWAY:$REDIS_PORT"
merged=$(podman run --rm --network "$NET" "$IMAGE" report --run-id "$run_id" --redis "redis://$GATEWAY:$REDIS_PORT" --json)
acked=$(node -e 'console.log(JSON.parse(process.argv[1]).acknowledged)' "$merged")
[[ $acked == "$COUNT" ]] || die "the merged report says $acked acknowledged, not $COUNT"
say "merged: $acked acknowledged by 3 containers, as asked"
