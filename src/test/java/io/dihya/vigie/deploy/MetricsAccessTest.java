package io.dihya.vigie.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.deploy.NetworkPolicyEvaluator.Destination;
import io.dihya.vigie.deploy.NetworkPolicyEvaluator.External;
import io.dihya.vigie.deploy.NetworkPolicyEvaluator.Pod;
import io.dihya.vigie.deploy.NetworkPolicyEvaluator.Source;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Who may reach the operator's metrics port (9000: /q/metrics and /q/health) once the chart is
 * installed: the chart rendered as {@code helm template vigie helm/vigie -n vigie-system} would,
 * its NetworkPolicy evaluated by {@link NetworkPolicyEvaluator} for the pod of its Deployment
 * (labels and ports from the rendered pod template, so a change to either template is seen here).
 */
class MetricsAccessTest {

  private static final String NAMESPACE = VigieChart.NAMESPACE;

  /** The example of values.yaml: Prometheus pods of the namespace "monitoring". */
  private static final String PROMETHEUS_ALLOWED =
      """
      networkPolicy:
        allowFrom:
          - namespaceSelector:
              matchLabels: {kubernetes.io/metadata.name: monitoring}
            podSelector:
              matchLabels: {app.kubernetes.io/name: prometheus}
      """;

  private static final Map<String, String> PROMETHEUS_LABELS =
      Map.of("app.kubernetes.io/name", "prometheus", "prometheus", "k8s");
  private static final Pod PROMETHEUS = Pod.in("monitoring", PROMETHEUS_LABELS);
  private static final Pod GRAFANA_IN_MONITORING =
      Pod.in("monitoring", Map.of("app.kubernetes.io/name", "grafana"));
  private static final Pod NEIGHBOUR = Pod.in(NAMESPACE, Map.of("app", "debug"));
  private static final Pod TENANT = Pod.in("shop", Map.of("app", "shop-frontend"));

  /** A tenant's pod wearing Prometheus' label, in the tenant's namespace. */
  private static final Pod PROMETHEUS_OF_TENANT = Pod.in("shop", PROMETHEUS_LABELS);

  private static final External OUTSIDE = new External("203.0.113.7");

  /** The chart installed with these values: its policies, the operator's pod and its Service. */
  private record Install(NetworkPolicyEvaluator policies, Destination operator, Service service) {

    static Install of(String values) {
      List<HasMetadata> objects =
          VigieChart.objects(
              VigieChart.template("vigie", NAMESPACE, VigieChart.MANIFEST_KUBE_VERSION, values));
      List<NetworkPolicy> policies =
          objects.stream()
              .filter(NetworkPolicy.class::isInstance)
              .map(NetworkPolicy.class::cast)
              .toList();
      Deployment deployment = one(objects, Deployment.class);
      return new Install(
          new NetworkPolicyEvaluator(policies),
          Destination.of(
              deployment.getMetadata().getNamespace(), deployment.getSpec().getTemplate()),
          one(objects, Service.class));
    }

    /** The operator's metrics port as Prometheus finds it: the container port named "metrics". */
    int metricsPort() {
      return operator.port("metrics").getContainerPort();
    }

    boolean reaches(Source source, int port) {
      return policies.allows(source, operator, port);
    }
  }

  private static <T> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  @Test
  void byDefaultNobodyReachesTheMetricsPort() {
    Install install = Install.of("");
    assertThat(install.operator().namespace()).isEqualTo(NAMESPACE);
    assertThat(install.metricsPort()).isEqualTo(9000);
    for (Source source :
        List.of(
            PROMETHEUS,
            GRAFANA_IN_MONITORING,
            NEIGHBOUR,
            Pod.in(NAMESPACE, install.operator().labels()),
            TENANT,
            PROMETHEUS_OF_TENANT,
            OUTSIDE)) {
      assertThat(install.reaches(source, 9000)).as("%s to 9000", source).isFalse();
      assertThat(install.reaches(source, install.metricsPort()))
          .as("%s to the port named metrics", source)
          .isFalse();
    }
  }

  @Test
  void withPrometheusAllowedOnlyPrometheusOfMonitoringReachesIt() {
    Install install = Install.of(PROMETHEUS_ALLOWED);
    assertThat(install.reaches(PROMETHEUS, 9000)).isTrue();
    assertThat(install.reaches(PROMETHEUS, install.metricsPort())).isTrue();
    assertThat(install.policies().allows(PROMETHEUS, install.operator(), 9000, "UDP")).isFalse();
    assertThat(install.reaches(PROMETHEUS, 8080)).as("another port").isFalse();

    assertThat(install.reaches(GRAFANA_IN_MONITORING, 9000))
        .as("a pod of monitoring without Prometheus' label")
        .isFalse();
    assertThat(install.reaches(PROMETHEUS_OF_TENANT, 9000))
        .as("Prometheus' label in a tenant's namespace")
        .isFalse();
    // A namespace cannot pose as "monitoring": the API server sets its name label.
    Pod forged =
        new Pod(
            "shop",
            Map.of(NetworkPolicyEvaluator.NAMESPACE_NAME_LABEL, "monitoring"),
            PROMETHEUS_LABELS);
    assertThat(install.reaches(forged, 9000)).isFalse();
    for (Source source : List.of(NEIGHBOUR, TENANT, OUTSIDE)) {
      assertThat(install.reaches(source, 9000)).as("%s to 9000", source).isFalse();
    }
  }

  @Test
  void withoutThePolicyEveryoneReachesIt() {
    // networkPolicy.enabled=false is the user's choice (a cluster whose own policies, or whose lack
    // of a network plugin, decide): the chart then renders no policy and leaves the port open.
    Install install = Install.of("networkPolicy: {enabled: false}\n");
    for (Source source : List.of(PROMETHEUS, NEIGHBOUR, TENANT, OUTSIDE)) {
      assertThat(install.reaches(source, 9000)).as("%s to 9000", source).isTrue();
    }
  }

  @Test
  void theServiceSendsToThePortThePolicyAdmits() {
    Install install = Install.of(PROMETHEUS_ALLOWED);
    Service service = install.service();
    assertThat(service.getMetadata().getNamespace()).isEqualTo(install.operator().namespace());
    assertThat(install.operator().labels())
        .as("the Service selects the operator's pod")
        .containsAllEntriesOf(service.getSpec().getSelector());
    ServicePort metrics =
        service.getSpec().getPorts().stream()
            .filter(p -> "metrics".equals(p.getName()))
            .findFirst()
            .orElseThrow();
    int target = targetPort(metrics, install.operator());
    assertThat(target).isEqualTo(9000);
    assertThat(install.reaches(PROMETHEUS, target)).isTrue();
    assertThat(install.reaches(TENANT, target)).isFalse();
    assertThat(Install.of("").reaches(PROMETHEUS, target)).isFalse();
  }

  /** The pod's port a Service port sends to: targetPort by number, or by container port name. */
  private static int targetPort(ServicePort port, Destination pod) {
    IntOrString target = port.getTargetPort();
    if (target == null) {
      return port.getPort();
    }
    if (target.getStrVal() == null) {
      return target.getIntVal();
    }
    ContainerPort named = pod.port(target.getStrVal());
    assertThat(named.getProtocol() == null ? "TCP" : named.getProtocol())
        .isEqualTo(port.getProtocol() == null ? "TCP" : port.getProtocol());
    return named.getContainerPort();
  }
}
