package io.dihya.vigie.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dihya.vigie.testing.LoopbackHttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenants are namespaces: a route never receives another namespace's probes, and a probe can only
 * name Secrets of its own namespace.
 */
class TenancyE2EIT {

  private static LocalCluster cluster;
  private static OperatorProcess operator;
  private static LoopbackHttpServer target;
  private static WebhookReceiver receiver;
  private static final List<String> namespaces = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.get();
    cluster.installCrds();
    target = LoopbackHttpServer.start();
    receiver = WebhookReceiver.start();
    operator = OperatorProcess.start(cluster, "tenancy");
  }

  @AfterAll
  static void stop() {
    cluster.deleteProbesAndRoutes(namespaces);
    if (operator != null) {
      operator.close();
    }
    if (target != null) {
      target.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  private static void apply(String namespace, String yaml) {
    cluster.apply(namespace, yaml).assertSuccess();
  }

  private static String route(String path) {
    return """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: AlertRoute
        metadata:
          name: oncall
        spec:
          groupWait: 1s
          sinks:
            - name: hook
              webhook:
                url: http://127.0.0.1:%d%s
        """
        .formatted(receiver.port(), path);
  }

  private static String probe(String name, String url) {
    return """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: %s
        spec:
          interval: 1s
          timeout: 500ms
          failureThreshold: 1
          http:
            url: %s
        """
        .formatted(name, url);
  }

  @Test
  void aRouteSeesOnlyItsNamespaceAndAProbeOnlyItsNamespacesSecrets() throws Exception {
    String a = cluster.createNamespace("tenant-a");
    String b = cluster.createNamespace("tenant-b");
    namespaces.add(a);
    namespaces.add(b);
    apply(
        a,
        route("/tenant-a")
            + "---\n"
            + probe("storefront", target.url("/healthz"))
            + "---\n"
            + """
            apiVersion: v1
            kind: Secret
            metadata:
              name: api-token
            stringData:
              token: tenant-a-token
            """);
    try (var closed = new java.net.ServerSocket(0)) {
      // A port nothing answers on once closed: b's probe fails from the start.
      String down = "http://127.0.0.1:" + closed.getLocalPort() + "/healthz";
      closed.close();
      apply(b, route("/tenant-b") + "---\n" + probe("grades", down));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.requests("/tenant-b").isEmpty());
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(() -> receiver.requests("/tenant-b").size() == 1);
    JsonNode firing = receiver.requests("/tenant-b").get(0).json();
    assertThat(firing.get("status").asText()).isEqualTo("firing");
    assertThat(firing.get("alerts")).hasSize(1);
    assertThat(firing.get("alerts").get(0).get("labels").get("namespace").asText()).isEqualTo(b);
    assertThat(receiver.requests("/tenant-a")).isEmpty();

    // b names a's Secret: it is looked up in b only.
    apply(
        b,
        """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: borrower
        spec:
          http:
            url: %s
            bearerTokenSecretRef: {name: api-token, key: token}
        """
            .formatted(target.url("/healthz")));
    String reason =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    cluster
                        .kubectl(
                            "get",
                            "hp",
                            "borrower",
                            "-n",
                            b,
                            "-o=jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}")
                        .output()
                        .trim(),
                r -> !r.isEmpty());
    assertThat(reason).isEqualTo("SecretNotFound");
    // And a reference cannot even name another namespace: the schema has no such field.
    Commands.Result cross =
        cluster.apply(
            b,
            """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: cross
        spec:
          http:
            url: %s
            bearerTokenSecretRef: {name: api-token, key: token, namespace: %s}
        """
                .formatted(target.url("/healthz"), a));
    assertThat(cross.exitCode()).isNotZero();
    assertThat(cross.output()).contains("unknown field").contains("namespace");
  }
}
