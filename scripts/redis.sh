#!/usr/bin/env bash
# Debian's redis-server on loopback.
#   scripts/redis.sh up [PORT]     install redis-server if absent; start it on 127.0.0.1:PORT unless something answers there
#   scripts/redis.sh down [PORT]   stop it, only if this script started it (its own pid file)
#   scripts/redis.sh status [PORT]
# PORT defaults to $DATASTORM_REDIS_PORT or 6379.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${DATASTORM_STATE:-$ROOT/.run}
cmd=${1:-up}
PORT=${2:-${DATASTORM_REDIS_PORT:-6379}}
PIDFILE=$STATE/redis-$PORT.pid
die() { echo "redis.sh: error: $*" >&2; exit 1; }
# shellcheck source=lib/own-pid.sh
source "$ROOT/scripts/lib/own-pid.sh"
ours() { # the pid of the redis-server this script started on PORT (it shows its address in its command line)
  local pid
  pid=$(own_pid "$PIDFILE" "127.0.0.1:$PORT ") || return 1
  grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT < 65536)) || { echo "redis.sh: error: port must be 1..65535 (got '$PORT')" >&2; exit 2; }

answers() { command -v redis-cli >/dev/null && [[ $(timeout 2 redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null) == PONG ]]; }

install() {
  command -v redis-server >/dev/null && return 0
  echo "redis.sh: installing Debian's redis-server" >&2
  [[ $(id -u) == 0 ]] || die "redis-server is missing and installing it needs root (apt-get install redis-server)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null ||
    die "apt-get install redis-server failed"
}

case $cmd in
  up)
    install
    if answers; then echo "redis.sh: redis already answers on 127.0.0.1:$PORT" >&2; echo "redis://127.0.0.1:$PORT"; exit 0; fi
    mkdir -p "$STATE/redis-$PORT"
    # Loopback only, no persistence: counters and quotas live for a run; nothing here is worth a disk write.
    redis-server --bind 127.0.0.1 --port "$PORT" --daemonize yes --pidfile "$PIDFILE" \
      --dir "$STATE/redis-$PORT" --logfile "$STATE/redis-$PORT/redis.log" --save "" --appendonly no >/dev/null
    for _ in $(seq 1 50); do answers && break; sleep 0.1; done
    answers || die "redis-server did not answer on 127.0.0.1:$PORT within 5 s: $(tail -3 "$STATE/redis-$PORT/redis.log" 2>/dev/null | tr '\n' ' ')"
    echo "redis.sh: started redis-server on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))" >&2
    echo "redis://127.0.0.1:$PORT" ;;
  down)
    if pid=$(ours); then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$PIDFILE"; echo "redis.sh: stopped redis-server on port $PORT" >&2
    elif [[ -f $PIDFILE ]]; then
      rm -f "$PIDFILE"; echo "redis.sh: stale pid file for port $PORT (its process is gone or is not our redis-server): removed, nothing signalled" >&2
    else echo "redis.sh: nothing started by this script on port $PORT" >&2; fi ;;
  status)
    if answers; then echo "redis on 127.0.0.1:$PORT answers$([[ -f $PIDFILE ]] && echo " (started by this script, pid $(cat "$PIDFILE"))")"
    else echo "redis on 127.0.0.1:$PORT does not answer"; exit 3; fi ;;
  *) echo "redis.sh: error: unknown command '$cmd' (allowed: up, down, status)" >&2; exit 2 ;;
esac
