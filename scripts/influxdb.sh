#!/usr/bin/env bash
# InfluxDB for pulse: Debian's influxdb (1.x) on loopback, with authentication on and the database created.
#   scripts/influxdb.sh up [PORT]     install if absent; start on 127.0.0.1:PORT unless it answers; create user and database
#   scripts/influxdb.sh down [PORT]   stop it, only if this script started it
#   scripts/influxdb.sh status [PORT]
# PORT defaults to $DATASTORM_INFLUX_PORT or 8086. User/password: $DATASTORM_INFLUX_TOKEN (user:password,
# default datastorm:datastorm); database: $DATASTORM_INFLUX_DB (default brandpulse). Prints the URL last.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${DATASTORM_STATE:-$ROOT/.run}
cmd=${1:-up}
PORT=${2:-${DATASTORM_INFLUX_PORT:-8086}}
TOKEN=${DATASTORM_INFLUX_TOKEN:-datastorm:datastorm}
DB=${DATASTORM_INFLUX_DB:-brandpulse}
DIR=$STATE/influxdb-$PORT
PIDFILE=$DIR/influxd.pid
URL=http://127.0.0.1:$PORT
die() { echo "influxdb.sh: error: $*" >&2; exit 1; }
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 1 && PORT < 65535)) || { echo "influxdb.sh: error: port must be 2..65534 (got '$PORT')" >&2; exit 2; }

answers() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/ping" 2>/dev/null) == 204 ]]; }
query() { curl -sS --max-time 10 -u "$TOKEN" -XPOST "$URL/query" --data-urlencode "q=$1"; }

install() {
  command -v influxd >/dev/null && command -v curl >/dev/null && return 0
  [[ $(id -u) == 0 ]] || die "influxdb is missing and installing it needs root (apt-get install influxdb)"
  echo "influxdb.sh: installing Debian's influxdb" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq influxdb curl >/dev/null || die "apt-get install influxdb failed"
}

case $cmd in
  up)
    install
    if ! answers; then
      mkdir -p "$DIR"
      cat >"$DIR/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$((PORT + 1))"
[meta]
  dir = "$DIR/meta"
[data]
  dir = "$DIR/data"
  wal-dir = "$DIR/wal"
  query-log-enabled = false
  cache-max-memory-size = "1g"
[http]
  enabled = true
  bind-address = "127.0.0.1:$PORT"
  auth-enabled = true
  log-enabled = false
  max-body-size = 0
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
CONF
      nohup influxd -config "$DIR/influxdb.conf" >"$DIR/influxd.log" 2>&1 </dev/null &
      echo $! >"$PIDFILE"
      for _ in $(seq 1 100); do answers && break; sleep 0.1; done
      answers || die "influxd did not answer on $URL within 10 s: $(tail -3 "$DIR/influxd.log" | tr '\n' ' ')"
      echo "influxdb.sh: started influxd (Debian $(influxd version 2>/dev/null | awk '{print $2}')) on $URL (pid $(cat "$PIDFILE"))" >&2
    else
      echo "influxdb.sh: influxdb already answers on $URL" >&2
    fi
    # The first admin user may be created without credentials; afterwards the token (user:password) is needed.
    user=${TOKEN%%:*} pass=${TOKEN#*:}
    curl -sS --max-time 10 -XPOST "$URL/query" --data-urlencode "q=CREATE USER \"$user\" WITH PASSWORD '$pass' WITH ALL PRIVILEGES" >/dev/null || true
    out=$(query "CREATE DATABASE \"$DB\"") || die "cannot create database $DB: $out"
    [[ $out != *error* ]] || die "cannot create database $DB: $out"
    echo "$URL" ;;
  down)
    if [[ -f $PIDFILE ]]; then
      pid=$(cat "$PIDFILE"); kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$PIDFILE"; echo "influxdb.sh: stopped influxd on port $PORT" >&2
    else echo "influxdb.sh: nothing started by this script on port $PORT" >&2; fi
    [[ ${3:-} == --purge ]] && rm -rf "$DIR" || true ;;
  status)
    if answers; then echo "influxdb on $URL answers"; else echo "influxdb on $URL does not answer"; exit 3; fi ;;
  *) echo "influxdb.sh: error: unknown command '$cmd' (allowed: up, down, status)" >&2; exit 2 ;;
esac
