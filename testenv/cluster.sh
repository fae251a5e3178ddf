#!/usr/bin/env bash
# Starts or stops the local control plane the integration suite deploys to: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake kubelets for three
# nodes), all on 127.0.0.1, with token authentication, RBAC and self-signed certificates.
#
#   testenv/cluster.sh start   # prints the kubeconfig path (context "openwan-local")
#   testenv/cluster.sh stop    # stops every process it started, by PID, and removes its state
#   testenv/cluster.sh restart-apiserver  # restarts kube-apiserver alone, on the same etcd
#
# Binaries come from testenv/build.sh. State lives in $OPENWAN_TESTENV_RUN (default
# ~/.cache/openwan-testenv/run); ports from OPENWAN_APISERVER_PORT (36443) and
# OPENWAN_ETCD_PORT (32379, peer +1).
#
# OPENWAN_TESTENV_NODES=real (default kwok) runs one real node instead of kwok's: kubelet
# v1.36.3 with containerd, runc and bridge CNI (from OPENWAN_TESTENV_NODES=real testenv/build.sh),
# named openwan-node-1 at 10.254.0.10, on which pods run for real and metrics-server can measure
# them. Everything then runs in a network and mount namespace of the caller's own, which this
# script refuses to do without: run it under `unshare --net --mount --propagation private`. In it,
# kube-apiserver serves on 0.0.0.0:443, also as the `kubernetes` Service's ClusterIP 10.96.0.1
# (no kube-proxy: the address is on lo), and the kubeconfig verifies it with the run's own CA.
# OPENWAN_TESTENV_IMAGES lists the OCI archives (colon-separated) imported into containerd
# before the kubelet starts; it must hold the pod sandbox image openwan.local/pause:1. Nothing is
# pulled: there is no registry and no network.
set -euo pipefail
cache=${OPENWAN_TESTENV_CACHE:-$HOME/.cache/openwan-testenv}
run=${OPENWAN_TESTENV_RUN:-$cache/run}
bin=$cache/bin
api_port=${OPENWAN_APISERVER_PORT:-36443}
etcd_port=${OPENWAN_ETCD_PORT:-32379}
nodes=${OPENWAN_TESTENV_NODES:-kwok}
log() { echo "cluster: $*" >&2; }
teardown_on_failure=yes # wait_for stops the whole cluster when a process does not come up
# kube-apiserver's addresses: 127.0.0.1 alone with kwok; see the real node's below.
api_bind=127.0.0.1
api_advertise=127.0.0.1

# The real node. Its addresses exist only in the suite's network namespace, on lo: the node's
# InternalIP (the kubelet's and kube-apiserver's advertised address) and the first address of
# --service-cluster-ip-range, the ClusterIP of the `kubernetes` Service, which in-cluster clients
# (metrics-server) dial on port 443. Pods get 10.244.0.0/24 on a bridge whose address is their
# default route to both.
node_name=openwan-node-1
node_ip=10.254.0.10
service_ip=10.96.0.1
pod_cidr=10.244.0.0/24
bridge=openwan0
pause_image=openwan.local/pause:1
# Paths that containerd 1.6, the CNI library and the kubelet use whatever their configuration
# says: the shims' sockets (/run/containerd/s), the pods' network namespaces (/run/netns), the
# CNI result cache (/var/lib/cni), the device plugins' socket (/var/lib/kubelet/device-plugins)
# and the container log links (/var/log/containers). Each gets a tmpfs in the suite's mount
# namespace, so nothing lands on the host's disk; a directory the host lacks is created for the
# mount and removed by stop.
private_dirs=(/run/containerd /run/netns /var/lib/cni /var/lib/kubelet /var/log/containers)

