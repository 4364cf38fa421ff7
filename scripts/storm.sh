#!/usr/bin/env bash
# The README's first command: set everything up, start Redis on 127.0.0.1:6379 (unless one answers), and run a storm.
# Without --bootstrap the storm starts (or reuses) a local cluster of --brokers N brokers (default 4) itself.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
bash scripts/redis.sh up >/dev/null
exec node dist/src/cli/index.js storm "$@"
