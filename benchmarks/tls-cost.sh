#!/usr/bin/env bash
# What TLS and SASL cost a storm: one 1-broker cluster with a PLAINTEXT and a SASL_SSL (SCRAM-SHA-512) listener, the
# storm over each, alternated, and the C reference over each with the same client settings (so the comparison stays
# like for like). Acknowledged msgs/s and client CPU per message (the whole process tree, /usr/bin/time).
#   benchmarks/tls-cost.sh [ROUNDS=3] [COUNT=3000000]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
rounds=${1:-3}
count=${2:-3000000}
[[ $rounds =~ ^[1-9][0-9]?$ ]] || { echo "tls-cost.sh: error: ROUNDS must be 1-99 (got '$rounds')" >&2; exit 2; }
[[ $count =~ ^[1-9][0-9]{3,8}$ ]] || { echo "tls-cost.sh: error: COUNT must be 1000-999999999 (got '$count')" >&2; exit 2; }

bash scripts/setup.sh >/dev/null
export DATASTORM_KAFKA_HOME=$ROOT/.run/bench-cluster DATASTORM_KAFKA_PORT=49092 DATASTORM_CONTROLLER_PORT=49090
REDIS=redis://127.0.0.1:6391
secured=$(bash kafka-cluster/cluster.sh up --brokers 1 --security sasl_ssl --restart | tail -1)
plain=$(bash kafka-cluster/cluster.sh bootstrap)
config=$DATASTORM_KAFKA_HOME/security/client.properties
bash scripts/redis.sh up 6391 >/dev/null
payload=$ROOT/.run/tls-payload
node -e "import('$ROOT/dist/benchmarks/tools/payload-file.js').then((m) => m.writePayloadFiles('$payload'))"
out=$ROOT/.run/tls-out times=$ROOT/.run/tls-time
password=$(cat "$DATASTORM_KAFKA_HOME/security/scram-password")

# One run: prints "label msgs/s cpu-us/msg".
run() {
  local label=$1 topic=tls-$RANDOM$RANDOM cmd
  case $label in
    storm-plaintext) cmd=(node dist/src/cli/index.js storm --bootstrap "$plain") ;;
    storm-sasl_ssl) cmd=(node dist/src/cli/index.js storm --kafka-config "$config") ;;
    c-ref-*) bash kafka-cluster/cluster.sh topic --create --topic "$topic" --partitions 3 --replication-factor 1 \
        --config max.message.bytes=18874368 >/dev/null ;;
  esac
  if [[ $label == storm-* ]]; then
    cmd+=(--redis "$REDIS" --topic "$topic" --count "$count" --partitions 3 --json --quiet --no-save)
  else
    cmd=(benchmarks/tools/bin/ref-producer -t "$topic" -c "$count" -f "$payload.bin" -X compression.codec=lz4
      -X batch.size=16777216 -X linger.ms=20 -X acks=-1 -X enable.idempotence=true -X batch.num.messages=1000000
      -X queue.buffering.max.messages=2000000 -X queue.buffering.max.kbytes=2097151 -X message.max.bytes=18874368)
    if [[ $label == c-ref-plaintext ]]; then cmd+=(-b "$plain")
    else
      # The reference takes librdkafka settings as arguments: the password goes through a file it reads (-F).
      (umask 077; printf 'sasl.password=%s\n' "$password" >"$ROOT/.run/tls-secret")
      cmd+=(-b "$secured" -X security.protocol=sasl_ssl -X sasl.mechanism=SCRAM-SHA-512 -X sasl.username=datastorm
        -X "ssl.ca.location=$DATASTORM_KAFKA_HOME/security/ca.pem" -F "$ROOT/.run/tls-secret")
    fi
  fi
  /usr/bin/time -q -f '%U %S' -o "$times" "${cmd[@]}" >"$out" 2>/dev/null
  bash kafka-cluster/cluster.sh topic --delete --topic "$topic" >/dev/null 2>&1 || true
  node -e '
    const fs = require("fs");
    const [out, times, count, label] = process.argv.slice(1);
    const r = JSON.parse(fs.readFileSync(out, "utf8"));
    const rate = r.msgsPerSec ?? r.rate.average;
    const [u, s] = fs.readFileSync(times, "utf8").trim().split(/\s+/).map(Number);
    console.log(`${label.padEnd(16)} ${Math.round(rate).toLocaleString("en-US").padStart(10)} msgs/s  ${((u + s) * 1e6 / count).toFixed(2)} us/msg`);
  ' "$out" "$times" "$count" "$label"
}

lines=$ROOT/.run/tls-lines
: >"$lines"
echo "tls-cost: 1 broker, $count tweets, $rounds rounds ($(nproc) cores), plaintext and SASL_SSL listeners of one cluster"
for ((round = 1; round <= rounds; round++)); do
  for label in storm-plaintext storm-sasl_ssl c-ref-plaintext c-ref-sasl_ssl; do run "$label" | tee -a "$lines"; done
done
rm -f "$ROOT/.run/tls-secret"
bash kafka-cluster/cluster.sh down --purge >/dev/null
# Medians and ranges per tool and listener, and SASL_SSL over PLAINTEXT per tool, into benchmarks/TLS.md.
node -e '
  const fs = require("fs");
  const [lines, count, rounds, cpu] = process.argv.slice(1);
  const rows = fs.readFileSync(lines, "utf8").trim().split("\n").map((l) => l.trim().split(/\s+/));
  const by = {};
  for (const [label, rate, , cpuPer] of rows) (by[label] ??= []).push([Number(rate.replace(/,/g, "")), Number(cpuPer)]);
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b), m = s.length / 2; return s.length % 2 ? s[Math.floor(m)] : (s[m - 1] + s[m]) / 2; };
  const fmt = (xs, d) => `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}-${Math.max(...xs).toFixed(d)})`;
  const out = ["# What TLS and SASL cost", "", `${new Date().toISOString().slice(0, 10)}, ${cpu}, 1 broker with a PLAINTEXT ` +
    `and a SASL_SSL (SCRAM-SHA-512) listener, ${Number(count).toLocaleString("en-US")} tweets a run, ${rounds} ` +
    "alternated rounds (`benchmarks/tls-cost.sh`, `make bench-tls`). Medians (ranges).", "",
    "| tool, listener | msgs/s | client CPU µs/msg |", "|---|---|---|"];
  for (const [label, xs] of Object.entries(by))
    out.push(`| ${label} | ${fmt(xs.map((x) => x[0] / 1e3), 0)}K | ${fmt(xs.map((x) => x[1]), 2)} |`);
  for (const tool of ["storm", "c-ref"]) {
    const plain = by[`${tool}-plaintext`], sec = by[`${tool}-sasl_ssl`];
    if (plain && sec) out.push("", `${tool}: SASL_SSL / PLAINTEXT msgs/s x${(median(sec.map((x) => x[0])) / median(plain.map((x) => x[0]))).toFixed(2)}, ` +
      `CPU per message x${(median(sec.map((x) => x[1])) / median(plain.map((x) => x[1]))).toFixed(2)}`);
  }
  fs.writeFileSync("benchmarks/TLS.md", out.join("\n") + "\n");
  console.log(out.slice(-4).join("\n"));
' "$lines" "$count" "$rounds" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) ($(nproc) cores)"
