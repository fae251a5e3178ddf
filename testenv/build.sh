#!/usr/bin/env bash
# Builds the local test environment from pinned sources, through the Go module proxy only:
#   pulumi (CLI), pulumi-resource-kubernetes (installed as plugin kubernetes 4.32.0), etcd,
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kwok.
# With OPENWAN_TESTENV_NODES=real it also gets what the real node of cluster.sh runs:
#   metrics-server (module proxy), and containerd, runc and the CNI plugins from Debian's
#   packages (downloaded with apt-get and extracted, not installed). The kwok suite needs none of
#   these, and a machine without apt can still run it.
#
# Each tool is cached under $OPENWAN_TESTENV_CACHE (default ~/.cache/openwan-testenv) in a
# directory named after its version and a hash of its wrapper module and of its recipe (the
# recipe_NAME function below, as bash prints it), so a changed recipe rebuilds that tool and only
# that one. Nothing here may read a module's directory before a command that downloads it: a
# fresh machine has an empty module cache. The cold build (one command, empty caches):
#   GOMODCACHE=$(mktemp -d) OPENWAN_TESTENV_CACHE=$(mktemp -d) testenv/build.sh
# Prints the bin directory on stdout when done. Times: docs/local-stack.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${OPENWAN_TESTENV_CACHE:-$HOME/.cache/openwan-testenv}
bin=$cache/bin
mkdir -p "$cache" "$bin"

log() { echo "testenv: $*" >&2; }

# Recipes. Each runs in a scratch copy of testenv/NAME with $version set to the tool's version
# and $out to the directory its outputs go to; it may use nothing else of this script.
recipe_etcd() {
  go build -trimpath -o "$out/etcd" .
}

recipe_kwok() {
  go build -trimpath -o "$out/kwok" sigs.k8s.io/kwok/cmd/kwok
  # The stage files ship in the module, not in the binary; download before reading its directory.
  go mod download sigs.k8s.io/kwok
  local src f
  src=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"
    cat "$src/kustomize/stage/$f"
  done > "$out/kwok-stages.yaml"
}

recipe_pulumi() {
  go build -trimpath -o "$out/pulumi" \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

recipe_k8s_provider() {
  # schema.json is data in the provider module, which nothing has downloaded yet on a new machine.
  go mod download github.com/pulumi/pulumi-kubernetes/provider/v4
  local src
  src=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)
  [ -f "$src/cmd/pulumi-resource-kubernetes/schema.json" ] || { log "no schema.json under '$src'"; return 1; }
  go run ./internal/embedgen -src "$src/cmd/pulumi-resource-kubernetes" -version "$version" -out .
  go build -trimpath -o "$out/pulumi-resource-kubernetes" \
    -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$version" .
}

