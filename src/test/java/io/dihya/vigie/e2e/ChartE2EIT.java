package io.dihya.vigie.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.deploy.VigieChart;
import io.dihya.vigie.testing.LoopbackHttpServer;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart against the real kube-apiserver: every rendered object is accepted (server-side
 * dry-run), and the built operator runs with nothing but the chart's ServiceAccount and RBAC (a
 * TokenRequest token), so a missing rule fails here rather than in a user's cluster.
 */
class ChartE2EIT {

  /** The local API server's version: Helm would render for it. */
  private static final String KUBE_VERSION = "v1.20.2";

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Set<String> IDENTITY =
      Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
  // What the API server or fabric8 say when RBAC denies something (not a latency of 403 ms).
  private static final Pattern DENIED =
      Pattern.compile("(?i)forbidden|HTTP 403|code[\"=: ]+403|cannot (get|list|watch|create)");
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private static LocalCluster cluster;
  private static KubernetesClient admin;
  private static final List<String> namespaces = new CopyOnWriteArrayList<>();
  private static final List<String> clusterObjects = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void installTheChartsCrds() {
    cluster = LocalCluster.get();
    // For real, as Helm installs crds/ before the templates.
    cluster
        .kubectl("apply", "--server-side", "--force-conflicts", "-f", "helm/vigie/crds/")
        .assertSuccess();
    cluster
        .kubectl(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/healthprobes.vigie.dihya.io",
            "crd/alertroutes.vigie.dihya.io")
        .assertSuccess();
    admin = cluster.client();
  }

  @AfterAll
  static void deleteWhatWasCreated() {
    // Namespaces never finish terminating here (no controller-manager): their custom resources
    // are deleted first, so no later operator keeps checking them.
    for (String namespace : namespaces) {
      cluster.kubectl(
          "delete", "-n", namespace, "healthprobes,alertroutes", "--all", "--timeout=30s");
      cluster.kubectl("delete", "namespace", namespace, "--wait=false");
    }
    for (String object : clusterObjects) {
      cluster.kubectl("delete", object, "--ignore-not-found");
    }
    if (admin != null) {
      admin.close();
    }
  }

  @Test
  void everyRenderedObjectIsAcceptedByTheApiServer() throws IOException {
    String release = namespace("chart");
    String watched = namespace("watched");
    for (String values : List.of("", "watchNamespaces: [" + watched + "]\n")) {
      String rendered = VigieChart.template("vigie", release, KUBE_VERSION, values);
      Commands.Result applied = apply(rendered, true);
      applied.assertSuccess();
      assertThat(dryRunApplied(applied)).isEqualTo(VigieChart.objects(rendered).size());
    }

    // deploy/vigie.yaml is for Kubernetes 1.21+: its policy/v1 PodDisruptionBudget is the one
    // object this 1.20 API server cannot take. In a fresh namespace: vigie-system is not
    // recreated after a test deletes it.
    String manifests = Files.readString(Project.dir().resolve("deploy/vigie.yaml"));
    String namespace = namespace("manifests");
    Commands.Result applied = apply(manifests.replace(VigieChart.NAMESPACE, namespace), true);
    int objects = VigieChart.objects(manifests).size();
    assertThat(dryRunApplied(applied)).as(applied.output()).isEqualTo(objects - 1);
    String refused =
        applied
            .output()
            .lines()
            .filter(l -> !l.contains("(server dry run)"))
            .collect(Collectors.joining("\n"));
    assertThat(refused.split("error:", -1)).as(refused).hasSize(2);
    assertThat(refused).contains("\"PodDisruptionBudget\" in version \"policy/v1\"");

    // The kustomize base builds into the same objects.
    String built = cluster.kubectl("kustomize", "deploy/kustomize").assertSuccess().output();
    assertThat(
            VigieChart.objects(built).stream()
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .sorted())
        .containsExactlyElementsOf(
            VigieChart.objects(manifests).stream()
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .sorted()
                .toList());
  }

  @Test
  void theOperatorNeedsNothingButTheChartsClusterRoles() throws Exception {
    runWithTheChartsServiceAccount(false);
  }