case $nodes in
  kwok) ;;
  real)
    # Containers, a bridge and addresses on lo must never reach the host's own namespaces.
    # The host's namespaces are PID 1's; where PID 1's cannot be read (a VM's init may deny it,
    # even to root), kthreadd's (PID 2), as kernel threads live in the initial namespaces. A
    # namespace that cannot be read at all counts as the host's.
    same_ns() { # KIND: this process is in the host's namespace of KIND
      local own host
      own=$(readlink "/proc/self/ns/$1" 2> /dev/null) || return 0
      host=$(readlink "/proc/1/ns/$1" 2> /dev/null) ||
        { [ "$(cat /proc/2/comm 2> /dev/null)" = kthreadd ] && host=$(readlink "/proc/2/ns/$1" 2> /dev/null); } ||
        return 0
      [ "$own" = "$host" ]
    }
    if same_ns net || same_ns mnt; then
      log "OPENWAN_TESTENV_NODES=real runs a kubelet, containerd and pods, and must not run in the host's network or mount namespace: run it under 'unshare --net --mount --propagation private'"
      exit 1
    fi
    # Pods reach the API at the `kubernetes` Service's port, 443, and nothing translates it.
    if [ "${OPENWAN_APISERVER_PORT:-443}" != 443 ]; then
      log "OPENWAN_APISERVER_PORT=$OPENWAN_APISERVER_PORT: with OPENWAN_TESTENV_NODES=real kube-apiserver serves on 443"; exit 1
    fi
    api_port=443
    api_bind=0.0.0.0 # every address of the suite's own namespace, so pods reach it too
    api_advertise=$node_ip
    run=$(realpath -m "$run") # the kubelet's and containerd's paths must be absolute
    ;;
  *) log "OPENWAN_TESTENV_NODES=$nodes: expected kwok or real"; exit 2 ;;
esac
sock=$run/containerd/containerd.sock
ctr=("$bin/node/ctr" --address "$sock" --namespace k8s.io)

