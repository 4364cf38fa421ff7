#!/usr/bin/env bash
# A real Apache Kafka cluster (KRaft) on loopback: one controller JVM and N broker JVMs.
#
#   cluster.sh up [--brokers N] [--restart] [--security plaintext|ssl|sasl_ssl]
#                                             start (or reuse) a cluster; last line = bootstrap list. ssl and sasl_ssl
#                                             add a secured listener on each broker's port + 100 (mTLS, or SCRAM-SHA-512
#                                             over TLS) with a CA made on the spot, and write security/client.properties
#                                             (mode 600) for it; the plaintext listener stays (inter-broker, the tools).
#                                             sasl_ssl also takes OAUTHBEARER with Kafka's unsecured (test-only) JWTs:
#                                             security/client-oauthbearer.properties
#   cluster.sh down [--purge]                 stop what this script started (pid files); --purge deletes data
#   cluster.sh status                         each node, its pid, port and whether it answers
#   cluster.sh fetch                          fetch the Kafka jars from Maven Central into the cache
#   cluster.sh bootstrap                      print the bootstrap list of the running cluster
#   cluster.sh topic ARGS…                    run Kafka's TopicCommand against the running cluster (over its secured
#                                             listener when it has one), or the --bootstrap-server given (with
#                                             --command-config FILE for a secured one)
#   cluster.sh tool CLASS ARGS…               run any class from the Kafka jars (e.g. ProducerPerformance)
#   cluster.sh kill-broker ID | start-broker ID   fault injection (kill -9 / restart one broker)
#
# Environment: DATASTORM_KAFKA_HOME (state, default kafka-cluster/.run), DATASTORM_KAFKA_CACHE (jars,
# default kafka-cluster/.cache), DATASTORM_KAFKA_PORT (first broker port, default 19092),
# DATASTORM_CONTROLLER_PORT (default 19090), DATASTORM_BROKER_HEAP (default 768m),
# DATASTORM_UP_TIMEOUT (seconds a node may take to come up, default 60), DATASTORM_KAFKA_HOST (the IPv4 address every
# node listens on and advertises, default 127.0.0.1: another one of this machine's, e.g. a bridge that test hosts in
# network namespaces reach).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml")
CACHE=${DATASTORM_KAFKA_CACHE:-$HERE/.cache}
LIBS=$CACHE/kafka-$KAFKA_VERSION/libs
STATE=${DATASTORM_KAFKA_HOME:-$HERE/.run}
BROKER_PORT=${DATASTORM_KAFKA_PORT:-19092}
CONTROLLER_PORT=${DATASTORM_CONTROLLER_PORT:-19090}
BROKER_HEAP=${DATASTORM_BROKER_HEAP:-768m}
CONTROLLER_HEAP=${DATASTORM_CONTROLLER_HEAP:-256m}
UP_TIMEOUT=${DATASTORM_UP_TIMEOUT:-60}
CONTROLLER_ID=100
HOST=${DATASTORM_KAFKA_HOST:-127.0.0.1}
SECURED_OFFSET=100
SEC=$STATE/security
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
# Extra mvn flags, e.g. "-s my-settings.xml" for a mirror.
MAVEN_FLAGS=${DATASTORM_MAVEN_FLAGS:-}