recipe_kube() {
  local minor=${version#v1.} ldflags cmd
  minor=${minor%%.*}
  ldflags="-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=$version -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  for cmd in kube-apiserver kube-controller-manager kube-scheduler kubelet; do
    go build -trimpath -o "$out/$cmd" -ldflags "$ldflags" "k8s.io/kubernetes/cmd/$cmd"
  done
}

recipe_metrics_server() {
  # Static (no cgo), as its image holds nothing but the binary. Stamped as the release's
  # Makefile does (PKG := k8s.io/client-go/pkg), so it reports v0.8.0.
  CGO_ENABLED=0 go build -trimpath -o "$out/metrics-server" \
    -ldflags "-X k8s.io/client-go/pkg/version.gitVersion=$version" sigs.k8s.io/metrics-server/cmd/metrics-server
}

# The container runtime of the real node: containerd, its runc shim, runc and the bridge,
# host-local and loopback CNI plugins, from the machine's Debian mirror. Extracted, not installed:
# nothing on the host changes, and no service starts. No revision is pinned, as a security update
# removes the old one from the mirror; VERSIONS records what was fetched, and the versions the
# real node was proven with are checked by major.minor: containerd 1.6 or 1.7 (the CRI v1 that
# kubelet 1.36 speaks, and the config format cluster.sh writes), runc 1.1 or later.
recipe_node() {
  local pkgs=(containerd runc containernetworking-plugins) deb v
  mkdir -p debs root "$out/node/cni"
  # A fresh machine has no package lists yet: then, and only then, fetch them.
  # apt-get's progress goes to stderr: build.sh's stdout is the bin directory alone.
  if ! (cd debs && apt-get download "${pkgs[@]}") >&2; then
    apt-get update -qq >&2
    (cd debs && apt-get download "${pkgs[@]}") >&2
  fi
  for deb in debs/*.deb; do
    dpkg-deb -x "$deb" root
    # shellcheck disable=SC2016 # dpkg's field names, not shell expansions
    dpkg-deb -W --showformat '${Package}: ${Version}\n' "$deb" >> "$out/node/VERSIONS"
  done
  v=$(sed -n 's/^containerd: //p' "$out/node/VERSIONS")
  case $v in 1.6.* | 1.7.*) ;; *) echo "recipe_node: containerd $v; cluster.sh needs 1.6 or 1.7" >&2; return 1 ;; esac
  v=$(sed -n 's/^runc: //p' "$out/node/VERSIONS")
  case $v in 1.1.* | 1.[2-9].* | 1.[1-9][0-9].*) ;; *) echo "recipe_node: runc $v; cluster.sh needs 1.1 or later" >&2; return 1 ;; esac
  cp root/usr/bin/containerd root/usr/bin/containerd-shim-runc-v2 root/usr/bin/ctr root/usr/sbin/runc "$out/node/"
  cp root/usr/lib/cni/bridge root/usr/lib/cni/host-local root/usr/lib/cni/loopback "$out/node/cni/"
}

# The real node's images from testenv/app: the pause process (containerd's sandbox image), the
# stand-in for the API (and the workers), and the packer that makes an image of a binary, for
# metrics-server's below. Static, so each image holds its binary alone.
recipe_app() {
  CGO_ENABLED=0 go build -trimpath -o "$out/standin-bin" ./standin
  CGO_ENABLED=0 go build -trimpath -o "$out/pause-bin" ./pause
  go build -trimpath -o "$out/ociimage" ./ociimage
  "$out/ociimage" -name openwan.local/standin:1 -out "$out/standin.tar" \
    -file /standin="$out/standin-bin" -entrypoint /standin -user 10001:10001
  "$out/ociimage" -name openwan.local/pause:1 -out "$out/pause.tar" \
    -file /pause="$out/pause-bin" -entrypoint /pause -user 65535:65535
  rm "$out/standin-bin" "$out/pause-bin"
}

# key NAME VERSION: the cache directory of one tool's build, keyed by its wrapper module's files
# and its recipe's text.
key() {
  local name=$1 version=$2 sum
  sum=$({
    declare -f "recipe_${name//-/_}"
    cd "$here/$name" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 |
      LC_ALL=C sort -z | xargs -0 cat
  } | sha256sum | cut -c1-12)
  echo "$cache/$name-$version-$sum"
}

# build NAME VERSION OUTPUTS...: runs recipe_NAME in a scratch copy of testenv/NAME, unless the
# cache already holds every one of OUTPUTS, and links them into $bin.
build() {
  local name=$1 version=$2; shift 2
  local dir have=1 o
  dir=$(key "$name" "$version")
  for o in "$@"; do [ -e "$dir/bin/$o" ] || have=0; done
  if [ $have = 0 ]; then
    log "building $name $version (cold: this takes minutes)"
    local start=$SECONDS work
    work=$(mktemp -d)
    cp -R "$here/$name/." "$work/"
    mkdir -p "$work/bin"
    # A plain statement, not a condition: bash ignores set -e inside a tested subshell, and a
    # recipe's failing first command must stop it. A failure ends the script; the trap cleans up.
    trap 'rm -rf "$work"' EXIT
    (
      cd "$work"
      out=$work/bin
      "recipe_${name//-/_}"
    )
    trap - EXIT
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" && mv "$work/bin" "$dir.tmp/bin" && rm -rf "$dir" && mv "$dir.tmp" "$dir"
    rm -rf "$work"
    log "built $name in $((SECONDS - start)) s"
  fi
  # -n: an output may be a directory, and a link to it must be replaced, not entered.
  for o in "$@"; do ln -sfn "$dir/bin/$o" "$bin/$o"; done
}

export GOFLAGS=-mod=mod
PULUMI_VERSION=v3.274.1
K8S_PROVIDER_VERSION=4.32.0
KUBE_VERSION=v1.36.3
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
METRICS_SERVER_VERSION=v0.8.0
# Debian's packages of the machine's release: the versions fetched are in node/VERSIONS.
NODE_VERSION=debian
# The stand-in images' own tag (openwan.local/standin:1); their source is keyed by its hash.
APP_VERSION=1

# --keys prints each tool's cache directory and builds nothing: .ci/run checks with it that a
# changed recipe changes its own tool's key and no other.
if [ "${1:-}" = --keys ]; then
  for tool in "etcd $ETCD_VERSION" "kwok $KWOK_VERSION" "pulumi $PULUMI_VERSION" \
    "k8s-provider $K8S_PROVIDER_VERSION" "kube $KUBE_VERSION" \
    "metrics-server $METRICS_SERVER_VERSION" "node $NODE_VERSION" "app $APP_VERSION"; do
    # shellcheck disable=SC2086 # two words on purpose: name and version
    key $tool
  done
  exit 0
fi

version=$ETCD_VERSION build etcd "$ETCD_VERSION" etcd
version=$KWOK_VERSION build kwok "$KWOK_VERSION" kwok kwok-stages.yaml
version=$PULUMI_VERSION build pulumi "$PULUMI_VERSION" pulumi
version=$K8S_PROVIDER_VERSION build k8s-provider "$K8S_PROVIDER_VERSION" pulumi-resource-kubernetes
version=$KUBE_VERSION build kube "$KUBE_VERSION" kube-apiserver kube-controller-manager kube-scheduler kubelet
if [ "${OPENWAN_TESTENV_NODES:-kwok}" = real ]; then
  version=$METRICS_SERVER_VERSION build metrics-server "$METRICS_SERVER_VERSION" metrics-server
  version=$NODE_VERSION build node "$NODE_VERSION" node
  version=$APP_VERSION build app "$APP_VERSION" ociimage standin.tar pause.tar
  # metrics-server's image, as the program's manifests name it, packed from the binary built
  # above (a second or so: not cached, so it always holds the binary the cache holds).
  "$bin/ociimage" -name "registry.k8s.io/metrics-server/metrics-server:$METRICS_SERVER_VERSION" \
    -out "$cache/metrics-server.tar.tmp" -file /metrics-server="$(readlink -f "$bin/metrics-server")" \
    -entrypoint /metrics-server -user 65534:65534
  mv "$cache/metrics-server.tar.tmp" "$bin/metrics-server.tar"
fi

# The provider as Pulumi plugin kubernetes 4.32.0, in the suite's own PULUMI_HOME, and not on
# PATH: the Automation API puts the CLI's directory on PATH, and a provider found there would
# shadow the installed plugin (with a warning on every run).
provider=$(readlink -f "$bin/pulumi-resource-kubernetes")
rm -f "$bin/pulumi-resource-kubernetes"
export PULUMI_HOME=$cache/pulumi-home
plugin=$PULUMI_HOME/plugins/resource-kubernetes-v$K8S_PROVIDER_VERSION
if [ ! -d "$plugin" ] || ! cmp -s "$provider" "$plugin/pulumi-resource-kubernetes"; then
  rm -rf "$plugin"*
  "$bin/pulumi" plugin install resource kubernetes "$K8S_PROVIDER_VERSION" --file "$provider" >&2
fi
echo "$bin"
