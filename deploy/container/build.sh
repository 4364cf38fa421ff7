#!/usr/bin/env bash
# Builds DataStorm's image with podman, with no image registry: a Debian 12 base made here with debootstrap from this
# host's apt mirror, then deploy/container/Containerfile (a build stage compiles the addon; the image runs
# `datastorm` and carries redis-server). Root only (rootful podman).
#   deploy/container/build.sh [IMAGE]      default localhost/datastorm:latest; FORCE=1 also rebuilds the base
#   podman save --format oci-archive -o datastorm.tar IMAGE    ship it without a registry (podman load -i on a host)
# Settings this VM needs are written to a containers.conf drop-in: runc where crun refuses the cgroup layout, and
# default ulimits within what root may set here.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IMAGE=${1:-localhost/datastorm:latest}
BASE=localhost/datastorm-debian-base:latest
SUITE=bookworm
WORK=${DATASTORM_CACHE:-$HOME/.cache/datastorm}/container
CONF=/etc/containers/containers.conf.d/50-datastorm.conf
say() { echo "build.sh: $*" >&2; }
die() { echo "build.sh: error: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "building with podman needs root here (rootful podman)"
[[ -f $ROOT/dist/src/cli/index.js ]] || die "no dist/: run scripts/setup.sh first (it builds DataStorm)"
# Mirror URLs stay out of logs.
mask() { sed -E 's#[a-z]+://[^ /]+#<mirror>#g'; }

install_deps() {
  local p missing=()
  for p in podman buildah debootstrap runc uidmap containernetworking-plugins; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

write_conf() {
  local nofile nproc pidmax runtime=""
  nofile=$(ulimit -Hn); nproc=$(ulimit -Hu); pidmax=$(cat /proc/sys/kernel/pid_max)
  [[ $nofile == unlimited || $nofile -gt 1048576 ]] && nofile=1048576
  [[ $nproc == unlimited || $nproc -gt 1048576 ]] && nproc=1048576
  ((nproc > pidmax)) && nproc=$pidmax
  # crun refuses a "hybrid" cgroup layout whose v2 mount still has controllers; runc copes.
  grep -qs . /sys/fs/cgroup/unified/cgroup.controllers && runtime='runtime = "runc"'
  mkdir -p "$(dirname "$CONF")"
  printf '%s\n' '[containers]' "default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]" \
    '[engine]' "$runtime" >"$CONF"
}

# "URI SUITE COMPONENT" of every Debian $SUITE index this host's apt reads.
apt_repos() {
  apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' |
    awk -v s="$SUITE" '$2 == s || index($2, s "-") == 1' | sort -u
}

make_base() {
  podman image exists "$BASE" && [[ -z ${FORCE:-} ]] && return 0
  local mirror rootfs=$WORK/rootfs
  mirror=$(apt_repos | awk -v s="$SUITE" '$2 == s {print $1; exit}')
  [[ -n $mirror ]] || die "no '$SUITE' repository in this host's apt sources"
  rm -rf "$rootfs"; mkdir -p "$WORK"
  say "debootstrap $SUITE (minbase) from the host's mirror"
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" 2>&1 | mask >"$WORK/debootstrap.log" ||
    die "debootstrap failed: $(tail -5 "$WORK/debootstrap.log")"
  rm -f "$rootfs/etc/apt/sources.list"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" --numeric-owner -cf - . | podman import --change 'ENV LANG=C.UTF-8' - "$BASE" >/dev/null
  rm -rf "$rootfs"
}

# The build context: apt sources (a build-time mount), the host's Node, and the app with its production modules.
stage_context() {
  local ctx=$1
  mkdir -p "$ctx/apt" "$ctx/node" "$ctx/app"
  apt_repos | awk '{print "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] " $1 " " $2 " " $3}' \
    >"$ctx/apt/sources.list"
  { echo 'Dir::Etc::SourceList "/tmp/host-apt/sources.list";'; echo 'Dir::Etc::SourceParts "/tmp/host-apt/none.d";'
    apt-config dump | grep -E '^Acquire::Check-(Valid-Until|Date) ' || true; } >"$ctx/apt/apt.conf"
  local node; node=$(command -v node)
  [[ $("$node" --version) == v20.* ]] || die "the host's node is $("$node" --version); the image needs Node 20"
  mkdir -p "$ctx/node/bin" "$ctx/node/include" "$ctx/node/lib/node_modules"
  cp "$node" "$ctx/node/bin/node"
  cp -r /usr/include/node "$ctx/node/include/node"
  cp -r /usr/lib/node_modules/npm "$ctx/node/lib/node_modules/npm"
  (cd "$ROOT" && tar -cf - package.json schemas scenarios native/binding.gyp native/src dist/src) | tar -C "$ctx/app" -xf -
  # Production modules only; node-rdkafka with its compiled librdkafka, without librdkafka's sources. (Where
  # node_modules is a link to another checkout's, npm reads that checkout.)
  local modules; modules=$(dirname "$(realpath "$ROOT/node_modules")")
  (cd "$modules" && npm ls --omit=dev --all --parseable | sed "s#^$modules/##" | grep '^node_modules/' |
    tar --exclude='node_modules/node-rdkafka/deps' --exclude='node_modules/node-rdkafka/build/deps/librdkafka*.a' \
      -cf - -T -) | tar -C "$ctx/app" -xf -
}

install_deps
write_conf
make_base
ctx=$(mktemp -d -p "${TMPDIR:-/tmp}" datastorm-ctx.XXXX)
trap 'rm -rf "$ctx"' EXIT
stage_context "$ctx"
cp "$ROOT/deploy/container/Containerfile" "$ctx/Containerfile"
say "podman build $IMAGE"
podman build --pull=never --build-arg BASE="$BASE" -t "$IMAGE" "$ctx" 2>&1 | mask >"$WORK/build.log" ||
  die "podman build failed: $(tail -15 "$WORK/build.log")"
podman run --rm "$IMAGE" --help >/dev/null ||
  die "the image does not run datastorm"
say "built $IMAGE ($(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1 / 1e6}'))"
echo "$IMAGE"