die() { echo "cluster.sh: error: $*" >&2; exit "${EXIT_CODE:-1}"; }
[[ $HOST =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || { echo "cluster.sh: error: DATASTORM_KAFKA_HOST must be an IPv4 address of this machine (got '$HOST')" >&2; exit 2; }
usage_error() { EXIT_CODE=2 die "$*"; }
info() { echo "cluster.sh: $*" >&2; }

# --- prerequisites ---------------------------------------------------------------------------
require_java() {
  if [[ -n ${JAVA_HOME:-} ]]; then
    [[ -x $JAVA_HOME/bin/java ]] || die "java not found at \$JAVA_HOME/bin/java ($JAVA_HOME): Kafka $KAFKA_VERSION needs Java 17+; fix JAVA_HOME or unset it"
  else
    command -v java >/dev/null 2>&1 || die "java not found: Kafka $KAFKA_VERSION needs Java 17+ (apt-get install openjdk-17-jre-headless)"
  fi
  local v
  v=$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  [[ -n $v && $v -ge 17 ]] || die "java ${v:-?} found, Kafka $KAFKA_VERSION needs Java 17+"
}

fetch_jars() {
  [[ -f $LIBS/.complete ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found: it fetches the Kafka jars (apt-get install maven)"
  info "fetching Apache Kafka $KAFKA_VERSION from Maven Central into $LIBS (once)"
  mkdir -p "$CACHE"
  local tmp log
  tmp=$(mktemp -d "$CACHE/libs.XXXXXX")
  log=$CACHE/mvn.log
  if ! timeout 600 mvn -B -q $MAVEN_FLAGS -f "$HERE/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$tmp" -DincludeScope=runtime >"$log" 2>&1; then
    rm -rf "$tmp"
    die "could not fetch Kafka $KAFKA_VERSION from Maven Central (is it reachable?); mvn said: $(grep -m1 -E 'ERROR' "$log" | cut -c1-240)"
  fi
  rm -rf "$LIBS"; mkdir -p "$(dirname "$LIBS")"; mv "$tmp" "$LIBS"
  touch "$LIBS/.complete"
}

# --- helpers ------------------------------------------------------------------------------------
broker_port() { echo $((BROKER_PORT + $1 - 1)); }
bootstrap_for() { local n=$1 i out=""; for ((i = 1; i <= n; i++)); do out+="${out:+,}$HOST:$(broker_port "$i")"; done; echo "$out"; }
secured_bootstrap_for() {
  local n=$1 i out=""
  for ((i = 1; i <= n; i++)); do out+="${out:+,}$HOST:$(($(broker_port "$i") + SECURED_OFFSET))"; done
  echo "$out"
}
security_of() { [[ -f $STATE/security-mode ]] && cat "$STATE/security-mode" || echo plaintext; }
running_brokers() { [[ -f $STATE/brokers ]] && cat "$STATE/brokers" || echo 0; }
# shellcheck source=../scripts/lib/own-pid.sh
source "$HERE/../scripts/lib/own-pid.sh"
node_pid() { # the recorded pid while it is a node of this cluster (its command line names this state's config)
  own_pid "$1" "$STATE/config/"
}
pid_alive() { # the recorded process is a node of this cluster and not a zombie (a killed node nobody has reaped yet)
  local pid; pid=$(node_pid "$1") || return 1
  running "$pid"
}
port_answers() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
rf_for() { local n=$1; ((n < 3)) && echo "$n" || echo 3; }

port_holder() { # "pid 123 (java)" or "" when ss cannot tell
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/pid \2 (\1)/p' | head -1
}

check_port_free() {
  local port=$1 holder
  if port_answers "$port" || [[ -n $(ss -Hltn "sport = :$port" 2>/dev/null) ]]; then
    holder=$(port_holder "$port")
    die "port $port is already in use${holder:+ by $holder}; stop it or set ${2} to another port"
  fi
}

# Run a Kafka tool class in the foreground. Short tools start faster with a small heap and the first JIT tier only;
# DATASTORM_TOOL_JVM replaces those flags (the benchmarks give ProducerPerformance what Kafka's own script gives it).
kafka_java() {
  local jvm
  read -r -a jvm <<<"${DATASTORM_TOOL_JVM:--Xmx256m -XX:TieredStopAtLevel=1}"
  "$JAVA" "${jvm[@]}" -Dlog4j2.configurationFile="$HERE/log4j2-tools.properties" -cp "$LIBS/*" "$@"
}

write_configs() {
  local n=$1 security=$2 i rf voters=$CONTROLLER_ID@$HOST:$CONTROLLER_PORT
  rf=$(rf_for "$n")
  mkdir -p "$STATE/config" "$STATE/logs" "$STATE/pids" "$STATE/data"
  cat >"$STATE/config/controller.properties" <<EOF
process.roles=controller
node.id=$CONTROLLER_ID
controller.quorum.voters=$voters
listeners=CONTROLLER://$HOST:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT
log.dirs=$STATE/data/controller
$(authorizer_config "$security")
EOF
  for ((i = 1; i <= n; i++)); do
    cat >"$STATE/config/broker-$i.properties" <<EOF
process.roles=broker
node.id=$i
controller.quorum.voters=$voters
controller.listener.names=CONTROLLER
$(listener_config "$i" "$security")
log.dirs=$STATE/data/broker-$i
$(authorizer_config "$security")
# Topics are created on purpose, never by a typo.
auto.create.topics.enable=false
# Let 16 MB producer batches (plus headers) through, and replicate them.
message.max.bytes=20971520
replica.fetch.max.bytes=20971520
replica.fetch.response.max.bytes=67108864
socket.request.max.bytes=134217728
socket.send.buffer.bytes=1048576
socket.receive.buffer.bytes=1048576
fetch.max.bytes=67108864
num.partitions=$n
default.replication.factor=$rf
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=$((n * 3))
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=1
# Kafka's default: a new group waits 3 s for its members, so consumers started together share partitions from the start.
group.initial.rebalance.delay.ms=3000
num.network.threads=3
num.io.threads=4
log.segment.bytes=268435456
log.retention.bytes=4294967296
log.retention.check.interval.ms=60000
EOF
  done
}

# A sasl_ssl cluster checks ACLs, as secured clusters do: the plaintext listener's principal (User:ANONYMOUS: the
# nodes between themselves, the tools) and the SCRAM and OAUTHBEARER user datastorm may do anything; any other user
# only what an ACL allows it.
authorizer_config() {
  [[ $1 == sasl_ssl ]] || return 0
  printf '%s\n' "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" \
    "super.users=User:ANONYMOUS;User:datastorm"
}

# The listeners of broker $1: PLAINTEXT always (inter-broker traffic, the tools), and with a security mode a SECURED
# listener on port + SECURED_OFFSET speaking it, with the broker's PEM key and certificate and the CA.
listener_config() {
  local i=$1 security=$2 port secured
  port=$(broker_port "$i"); secured=$((port + SECURED_OFFSET))
  if [[ $security == plaintext ]]; then
    printf '%s\n' "listeners=PLAINTEXT://$HOST:$port" "advertised.listeners=PLAINTEXT://$HOST:$port" \
      "inter.broker.listener.name=PLAINTEXT" "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
    return
  fi
  local protocol=SSL; [[ $security == sasl_ssl ]] && protocol=SASL_SSL
  printf '%s\n' "listeners=PLAINTEXT://$HOST:$port,SECURED://$HOST:$secured" \
    "advertised.listeners=PLAINTEXT://$HOST:$port,SECURED://$HOST:$secured" \
    "inter.broker.listener.name=PLAINTEXT" \
    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SECURED:$protocol" \
    "listener.name.secured.ssl.keystore.type=PEM" "listener.name.secured.ssl.keystore.location=$SEC/broker-keystore.pem" \
    "listener.name.secured.ssl.truststore.type=PEM" "listener.name.secured.ssl.truststore.location=$SEC/ca.pem"
  if [[ $security == ssl ]]; then
    echo "listener.name.secured.ssl.client.auth=required"
  else
    # SCRAM users are checked against the cluster's metadata; OAUTHBEARER tokens are Kafka's unsecured JWTs (any
    # subject is accepted, no signature): a test-only mechanism, served so an OAUTHBEARER client can be tried here.
    printf '%s\n' "listener.name.secured.sasl.enabled.mechanisms=SCRAM-SHA-512,OAUTHBEARER" \
      "listener.name.secured.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;" \
      "listener.name.secured.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"broker\";"
  fi
}

# A CA, a broker certificate for 127.0.0.1 and localhost, a client certificate (mTLS) and a SCRAM password, made once
# per state directory with openssl; keys and the password are mode 600. Then client.properties for the mode.
make_security() {
  local security=$1 n=$2
  mkdir -p "$SEC"; chmod 700 "$SEC"
  command -v openssl >/dev/null || die "openssl not found: apt-get install openssl"
  if [[ ! -f $SEC/ca.pem ]]; then
    (umask 077
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=DataStorm test CA" \
        -keyout "$SEC/ca.key" -out "$SEC/ca.pem" 2>/dev/null
      for who in broker client; do
        openssl req -newkey rsa:2048 -nodes -subj "/CN=datastorm-$who" -keyout "$SEC/$who.key" -out "$SEC/$who.csr" 2>/dev/null
        printf 'subjectAltName=IP:127.0.0.1,IP:%s,DNS:localhost\n' "$HOST" >"$SEC/$who.ext"
        openssl x509 -req -in "$SEC/$who.csr" -CA "$SEC/ca.pem" -CAkey "$SEC/ca.key" -CAcreateserial -days 3650 \
          -extfile "$SEC/$who.ext" -out "$SEC/$who.pem" 2>/dev/null
        rm -f "$SEC/$who.csr" "$SEC/$who.ext"
      done
      # Kafka's PEM keystore: the PKCS#8 key, then the certificate chain.
      openssl pkcs8 -topk8 -nocrypt -in "$SEC/broker.key" | cat - "$SEC/broker.pem" "$SEC/ca.pem" >"$SEC/broker-keystore.pem"
      head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$SEC/scram-password")
  fi
  # A second SCRAM user, limited, is no super user: it may do only what an ACL allows (tests of refusals).
  [[ -f $SEC/scram-password-limited ]] ||
    (umask 077; head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$SEC/scram-password-limited")
  write_client_properties "$security" "$n"
}

# client.properties for the mode (mTLS, or SCRAM over TLS) and, for sasl_ssl, client-oauthbearer.properties (an
# unsecured JWT for the subject datastorm over the same listener).
write_client_properties() {
  local security=$1 n=$2
  (umask 077
    if [[ $security == ssl ]]; then
      openssl pkcs8 -topk8 -nocrypt -in "$SEC/client.key" | cat - "$SEC/client.pem" >"$SEC/client-keystore.pem"
      client_properties_head "$security" "$n"
      printf '%s\n' "ssl.keystore.type=PEM" "ssl.keystore.location=$SEC/client-keystore.pem"
    else
      client_properties_head "$security" "$n"
      echo "sasl.mechanism=SCRAM-SHA-512"
      echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"datastorm\" password=\"$(cat "$SEC/scram-password")\";"
    fi >"$SEC/client.properties"
    rm -f "$SEC/client-oauthbearer.properties" "$SEC/client-limited.properties"
    [[ $security == sasl_ssl ]] || return 0
    { client_properties_head "$security" "$n"
      echo "sasl.mechanism=SCRAM-SHA-512"
      echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"limited\" password=\"$(cat "$SEC/scram-password-limited")\";"
    } >"$SEC/client-limited.properties"
    { client_properties_head "$security" "$n"
      echo "sasl.mechanism=OAUTHBEARER"
      echo "sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"datastorm\";"
    } >"$SEC/client-oauthbearer.properties")
}

client_properties_head() {
  echo "# The secured listener of the DataStorm test cluster ($1); secrets in this file, mode 600."
  printf '%s\n' "bootstrap.servers=$(secured_bootstrap_for "$2")" "security.protocol=${1^^}" "ssl.truststore.type=PEM" \
    "ssl.truststore.location=$SEC/ca.pem"
}

format_node() { # $1 = config file
  local format=(kafka.tools.StorageTool)
  # SCRAM users are bootstrap metadata of the cluster: written when the storage is formatted, the password read from
  # its file by FormatWithScram.java, never on a command line.
  [[ $(security_of) == sasl_ssl ]] &&
    format=("$HERE/FormatWithScram.java" "$SEC/scram-password" datastorm "$SEC/scram-password-limited" limited --)
  kafka_java "${format[@]}" format --ignore-formatted -t "$(cat "$STATE/cluster-id")" -c "$1" \
    >>"$STATE/logs/format.log" 2>&1 || die "formatting storage for $(basename "$1") failed: $(tail -3 "$STATE/logs/format.log" | tr '\n' ' ')"
}

start_node() { # $1 = name (controller | broker-N), $2 = heap
  local name=$1 heap=$2
  nohup "$JAVA" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$HERE/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$STATE/config/$name.properties" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/pids/$name.pid"
}

wait_port() { # $1 = name, $2 = port: up within UP_TIMEOUT or die with the log's tail
  local name=$1 port=$2 deadline=$((SECONDS + UP_TIMEOUT))
  until port_answers "$port"; do
    if ! pid_alive "$STATE/pids/$name.pid"; then
      echo "--- last lines of $STATE/logs/$name.log" >&2; tail -n 15 "$STATE/logs/$name.log" >&2 || true
      die "$name exited during start-up (log above)"
    fi
    if ((SECONDS >= deadline)); then
      echo "--- last lines of $STATE/logs/$name.log" >&2; tail -n 15 "$STATE/logs/$name.log" >&2 || true
      die "$name is not up on port $port within ${UP_TIMEOUT}s (log above)"
    fi
    sleep 0.3
  done
}

wait_registered() { # all N brokers registered with the controller
  local n=$1 bootstrap deadline=$((SECONDS + UP_TIMEOUT)) got=0
  bootstrap=$(bootstrap_for "$n")
  while :; do
    got=$(kafka_java org.apache.kafka.tools.ClusterTool list-endpoints --bootstrap-server "$bootstrap" 2>/dev/null |
      grep -c "$HOST" || true)
    ((got >= n)) && return 0
    ((SECONDS >= deadline)) && die "only $got of $n brokers registered within ${UP_TIMEOUT}s; see $STATE/logs/"
    sleep 1
  done
}

probe_topic() { # a replicated topic can be created (then it is removed)
  local n=$1 rf bootstrap deadline=$((SECONDS + UP_TIMEOUT)) out
  rf=$(rf_for "$n"); bootstrap=$(bootstrap_for "$n")
  until out=$(kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create \
      --if-not-exists --topic __datastorm_probe --partitions "$n" --replication-factor "$rf" 2>&1); do
    ((SECONDS >= deadline)) && die "cannot create a topic with replication factor $rf: $(echo "$out" | grep -m1 -i error)"
    sleep 1
  done
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --delete \
    --topic __datastorm_probe >/dev/null 2>&1 || true
}

# --- commands -----------------------------------------------------------------------------------
cmd_up() {
  # No --security: plaintext for a new cluster, and a running one of the same size is reused whatever it also serves
  # (its plaintext listener is always there).
  local n=4 restart=0 i security=
  while (($#)); do
    case $1 in
      --brokers) [[ $# -ge 2 ]] || usage_error "--brokers needs a value: a whole number from 1 to 9"; n=$2; shift 2 ;;
      --brokers=*) n=${1#*=}; shift ;;
      --security) [[ $# -ge 2 ]] || usage_error "--security needs a value: plaintext, ssl or sasl_ssl"; security=$2; shift 2 ;;
      --security=*) security=${1#*=}; shift ;;
      --restart) restart=1; shift ;;
      *) usage_error "unknown option '$1' for up (allowed: --brokers N, --restart, --security MODE)" ;;
    esac
  done
  [[ $n =~ ^[1-9]$ ]] || usage_error "--brokers must be a whole number from 1 to 9 (got '$n')"
  [[ -z $security || $security =~ ^(plaintext|ssl|sasl_ssl)$ ]] ||
    usage_error "--security must be plaintext, ssl or sasl_ssl (got '$security')"
  local running_security; running_security=$(security_of)
  local same_security=1
  [[ -n $security && $security != "$running_security" ]] && same_security=0
  local listener=${security:-plaintext}

  local current; current=$(running_brokers)
  if [[ $current != 0 ]] && pid_alive "$STATE/pids/controller.pid"; then
    if [[ $current == "$n" ]] && ((same_security)) && all_alive "$n"; then
      up_line "$n" "$listener"; return 0
    fi
    if ((restart)); then
      info "a $current-broker cluster is running; restarting with $n brokers"
      cmd_down --purge
    elif [[ $current == "$n" ]] && ((same_security)); then
      # Same size, a node down (killed, crashed): start the dead ones again on their own data, named.
      for ((i = 1; i <= n; i++)); do
        pid_alive "$STATE/pids/broker-$i.pid" && continue
        info "broker-$i of the running $n-broker cluster was down; starting it again"
        start_node "broker-$i" "$BROKER_HEAP"
        wait_port "broker-$i" "$(broker_port "$i")"
      done
      wait_registered "$n"
      # A restarted broker binds its port early and serves only once it has caught up with the metadata: wait for that.
      for ((i = 1; i <= n; i++)); do wait_port "broker-$i" "$(broker_port "$i")"; done
      up_line "$n" "$listener"
      return 0
    else
      local serving=""; [[ $running_security != plaintext ]] && serving=" ($running_security)"
      die "a $current-broker cluster$serving is already running; 'cluster.sh down' first, or" \
        "'cluster.sh up --brokers $n${security:+ --security $security} --restart'"
    fi
  elif [[ $current != 0 ]]; then
    cmd_down >/dev/null 2>&1 || true # leftovers of a cluster whose controller died
  fi

  require_java
  fetch_jars
  # Unsaid, a stopped cluster starts again as it was formatted (its SCRAM users are in its data).
  security=${security:-$running_security}
  local i
  check_port_free "$CONTROLLER_PORT" DATASTORM_CONTROLLER_PORT
  for ((i = 1; i <= n; i++)); do
    check_port_free "$(broker_port "$i")" DATASTORM_KAFKA_PORT
    [[ -z $security || $security == plaintext ]] ||
      check_port_free $(($(broker_port "$i") + SECURED_OFFSET)) DATASTORM_KAFKA_PORT # the secured listener
  done

  # Data of a cluster with another size is not reused: its metadata names other brokers.
  # Nor of another security mode: its SCRAM users are written when the storage is formatted.
  if [[ -f $STATE/brokers-formatted && $(cat "$STATE/brokers-formatted") != "$n $security" ]]; then
    rm -rf "$STATE/data" "$STATE/cluster-id"
  fi
  mkdir -p "$STATE"
  # A cluster id is 16 random bytes in URL-safe base64; one starting with '-' would read as an option to the
  # storage tool, so its first character is never '-'.
  [[ -f $STATE/cluster-id ]] || head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | sed 's/^-/A/' \
    >"$STATE/cluster-id"
  echo "$security" >"$STATE/security-mode"
  [[ $security == plaintext ]] || make_security "$security" "$n"
  write_configs "$n" "$security"
  info "starting Kafka $KAFKA_VERSION: 1 controller + $n broker(s) (heap $BROKER_HEAP each), state in $STATE"
  format_node "$STATE/config/controller.properties"
  for ((i = 1; i <= n; i++)); do format_node "$STATE/config/broker-$i.properties"; done
  echo "$n $security" >"$STATE/brokers-formatted"
  echo "$n" >"$STATE/brokers"

  # A start that fails (a node exits, is not up in time, Ctrl-C) stops the nodes it started: none is left holding
  # ports, memory and CPU with nothing to say it runs.
  trap 'info "start-up failed: stopping the nodes it started"; cmd_down || true' EXIT
  start_node controller "$CONTROLLER_HEAP"
  for ((i = 1; i <= n; i++)); do start_node "broker-$i" "$BROKER_HEAP"; done
  wait_port controller "$CONTROLLER_PORT"
  for ((i = 1; i <= n; i++)); do wait_port "broker-$i" "$(broker_port "$i")"; done
  wait_registered "$n"
  probe_topic "$n"
  trap - EXIT
  info "cluster is up: $n broker(s), replication factor up to $(rf_for "$n")"
  up_line "$n" "$listener"
}

# The last line of up: the bootstrap list, of the secured listener when there is one (its client settings named).
up_line() {
  local n=$1 security=$2
  if [[ $security == plaintext ]]; then bootstrap_for "$n"; return; fi
  info "secured listener ($security): client settings in $SEC/client.properties (--kafka-config)"
  [[ $security == sasl_ssl ]] && info "OAUTHBEARER (unsecured JWT, test only): $SEC/client-oauthbearer.properties"
  secured_bootstrap_for "$n"
}

all_alive() { local i; for ((i = 1; i <= $1; i++)); do pid_alive "$STATE/pids/broker-$i.pid" || return 1; done; }

stop_pid_file() { # TERM, wait up to 30 s, then KILL; only the pid this script recorded, while it is still that node
  local f=$1 pid
  [[ -f $f ]] || return 0
  if pid=$(node_pid "$f"); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do running "$pid" || break; sleep 0.2; done
    running "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

cmd_down() {
  local purge=0
  while (($#)); do
    case $1 in
      --purge) purge=1; shift ;;
      *) usage_error "unknown option '$1' for down (allowed: --purge)" ;;
    esac
  done
  local f stopped=0 stoppers=()
  # Brokers first (a clean shutdown needs the controller), then the controller. Only the stoppers are waited for: the
  # nodes are this shell's children too when a failed start stops them.
  for f in "$STATE"/pids/broker-*.pid; do
    [[ -f $f ]] && { stop_pid_file "$f" & stoppers+=($!); stopped=$((stopped + 1)); }
  done
  ((${#stoppers[@]} == 0)) || wait "${stoppers[@]}"
  [[ -f $STATE/pids/controller.pid ]] && { stop_pid_file "$STATE/pids/controller.pid"; stopped=$((stopped + 1)); }
  rm -f "$STATE/brokers"
  if ((purge)); then rm -rf "$STATE/data" "$STATE/cluster-id" "$STATE/brokers-formatted" "$STATE/logs" "$STATE/security-mode"; fi
  info "stopped $stopped node(s)$( ((purge)) && echo ', data deleted')"
}

cmd_status() {
  local n; n=$(running_brokers)
  if [[ ! -d $STATE/pids ]] || [[ -z $(ls "$STATE/pids" 2>/dev/null) ]]; then
    echo "no cluster started by this script (state: $STATE)"; return 3
  fi
  printf '%-12s %-8s %-6s %s\n' NODE PID PORT STATE
  local name port f pid st bad=0
  for f in "$STATE"/pids/*.pid; do
    name=$(basename "$f" .pid); pid=$(cat "$f")
    if [[ $name == controller ]]; then port=$CONTROLLER_PORT; else port=$(broker_port "${name#broker-}"); fi
    if ! pid_alive "$f"; then st="dead"; bad=1
    elif port_answers "$port"; then st="answers"
    else st="running, not answering"; bad=1; fi
    printf '%-12s %-8s %-6s %s\n' "$name" "$pid" "$port" "$st"
  done
  [[ $n != 0 ]] && echo "bootstrap: $(bootstrap_for "$n")"
  return $bad
}

cmd_bootstrap() {
  local n; n=$(running_brokers)
  [[ $n != 0 ]] || die "no cluster is running; start one with 'kafka-cluster/cluster.sh up --brokers N'"
  bootstrap_for "$n"
}

cmd_kill_broker() {
  [[ ${1:-} =~ ^[1-9]$ && -f $STATE/pids/broker-$1.pid ]] || usage_error "kill-broker needs the id of a running broker (1..$(running_brokers))"
  local pid
  pid=$(node_pid "$STATE/pids/broker-$1.pid") || usage_error "broker-$1 is not running (its pid file names no node of this cluster)"
  kill -KILL "$pid" 2>/dev/null || true
  # SIGKILL is asynchronous: return once the process is gone, so what follows sees a dead broker.
  for _ in $(seq 1 100); do pid_alive "$STATE/pids/broker-$1.pid" || break; sleep 0.1; done
  info "broker-$1 killed (-9)"
}

cmd_start_broker() {
  [[ ${1:-} =~ ^[1-9]$ && -f $STATE/config/broker-$1.properties ]] || usage_error "start-broker needs a broker id of the current cluster"
  pid_alive "$STATE/pids/broker-$1.pid" && { info "broker-$1 is already running"; return 0; }
  start_node "broker-$1" "$BROKER_HEAP"
  wait_port "broker-$1" "$(broker_port "$1")"
  info "broker-$1 is back"
}

# TopicCommand against the running cluster, over its secured listener with client.properties when it has one (the
# way a user's tools reach a secured cluster); given --bootstrap-server, against that cluster with the arguments as
# they are (add --command-config FILE for a secured one).
cmd_topic() {
  local a
  for a in "$@"; do
    [[ $a == --bootstrap-server || $a == --bootstrap-server=* ]] && { kafka_java org.apache.kafka.tools.TopicCommand "$@"; return; }
  done
  local servers; servers=$(cmd_bootstrap) || exit 1
  local security; security=$(security_of)
  if [[ $security != plaintext && -f $SEC/client.properties ]]; then
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$(secured_bootstrap_for "$(running_brokers)")" \
      --command-config "$SEC/client.properties" "$@"
  else
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$servers" "$@"
  fi
}

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    bootstrap) cmd_bootstrap ;;
    fetch) require_java; fetch_jars; echo "$LIBS" ;;
    libs) echo "$LIBS" ;;
    version) echo "$KAFKA_VERSION" ;;
    topic) require_java; fetch_jars; cmd_topic "$@" ;;
    tool) require_java; fetch_jars; [[ $# -ge 1 ]] || usage_error "tool needs a class name"; local c=$1; shift
      [[ $c == *.* ]] || c=org.apache.kafka.tools.$c; kafka_java "$c" "$@" ;;
    kill-broker) cmd_kill_broker "$@" ;;
    start-broker) cmd_start_broker "$@" ;;
    ""|-h|--help|help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
    *) usage_error "unknown command '$cmd' (allowed: up, down, status, bootstrap, fetch, topic, tool, kill-broker, start-broker)" ;;
  esac
}

main "$@"
