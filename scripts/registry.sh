#!/usr/bin/env bash
# A real Confluent-compatible Schema Registry for the --schema-registry tests: Apicurio Registry 3.3.3 (Apache-2.0),
# its runnable Quarkus distribution (io.apicurio:apicurio-registry-app:3.3.3:tar.gz:all) fetched from Maven Central by
# Maven's own client into the cache, started on loopback with its in-memory storage (nothing kept after down). The
# Confluent API is at /apis/ccompat/v7. Needs Java 21+ (the newest JDK found is used) and mvn for the first fetch.
#   scripts/registry.sh build          fetch and unpack once into $DATASTORM_CACHE (default ~/.cache/datastorm)
#   scripts/registry.sh up [PORT]      start on 127.0.0.1:PORT unless ours answers there; prints the ccompat URL last
#   scripts/registry.sh down [PORT]    stop it, only if this script started it
#   scripts/registry.sh status [PORT]
# PORT defaults to $DATASTORM_REGISTRY_PORT or 18081; its health port is PORT+1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${DATASTORM_STATE:-$ROOT/.run}
CACHE=${DATASTORM_CACHE:-$HOME/.cache/datastorm}
VERSION=3.3.3
ARTIFACT=io.apicurio:apicurio-registry-app:$VERSION:tar.gz:all
APP=$CACHE/apicurio-registry-$VERSION
cmd=${1:-up}
[[ $# -gt 0 ]] && shift
PORT=${1:-${DATASTORM_REGISTRY_PORT:-18081}}
say() { echo "registry.sh: $*" >&2; }
die() { echo "registry.sh: error: $*" >&2; exit 1; }
# shellcheck source=lib/own-pid.sh
source "$ROOT/scripts/lib/own-pid.sh"
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 1 && PORT < 65534)) || {
  echo "registry.sh: error: port must be 2..65533 (got '$PORT')" >&2
  exit 2
}
HEALTH=$((PORT + 1))
DIR=$STATE/registry-$PORT
PIDFILE=$DIR/registry.pid
URL=http://127.0.0.1:$PORT/apis/ccompat/v7

ready() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$HEALTH/health/ready") == 200 ]]; }

# The newest Java 21+ on the machine: JAVA_HOME's, the PATH's, or one under /usr/lib/jvm or /opt.
find_java() {
  local c v
  for c in ${JAVA_HOME:+$JAVA_HOME/bin/java} $(command -v java || true) $(ls -d /usr/lib/jvm/*/bin/java /opt/*/bin/java 2>/dev/null | sort -rV); do
    [[ -x $c ]] || continue
    v=$("$c" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1)
    [[ -n $v && $v -ge 21 ]] && { echo "$c"; return 0; }
  done
  return 1
}

build() {
  [[ -f $APP/quarkus-run.jar ]] && return 0
  command -v mvn >/dev/null || {
    [[ $(id -u) == 0 ]] || die "mvn is needed once to fetch $ARTIFACT (apt-get install maven)"
    say "installing maven"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null
  }
  local dl=$CACHE/apicurio-dl
  mkdir -p "$dl"
  say "fetching $ARTIFACT from Maven Central (once per machine, about 160 MB)"
  # From an empty directory, so no unrelated pom.xml and its repositories take part.
  (cd "$dl" && mvn -B -q -ntp -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="$ARTIFACT" -DoutputDirectory="$dl" >&2) || die "could not fetch $ARTIFACT"
  rm -rf "$APP.part" && mkdir -p "$APP.part"
  tar -xzf "$dl/apicurio-registry-app-$VERSION-all.tar.gz" -C "$APP.part"
  [[ -f $APP.part/quarkus-run.jar ]] || die "quarkus-run.jar missing from the distribution"
  rm -rf "$APP" && mv "$APP.part" "$APP"
  rm -rf "$dl"
}

case $cmd in
  build) build ;;
  up)
    build
    if pid=$(own_pid "$PIDFILE" "quarkus.http.port=$PORT ") && ready; then
      say "Apicurio Registry already answers on port $PORT (pid $pid)"
    else
      java=$(find_java) || die "no Java 21+ found (Apicurio Registry $VERSION needs it; set JAVA_HOME)"
      mkdir -p "$DIR"
      (cd "$APP" && exec nohup "$java" -Xmx384m -Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=$PORT" \
        -Dquarkus.management.host=127.0.0.1 "-Dquarkus.management.port=$HEALTH" -jar "$APP/quarkus-run.jar") \
        >"$DIR/registry.log" 2>&1 </dev/null &
      echo $! >"$PIDFILE"
      for _ in $(seq 1 240); do ready && break; running "$(cat "$PIDFILE")" || break; sleep 0.25; done
      ready || die "Apicurio Registry did not answer on port $PORT within 60 s: $(tail -3 "$DIR/registry.log" | tr '\n' ' ')"
      say "started Apicurio Registry $VERSION on port $PORT (pid $(cat "$PIDFILE"))"
    fi
    echo "$URL" ;;
  down)
    if pid=$(own_pid "$PIDFILE" "quarkus.http.port=$PORT "); then
      stop_pid "$pid" 20
      rm -f "$PIDFILE"
      say "stopped Apicurio Registry on port $PORT"
    elif [[ -f $PIDFILE ]]; then
      rm -f "$PIDFILE"
      say "stale pid file for port $PORT (its process is gone or is not ours): removed, nothing signalled"
    else say "nothing started by this script on port $PORT"; fi ;;
  status)
    if ready; then echo "Apicurio Registry answers on port $PORT"; else echo "nothing answers on port $PORT"; exit 1; fi ;;
  *) echo "registry.sh: error: unknown command '$cmd' (allowed: build, up, down, status)" >&2; exit 2 ;;
esac
