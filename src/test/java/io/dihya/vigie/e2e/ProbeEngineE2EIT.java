package io.dihya.vigie.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.testing.LoopbackHttpServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The probe engine end to end, as a user sees it: the built operator against the real
 * kube-apiserver, a real HTTP target on loopback, and kubectl.
 */
class ProbeEngineE2EIT {

  private static final String CANARY = "cAnArY-7d1f3e";
  private static LocalCluster cluster;
  private static OperatorProcess operator;
  private static LoopbackHttpServer target;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.get();
    cluster.installCrds();
    target = LoopbackHttpServer.start();
    operator = OperatorProcess.start(cluster, "probe-engine");
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (target != null) {
      target.close();
    }
  }

  private static void apply(String namespace, String yaml) {
    cluster.apply(namespace, yaml).assertSuccess();
  }

  @Test
  void healthFollowsTheTargetWithOneEventPerTransition() throws Exception {
    String namespace = cluster.createNamespace("engine");
    apply(
        namespace,
        """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: orders
        spec:
          interval: 1s
          timeout: 500ms
          failureThreshold: 2
          http:
            url: %s
        """
            .formatted(target.url("/healthz")));
    cluster
        .kubectl("wait", "--for=condition=Healthy", "--timeout=30s", "-n", namespace, "hp/orders")
        .assertSuccess();
    String row = cluster.kubectl("get", "hp", "orders", "-n", namespace).assertSuccess().output();
    assertThat(row).contains("Healthy").contains("GET " + target.url("/healthz"));

    target.stop();
    try {
      cluster
          .kubectl(
              "wait",
              "--for=condition=Healthy=False",
              "--timeout=30s",
              "-n",
              namespace,
              "hp/orders")
          .assertSuccess();
      assertThat(healthyReason(namespace, "orders")).isEqualTo("ConnectionRefused");
    } finally {
      target.restart();
    }
    cluster
        .kubectl("wait", "--for=condition=Healthy", "--timeout=30s", "-n", namespace, "hp/orders")
        .assertSuccess();

    String events =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> eventReasons(namespace), out -> out.contains("ProbeRecovered"));
    assertThat(events.lines().filter(l -> l.startsWith("Warning/ProbeFailed")).count())
        .isEqualTo(1);
    assertThat(events.lines().filter(l -> l.startsWith("Normal/ProbeRecovered")).count())
        .isEqualTo(1);
    String describe =
        cluster.kubectl("describe", "hp", "orders", "-n", namespace).assertSuccess().output();
    assertThat(describe).contains("Healthy").contains("Accepted");
  }

  @Test
  void aCanarySecretAppearsInNoStatusEventColumnOrLogLine() throws Exception {
    String namespace = cluster.createNamespace("canary");
    apply(
        namespace,
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: api-credentials
        stringData:
          token: %1$s
          password: %1$s-pw
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: leaky
        spec:
          interval: 1s
          timeout: 500ms
          failureThreshold: 1
          http:
            url: %2$s
            expectStatus: ["299"]
            headers:
              - name: X-Api-Key
                valueFrom:
                  secretKeyRef: {name: api-credentials, key: token}
            basicAuth:
              usernameSecretRef: {name: api-credentials, key: token}
              passwordSecretRef: {name: api-credentials, key: password}
        """
            .formatted(CANARY, target.url("/login?token=" + CANARY + "&user=x")));
    cluster
        .kubectl(
            "wait", "--for=condition=Healthy=False", "--timeout=30s", "-n", namespace, "hp/leaky")
        .assertSuccess();
    assertThat(healthyReason(namespace, "leaky")).isEqualTo("UnexpectedStatus");
    // The secret did reach the target: the check really used it.
    assertThat(target.requests()).anyMatch(r -> r.contains(CANARY));

    // The spec holds the canary (the user wrote it into the URL); what vigie writes must not.
    String status =
        cluster
            .kubectl("get", "hp", "leaky", "-n", namespace, "-o=jsonpath={.status}")
            .assertSuccess()
            .output();
    String columns =
        cluster.kubectl("get", "hp", "-n", namespace, "-o", "wide").assertSuccess().output();
    String events =
        cluster
            .kubectl("get", "events.events.k8s.io", "-n", namespace, "-o", "yaml")
            .assertSuccess()
            .output();
    String log = operator.log();
    assertThat(status).contains("UnexpectedStatus").doesNotContain(CANARY);
    assertThat(columns).contains("GET http://127.0.0.1").doesNotContain(CANARY);
    assertThat(events).contains("ProbeFailed").doesNotContain(CANARY);
    assertThat(log).contains("leaky").doesNotContain(CANARY);
  }

  @Test
  void aHostNameIsCheckedUnderItsNameAndTheMetadataServiceIsForbidden() throws Exception {
    String namespace = cluster.createNamespace("targets");
    apply(
        namespace,
        """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: by-name
        spec:
          interval: 1s
          timeout: 500ms
          http:
            url: http://localhost:%d/by-name
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: metadata
        spec:
          interval: 1s
          timeout: 500ms
          http:
            url: http://169.254.169.254/latest/meta-data/iam/security-credentials/
        """
            .formatted(target.port()));
    cluster
        .kubectl("wait", "--for=condition=Healthy", "--timeout=30s", "-n", namespace, "hp/by-name")
        .assertSuccess();
    // Sent to the address the policy judged, under the URL's own name.
    assertThat(target.requests())
        .anyMatch(
            r -> r.startsWith("GET /by-name") && r.contains("Host: [localhost:" + target.port()));

    cluster
        .kubectl(
            "wait", "--for=condition=Ready=False", "--timeout=30s", "-n", namespace, "hp/metadata")
        .assertSuccess();
    String ready =
        cluster
            .kubectl(
                "get",
                "hp",
                "metadata",
                "-n",
                namespace,
                "-o=jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}:"
                    + " {.status.conditions[?(@.type==\"Ready\")].message}")
            .assertSuccess()
            .output()
            .trim();
    assertThat(ready)
        .isEqualTo(
            "TargetForbidden: GET http://169.254.169.254/latest/meta-data/iam/security-credentials/:"
                + " 169.254.169.254 is forbidden by the operator's target policy"
                + " (vigie.targets.deny: 169.254.0.0/16)");
    assertThat(operator.log()).contains("Checks connect only where the target policy allows");
  }

  private static String healthyReason(String namespace, String probe) {
    return cluster
        .kubectl(
            "get",
            "hp",
            probe,
            "-n",
            namespace,
            "-o=jsonpath={.status.conditions[?(@.type==\"Healthy\")].reason}")
        .assertSuccess()
        .output()
        .trim();
  }

  private static String eventReasons(String namespace) {
    return cluster
        .kubectl(
            "get",
            "events.events.k8s.io",
            "-n",
            namespace,
            "-o=jsonpath={range .items[*]}{.type}/{.reason}/{.reportingController}{\"\\n\"}{end}")
        .assertSuccess()
        .output();
  }
}
