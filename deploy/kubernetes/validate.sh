#!/usr/bin/env bash
# Renders deploy/kubernetes with kubectl's kustomize and validates every object offline against Kubernetes' own
# schemas (sigs.k8s.io/kubectl-validate, its schemas built in; installed once into the cache with go install, about
# 4 minutes on 2 cores). No cluster needed.
#   deploy/kubernetes/validate.sh [K8S_VERSION]    default 1.30
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VERSION=${1:-1.30}
[[ $VERSION =~ ^1\.[0-9]{2}$ ]] || { echo "validate.sh: error: K8S_VERSION must be like 1.30 (got '$VERSION')" >&2; exit 2; }
BIN=${DATASTORM_CACHE:-$HOME/.cache/datastorm}/bin
VALIDATE=$BIN/kubectl-validate
command -v kubectl >/dev/null || { echo "validate.sh: error: kubectl not found (apt-get install kubernetes-client)" >&2; exit 1; }
if [[ ! -x $VALIDATE ]]; then
  command -v go >/dev/null || { echo "validate.sh: error: go not found: it builds kubectl-validate" >&2; exit 1; }
  echo "validate.sh: building kubectl-validate into $BIN (once)" >&2
  GOBIN=$BIN go install sigs.k8s.io/kubectl-validate@v0.0.4
fi
rendered=$(mktemp --suffix=.yaml)
trap 'rm -f "$rendered"' EXIT
kubectl kustomize "$ROOT/deploy/kubernetes" >"$rendered"
echo "validate.sh: $(grep -c '^kind:' "$rendered") objects: $(grep '^kind:' "$rendered" | awk '{print $2}' | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}')" >&2
"$VALIDATE" "$rendered" --version "$VERSION" >/dev/null 2>&1 || { "$VALIDATE" "$rendered" --version "$VERSION" >&2; exit 1; }
echo "validate.sh: valid against Kubernetes $VERSION's schemas" >&2
