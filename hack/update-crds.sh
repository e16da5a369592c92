#!/usr/bin/env bash
# Regenerates the CRDs from the Java types (src/main/java/io/dihya/vigie/api/v1alpha1) and copies
# them into crds/, which is committed. CrdDriftIT fails the build when crds/ is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B package -DskipTests
for generated in target/kubernetes/*.vigie.dihya.io-v1.yml; do
  name=$(basename "$generated" -v1.yml)
  cp "$generated" "crds/$name.yaml"
  echo "crds/$name.yaml"
done
