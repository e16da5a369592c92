package io.dihya.vigie.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.testing.LoopbackHttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two operator processes with leader election through a Lease, against the real kube-apiserver:
 * only the leader checks and notifies; when it is killed the other takes over within the lease
 * duration, from what status says, so a probe that failed across the hand-over is notified firing
 * once and resolved once.
 */
class HighAvailabilityE2EIT {

  private static final Duration LEASE = Duration.ofSeconds(6);
  private static LocalCluster cluster;
  private static LoopbackHttpServer target;
  private static WebhookReceiver receiver;
  private static final List<OperatorProcess> operators = new ArrayList<>();
  private static String namespace;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.get();
    cluster.installCrds();
    target = LoopbackHttpServer.start();
    receiver = WebhookReceiver.start();
    namespace = cluster.createNamespace("ha");
  }

  @AfterAll
  static void stop() {
    if (namespace != null) {
      cluster.deleteProbesAndRoutes(List.of(namespace));
    }
    operators.forEach(OperatorProcess::close);
    if (target != null) {
      target.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  private static OperatorProcess operator(String identity) throws Exception {
    OperatorProcess operator =
        OperatorProcess.start(
            cluster,
            "ha-" + identity,
            Map.of(
                "VIGIE_LEADER_ELECTION_ENABLED",
                "true",
                "VIGIE_LEADER_ELECTION_LEASE_NAMESPACE",
                namespace,
                "VIGIE_LEADER_ELECTION_LEASE_DURATION",
                LEASE.toSeconds() + "s",
                "VIGIE_LEADER_ELECTION_RENEW_DEADLINE",
                "4s",
                "VIGIE_LEADER_ELECTION_RETRY_PERIOD",
                "1s",
                "VIGIE_LEADER_ELECTION_IDENTITY",
                "vigie-" + identity));
    operators.add(operator);
    return operator;
  }

  private static String holder() {
    return cluster
        .kubectl(
            "get", "lease", "vigie-leader", "-n", namespace, "-o=jsonpath={.spec.holderIdentity}")
        .output()
        .trim();
  }

  private static List<WebhookReceiver.Received> received() {
    return receiver.requests("/ha");
  }

  @Test
  void onlyTheLeaderWorksAndAFailureAcrossTheHandOverIsNotifiedOnceEach() throws Exception {
    OperatorProcess first = operator("a");
    await().atMost(Duration.ofSeconds(30)).until(() -> holder().equals("vigie-a"));
    OperatorProcess second = operator("b");

    String yaml =
        """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: AlertRoute
        metadata:
          name: oncall
        spec:
          groupWait: 1s
          groupInterval: 2s
          repeatInterval: 1h
          sinks:
            - name: hook
              webhook:
                url: http://127.0.0.1:%1$d/ha
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: orders
        spec:
          interval: 1s
          timeout: 500ms
          failureThreshold: 1
          http:
            url: %2$s
        """
            .formatted(receiver.port(), target.url("/healthz"));
    cluster.apply(namespace, yaml).assertSuccess();
    cluster
        .kubectl("wait", "--for=condition=Healthy", "--timeout=30s", "-n", namespace, "hp/orders")
        .assertSuccess();

    target.stop();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 1);
      assertThat(received().get(0).json().get("status").asText()).isEqualTo("firing");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  cluster
                      .kubectl(
                          "get",
                          "ar",
                          "oncall",
                          "-n",
                          namespace,
                          "-o=jsonpath={.status.alerts[0].state}/{.status.alerts[0].pending}")
                      .output()
                      .trim()
                      .equals("Firing/"));
      // The follower has checked nothing and sent nothing.
      assertThat(second.log()).doesNotContain("HealthProbe " + namespace + "/orders turned");
      assertThat(second.log()).doesNotContain("io.dihya.vigie.audit.notification");

      first.kill();
      long killed = System.nanoTime();
      await().atMost(LEASE.plusSeconds(15)).until(() -> holder().equals("vigie-b"));
      long takeover = (System.nanoTime() - killed) / 1_000_000;
      // The lease expires LEASE after its last renewal; the follower retries every second.
      assertThat(takeover).isLessThan(LEASE.toMillis() + 3_000);
      // The new leader knows from status that the firing was notified: nothing is repeated.
      await()
          .during(Duration.ofSeconds(6))
          .atMost(Duration.ofSeconds(8))
          .until(() -> received().size() == 1);
    } finally {
      target.restart();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 2);
    assertThat(received().get(1).json().get("status").asText()).isEqualTo("resolved");
    assertThat(received().get(1).json().get("alerts").get(0).get("fingerprint").asText())
        .isEqualTo(received().get(0).json().get("alerts").get(0).get("fingerprint").asText());
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(() -> received().size() == 2);
    assertThat(second.log()).contains("HealthProbe " + namespace + "/orders turned Healthy");
    // A graceful stop of the leader (SIGTERM, as on a rollout) is quick: giving the lease up does
    // not hang the shutdown.
    assertThat(second.stop())
        .hasValueSatisfying(took -> assertThat(took).isLessThan(Duration.ofSeconds(10)));
  }
}
