package io.dihya.vigie.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The real local control plane (etcd + kube-apiserver) of {@code hack/local-cluster.sh}, started
 * once per test JVM and reused when it already runs. It is never a user's own cluster: the script
 * is called with {@code --local}. Where it cannot be provided (not Debian, not root) the tests are
 * skipped with the script's reason, except under CI ({@code CI=true}), where that is a failure.
 */
public final class LocalCluster {

  private static final int UNAVAILABLE = 3;
  private static LocalCluster instance;

  private final Path kubeconfig;
  private final List<String> kubectl;

  private LocalCluster(Path kubeconfig, List<String> kubectl) {
    this.kubeconfig = kubeconfig;
    this.kubectl = kubectl;
  }

  /** Starts the local control plane, or reuses it, or skips the calling test. */
  public static synchronized LocalCluster get() {
    if (instance == null) {
      instance = start();
    }
    return instance;
  }

  private static LocalCluster start() {
    Path script = Project.dir().resolve("hack/local-cluster.sh");
    Commands.Result started = script(java.time.Duration.ofMinutes(25), "start", "--local");
    if (started.exitCode() != 0) {
      String reason = started.lastLines(5);
      if (started.exitCode() == UNAVAILABLE && !"true".equals(System.getenv("CI"))) {
        Assumptions.abort("no local API server, end-to-end tests skipped: " + reason);
      }
      fail(
          "hack/local-cluster.sh start --local failed (exit "
              + started.exitCode()
              + "): "
              + reason);
    }
    Commands.Result env = script(java.time.Duration.ofSeconds(30), "env");
    Matcher kubeconfig = Pattern.compile("KUBECONFIG=['\"]?([^'\"\\s]+)").matcher(env.output());
    if (env.exitCode() != 0 || !kubeconfig.find()) {
      fail("hack/local-cluster.sh env printed no KUBECONFIG: " + env.output());
    }
    // The user's kubectl when there is one (tests use it as a user would), else Debian's 1.20.2
    // through the script.
    boolean onPath =
        Commands.run(
                    Project.dir(),
                    java.time.Duration.ofSeconds(10),
                    "kubectl",
                    "version",
                    "--client")
                .exitCode()
            == 0;
    return new LocalCluster(
        Path.of(kubeconfig.group(1)),
        onPath ? List.of("kubectl") : List.of(script.toString(), "kubectl"));
  }

  /**
   * Stops the control plane (kube-apiserver and etcd) and keeps etcd's data, as an outage or a
   * control plane upgrade would: clients see connections refused until {@link
   * #startControlPlane()}, which resumes the same objects on the same port with the same
   * certificates.
   */
  public Commands.Result stopControlPlane() {
    return script(java.time.Duration.ofMinutes(1), "stop", "--keep-data");
  }

  /** Starts the control plane again, on the data {@link #stopControlPlane()} kept. */
  public Commands.Result startControlPlane() {
    return script(java.time.Duration.ofMinutes(3), "start", "--local");
  }

  private static Commands.Result script(java.time.Duration limit, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Project.dir().resolve("hack/local-cluster.sh").toString());
    command.addAll(List.of(args));
    return Commands.run(Project.dir(), limit, command.toArray(String[]::new));
  }

  /** The kubeconfig of the local API server's admin. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** A fabric8 client for the local API server. */
  public KubernetesClient client() {
    try {
      String yaml = Files.readString(kubeconfig);
      return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + kubeconfig, e);
    }
  }

  /** Runs kubectl against the local API server, as a user would. */
  public Commands.Result kubectl(String... args) {
    List<String> command = new ArrayList<>(kubectl);
    command.add("--kubeconfig");
    command.add(kubeconfig.toString());
    command.addAll(List.of(args));
    return Commands.run(
        Project.dir(), java.time.Duration.ofMinutes(2), command.toArray(String[]::new));
  }

  /** {@code kubectl apply -n NAMESPACE -f} of a YAML text (several documents allowed). */
  public Commands.Result apply(String namespace, String yaml) {
    try {
      Path file = Files.createTempFile("vigie-e2e", ".yaml");
      try {
        Files.writeString(file, yaml);
        return kubectl("apply", "-n", namespace, "-f", file.toString());
      } finally {
        Files.delete(file);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Deletes the HealthProbes and AlertRoutes a test created: its namespaces never finish
   * terminating here, and the next run's operator would keep checking dead targets and posting to
   * dead receivers.
   */
  public void deleteProbesAndRoutes(List<String> namespaces) {
    for (String namespace : namespaces) {
      kubectl("delete", "-n", namespace, "healthprobes,alertroutes", "--all", "--timeout=30s");
    }
  }

  /** Installs the committed CRDs (crds/) and waits until the API server serves them. */
  public void installCrds() {
    kubectl("apply", "-f", "crds/").assertSuccess();
    kubectl(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/healthprobes.vigie.dihya.io",
            "crd/alertroutes.vigie.dihya.io")
        .assertSuccess();
  }

  /**
   * Creates a namespace for one test, so tests do not see each other's resources. Namespaces are
   * left behind: without kube-controller-manager they would never finish terminating; {@code
   * hack/local-cluster.sh stop} wipes everything.
   */
  public String createNamespace(String purpose) {
    String namespace = purpose + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    kubectl("create", "namespace", namespace).assertSuccess();
    return namespace;
  }
}
