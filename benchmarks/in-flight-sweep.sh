#!/usr/bin/env bash
# The --max-in-flight default from data: storms of 3,000,000 at each cap, rotated, three rounds, on a running cluster.
#   benchmarks/in-flight-sweep.sh BOOTSTRAP [REDIS_URL]     prints one line per run (msgs/s, client CPU us/msg, p50, p99)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bootstrap=${1:?usage: benchmarks/in-flight-sweep.sh BOOTSTRAP [REDIS_URL]}
redis=${2:-redis://127.0.0.1:6379}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for round in 1 2 3; do
  for cap in 50000 100000 200000; do
    /usr/bin/time -q -f '%U %S' -o "$tmp/time" node dist/src/cli/index.js storm --bootstrap "$bootstrap" --redis "$redis" \
      --topic "sweep-$cap-$round-$RANDOM" --count 3000000 --partitions 3 --max-in-flight "$cap" --json --quiet --no-save >"$tmp/report.json"
    node -e "const r=require('$tmp/report.json'); const [u,s]=require('fs').readFileSync('$tmp/time','utf8').trim().split(/\s+/).map(Number);
      console.log('max-in-flight', $cap, 'round', $round, Math.round(r.rate.average), 'msgs/s', ((u+s)*1e6/r.acknowledged).toFixed(2), 'us/msg p50', r.latencyMs.p50, 'p99', r.latencyMs.p99)"
  done
done
