package io.dihya.vigie.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.dihya.vigie.e2e.Project;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart as a user relies on it, rendered with helm-java: the restricted pod, two replicas with
 * leader election, the PodDisruptionBudget, the NetworkPolicy, RBAC that grants exactly what the
 * code uses (ClusterRoles, or Roles in the watched namespaces), a values schema that refuses
 * mistakes, and the committed copies (CRDs, deploy/vigie.yaml) that must not drift.
 */
class HelmChartTest {

  private static final String RELEASE = "vigie";
  private static final String NAMESPACE = "ops";

  private static List<HasMetadata> render(String values) {
    return VigieChart.objects(
        VigieChart.template(RELEASE, NAMESPACE, VigieChart.MANIFEST_KUBE_VERSION, values));
  }

  private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = all(objects, type);
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static Container operator(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static EnvVar env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name + " in " + container.getEnv()));
  }

  private static Set<String> envNames(Container container) {
    return container.getEnv().stream().map(EnvVar::getName).collect(Collectors.toSet());
  }

  /** A rule as "group/resource[names]: verbs", one per resource, to compare whole rule sets. */
  private static Set<String> grants(List<PolicyRule> rules) {
    Set<String> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          String names =
              rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                  ? ""
                  : rule.getResourceNames().toString();
          grants.add(
              (group.isEmpty() ? "core" : group)
                  + "/"
                  + resource
                  + names
                  + ": "
                  + String.join(",", rule.getVerbs()));
        }
      }
    }
    return grants;
  }

  private static final Set<String> WATCH_GRANTS =
      Set.of(
          "vigie.dihya.io/healthprobes: list,watch",
          "vigie.dihya.io/alertroutes: list,watch",
          "vigie.dihya.io/healthprobes/status: patch",
          "vigie.dihya.io/alertroutes/status: patch",
          "core/secrets: get",
          "events.k8s.io/events: get,create,update",
          "apps/deployments: list,watch",
          "apps/statefulsets: list,watch",
          "apps/daemonsets: list,watch",
          "core/services: list,watch",
          "core/endpoints: list,watch",
          "core/persistentvolumeclaims: list,watch");

  @Test
  void thePodRunsRestrictedWithTwoReplicasAndLeaderElection() {
    List<HasMetadata> objects = render("");
    Deployment deployment = one(objects, Deployment.class);
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);

    PodSecurityContext pod = deployment.getSpec().getTemplate().getSpec().getSecurityContext();
    assertThat(pod.getRunAsNonRoot()).isTrue();
    assertThat(pod.getRunAsUser()).isEqualTo(10001L);
    assertThat(pod.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container container = operator(deployment);
    SecurityContext security = container.getSecurityContext();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(security.getPrivileged()).isNull();
    assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    // The read-only root needs a writable /tmp.
    assertThat(container.getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());

    assertThat(container.getImage()).isEqualTo("ghcr.io/dihya/vigie:" + VigieChart.appVersion());
    assertThat(container.getResources().getRequests())
        .containsKeys("cpu", "memory")
        .satisfies(r -> assertThat(r.get("memory").toString()).isEqualTo("512Mi"));
    assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
    assertThat(env(container, "JAVA_TOOL_OPTIONS").getValue()).contains("-XX:MaxRAMPercentage=75");

    assertThat(container.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("metrics");
              assertThat(p.getContainerPort()).isEqualTo(9000);
            });
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal())
        .isEqualTo("metrics");
    assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal())
        .isEqualTo("metrics");

    assertThat(env(container, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env(container, "POD_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(env(container, "VIGIE_LEADER_ELECTION_ENABLED").getValue()).isEqualTo("true");
    assertThat(
            env(container, "VIGIE_LEADER_ELECTION_LEASE_NAMESPACE")
                .getValueFrom()
                .getFieldRef()
                .getFieldPath())
        .isEqualTo("metadata.namespace");
    // Every namespace: the operator's default, no namespace list.
    assertThat(envNames(container)).doesNotContain("QUARKUS_OPERATOR_SDK_NAMESPACES");

    ServiceAccount account = one(objects, ServiceAccount.class);
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(account.getMetadata().getName());
  }

  @Test
  void theDisruptionBudgetAndTheServiceSelectTheOperatorPods() {
    List<HasMetadata> objects = render("");
    Map<String, String> pods =
        one(objects, Deployment.class).getSpec().getSelector().getMatchLabels();
    assertThat(pods).isNotEmpty();

    PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(pods);
    // policy/v1 from Kubernetes 1.21 (Helm asks the cluster), policy/v1beta1 before.
    assertThat(VigieChart.template(RELEASE, NAMESPACE, "v1.21.0", ""))
        .contains("apiVersion: policy/v1\nkind: PodDisruptionBudget");
    assertThat(VigieChart.template(RELEASE, NAMESPACE, "v1.20.2", ""))
        .contains("apiVersion: policy/v1beta1\nkind: PodDisruptionBudget");

    Service service = one(objects, Service.class);
    assertThat(service.getSpec().getSelector()).isEqualTo(pods);
    assertThat(service.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("metrics");
              assertThat(p.getPort()).isEqualTo(9000);
              assertThat(p.getTargetPort().getStrVal()).isEqualTo("metrics");
            });
    assertThat(objects).noneMatch(o -> o.getKind().equals("ServiceMonitor"));

    List<HasMetadata> monitored = render("serviceMonitor: {enabled: true}\n");
    HasMetadata monitor =
        monitored.stream()
            .filter(o -> o.getKind().equals("ServiceMonitor"))
            .findFirst()
            .orElseThrow();
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(
            VigieChart.template(RELEASE, NAMESPACE, "v1.21.0", "serviceMonitor: {enabled: true}\n"))
        .contains("- port: metrics\n      path: /q/metrics")
        .contains("honorLabels: true");
  }

  @Test
  void theNetworkPolicyAdmitsOnlyTheNamedPeersToTheMetricsPort() {
    List<HasMetadata> objects = render("");
    NetworkPolicy closed = one(objects, NetworkPolicy.class);
    assertThat(closed.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(one(objects, Deployment.class).getSpec().getSelector().getMatchLabels());
    assertThat(closed.getSpec().getPolicyTypes()).containsExactly("Ingress");
    // No peer named: no ingress rule at all (a rule with an empty "from" would admit everyone).
    assertThat(closed.getSpec().getIngress()).isEmpty();

    NetworkPolicy open =
        one(
            render(
                """
                networkPolicy:
                  allowFrom:
                    - namespaceSelector:
                        matchLabels: {kubernetes.io/metadata.name: monitoring}
                      podSelector:
                        matchLabels: {app.kubernetes.io/name: prometheus}
                    - podSelector:
                        matchLabels: {app: debug}
                """),
            NetworkPolicy.class);
    NetworkPolicyIngressRule rule = open.getSpec().getIngress().get(0);
    assertThat(open.getSpec().getIngress()).hasSize(1);
    assertThat(rule.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort().getIntVal()).isEqualTo(9000);
              assertThat(p.getProtocol()).isEqualTo("TCP");
            });
    assertThat(rule.getFrom()).hasSize(2);
    assertThat(rule.getFrom().get(0).getNamespaceSelector().getMatchLabels())
        .containsEntry("kubernetes.io/metadata.name", "monitoring");
    assertThat(rule.getFrom().get(0).getPodSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/name", "prometheus");
    assertThat(rule.getFrom().get(1).getNamespaceSelector()).isNull();

    assertThat(render("networkPolicy: {enabled: false}\n"))
        .noneMatch(NetworkPolicy.class::isInstance);
  }

  @Test
  void rbacForEveryNamespaceIsClusterRolesGrantingExactlyWhatTheCodeUses() {
    List<HasMetadata> objects = render("");
    ServiceAccount account = one(objects, ServiceAccount.class);
    ClusterRole watch = clusterRole(objects, RELEASE);
    assertThat(grants(watch.getRules())).isEqualTo(WATCH_GRANTS);
    ClusterRoleBinding binding = clusterRoleBinding(objects, RELEASE);
    assertThat(binding.getRoleRef().getName()).isEqualTo(RELEASE);
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
              assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
            });
    assertThat(all(objects, Role.class))
        .extracting(r -> r.getMetadata().getName())
        .containsExactly(RELEASE + "-leader-election");
    assertCommonRules(objects);
  }

  @Test
  void rbacForANamespaceListIsRolesInEachOfThem() {
    List<HasMetadata> objects = render("watchNamespaces: [shop, school]\n");
    Container container = operator(one(objects, Deployment.class));
    assertThat(env(container, "QUARKUS_OPERATOR_SDK_NAMESPACES").getValue())
        .isEqualTo("shop,school");

    // Only the CRD check's ClusterRole (cluster-scoped objects); no cluster-wide watch.
    assertThat(all(objects, ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .containsExactly(RELEASE + "-crds");
    assertThat(all(objects, ClusterRoleBinding.class))
        .extracting(r -> r.getMetadata().getName())
        .containsExactly(RELEASE + "-crds");
    for (String namespace : List.of("shop", "school")) {
      Role role = role(objects, RELEASE, namespace);
      assertThat(grants(role.getRules())).isEqualTo(WATCH_GRANTS);
      RoleBinding binding =
          all(objects, RoleBinding.class).stream()
              .filter(b -> b.getMetadata().getNamespace().equals(namespace))
              .findFirst()
              .orElseThrow();
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(binding.getRoleRef().getName()).isEqualTo(RELEASE);
      assertThat(binding.getSubjects().get(0).getNamespace()).isEqualTo(NAMESPACE);
    }
    assertThat(all(objects, Role.class))
        .extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "shop/" + RELEASE, "school/" + RELEASE, NAMESPACE + "/" + RELEASE + "-leader-election");
    assertCommonRules(objects);
  }

  /** Leader election in the release's namespace, the CRD check, and what no rule may grant. */
  private static void assertCommonRules(List<HasMetadata> objects) {
    Role leases = role(objects, RELEASE + "-leader-election", NAMESPACE);
    assertThat(grants(leases.getRules()))
        .containsExactlyInAnyOrder(
            "coordination.k8s.io/leases: create",
            "coordination.k8s.io/leases[vigie-leader]: get,update,patch");
    assertThat(grants(clusterRole(objects, RELEASE + "-crds").getRules()))
        .containsExactly(
            "apiextensions.k8s.io/customresourcedefinitions"
                + "[healthprobes.vigie.dihya.io, alertroutes.vigie.dihya.io]: get");
    List<PolicyRule> every =
        Stream.concat(
                all(objects, ClusterRole.class).stream().flatMap(r -> r.getRules().stream()),
                all(objects, Role.class).stream().flatMap(r -> r.getRules().stream()))
            .toList();
    assertThat(every)
        .allSatisfy(
            rule -> {
              assertThat(rule.getVerbs()).doesNotContain("*", "delete", "deletecollection");
              assertThat(rule.getResources()).doesNotContain("*");
              assertThat(rule.getApiGroups()).doesNotContain("*");
              if (rule.getResources().contains("secrets")) {
                assertThat(rule.getVerbs()).containsExactly("get");
              }
            });
  }

  @Test
  void secretsCanBeLimitedToNamesAndWorkloadChecksTurnedOff() {
    List<HasMetadata> objects =
        render(
            """
            rbac:
              secretNames: [shop-api-gateway, hospital-internal-ca]
              workloadChecks: false
            """);
    Set<String> granted = grants(clusterRole(objects, RELEASE).getRules());
    assertThat(granted)
        .contains("core/secrets[shop-api-gateway, hospital-internal-ca]: get")
        .doesNotContain("core/secrets: get")
        .noneMatch(g -> g.startsWith("apps/") || g.startsWith("core/services"));
  }

  @Test
  void helmLintPasses() {
    LintResult lint = new Helm(VigieChart.dir()).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void theValuesSchemaRefusesMistakes() {
    assertThatThrownBy(() -> render("replicaCount: two\n"))
        .hasMessageContaining("replicaCount")
        .hasMessageContaining("integer");
    // A misspelt key is an error, not silently ignored.
    assertThatThrownBy(() -> render("replicas: 3\n")).hasMessageContaining("replicas");
    assertThatThrownBy(() -> render("networkPolicy: {allowFrom: [{ipBlock: {cidr: 0.0.0.0/0}}]}\n"))
        .hasMessageContaining("ipBlock");
    assertThatThrownBy(() -> render("watchNamespaces: [Shop_1]\n"))
        .hasMessageContaining("watchNamespaces");
    assertThatThrownBy(() -> render("securityContext: {runAsUser: 0}\n"))
        .hasMessageContaining("runAsUser");
  }

  @Test
  void theChartsCrdsAreTheGeneratedOnes() throws IOException {
    Path generated = Project.dir().resolve("crds");
    List<String> names;
    try (Stream<Path> files = Files.list(generated)) {
      names = files.map(f -> f.getFileName().toString()).sorted().toList();
    }
    assertThat(VigieChart.crdFiles())
        .extracting(f -> f.getFileName().toString())
        .as("helm/vigie/crds/ holds the files of crds/: run hack/update-crds.sh")
        .containsExactlyElementsOf(names);
    for (String name : names) {
      assertThat(Files.readString(VigieChart.dir().resolve("crds").resolve(name)))
          .as("helm/vigie/crds/%s differs from crds/%s: run hack/update-crds.sh", name, name)
          .isEqualTo(Files.readString(generated.resolve(name)));
    }
  }

  @Test
  void theCommittedManifestsAreTheRenderedChart() throws IOException {
    String rendered = VigieChart.manifests();
    for (Path file : VigieChart.manifestFiles()) {
      assertThat(file).exists();
      assertThat(Files.readString(file))
          .as("%s is stale: run hack/render-chart.sh", Project.dir().relativize(file))
          .isEqualTo(rendered);
    }
    List<HasMetadata> objects = VigieChart.objects(rendered);
    assertThat(objects.get(0).getKind()).isEqualTo("Namespace");
    assertThat(objects.get(0).getMetadata().getName()).isEqualTo(VigieChart.NAMESPACE);
    assertThat(objects)
        .filteredOn(o -> o.getKind().equals("CustomResourceDefinition"))
        .extracting(o -> o.getMetadata().getName())
        .containsExactly("alertroutes.vigie.dihya.io", "healthprobes.vigie.dihya.io");
    assertThat(objects)
        .filteredOn(o -> o.getMetadata().getNamespace() != null)
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("vigie-system"));
    assertThat(objects)
        .filteredOn(o -> o.getKind().equals("PodDisruptionBudget"))
        .singleElement()
        .satisfies(o -> assertThat(o.getApiVersion()).isEqualTo("policy/v1"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theGitOpsExamplesInstallThisChartWithValuesItAccepts() throws IOException {
    KubernetesSerialization yaml = new KubernetesSerialization();
    Path gitops = Project.dir().resolve("deploy/gitops");
    List<HasMetadata> argo =
        VigieChart.objects(Files.readString(gitops.resolve("argocd-application.yaml")));
    Map<String, Object> source =
        (Map<String, Object>)
            ((GenericKubernetesResource) argo.get(0)).getAdditionalProperties().get("spec");
    source = (Map<String, Object>) source.get("source");
    assertThat(source).containsEntry("path", "helm/vigie");
    assertThat(source.get("targetRevision")).isEqualTo("v" + VigieChart.appVersion());
    Object argoValues = ((Map<String, Object>) source.get("helm")).get("valuesObject");
    assertThat(render(yaml.asYaml(argoValues))).isNotEmpty();

    List<HasMetadata> flux =
        VigieChart.objects(Files.readString(gitops.resolve("flux-helmrelease.yaml")));
    assertThat(flux)
        .extracting(HasMetadata::getKind)
        .containsExactly("GitRepository", "HelmRelease");
    Map<String, Object> git =
        (Map<String, Object>)
            ((GenericKubernetesResource) flux.get(0)).getAdditionalProperties().get("spec");
    assertThat((Map<String, Object>) git.get("ref"))
        .containsEntry("tag", "v" + VigieChart.appVersion());
    Map<String, Object> release =
        (Map<String, Object>)
            ((GenericKubernetesResource) flux.get(1)).getAdditionalProperties().get("spec");
    Map<String, Object> chart =
        (Map<String, Object>) ((Map<String, Object>) release.get("chart")).get("spec");
    assertThat(chart).containsEntry("chart", "./helm/vigie");
    assertThat(render(yaml.asYaml(release.get("values")))).isNotEmpty();
  }

  private static ClusterRole clusterRole(List<HasMetadata> objects, String name) {
    return all(objects, ClusterRole.class).stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ClusterRole " + name));
  }

  private static ClusterRoleBinding clusterRoleBinding(List<HasMetadata> objects, String name) {
    return all(objects, ClusterRoleBinding.class).stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ClusterRoleBinding " + name));
  }

  private static Role role(List<HasMetadata> objects, String name, String namespace) {
    return all(objects, Role.class).stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .filter(r -> namespace.equals(r.getMetadata().getNamespace()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Role " + namespace + "/" + name));
  }
}
