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
set -euo pipefail
cache=${OPENWAN_TESTENV_CACHE:-$HOME/.cache/openwan-testenv}
run=${OPENWAN_TESTENV_RUN:-$cache/run}
bin=$cache/bin
api_port=${OPENWAN_APISERVER_PORT:-36443}
etcd_port=${OPENWAN_ETCD_PORT:-32379}
log() { echo "cluster: $*" >&2; }
teardown_on_failure=yes # wait_for stops the whole cluster when a process does not come up

stop() {
  if [ -d "$run/pids" ]; then
    for f in "$run"/pids/*; do
      [ -e "$f" ] || continue
      pid=$(cat "$f")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    done
  fi
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
  local token
  token=$(cut -d, -f1 "$run/tokens.csv")
  start_bg kube-apiserver "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" --cert-dir "$run/certs" \
    --token-auth-file "$run/tokens.csv" --authorization-mode RBAC --anonymous-auth=false \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$run/sa.pub" \
    --service-account-signing-key-file "$run/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
    --endpoint-reconciler-type none --allow-privileged=false
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

start() {
  stop
  mkdir -p "$run/pids" "$run/logs" "$run/certs" "$run/etcd"
  token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  echo "$token,admin,admin,system:masters" > "$run/tokens.csv"
  openssl genrsa -out "$run/sa.key" 2048 2> /dev/null
  openssl rsa -in "$run/sa.key" -pubout -out "$run/sa.pub" 2> /dev/null
  server=https://127.0.0.1:$api_port
  cat > "$run/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: openwan-local
  cluster:
    server: $server
    insecure-skip-tls-verify: true
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

  start_bg kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$run/kubeconfig" \
    --service-account-private-key-file "$run/sa.key" --use-service-account-credentials \
    --controllers '*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle' --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0 --horizontal-pod-autoscaler-sync-period 15s
  start_bg kube-scheduler "$bin/kube-scheduler" --kubeconfig "$run/kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0
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
  # The default service account and the kube-root-ca.crt config map appear with the namespace.
  wait_for kube-controller-manager 60 curl -skf -H "Authorization: Bearer $token" "$server/api/v1/namespaces/default/serviceaccounts/default"
  log "up: $server, kubeconfig $run/kubeconfig"
  echo "$run/kubeconfig"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart-apiserver) restart_apiserver ;;
  *) echo "usage: $0 start|stop|restart-apiserver" >&2; exit 2 ;;
esac
