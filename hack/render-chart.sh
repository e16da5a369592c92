#!/usr/bin/env bash
# Regenerates deploy/vigie.yaml (the manifests for `kubectl apply -f`) and its copy in the kustomize
# base, deploy/kustomize/vigie.yaml, from the chart helm/vigie with its default values, through
# helm-java (Helm as a native library: no helm binary needed). HelmChartTest fails the build when
# they are stale. Extra arguments go to Maven (e.g. -o to run offline).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn_args=(-q -B "$@")
./mvnw "${mvn_args[@]}" test-compile -Dspotless.check.skip=true -Djacoco.skip=true
./mvnw "${mvn_args[@]}" dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test-classpath.txt
java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.dihya.vigie.deploy.VigieChart
