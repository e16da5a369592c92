#!/usr/bin/env bash
# vigie's main job in one command: build the operator, start a local control plane when no cluster
# is reachable, install the CRDs, run the operator, apply the samples and a probe set against a
# small local target, and show `kubectl get healthprobes`.
#
#   hack/demo.sh          run the demo (the first run builds the API server: about 10 minutes)
#   hack/demo.sh stop     stop the operator and the target (and the local control plane, if started)
#   hack/demo.sh stop-target   stop only the target, to watch health change
set -euo pipefail
cd "$(dirname "$0")/.."

NS=vigie-demo
STATE=target/demo
TARGET_PORT=18080
mkdir -p "$STATE"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

stop_pid() {
  local file=$1
  if [[ -f $file ]] && kill -0 "$(cat "$file")" 2>/dev/null; then
    kill "$(cat "$file")" 2>/dev/null || true
  fi
  rm -f "$file"
}

case ${1:-run} in
  stop)
    stop_pid "$STATE/operator.pid"
    stop_pid "$STATE/target.pid"
    if [[ -f $STATE/local-cluster ]]; then
      hack/local-cluster.sh stop
      rm -f "$STATE/local-cluster"
    fi
    say "stopped"
    exit 0
    ;;
  stop-target)
    stop_pid "$STATE/target.pid"
    say "target stopped"
    exit 0
    ;;
  run) ;;
  *)
    echo "usage: hack/demo.sh [run|stop|stop-target]" >&2
    exit 2
    ;;
esac

say "building the operator (./mvnw package)"
./mvnw -q -B package -DskipTests

say "finding a cluster (hack/local-cluster.sh start; the first run builds kube-apiserver, ~10 min)"
cluster_env=$(hack/local-cluster.sh start)
if [[ -n $cluster_env ]]; then
  eval "$cluster_env"
  touch "$STATE/local-cluster"
  say "using the local control plane: $KUBECONFIG"
else
  say "using your current kubeconfig context: $(kubectl config current-context)"
fi
if command -v kubectl >/dev/null; then
  kubectl() { command kubectl "$@"; }
else
  kubectl() { hack/local-cluster.sh kubectl "$@"; }
fi

say "installing the CRDs (crds/)"
kubectl apply -f crds/ >/dev/null
kubectl wait --for=condition=Established --timeout=60s \
  crd/healthprobes.vigie.dihya.io crd/alertroutes.vigie.dihya.io >/dev/null

say "starting a small HTTP target on 127.0.0.1:$TARGET_PORT"
stop_pid "$STATE/target.pid"
mkdir -p "$STATE/www"
echo "vigie demo target: OK" >"$STATE/www/index.html"
nohup python3 -m http.server "$TARGET_PORT" --bind 127.0.0.1 --directory "$STATE/www" \
  >"$STATE/target.log" 2>&1 &
echo $! >"$STATE/target.pid"

say "starting the operator (log: $STATE/operator.log)"
stop_pid "$STATE/operator.pid"
nohup java -Dquarkus.management.port=18081 -jar target/quarkus-app/quarkus-run.jar \
  >"$STATE/operator.log" 2>&1 &
echo $! >"$STATE/operator.pid"
for _ in $(seq 1 120); do
  if curl -fsS http://127.0.0.1:18081/q/health/ready >/dev/null 2>&1; then break; fi
  if ! kill -0 "$(cat "$STATE/operator.pid")" 2>/dev/null; then
    tail -n 30 "$STATE/operator.log" >&2
    echo "the operator exited; see $STATE/operator.log" >&2
    exit 1
  fi
  sleep 0.5
done

say "applying the samples and the demo probes in namespace $NS"
kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
for f in deploy/samples/secrets.yaml deploy/samples/healthprobes.yaml \
  deploy/samples/alertroute.yaml hack/demo/local-target.yaml; do
  kubectl apply -n "$NS" -f "$f"
done
say "waiting for the first verdicts on the local target (within one interval)"
kubectl wait --for=condition=Healthy --timeout=60s -n "$NS" hp/demo-http hp/demo-tcp >/dev/null
kubectl wait --for=condition=Ready --timeout=60s -n "$NS" ar/demo-log >/dev/null

say "kubectl get healthprobes -n $NS -o wide"
kubectl get healthprobes -n "$NS" -o wide
echo
kubectl get alertroutes -n "$NS"
{
  echo
  echo "The operator keeps running in the background (log: $STATE/operator.log). Next:"
  if [[ -n $cluster_env ]]; then
    echo '  eval "$(hack/local-cluster.sh env)"            # point kubectl at the local control plane'
  fi
  echo "  (the samples point at cluster Services that do not exist here: they turn Unhealthy, or"
  echo "   say Ready=False where their Secrets hold placeholders, as do the sample routes)"
  echo "  hack/demo.sh stop-target                      # stop the target: demo-* turn Unhealthy"
  echo "  grep audit.notification $STATE/operator.log   # then the demo-log route's alerts"
  echo "  kubectl get healthprobes -n $NS -w            # watch"
  echo "  kubectl describe healthprobe demo-http -n $NS # conditions"
  echo "  hack/demo.sh stop                             # stop everything the demo started"
} >&2
