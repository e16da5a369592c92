package io.dihya.vigie.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.e2e.Project;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRDs in crds/ (committed, installed by users) are the ones the build generates from the Java
 * types. Runs after `package`, which generates them into target/kubernetes/.
 */
class CrdDriftIT {

  @Test
  void committedCrdsMatchTheGeneratedOnes() throws IOException {
    List<Path> generated;
    try (Stream<Path> files = Files.list(Project.buildDir().resolve("kubernetes"))) {
      generated =
          files.filter(p -> p.toString().endsWith(".vigie.dihya.io-v1.yml")).sorted().toList();
    }
    assertThat(generated).hasSize(2);
    for (Path crd : generated) {
      String name = crd.getFileName().toString().replace("-v1.yml", ".yaml");
      Path committed = Project.dir().resolve("crds").resolve(name);
      assertThat(committed).as("crds/%s is missing: run hack/update-crds.sh", name).exists();
      assertThat(Files.readString(committed))
          .as("crds/%s is stale: run hack/update-crds.sh and commit crds/", name)
          .isEqualTo(Files.readString(crd));
    }
  }

  @Test
  void crdsInstallOnKubernetes120() throws IOException {
    for (String name : List.of("healthprobes", "alertroutes")) {
      String crd = Files.readString(Project.dir().resolve("crds/" + name + ".vigie.dihya.io.yaml"));
      // CEL rules (x-kubernetes-validations) need Kubernetes 1.25: everything else is checked by
      // the reconcilers.
      assertThat(crd).doesNotContain("x-kubernetes-validations");
      assertThat(crd).contains("apiVersion: \"apiextensions.k8s.io/v1\"").contains("status: {}");
    }
  }
}
