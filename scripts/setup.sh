#!/usr/bin/env bash
# Everything DataStorm needs on a fresh Debian machine, idempotently:
# Debian packages, npm dependencies (node-rdkafka compiles its bundled librdkafka), the build, the Kafka jars.
# InfluxDB 2.7 (pulse's sink) is built from source by scripts/influxdb.sh when first started (the test script, the
# pulse benchmark), or here with --with-influxdb: about 9 minutes once per machine, cached outside the clone.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
say() { echo "setup: $*" >&2; }

# Debian packages: redis-server (coordination), kcat (inspection), libzstd-dev + build tools (librdkafka with zstd;
# pkg-config for InfluxDB's build), Java 17 and Maven (the Kafka brokers and their jars).
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v curl >/dev/null || need+=(curl)
command -v kcat >/dev/null || need+=(kcat)
[[ -x /usr/bin/time ]] || need+=(time) # benchmarks: CPU of each tool's process tree
dpkg -s libzstd-dev >/dev/null 2>&1 || need+=(libzstd-dev)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v python3 >/dev/null || need+=(python3)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
command -v chromium >/dev/null || need+=(chromium)     # the dashboard and HTML report tests (playwright-core)
command -v prometheus >/dev/null || need+=(prometheus) # the /metrics scrape test
command -v ip >/dev/null || need+=(iproute2)           # instances as hosts: network namespaces
if ((${#need[@]})); then
  [[ $(id -u) == 0 ]] || { echo "setup: error: missing ${need[*]}; installing needs root" >&2; exit 1; }
  say "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

command -v node >/dev/null || { echo "setup: error: node not found: DataStorm needs Node.js 20" >&2; exit 1; }
[[ $(node -p 'process.versions.node.split(".")[0]') -ge 20 ]] || { echo "setup: error: Node.js 20+ needed, found $(node --version)" >&2; exit 1; }

# npm ci only when the lock file changed since the last install (it rebuilds librdkafka: ~90 s).
stamp=node_modules/.datastorm-lock
if [[ ! -f $stamp ]] || ! cmp -s package-lock.json "$stamp"; then
  say "npm ci (compiles librdkafka for node-rdkafka; a minute or two)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
# The native addon (native/, Node-API C linked to node-rdkafka's librdkafka): npm ci builds it; rebuilt here when its
# sources are newer than the build (a pull, an edit). Then the C reference producer of the benchmarks, the same way.
addon=native/build/Release/datastorm_native.node
if [[ ! -f $addon ]] || [[ -n $(find native/src native/binding.gyp -newer "$addon" 2>/dev/null) ]]; then
  say "building the native addon"
  npm run -s build:native >/dev/null
fi
ref=benchmarks/tools/bin/ref-producer
deps=node_modules/node-rdkafka/build/deps
if [[ ! -x $ref ]] || [[ benchmarks/tools/ref-producer.c -nt $ref ]]; then
  mkdir -p "$(dirname "$ref")"
  gcc -O2 -Wall -o "$ref" benchmarks/tools/ref-producer.c -I"$deps/include" -L"$deps" -lrdkafka -Wl,-rpath,"$ROOT/$deps"
fi
# The TypeScript build, unless dist is newer than every source (a run of storm.sh from the test suite's docs examples
# must not empty dist under the running tests).
built=dist/src/index.js
if [[ ! -f $built ]] || [[ -n $(find src test benchmarks tsconfig.json package.json -newer "$built" 2>/dev/null | head -1) ]]; then
  say "building TypeScript"
  npm run -s build
fi
bash kafka-cluster/cluster.sh fetch >/dev/null
[[ ${1:-} == --with-influxdb ]] && bash scripts/influxdb.sh build
say "ready"