# alive PID: the process runs (a zombie, which no init may reap here, holds nothing).
alive() {
  kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# stop_pid NAME: stops the process whose PID $run/pids/NAME holds: SIGTERM, 5 s, SIGKILL.
stop_pid() {
  local f=$run/pids/$1 pid
  [ -e "$f" ] || return 0
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  # A SIGKILL takes a moment too: stop returns when the processes are gone.
  for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
  rm -f "$f"
}

stop() {
  if [ "$nodes" = real ]; then stop_node; fi
  if [ -d "$run/pids" ]; then
    for f in "$run"/pids/*; do
      [ -e "$f" ] || continue
      stop_pid "$(basename "$f")"
    done
  fi
  if [ "$nodes" = real ]; then clean_node; fi
  rm -rf "$run"
}

start_bg() { # name command...
  local name=$1; shift
  "$@" > "$run/logs/$name.log" 2>&1 &
  echo $! > "$run/pids/$name"
}

wait_for() { # what seconds command...
  local what=$1 seconds=$2; shift 2
  for _ in $(seq $((seconds * 5))); do
    if "$@" > /dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  log "$what did not come up in ${seconds}s; its log:"; tail -30 "$run/logs/$what.log" >&2 || true
  if [ "$teardown_on_failure" = yes ]; then stop; fi
  exit 1
}

# start_apiserver starts kube-apiserver on the run's etcd, certificates and tokens, and waits
# until it is ready: the same process on a start and on a restart.
start_apiserver() {
  local token extra=()
  token=$(cut -d, -f1 "$run/tokens.csv")
  if [ "$nodes" = real ]; then
    # Its serving certificate is the run CA's, so in-cluster clients verify it with the
    # kube-root-ca.crt ConfigMap. The aggregation layer: the front proxy's client certificate,
    # and routing to the endpoints' pod IPs, as no kube-proxy makes a ClusterIP reachable. Its
    # own client certificate for the kubelet (logs, exec) is in group system:masters. The
    # client CA is published in extension-apiserver-authentication, which metrics-server reads
    # (without it, it logs an error every few seconds).
    extra=(--tls-cert-file "$run/pki/apiserver.crt" --tls-private-key-file "$run/pki/apiserver.key"
      --client-ca-file "$run/pki/ca.crt"
      --enable-aggregator-routing=true
      --requestheader-client-ca-file "$run/pki/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client
      --requestheader-extra-headers-prefix=X-Remote-Extra- --requestheader-group-headers=X-Remote-Group
      --requestheader-username-headers=X-Remote-User
      --proxy-client-cert-file "$run/pki/front-proxy-client.crt" --proxy-client-key-file "$run/pki/front-proxy-client.key"
      --kubelet-client-certificate "$run/pki/apiserver-kubelet-client.crt"
      --kubelet-client-key "$run/pki/apiserver-kubelet-client.key" --kubelet-certificate-authority "$run/pki/ca.crt"
      --kubelet-preferred-address-types InternalIP) # the node's name resolves nowhere: no DNS here
  fi
  start_bg kube-apiserver "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address "$api_bind" --advertise-address "$api_advertise" --secure-port "$api_port" --cert-dir "$run/certs" \
    --token-auth-file "$run/tokens.csv" --authorization-mode RBAC --anonymous-auth=false \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$run/sa.pub" \
    --service-account-signing-key-file "$run/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
    --endpoint-reconciler-type none --allow-privileged=false "${extra[@]}"
  wait_for kube-apiserver 60 curl -skf -H "Authorization: Bearer $token" "https://127.0.0.1:$api_port/readyz"
}

# restart_apiserver kills kube-apiserver alone, as an OOM kill or a node loss does, and starts it
# again on the same state; etcd, the controllers and kwok run on. SIGKILL, because a SIGTERM
# waits a minute here for the open watches to end, which only slows the suite.
restart_apiserver() {
  [ -f "$run/pids/kube-apiserver" ] || { log "no running cluster in $run"; exit 1; }
  local pid
  pid=$(cat "$run/pids/kube-apiserver")
  kill -9 "$pid" 2>/dev/null || true
  # Gone, or a zombie that no init reaps here (state Z): either way it holds no port.
  for _ in $(seq 50); do
    if [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then break; fi
    sleep 0.1
  done
  mv "$run/logs/kube-apiserver.log" "$run/logs/kube-apiserver.previous.log"
  # A restart that does not come up fails without tearing the cluster down, so its state and
  # logs stay for the test's report and the suite's own stop.
  teardown_on_failure=no
  start_apiserver
  log "kube-apiserver restarted"
}

# make_pki writes the real node's certificates: one CA for kube-apiserver's and the kubelet's
# serving certificates (the CA that kube-controller-manager publishes as kube-root-ca.crt, with
# which metrics-server verifies both) and the kube-apiserver's client certificate for the
# kubelet; and a CA of its own for the front proxy, as the aggregation layer requires. P-256
# keys, valid for a week: they are made on every start.
make_pki() {
  local d=$run/pki
  mkdir -p "$d"
  # openssl's configuration file is the host's; this one holds only what these need.
  local conf=$d/openssl.cnf
  printf '[req]\ndistinguished_name = dn\n[dn]\n[ca]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n' > "$conf"
  key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$1.key" 2> /dev/null; }
  ca() { # NAME CN
    key "$1"
    openssl req -x509 -new -key "$d/$1.key" -subj "/CN=$2" -days 7 -config "$conf" -extensions ca -out "$d/$1.crt"
  }
  leaf() { # NAME CA SUBJECT EXTENDED-KEY-USAGE [SUBJECT-ALT-NAMES]
    key "$1"
    openssl req -new -key "$d/$1.key" -subj "$3" -config "$conf" |
      openssl x509 -req -CA "$d/$2.crt" -CAkey "$d/$2.key" -set_serial "0x$(openssl rand -hex 16)" -days 7 -out "$d/$1.crt" \
        -extfile <(printf 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = %s\n%s\n' \
          "$4" "${5:+subjectAltName = $5}") 2> /dev/null
  }
  ca ca openwan-testenv-ca
  ca front-proxy-ca openwan-testenv-front-proxy-ca
  leaf apiserver ca /CN=kube-apiserver serverAuth \
    "IP:127.0.0.1, IP:$service_ip, IP:$node_ip, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local"
  leaf kubelet ca "/CN=$node_name" serverAuth "IP:$node_ip, DNS:$node_name"
  leaf apiserver-kubelet-client ca /O=system:masters/CN=kube-apiserver-kubelet-client clientAuth
  leaf front-proxy-client front-proxy-ca /CN=front-proxy-client clientAuth
}

# setup_netns gives the suite's namespace its loopback and the node's addresses, and makes every
# mount of it private, then mounts the tmpfs of private_dirs (see above).
setup_netns() {
  ip link set lo up
  ip addr replace "$node_ip/32" dev lo
  ip addr replace "$service_ip/32" dev lo
  mount --make-rprivate /
  local d
  for d in "${private_dirs[@]}"; do
    if [ ! -d "$d" ]; then mkdir -p "$d" && echo "$d" >> "$run/created-dirs"; fi
    mount -t tmpfs -o mode=0755 openwan-testenv "$d"
  done
}

# start_node starts containerd, imports the images and starts the kubelet, and waits until the
# node is Ready. Each stage's time is logged.
start_node() {
  local t=$SECONDS
  mkdir -p "$run/containerd" "$run/cni/net.d" "$run/kubelet"
  # containerd 1.6's CRI: every path under the run, runc from the Debian package, the pause image
  # imported below. restrict_oom_score_adj: runc fails ("can't get final child's PID") when it
  # may not lower a process's OOM score, which needs CAP_SYS_RESOURCE, missing in a sandbox.
  cat > "$run/containerd/config.toml" <<CONFIG
version = 2
root = "$run/containerd/root"
state = "$run/containerd/state"
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$run/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause_image"
  enable_selinux = false
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$bin/node/runc"
        Root = "$run/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$bin/node/cni"
    conf_dir = "$run/cni/net.d"
CONFIG
  # One bridge; the pods' default route is its address, through which they reach the node's
  # and the API's addresses on lo. No masquerade: nothing leaves the namespace. host-local keeps
  # its leases under the run.
  cat > "$run/cni/net.d/10-openwan.conflist" <<CNI
{"cniVersion": "0.4.0", "name": "openwan", "plugins": [
  {"type": "bridge", "bridge": "$bridge", "isGateway": true, "isDefaultGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$pod_cidr"}]], "dataDir": "$run/cni/ipam"}}]}
CNI
  # The shim is found on PATH.
  start_bg containerd env PATH="$bin/node:$PATH" "$bin/node/containerd" --config "$run/containerd/config.toml"
  wait_for containerd 30 "${ctr[@]}" version
  log "containerd up in $((SECONDS - t)) s"

  local img
  for img in "${images[@]}"; do
    "${ctr[@]}" images import "$img" >&2 || { log "importing $img failed"; stop; exit 1; }
  done
  # The list is read whole before it is searched: with pipefail, grep -q closing the pipe at its
  # first match fails ctr with SIGPIPE when ctr has more to write (it did, on a cold run).
  local listed
  listed=$("${ctr[@]}" images ls -q)
  if ! grep -qxF "$pause_image" <<< "$listed"; then
    log "no $pause_image among the images of OPENWAN_TESTENV_IMAGES ('${OPENWAN_TESTENV_IMAGES:-}'): the pod sandboxes need it"
    stop; exit 1
  fi
  log "images imported in $((SECONDS - t)) s: $("${ctr[@]}" images ls -q | grep -v '^sha256:' | paste -sd' ')"

  # The kubelet. It registers itself with the admin token of the run's kubeconfig: a local test
  # environment, where the Node authorizer and client certificates would prove nothing more.
  # - cgroup v1 (this machine has no other): kubelet 1.36 refuses it unless failCgroupV1 is false.
  # - Serving certificate from the run CA (SAN 10.254.0.10): metrics-server verifies kubelets
  #   with its in-cluster CA, kube-root-ca.crt, unless told --kubelet-insecure-tls or another CA
  #   (metrics-server v0.8.0 cmd/metrics-server/app/options/kubelet_client.go, Config copies the
  #   in-cluster rest.Config's TLS settings), and the program's manifests tell it neither.
  # - Webhook authentication and authorization: metrics-server's service account token is
  #   reviewed by the API server, and its nodes/metrics permission checked by RBAC, as on a
  #   real cluster; x509 for kube-apiserver's own client certificate (logs, exec).
  # - Reserved: 200m CPU and 256Mi for the system and as much for the kubelet and runtime, so the
  #   pods' 1600m of this 2-CPU machine leave room for the control plane under a load test.
  # - Eviction and image GC only on a nearly full disk: the images were imported and cannot be
  #   pulled again, and a developer's busy disk must not taint the node.
  # - No resolv.conf for pods: no DNS in this namespace.
  cat > "$run/kubelet/config.yaml" <<KUBELET
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$sock
podLogsDir: $run/kubelet/pod-logs
address: 0.0.0.0
port: 10250
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
serverTLSBootstrap: false
tlsCertFile: $run/pki/kubelet.crt
tlsPrivateKeyFile: $run/pki/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $run/pki/ca.crt}
authorization: {mode: Webhook}
systemReserved: {cpu: 200m, memory: 256Mi}
kubeReserved: {cpu: 200m, memory: 256Mi}
enforceNodeAllocatable: [pods]
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, nodefs.inodesFree: 1%, imagefs.available: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
failSwapOn: false
resolvConf: ""
KUBELET
  t=$SECONDS
  start_bg kubelet "$bin/kubelet" --config "$run/kubelet/config.yaml" --kubeconfig "$run/kubeconfig" \
    --root-dir "$run/kubelet/root" --cert-dir "$run/kubelet/pki" --hostname-override "$node_name" \
    --node-ip "$node_ip" --node-labels "topology.kubernetes.io/zone=local-1,type=real"
  node_ready() {
    curl -sf -A openwan-testenv --cacert "$run/pki/ca.crt" -H "Authorization: Bearer $token" "$server/api/v1/nodes/$node_name" |
      grep -q '"type":"Ready","status":"True"'
  }
  wait_for kubelet 120 node_ready
  log "node $node_name Ready in $((SECONDS - t)) s after the kubelet started"
}

# stop_node stops the kubelet, then the containers: every process descending from a shim of this
# run's containerd (found by its -address, the run's socket), by PID, for a shim's death would
# not end its container; then the shims and containerd.
stop_node() {
  stop_pid kubelet
  local p args i shims=() pids
  for p in /proc/[0-9]*; do
    { mapfile -d '' args < "$p/cmdline"; } 2> /dev/null || continue
    [[ ${args[0]:-} == *containerd-shim* ]] || continue
    for i in "${!args[@]}"; do
      if [ "${args[$i]}" = -address ] && [ "${args[$((i + 1))]:-}" = "$sock" ]; then shims+=("${p#/proc/}"); fi
    done
  done
  if [ "${#shims[@]}" -gt 0 ]; then
    mapfile -t pids < <(ps -e -o pid=,ppid= | awk -v roots="${shims[*]}" '
      BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) tree[r[i]] = 1 }
      { parent[$1] = $2 }
      END { do { more = 0; for (p in parent) if (!(p in tree) && (parent[p] in tree)) { tree[p] = 1; print p; more = 1 } } while (more) }')
    kill -9 "${pids[@]}" "${shims[@]}" 2> /dev/null || true
    for p in "${pids[@]}" "${shims[@]}"; do
      for _ in $(seq 50); do alive "$p" || break; sleep 0.1; done
    done
  fi
  stop_pid containerd
}

# clean_node removes what the real node leaves once its processes are gone: the pod cgroups
# (deepest first; an empty cgroup goes with rmdir), every mount under the run and the tmpfs of
# private_dirs (with the directories made for them), and the bridge and the addresses on lo.
# Fails if a kubepods cgroup stays: a process still runs in it, and the next start would share it.
clean_node() {
  local top m left
  for _ in $(seq 50); do
    for top in /sys/fs/cgroup/*/kubepods*; do
      if [ -d "$top" ]; then find "$top" -depth -type d -exec rmdir {} + 2> /dev/null || true; fi
    done
    left=$(find /sys/fs/cgroup -maxdepth 2 -name 'kubepods*')
    [ -n "$left" ] || break
    sleep 0.1 # a killed process leaves its cgroup a moment after
  done
  # Mount points at or under the run or a private dir; the longest first, so a mount goes
  # before the one it sits on.
  awk -v dirs="$run ${private_dirs[*]}" '
    BEGIN { n = split(dirs, d, " ") }
    { for (i = 1; i <= n; i++) if ($5 == d[i] || index($5, d[i] "/") == 1) { print $5; break } }' /proc/self/mountinfo |
    sort -r | while read -r m; do umount "$m" 2> /dev/null || umount -l "$m" || log "cannot unmount $m"; done
  if [ -f "$run/created-dirs" ]; then
    while read -r m; do rmdir "$m" 2> /dev/null || true; done < "$run/created-dirs"
  fi
  ip link del "$bridge" 2> /dev/null || true
  ip addr del "$node_ip/32" dev lo 2> /dev/null || true
  ip addr del "$service_ip/32" dev lo 2> /dev/null || true
  if [ -n "$left" ]; then
    log "kubepods cgroups stay, with processes in them: $(echo "$left" | paste -sd' ')"
    return 1
  fi
}

start() {
  if [ "$nodes" = real ]; then
    # Checked before anything starts: a missing archive would fail the start much later.
    IFS=: read -ra images <<< "${OPENWAN_TESTENV_IMAGES:-}"
    [ "${#images[@]}" -gt 0 ] || { log "OPENWAN_TESTENV_IMAGES is empty: it lists the images' OCI archives, $pause_image's among them"; exit 1; }
    for img in "${images[@]}"; do
      [ -f "$img" ] || { log "OPENWAN_TESTENV_IMAGES: no file '$img'"; exit 1; }
    done
  fi
  stop
  local t0=$SECONDS
  mkdir -p "$run/pids" "$run/logs" "$run/certs" "$run/etcd"
  token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  echo "$token,admin,admin,system:masters" > "$run/tokens.csv"
  openssl genrsa -out "$run/sa.key" 2048 2> /dev/null
  openssl rsa -in "$run/sa.key" -pubout -out "$run/sa.pub" 2> /dev/null
  server=https://127.0.0.1:$api_port
  # kwok's API server makes its own certificate, which nothing verifies; the real node's is the
  # run CA's.
  local tls="insecure-skip-tls-verify: true"
  if [ "$nodes" = real ]; then
    make_pki
    tls="certificate-authority: $run/pki/ca.crt"
    setup_netns
  fi
  cat > "$run/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: openwan-local
  cluster:
    server: $server
    $tls
users:
- name: admin
  user:
    token: $token
contexts:
- name: openwan-local
  context: {cluster: openwan-local, user: admin}
current-context: openwan-local
KUBECONFIG
  chmod 600 "$run/kubeconfig" "$run/tokens.csv"

  start_bg etcd "$bin/etcd" --name local --data-dir "$run/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$((etcd_port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
    --initial-cluster "local=http://127.0.0.1:$((etcd_port + 1))" --listen-metrics-urls "" --log-level warn
  wait_for etcd 30 curl -sf "http://127.0.0.1:$etcd_port/health"

  start_apiserver

  # The real node's pods verify the API server with the kube-root-ca.crt ConfigMap, this CA.
  local kcm_extra=()
  if [ "$nodes" = real ]; then kcm_extra=(--root-ca-file "$run/pki/ca.crt"); fi
  start_bg kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$run/kubeconfig" \
    --service-account-private-key-file "$run/sa.key" --use-service-account-credentials \
    --controllers '*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle' --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0 --horizontal-pod-autoscaler-sync-period 15s "${kcm_extra[@]}"
  start_bg kube-scheduler "$bin/kube-scheduler" --kubeconfig "$run/kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0
  if [ "$nodes" = real ]; then
    log "control plane up in $((SECONDS - t0)) s"
    start_node
  else
    start_kwok
  fi
  # The default service account and the kube-root-ca.crt config map appear with the namespace.
  wait_for kube-controller-manager 60 curl -skf -H "Authorization: Bearer $token" "$server/api/v1/namespaces/default/serviceaccounts/default"
  log "up: $server, kubeconfig $run/kubeconfig"
  echo "$run/kubeconfig"
}

# start_kwok starts kwok and its three fake nodes, and waits until they are Ready.
start_kwok() {
  # Node leases: the heartbeat stage renews a node's status only every ten minutes and counts on
  # its Lease for liveness. Without them (kwok's default of 0 s) the node lifecycle controller
  # finds every node silent after its grace period, about 50 s, marks it NotReady and its pods
  # unready: a suite longer than that failed on pods that were fine.
  start_bg kwok "$bin/kwok" --kubeconfig "$run/kubeconfig" --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake --node-ip 10.0.0.1 \
    --node-lease-duration-seconds 40 --config "$bin/kwok-stages.yaml"

  for i in 1 2 3; do
    curl -skf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$server/api/v1/nodes" -d @- > /dev/null <<NODE
{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "kwok-node-$i",
  "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
  "labels": {"kubernetes.io/hostname": "kwok-node-$i", "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
    "topology.kubernetes.io/zone": "local-$i", "type": "kwok"}},
 "status": {"allocatable": {"cpu": "32", "memory": "64Gi", "ephemeral-storage": "200Gi", "pods": "110"},
  "capacity": {"cpu": "32", "memory": "64Gi", "ephemeral-storage": "200Gi", "pods": "110"}}}
NODE
  done
  ready_nodes() {
    [ "$(curl -skf -A openwan-testenv -H "Authorization: Bearer $token" "$server/api/v1/nodes" | grep -o '"type":"Ready","status":"True"' | wc -l)" -ge 3 ]
  }
  wait_for kwok 60 ready_nodes
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart-apiserver) restart_apiserver ;;
  *) echo "usage: $0 start|stop|restart-apiserver" >&2; exit 2 ;;
esac
