#!/usr/bin/env bash
# bench/scale.sh - the scale benchmark (issue 7): N HTTP probes against a local nginx, run by the
# built operator against a real local API server, then the same checks by Prometheus'
# blackbox_exporter; prints one table (Markdown) per run.
#
# Usage:
#   bench/scale.sh [--probes 1000,5000,10000] [--interval 10] [--window 60] [--warmup 120]
#                  [--heap 768m] [--jfr DIR]
#
#   --probes    probe counts to run, one after the other (default 1000)
#   --interval  every probe's interval in seconds (default 10)
#   --window    length of each steady measurement window in seconds, a multiple of the interval
#               (default 60)
#   --warmup    seconds the probes run after all are Ready, before the window (default 120: the
#               JIT is still compiling a third of the CPU 20 s after Ready)
#   --heap      the operator's -Xmx (default 768m: the chart's 1 GiB limit at 75 %)
#   --jfr DIR   record each operator run with JFR (profile settings) into DIR, to see where CPU goes
#               (jfr print --events jdk.ExecutionSample DIR/bench-N.jfr); the figures then include
#               the recording's own cost
#
# Needs Debian's nginx-light and prometheus-blackbox-exporter (installed here when missing, as
# root), Java 17, and the local API server of hack/local-cluster.sh (built once, ~10 minutes). The
# benchmark's API server runs apart from the tests' (own directory and ports) and is stopped at
# the end. Measure on a quiet machine: the figures are the operator's CPU and memory.
set -euo pipefail
cd "$(dirname "$0")/.."

export VIGIE_CLUSTER_DIR=${VIGIE_CLUSTER_DIR:-$HOME/.cache/vigie/cluster-bench}
export VIGIE_APISERVER_PORT=${VIGIE_APISERVER_PORT:-16943}
export VIGIE_ETCD_PORT=${VIGIE_ETCD_PORT:-24390}

missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v prometheus-blackbox-exporter >/dev/null || missing+=(prometheus-blackbox-exporter)
if ((${#missing[@]})); then
  echo "scale.sh: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "scale.sh: need root to install ${missing[*]} (or install them first)" >&2
    exit 3
  fi
  apt-get install -y -q "${missing[@]}" >&2 || { apt-get update -q >&2 && apt-get install -y -q "${missing[@]}" >&2; }
  # Debian starts the services it installs where it can: the benchmark runs its own.
  pkill -x nginx || true
  pkill -f '^/usr/bin/prometheus-blackbox-exporter' || true
fi
export PATH=$PATH:/usr/sbin

echo "scale.sh: building the operator (fast-jar) and the benchmark" >&2
./mvnw -q -B package -DskipTests -Djacoco.skip=true >&2
./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >&2

trap 'hack/local-cluster.sh stop >/dev/null 2>&1 || true' EXIT
java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.dihya.vigie.bench.ScaleBenchmark "$@"
