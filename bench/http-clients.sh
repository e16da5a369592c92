#!/usr/bin/env bash
# bench/http-clients.sh - what one HTTP request with a new connection costs in CPU, by client (vigie's
# http check, the bare JDK client with and without its own executor, Vert.x), at fixed rates
# against a local nginx; one JVM per client and rate, a line each. The scale benchmark's CPU per
# check is this plus the engine's own work.
#
# Usage: bench/http-clients.sh [--rates 100,1000] [--seconds 30] [--clients vigie,jdk,jdk-executor,vertx]
# Needs Debian's nginx-light (see bench/scale.sh) and Java 17. Measure on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
rates=100,1000 seconds=30 clients=vigie,jdk,jdk-executor,vertx
while (($#)); do
  case $1 in
    --rates) rates=$2 ;;
    --seconds) seconds=$2 ;;
    --clients) clients=$2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || { echo "needs nginx (apt-get install nginx-light)" >&2; exit 3; }
export PATH=$PATH:/usr/sbin
./mvnw -q -B test-compile -Djacoco.skip=true >&2
./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
for rate in ${rates//,/ }; do
  for client in ${clients//,/ }; do
    java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
      -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
      io.dihya.vigie.bench.HttpClientCost "$client" "$rate" "$seconds"
  done
done