  @Test
  void theOperatorNeedsNothingButTheChartsRolesWhenItWatchesANamespaceList() throws Exception {
    runWithTheChartsServiceAccount(true);
  }

  /**
   * Renders the chart, creates its ServiceAccount and RBAC for real, and runs the built operator
   * with that ServiceAccount's token and the Deployment's environment: checks that read Secrets,
   * Events, status, kubernetes checks and an alert route must all work, with no denial logged.
   */
  private void runWithTheChartsServiceAccount(boolean namespaceList) throws Exception {
    String release = namespace("vigie");
    String app = namespace("app");
    String releaseName = "vigie-" + UUID.randomUUID().toString().substring(0, 8);
    clusterObjects.addAll(
        List.of(
            "clusterrolebinding/" + releaseName,
            "clusterrole/" + releaseName,
            "clusterrolebinding/" + releaseName + "-crds",
            "clusterrole/" + releaseName + "-crds"));
    String values = namespaceList ? "watchNamespaces: [" + app + "]\n" : "";
    List<HasMetadata> objects =
        VigieChart.objects(VigieChart.template(releaseName, release, KUBE_VERSION, values));

    // Its identity for real; the rest (Deployment, Service...) dry-run: there are no nodes here.
    List<HasMetadata> identity =
        objects.stream().filter(o -> IDENTITY.contains(o.getKind())).toList();
    List<HasMetadata> rest = objects.stream().filter(o -> !IDENTITY.contains(o.getKind())).toList();
    apply(yaml(identity), false).assertSuccess();
    apply(yaml(rest), true).assertSuccess();
    if (namespaceList) {
      assertThat(identity)
          .filteredOn(o -> o.getKind().equals("ClusterRole"))
          .extracting(o -> o.getMetadata().getName())
          .containsExactly(releaseName + "-crds");
    }

    Deployment deployment = one(objects, Deployment.class);
    ServiceAccount account = one(objects, ServiceAccount.class);
    String pod = releaseName + "-e2e";
    Path kubeconfig = kubeconfigOf(account, releaseName);

    try (KubernetesClient asOperator = client(kubeconfig)) {
      // Leader election: the Lease of the release's namespace, by name.
      assertThat(allowed(asOperator, release, "coordination.k8s.io", "leases", "create", null))
          .isTrue();
      for (String verb : List.of("get", "update", "patch")) {
        assertThat(
                allowed(asOperator, release, "coordination.k8s.io", "leases", verb, "vigie-leader"))
            .as(verb + " lease vigie-leader")
            .isTrue();
        assertThat(allowed(asOperator, release, "coordination.k8s.io", "leases", verb, "other"))
            .isFalse();
      }
      // Secrets are read one by one, never listed or watched; nothing is ever deleted.
      assertThat(allowed(asOperator, app, "", "secrets", "get", "any")).isTrue();
      assertThat(allowed(asOperator, app, "", "secrets", "list", null)).isFalse();
      assertThat(allowed(asOperator, app, "", "secrets", "watch", null)).isFalse();
      assertThat(allowed(asOperator, app, "vigie.dihya.io", "healthprobes", "delete", "x"))
          .isFalse();
      assertThat(allowed(asOperator, app, "vigie.dihya.io", "healthprobes", "update", "x"))
          .isFalse();
      assertThat(allowed(asOperator, app, "events.k8s.io", "events", "update", "x")).isTrue();
      // Watching a list: nothing outside it.
      assertThat(allowed(asOperator, release, "", "secrets", "get", "any"))
          .isEqualTo(!namespaceList);
      assertThat(allowed(asOperator, release, "vigie.dihya.io", "healthprobes", "list", null))
          .isEqualTo(!namespaceList);
    }

    String apiKey = "key-" + UUID.randomUUID();
    int closedPort = freePort();
    try (LoopbackHttpServer http = LoopbackHttpServer.start();
        OperatorProcess operator =
            OperatorProcess.start(
                "chart-" + (namespaceList ? "roles" : "cluster-roles"),
                kubeconfig,
                podEnvironment(deployment, release, pod))) {
      try {
        String resources =
            """
            apiVersion: v1
            kind: Secret
            metadata:
              name: api
            stringData:
              key: %1$s
            ---
            apiVersion: vigie.dihya.io/v1alpha1
            kind: HealthProbe
            metadata:
              name: web
            spec:
              interval: 1s
              timeout: 900ms
              failureThreshold: 1
              http:
                url: %2$s
                headers:
                  - name: X-Api-Key
                    valueFrom:
                      secretKeyRef: {name: api, key: key}
            ---
            apiVersion: vigie.dihya.io/v1alpha1
            kind: HealthProbe
            metadata:
              name: closed-port
            spec:
              interval: 1s
              timeout: 900ms
              failureThreshold: 1
              tcp:
                host: 127.0.0.1
                port: %3$d
            ---
            apiVersion: vigie.dihya.io/v1alpha1
            kind: HealthProbe
            metadata:
              name: workload
            spec:
              interval: 2s
              timeout: 1s
              failureThreshold: 1
              kubernetes:
                kind: Service
                name: absent
            ---
            apiVersion: vigie.dihya.io/v1alpha1
            kind: AlertRoute
            metadata:
              name: operator-log
            spec:
              groupWait: 1s
              groupInterval: 2s
              repeatInterval: 1h
              sinks:
                - name: log
                  log: {level: warn}
            """
                .formatted(apiKey, http.url("/healthz"), closedPort);
        applyIn(app, resources).assertSuccess();

        // A Secret read with get, a check, a status patch.
        waitFor(app, "condition=Healthy", "hp/web");
        assertThat(http.requests()).anyMatch(r -> r.contains(apiKey));
        // A status patch of a failure, a Warning Event, and kubernetes checks that may list and
        // watch Services and Endpoints (the check would say Forbidden otherwise).
        waitFor(app, "condition=Healthy=False", "hp/closed-port", "hp/workload");
        assertThat(conditionReason(app, "workload", "Healthy")).isEqualTo("NotFound");
        waitFor(app, "condition=Ready", "ar/operator-log");

        // The same failure twice: the Event is read and updated (series), not written again.
        http.stop();
        waitFor(app, "condition=Healthy=False", "hp/web");
        http.restart();
        waitFor(app, "condition=Healthy", "hp/web");
        http.stop();
        waitFor(app, "condition=Healthy=False", "hp/web");
        String events =
            await()
                .atMost(WAIT)
                .until(
                    () ->
                        cluster
                            .kubectl(
                                "get",
                                "events.events.k8s.io",
                                "-n",
                                app,
                                "-o=jsonpath={range .items[*]}{.regarding.name}/{.reason}"
                                    + "/{.reportingController}/{.series.count}{\"\\n\"}{end}")
                            .output(),
                    out -> out.contains("web/ProbeFailed/vigie/2"));
        assertThat(events).contains("closed-port/ProbeFailed/vigie/");

        // The route notified the failures into the operator's log.
        await()
            .atMost(WAIT)
            .until(
                operator::log,
                log ->
                    log.lines()
                        .anyMatch(
                            l ->
                                l.contains("io.dihya.vigie.audit.notification")
                                    && l.contains("closed-port")));
        String log = operator.log();
        assertThat(DENIED.matcher(log).results().map(r -> lineOf(log, r.start())).toList())
            .as("the operator met a denial: a rule is missing from the chart's RBAC")
            .isEmpty();
      } finally {
        cluster.kubectl("delete", "-n", app, "healthprobes,alertroutes", "--all", "--timeout=30s");
      }
    }
  }

