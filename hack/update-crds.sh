#!/usr/bin/env bash
# Regenerates the CRDs from the Java types (src/main/java/io/dihya/vigie/api/v1alpha1) and copies
# them into crds/ and the chart's helm/vigie/crds/, both committed, then re-renders
# deploy/vigie.yaml. CrdDriftIT and HelmChartTest fail the build when one of them is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B package -DskipTests
for generated in target/kubernetes/*.vigie.dihya.io-v1.yml; do
  name=$(basename "$generated" -v1.yml)
  cp "$generated" "crds/$name.yaml"
  cp "$generated" "helm/vigie/crds/$name.yaml"
  echo "crds/$name.yaml helm/vigie/crds/$name.yaml"
done
hack/render-chart.sh
