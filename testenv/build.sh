#!/usr/bin/env bash
# Builds the local test environment from pinned sources, through the Go module proxy only:
#   pulumi (CLI), pulumi-resource-kubernetes (installed as plugin kubernetes 4.32.0), etcd,
#   kube-apiserver, kube-controller-manager, kube-scheduler and kwok.
# Each tool is cached under $OPENWAN_TESTENV_CACHE (default ~/.cache/openwan-testenv) in a
# directory named after its version and a hash of its wrapper module, so only the first run on a
# machine (or a version bump) pays for the build: about 30 minutes on two cores cold, seconds warm.
# Prints the bin directory on stdout when done.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${OPENWAN_TESTENV_CACHE:-$HOME/.cache/openwan-testenv}
bin=$cache/bin
mkdir -p "$cache" "$bin"

log() { echo "testenv: $*" >&2; }

# key NAME VERSION: the cache directory of one tool's build.
key() {
  local sum
  sum=$(cd "$here/$1" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-12)
  echo "$cache/$1-$2-$sum"
}

# build NAME VERSION OUTPUTS... -- COMMANDS: runs COMMANDS in a scratch copy of the wrapper module
# with $out pointing at the staging bin directory, unless the cache already holds OUTPUTS.
build() {
  local name=$1 version=$2; shift 2
  local outputs=()
  while [ "$1" != "--" ]; do outputs+=("$1"); shift; done
  shift
  local dir; dir=$(key "$name" "$version")
  local have=1
  for o in "${outputs[@]}"; do [ -e "$dir/bin/$o" ] || have=0; done
  if [ $have = 0 ]; then
    log "building $name $version (cold: this takes minutes)"
    local start=$SECONDS work; work=$(mktemp -d)
    cp -R "$here/$name/." "$work/"
    mkdir -p "$work/bin"
    (cd "$work" && out="$work/bin" && eval "$@")
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" && mv "$work/bin" "$dir.tmp/bin" && rm -rf "$dir" && mv "$dir.tmp" "$dir"
    rm -rf "$work"
    log "built $name in $((SECONDS - start)) s"
  fi
  for o in "${outputs[@]}"; do ln -sf "$dir/bin/$o" "$bin/$o"; done
}

export GOFLAGS=-mod=mod
PULUMI_VERSION=v3.274.1
K8S_PROVIDER_VERSION=4.32.0
KUBE_VERSION=v1.36.3
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0

build etcd "$ETCD_VERSION" etcd -- 'go build -trimpath -o "$out/etcd" .'

build kwok "$KWOK_VERSION" kwok kwok-stages.yaml -- 'go build -trimpath -o "$out/kwok" sigs.k8s.io/kwok/cmd/kwok &&
  src=$(go list -m -f "{{.Dir}}" sigs.k8s.io/kwok) &&
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"; cat "$src/kustomize/stage/$f"; done > "$out/kwok-stages.yaml"'

build pulumi "$PULUMI_VERSION" pulumi -- 'go build -trimpath -o "$out/pulumi" \
  -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi'

build k8s-provider "$K8S_PROVIDER_VERSION" pulumi-resource-kubernetes -- 'src=$(go list -m -f "{{.Dir}}" github.com/pulumi/pulumi-kubernetes/provider/v4) &&
  go run ./internal/embedgen -src "$src/cmd/pulumi-resource-kubernetes" -version "$K8S_PROVIDER_VERSION" -out . &&
  go build -trimpath -o "$out/pulumi-resource-kubernetes" \
    -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PROVIDER_VERSION" .'

minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
kube_ldflags="-X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
kube_ldflags="$kube_ldflags -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
build kube "$KUBE_VERSION" kube-apiserver kube-controller-manager kube-scheduler -- 'for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
    go build -trimpath -o "$out/$cmd" -ldflags "$kube_ldflags" "k8s.io/kubernetes/cmd/$cmd" || exit 1
  done'

# The provider as Pulumi plugin kubernetes 4.32.0, in the suite's own PULUMI_HOME, and not on
# PATH: the Automation API puts the CLI's directory on PATH, and a provider found there would
# shadow the installed plugin (with a warning on every run).
provider=$(readlink -f "$bin/pulumi-resource-kubernetes")
rm -f "$bin/pulumi-resource-kubernetes"
export PULUMI_HOME=$cache/pulumi-home
if [ ! -d "$PULUMI_HOME/plugins/resource-kubernetes-v$K8S_PROVIDER_VERSION" ] || ! cmp -s "$provider" "$PULUMI_HOME/plugins/resource-kubernetes-v$K8S_PROVIDER_VERSION/pulumi-resource-kubernetes"; then
  rm -rf "$PULUMI_HOME/plugins/resource-kubernetes-v$K8S_PROVIDER_VERSION"*
  "$bin/pulumi" plugin install resource kubernetes "$K8S_PROVIDER_VERSION" --file "$provider" >&2
fi
echo "$bin"