  /** The environment the chart's Deployment gives the container, as the kubelet would fill it. */
  private static Map<String, String> podEnvironment(
      Deployment deployment, String namespace, String pod) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var :
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if (var.getValueFrom() == null) {
        env.put(var.getName(), var.getValue());
        continue;
      }
      String field = var.getValueFrom().getFieldRef().getFieldPath();
      env.put(
          var.getName(),
          switch (field) {
            case "metadata.namespace" -> namespace;
            case "metadata.name" -> pod;
            default -> throw new AssertionError("unexpected downward API field " + field);
          });
    }
    assertThat(env).containsKeys("VIGIE_LEADER_ELECTION_ENABLED", "POD_NAMESPACE");
    return env;
  }

  /** A kubeconfig that authenticates with a TokenRequest token of the ServiceAccount. */
  private static Path kubeconfigOf(ServiceAccount account, String name) throws IOException {
    TokenRequest request =
        new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build();
    String token =
        admin
            .serviceAccounts()
            .inNamespace(account.getMetadata().getNamespace())
            .withName(account.getMetadata().getName())
            .tokenRequest(request)
            .getStatus()
            .getToken();
    assertThat(token).isNotBlank();
    Config config = admin.getConfiguration();
    String kubeconfig =
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: local
            cluster:
              server: %s
              certificate-authority-data: %s
        users:
          - name: %s
            user:
              token: %s
        contexts:
          - name: operator
            context: {cluster: local, user: %3$s, namespace: %s}
        current-context: operator
        """
            .formatted(
                config.getMasterUrl(),
                config.getCaCertData(),
                "system:serviceaccount:"
                    + account.getMetadata().getNamespace()
                    + ":"
                    + account.getMetadata().getName(),
                token,
                account.getMetadata().getNamespace());
    Path file =
        Files.createDirectories(Project.buildDir().resolve("e2e")).resolve(name + ".kubeconfig");
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, kubeconfig);
    return file;
  }

  private static KubernetesClient client(Path kubeconfig) throws IOException {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
        .build();
  }

  /** Whether the client's user may do it, as the API server's authorizer answers. */
  private static boolean allowed(
      KubernetesClient client,
      String namespace,
      String group,
      String resource,
      String verb,
      String name) {
    SelfSubjectAccessReview review =
        new SelfSubjectAccessReviewBuilder()
            .withNewSpec()
            .withNewResourceAttributes()
            .withNamespace(namespace)
            .withGroup(group)
            .withResource(resource)
            .withVerb(verb)
            .withName(name)
            .endResourceAttributes()
            .endSpec()
            .build();
    return client.resource(review).create().getStatus().getAllowed();
  }

  private static String namespace(String purpose) {
    String namespace = cluster.createNamespace(purpose);
    namespaces.add(namespace);
    return namespace;
  }

  private static Commands.Result apply(String yaml, boolean dryRun) throws IOException {
    Path file = Files.createTempFile("vigie-chart", ".yaml");
    try {
      Files.writeString(file, yaml);
      return dryRun
          ? cluster.kubectl("apply", "--server-side", "--dry-run=server", "-f", file.toString())
          : cluster.kubectl("apply", "--server-side", "-f", file.toString());
    } finally {
      Files.delete(file);
    }
  }

  private static Commands.Result applyIn(String namespace, String yaml) throws IOException {
    Path file = Files.createTempFile("vigie-chart", ".yaml");
    try {
      Files.writeString(file, yaml);
      return cluster.kubectl("apply", "-n", namespace, "-f", file.toString());
    } finally {
      Files.delete(file);
    }
  }

  private static long dryRunApplied(Commands.Result result) {
    return result.output().lines().filter(l -> l.contains("(server dry run)")).count();
  }

  private static String yaml(List<HasMetadata> objects) {
    return objects.stream()
        .map(o -> YAML.asYaml(o).replaceFirst("^---\n", ""))
        .collect(Collectors.joining("---\n", "---\n", ""));
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private static void waitFor(String namespace, String condition, String... resources) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "wait",
                "--for=" + condition,
                "--timeout=" + WAIT.toSeconds() + "s",
                "-n",
                namespace));
    args.addAll(List.of(resources));
    cluster.kubectl(args.toArray(String[]::new)).assertSuccess();
  }

  private static String conditionReason(String namespace, String probe, String condition) {
    return cluster
        .kubectl(
            "get",
            "hp",
            probe,
            "-n",
            namespace,
            "-o=jsonpath={.status.conditions[?(@.type==\"" + condition + "\")].reason}")
        .assertSuccess()
        .output()
        .trim();
  }

  private static String lineOf(String text, int index) {
    int start = text.lastIndexOf('\n', index) + 1;
    int end = text.indexOf('\n', index);
    return text.substring(start, end < 0 ? text.length() : end);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
