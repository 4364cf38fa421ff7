#!/usr/bin/env bash
# InfluxDB 2.7 for pulse, built here from source (the Go module proxy and crates.io; no prebuilt download exists here),
# started on loopback with an org, the bucket and an operator token.
#   scripts/influxdb.sh build          build influxd once into the cache (about 9 minutes the first time on 2 cores)
#   scripts/influxdb.sh up [PORT] [--tls]   build if needed; start on 127.0.0.1:PORT unless it answers; set up org,
#                                      bucket, token. --tls: https only, with a CA and a certificate for 127.0.0.1 made
#                                      on the spot (the CA's path is printed: pulse --influx-ca)
#   scripts/influxdb.sh down [PORT] [--purge]   stop it, only if this script started it (--purge: delete its data)
#   scripts/influxdb.sh status [PORT] [--tls]
#   scripts/influxdb.sh token [PORT]   print the operator token (for DATASTORM_INFLUX_TOKEN; never printed by up)
# PORT defaults to $DATASTORM_INFLUX_PORT or 8086. Org $DATASTORM_INFLUX_ORG (datastorm), bucket $DATASTORM_INFLUX_BUCKET
# (brandpulse). The token is kept in .run/influxdb-PORT/token (mode 600). The build cache (binary, Go and cargo caches,
# ~4 GB) lives outside the clone in $DATASTORM_CACHE (default ~/.cache/datastorm), so every clone on the machine shares
# it. Prints the URL last.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${DATASTORM_STATE:-$ROOT/.run}
CACHE=${DATASTORM_CACHE:-$HOME/.cache/datastorm}
VERSION=v2.7.12
BUILD=$CACHE/influxdb-$VERSION
INFLUXD=$BUILD/bin/influxd
cmd=${1:-up}
[[ $# -gt 0 ]] && shift
PORT=${DATASTORM_INFLUX_PORT:-8086}
TLS=0 PURGE=0
for arg in "$@"; do
  case $arg in
    --tls) TLS=1 ;;
    --purge) PURGE=1 ;;
    *) PORT=$arg ;;
  esac
done
ORG=${DATASTORM_INFLUX_ORG:-datastorm}
BUCKET=${DATASTORM_INFLUX_BUCKET:-brandpulse}
DIR=$STATE/influxdb-$PORT
PIDFILE=$DIR/influxd.pid
TOKENFILE=$DIR/token
TLSDIR=$DIR/tls
URL=http://127.0.0.1:$PORT
((TLS)) && URL=https://127.0.0.1:$PORT
say() { echo "influxdb.sh: $*" >&2; }
die() { echo "influxdb.sh: error: $*" >&2; exit 1; }
# shellcheck source=lib/own-pid.sh
source "$ROOT/scripts/lib/own-pid.sh"
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 1 && PORT < 65535)) || {
  echo "influxdb.sh: error: port must be 2..65534 (got '$PORT')" >&2
  exit 2
}

