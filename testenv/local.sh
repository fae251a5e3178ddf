#!/usr/bin/env bash
# The local deployment by hand, in one command:
#   testenv/local.sh up     # builds what is missing, starts the control plane, deploys the local
#                           # stack, prints the HPAs the cluster holds
#   testenv/local.sh down   # destroys the stack and stops the control plane
# KUBECONFIG for kubectl afterwards: ~/.cache/openwan-testenv/run/kubeconfig.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cache=${OPENWAN_TESTENV_CACHE:-$HOME/.cache/openwan-testenv}
run=${OPENWAN_TESTENV_RUN:-$cache/run}
case "${1:-}" in
  up)
    "$here/build.sh" > /dev/null
    kubeconfig=$run/kubeconfig
    if [ ! -f "$kubeconfig" ]; then kubeconfig=$("$here/cluster.sh" start); fi
    cd "$repo" && go run ./cmd/localstack --cache "$cache" --kubeconfig "$kubeconfig" up
    ;;
  down)
    if [ -f "$run/kubeconfig" ]; then
      (cd "$repo" && go run ./cmd/localstack --cache "$cache" --kubeconfig "$run/kubeconfig" destroy) || true
    fi
    rm -rf "$cache/local-state" "$cache/local-workspace"
    "$here/cluster.sh" stop
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
