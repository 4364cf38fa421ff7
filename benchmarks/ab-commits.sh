#!/usr/bin/env bash
# A storm of another commit against this working tree, alternated on one 1-broker cluster with the C reference in the
# same rounds: acknowledged msgs/s, client CPU per message and in all (the whole process tree), and a storm's start-up
# (fork to its first production, from its report). How issue 20 was bisected.
#   benchmarks/ab-commits.sh COMMIT [ROUNDS=3] [COUNT=3000000]
# The other commit is built in a worktree outside the clone, under ${DATASTORM_CACHE:-~/.cache/datastorm}/ab-COMMIT
# (its own addon, and dist as its own `npm run build` makes it, this clone's node_modules): inside it, its biome.json
# would trip this tree's lint.
# CPU is read two ways where perf is present: /usr/bin/time (what the benchmarks use: children the tool waited for)
# and perf's inherited task-clock (every thread of every descendant, reaped or not). A primary that exits before
# reaping its children hides their CPU from the first; the second shows it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[[ $# -ge 1 ]] || { echo "ab-commits.sh: error: usage: benchmarks/ab-commits.sh COMMIT [ROUNDS=3] [COUNT=3000000]" >&2; exit 2; }
commit=$1
rounds=${2:-3}
count=${3:-3000000}
[[ $rounds =~ ^[1-9][0-9]?$ ]] || { echo "ab-commits.sh: error: ROUNDS must be 1-99 (got '$rounds')" >&2; exit 2; }
[[ $count =~ ^[1-9][0-9]{3,8}$ ]] || { echo "ab-commits.sh: error: COUNT must be 1000-999999999 (got '$count')" >&2; exit 2; }
sha=$(git rev-parse --verify --short "$commit^{commit}" 2>/dev/null) || { echo "ab-commits.sh: error: no commit '$commit'" >&2; exit 2; }

bash scripts/setup.sh >/dev/null
tree=${DATASTORM_CACHE:-$HOME/.cache/datastorm}/ab-$sha
mkdir -p "$(dirname "$tree")"
if [[ ! -d $tree ]]; then
  git worktree add --detach "$tree" "$sha" >/dev/null
  ln -s "$ROOT/node_modules" "$tree/node_modules"
  (cd "$tree" && npm run -s build:native >/dev/null && npm run -s build >/dev/null)
fi

export DATASTORM_KAFKA_HOME=$ROOT/.run/bench-cluster DATASTORM_KAFKA_PORT=28092 DATASTORM_CONTROLLER_PORT=28090
REDIS_PORT=6391
bootstrap=$(bash kafka-cluster/cluster.sh up --brokers 1 --restart | tail -1)
bash scripts/redis.sh up "$REDIS_PORT" >/dev/null
payload=$ROOT/.run/ab-payload
node -e "import('$ROOT/dist/benchmarks/tools/payload-file.js').then((m) => m.writePayloadFiles('$payload'))"
has_perf=0
perf stat -e task-clock true >/dev/null 2>&1 && has_perf=1

# One run: prints "label msgs/s time-us/msg perf-us/msg".
run() {
  local label=$1 dir=$2 topic=ab-$1-$RANDOM$RANDOM out=$ROOT/.run/ab-out times=$ROOT/.run/ab-time pstat=$ROOT/.run/ab-perf
  local cmd
  if [[ $label == c-reference ]]; then
    bash kafka-cluster/cluster.sh topic --create --topic "$topic" --partitions 3 --replication-factor 1 \
      --config max.message.bytes=18874368 >/dev/null
    cmd=(benchmarks/tools/bin/ref-producer -b "$bootstrap" -t "$topic" -c "$count" -f "$payload.bin"
      -X compression.codec=lz4 -X batch.size=16777216 -X linger.ms=20 -X acks=-1 -X enable.idempotence=true
      -X batch.num.messages=1000000 -X queue.buffering.max.messages=2000000 -X queue.buffering.max.kbytes=2097151
      -X message.max.bytes=18874368)
  else
    cmd=(node "$dir/dist/src/cli/index.js" storm --bootstrap "$bootstrap" --redis "redis://127.0.0.1:$REDIS_PORT"
      --topic "$topic" --count "$count" --partitions 3 --json --quiet --no-save)
  fi
  if ((has_perf)); then
    perf stat -x, -e task-clock -o "$pstat" /usr/bin/time -q -f '%U %S %e' -o "$times" "${cmd[@]}" >"$out" 2>/dev/null
  else
    /usr/bin/time -q -f '%U %S %e' -o "$times" "${cmd[@]}" >"$out" 2>/dev/null
  fi
  bash kafka-cluster/cluster.sh topic --delete --topic "$topic" >/dev/null 2>&1 || true
  node -e '
    const fs = require("fs");
    const [out, times, pstat, count, label] = process.argv.slice(1);
    const r = JSON.parse(fs.readFileSync(out, "utf8"));
    const rate = r.msgsPerSec ?? r.rate.average;
    const [u, s, wall] = fs.readFileSync(times, "utf8").trim().split(/\s+/).map(Number);
    const tc = fs.existsSync(pstat) ? Number((fs.readFileSync(pstat, "utf8").match(/^([\d.]+),msec,task-clock/m) ?? [])[1]) : NaN;
    const per = (sec) => Number.isFinite(sec) ? ((sec * 1e6) / count).toFixed(2) : "n/a";
    const startup = r.startupSec === undefined ? "" : `  start-up ${r.startupSec.toFixed(2)} s`;
    const cpu = `  cpu ${(u + s).toFixed(2)} s  wall ${wall.toFixed(2)} s`;
    console.log(`${label.padEnd(14)} ${Math.round(rate).toLocaleString("en-US").padStart(10)} msgs/s  time ${per(u + s)} us/msg  perf ${per(tc / 1000)} us/msg${cpu}${startup}`);
  ' "$out" "$times" "$pstat" "$count" "$label"
  rm -f "$pstat"
}

echo "ab-commits: $sha vs the working tree, 1 broker, $count tweets, $rounds rounds ($(nproc) cores)"
for ((round = 1; round <= rounds; round++)); do
  run "$sha" "$tree"
  run working-tree "$ROOT"
  run c-reference ""
done
bash kafka-cluster/cluster.sh down --purge >/dev/null
