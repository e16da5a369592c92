package io.dihya.vigie.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.dihya.vigie.e2e.Project;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The chart helm/vigie rendered the way the project ships it, with helm-java (Helm as a native
 * library: no helm binary). {@link #main} writes deploy/vigie.yaml ({@code hack/render-chart.sh}).
 */
public final class VigieChart {

  /** Where {@code kubectl apply -f} installs vigie. */
  public static final String NAMESPACE = "vigie-system";

  /**
   * The oldest Kubernetes deploy/vigie.yaml is for: the chart picks the PodDisruptionBudget's API
   * version by Kubernetes version, and policy/v1 needs 1.21.
   */
  public static final String MANIFEST_KUBE_VERSION = "v1.21.0";

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private VigieChart() {}

  public static Path dir() {
    return Project.dir().resolve("helm/vigie");
  }

  /**
   * Where the rendered manifests are committed: deploy/vigie.yaml for {@code kubectl apply -f}, and
   * the same in the kustomize base, which may not load files from outside its folder.
   */
  public static List<Path> manifestFiles() {
    return List.of(
        Project.dir().resolve("deploy/vigie.yaml"),
        Project.dir().resolve("deploy/kustomize/vigie.yaml"));
  }

  /** The chart's appVersion: the operator's version and the image's default tag. */
  public static String appVersion() {
    Map<String, Object> chart = read(dir().resolve("Chart.yaml"));
    return String.valueOf(chart.get("appVersion"));
  }

  /**
   * {@code helm template RELEASE helm/vigie -n NAMESPACE --kube-version KUBE -f VALUES} (templates
   * only: Helm leaves the crds/ folder out).
   *
   * @param values YAML of values, or "" for the defaults
   */
  public static String template(
      String release, String namespace, String kubeVersion, String values) {
    Path file = null;
    try {
      TemplateCommand template =
          new Helm(dir())
              .template()
              .withName(release)
              .withNamespace(namespace)
              .withKubeVersion(kubeVersion);
      if (!values.isBlank()) {
        file = Files.createTempFile("vigie-values", ".yaml");
        Files.writeString(file, values);
        template = template.withValuesFile(file);
      }
      return template.call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // a temporary file left behind
        }
      }
    }
  }

  /** The objects of a rendering (or of any multi-document YAML), in order. */
  public static List<HasMetadata> objects(String yaml) {
    Object parsed = SERIALIZATION.unmarshal(yaml);
    if (parsed instanceof List<?> list) {
      return list.stream().map(HasMetadata.class::cast).toList();
    }
    return parsed == null ? List.of() : List.of((HasMetadata) parsed);
  }

  /** The chart's CRDs (crds/ of the chart), as Helm installs them before the templates. */
  public static List<Path> crdFiles() {
    try (Stream<Path> files = Files.list(dir().resolve("crds"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What deploy/vigie.yaml must hold: the namespace, the CRDs, and the chart's templates with the
   * default values, release "vigie" in {@value #NAMESPACE}.
   */
  public static String manifests() {
    StringBuilder out = new StringBuilder();
    out.append("# vigie ")
        .append(appVersion())
        .append(": everything `kubectl apply --server-side -f` needs: the namespace ")
        .append(NAMESPACE)
        .append(", the CRDs\n")
        .append("# and the operator with its RBAC. Kubernetes ")
        .append(MANIFEST_KUBE_VERSION.substring(1, MANIFEST_KUBE_VERSION.lastIndexOf('.')))
        .append(" or newer (on 1.20, install the chart with Helm).\n")
        .append("# Rendered from helm/vigie with its default values by hack/render-chart.sh:")
        .append(" do not edit, change the chart.\n")
        .append("---\n")
        .append("apiVersion: v1\n")
        .append("kind: Namespace\n")
        .append("metadata:\n")
        .append("  name: ")
        .append(NAMESPACE)
        .append('\n')
        .append("  labels:\n")
        .append("    # The pod meets the restricted Pod Security Standard: enforce it here.\n")
        .append("    pod-security.kubernetes.io/enforce: restricted\n");
    for (Path crd : crdFiles()) {
      out.append("---\n# Source: vigie/crds/").append(crd.getFileName()).append('\n');
      try {
        out.append(Files.readString(crd));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String templates = template("vigie", NAMESPACE, MANIFEST_KUBE_VERSION, "");
    out.append(templates.startsWith("---") ? templates : "---\n" + templates);
    return out.toString();
  }

  /** Writes deploy/vigie.yaml and deploy/kustomize/vigie.yaml. */
  public static void main(String[] args) throws IOException {
    String manifests = manifests();
    for (Path file : manifestFiles()) {
      Files.writeString(file, manifests);
      System.out.println(Project.dir().relativize(file));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> read(Path yaml) {
    try {
      return SERIALIZATION.unmarshal(Files.readString(yaml), Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