# curl against this instance: over TLS, trusting only its own CA.
icurl() { if ((TLS)); then curl --cacert "$TLSDIR/ca.pem" "$@"; else curl "$@"; fi; }
answers() { [[ $(icurl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/health" 2>/dev/null) == 200 ]]; }
# Something answers on the port in the other scheme (an instance started with or without --tls before).
answers_other() {
  if ((TLS)); then curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/health"
  else curl -sk -o /dev/null --max-time 2 "https://127.0.0.1:$PORT/health"; fi
}

# A CA and a server certificate for 127.0.0.1 and localhost, made once per instance; keys mode 600.
make_tls() {
  [[ -f $TLSDIR/server.pem ]] && return 0
  command -v openssl >/dev/null || die "openssl not found: apt-get install openssl"
  mkdir -p "$TLSDIR"
  (umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=DataStorm InfluxDB test CA" \
      -keyout "$TLSDIR/ca.key" -out "$TLSDIR/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$TLSDIR/server.key" \
      -out "$TLSDIR/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$TLSDIR/server.ext"
    openssl x509 -req -in "$TLSDIR/server.csr" -CA "$TLSDIR/ca.pem" -CAkey "$TLSDIR/ca.key" -CAcreateserial \
      -days 3650 -extfile "$TLSDIR/server.ext" -out "$TLSDIR/server.pem" 2>/dev/null
    rm -f "$TLSDIR/server.csr" "$TLSDIR/server.ext")
  chmod 644 "$TLSDIR/ca.pem"
}

# The build: influxd 2.7 is Go with one Rust part (libflux, the Flux engine), which influxdata's pkg-config wrapper
# builds with cargo when cgo asks for "flux". Two workarounds, measured in ../shared/reference/influxdb-from-source.sh:
# flux pins Rust 1.72 (we use the installed stable toolchain), and flux-core denies warnings that newer compilers
# raise (a rustc wrapper caps lints to warnings).
build() {
  [[ -x $INFLUXD ]] && return 0
  command -v go >/dev/null || die "building InfluxDB $VERSION needs Go 1.23+ on PATH (not found)"
  command -v cargo >/dev/null || die "building InfluxDB $VERSION needs Rust (rustup, a stable toolchain) on PATH"
  if ! command -v pkg-config >/dev/null || ! command -v gcc >/dev/null || ! command -v curl >/dev/null; then
    [[ $(id -u) == 0 ]] || die "pkg-config, gcc and curl are needed (apt-get install build-essential pkg-config curl)"
    say "installing build-essential, pkg-config and curl"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential pkg-config curl >/dev/null
  fi
  say "building InfluxDB $VERSION from source into $BUILD (once per machine; about 9 minutes on 2 cores)"
  local started=$SECONDS
  export GOMODCACHE=$BUILD/gomod GOCACHE=$BUILD/gocache GOFLAGS="-buildvcs=false -p=2" CARGO_BUILD_JOBS=2
  mkdir -p "$BUILD/bin" "$BUILD/src"
  local dir src=$BUILD/src/influxdb-$VERSION
  dir=$(go mod download -json "github.com/influxdata/influxdb/v2@$VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -n $dir ]] || die "go mod download of github.com/influxdata/influxdb/v2@$VERSION failed"
  # Its go.mod has a replace directive, so it builds from a writable copy of the module, not with go install.
  rm -rf "$src"
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  (cd "$src" && go build -o "$BUILD/bin/influx-pkg-config" github.com/influxdata/pkg-config) ||
    die "building influxdata/pkg-config failed"
  cat >"$BUILD/bin/rustc-cap-lints" <<'EOF'
#!/bin/sh
case " $* " in *" --cap-lints "*) exec "$@" ;; esac
exec "$@" --cap-lints warn
EOF
  chmod +x "$BUILD/bin/rustc-cap-lints"
  (cd "$src" && PKG_CONFIG="$BUILD/bin/influx-pkg-config" RUSTUP_TOOLCHAIN=stable \
    RUSTC_WRAPPER="$BUILD/bin/rustc-cap-lints" nice -n 10 go build -tags sqlite_foreign_keys,sqlite_json \
    -ldflags "-s -w -X main.version=$VERSION -X main.commit=gomodproxy" -o "$INFLUXD.part" ./cmd/influxd) \
    >"$BUILD/build.log" 2>&1 || die "go build of influxd failed; the last lines of $BUILD/build.log: $(tail -5 "$BUILD/build.log")"
  mv "$INFLUXD.part" "$INFLUXD"
  rm -rf "$src"
  say "built $("$INFLUXD" version) in $((SECONDS - started)) s"
}

# The initial setup (org, bucket, operator user and token) on a fresh instance; an instance set up before keeps its
# token file. The token is random, kept in the run folder, never printed by up.
setup() {
  local allowed
  allowed=$(icurl -sS --max-time 5 "$URL/api/v2/setup") || die "cannot ask $URL for its setup state"
  if [[ $allowed == *'"allowed":true'* || $allowed == *'"allowed": true'* ]]; then
    local token
    token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    (umask 077 && printf '%s\n' "$token" >"$TOKENFILE")
    local body out
    body=$(printf '{"username":"datastorm","password":"%s","org":"%s","bucket":"%s","token":"%s"}' \
      "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" "$ORG" "$BUCKET" "$token")
    out=$(icurl -sS --max-time 10 -XPOST "$URL/api/v2/setup" -H 'Content-Type: application/json' -d "$body") ||
      die "initial setup of $URL failed"
    [[ $out == *'"auth"'* ]] || die "initial setup of $URL failed: ${out:0:200}"
    say "set up org '$ORG', bucket '$BUCKET'; operator token in ${TOKENFILE#"$ROOT"/} (scripts/influxdb.sh token $PORT)"
  elif [[ ! -s $TOKENFILE ]]; then
    die "InfluxDB on $URL was set up by someone else (no token in $TOKENFILE); pass its token to pulse with --influx-token"
  fi
}

case $cmd in
  build) build ;;
  up)
    build
    if ! answers; then
      answers_other && die "InfluxDB on port $PORT answers $( ((TLS)) && echo 'http, not https' || echo 'https, not http'); stop it first (scripts/influxdb.sh down $PORT)"
      mkdir -p "$DIR"
      tls_flags=()
      ((TLS)) && { make_tls; tls_flags=(--tls-cert "$TLSDIR/server.pem" --tls-key "$TLSDIR/server.key"); }
      nohup "$INFLUXD" --http-bind-address "127.0.0.1:$PORT" --bolt-path "$DIR/influxd.bolt" \
        --engine-path "$DIR/engine" --sqlite-path "$DIR/influxd.sqlite" --reporting-disabled --log-level warn \
        --query-memory-bytes 1073741824 "${tls_flags[@]}" >"$DIR/influxd.log" 2>&1 </dev/null &
      echo $! >"$PIDFILE"
      for _ in $(seq 1 150); do answers && break; sleep 0.1; done
      answers || die "influxd did not answer on $URL within 15 s: $(tail -3 "$DIR/influxd.log" | tr '\n' ' ')"
      say "started influxd $VERSION on $URL (pid $(cat "$PIDFILE"))"
    else
      say "InfluxDB already answers on $URL"
    fi
    setup
    ((TLS)) && say "https with a CA of its own: pulse --influx-ca $TLSDIR/ca.pem"
    echo "$URL" ;;
  down)
    if pid=$(own_pid "$PIDFILE" "127.0.0.1:$PORT ") && grep -q influxd "/proc/$pid/cmdline" 2>/dev/null; then
      stop_pid "$pid" 10
      rm -f "$PIDFILE"
      say "stopped influxd on port $PORT"
    elif [[ -f $PIDFILE ]]; then
      rm -f "$PIDFILE"
      say "stale pid file for port $PORT (its process is gone or is not our influxd): removed, nothing signalled"
    else say "nothing started by this script on port $PORT"; fi
    ((PURGE)) && rm -rf "$DIR" || true ;;
  status)
    if answers; then echo "InfluxDB answers on $URL"; else echo "nothing answers on $URL"; exit 1; fi ;;
  token)
    [[ -s $TOKENFILE ]] || die "no token for port $PORT (start it with scripts/influxdb.sh up $PORT)"
    cat "$TOKENFILE" ;;
  *) echo "influxdb.sh: error: unknown command '$cmd' (allowed: build, up, down, status, token)" >&2; exit 2 ;;
esac
