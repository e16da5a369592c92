package io.dihya.vigie.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dihya.vigie.e2e.WebhookReceiver.Received;
import io.dihya.vigie.testing.LoopbackHttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alert pipeline end to end: the built operator against the real kube-apiserver, a probe of a
 * real HTTP target, a route with a signed webhook to a receiver on loopback.
 */
class AlertingE2EIT {

  private static final byte[] KEY =
      "vigie-e2e-signing-key-0123456789".getBytes(StandardCharsets.UTF_8);
  private static LocalCluster cluster;
  private static OperatorProcess operator;
  private static LoopbackHttpServer target;
  private static WebhookReceiver receiver;

  private static final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.get();
    cluster.installCrds();
    target = LoopbackHttpServer.start();
    receiver = WebhookReceiver.start();
    operator = OperatorProcess.start(cluster, "alerting");
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

  @Test
  void oneSignedFiringThenOneResolvedAndATestOnDemand() throws Exception {
    String namespace = cluster.createNamespace("alerting");
    namespaces.add(namespace);
    String yaml =
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: hook
        stringData:
          key: whsec_%1$s
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: AlertRoute
        metadata:
          name: oncall
        spec:
          groupWait: 2s
          groupInterval: 2s
          repeatInterval: 1h
          sinks:
            - name: hook
              webhook:
                url: http://127.0.0.1:%2$d/hook
                signingKeySecretRef: {name: hook, key: key}
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: orders
          labels: {team: checkout}
        spec:
          interval: 1s
          timeout: 500ms
          failureThreshold: 1
          severity: critical
          alert:
            annotations: {summary: Orders cannot be placed}
          http:
            url: %3$s
        """
            .formatted(
                Base64.getEncoder().encodeToString(KEY), receiver.port(), target.url("/healthz"));
    cluster.apply(namespace, yaml).assertSuccess();
    cluster
        .kubectl("wait", "--for=condition=Ready", "--timeout=30s", "-n", namespace, "ar/oncall")
        .assertSuccess();
    cluster
        .kubectl("wait", "--for=condition=Healthy", "--timeout=30s", "-n", namespace, "hp/orders")
        .assertSuccess();

    target.stop();
    long stopped = System.nanoTime();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 1);
      Received firing = received().get(0);
      // Detection (1 failure at 1s) + groupWait 2s + the tick: well within 5s.
      assertThat((firing.at() - stopped) / 1_000_000).isLessThan(6_000);
      assertSigned(firing);
      JsonNode body = firing.json();
      assertThat(body.get("status").asText()).isEqualTo("firing");
      assertThat(body.get("kind").asText()).isEqualTo("alerts");
      assertThat(body.get("alerts")).hasSize(1);
      JsonNode alert = body.get("alerts").get(0);
      assertThat(alert.get("labels").get("probe").asText()).isEqualTo("orders");
      assertThat(alert.get("labels").get("namespace").asText()).isEqualTo(namespace);
      assertThat(alert.get("labels").get("team").asText()).isEqualTo("checkout");
      assertThat(alert.get("annotations").get("reason").asText()).isEqualTo("ConnectionRefused");
      assertThat(alert.get("annotations").get("summary").asText())
          .isEqualTo("Orders cannot be placed");
    } finally {
      target.restart();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 2);
    Received resolved = received().get(1);
    assertSigned(resolved);
    assertThat(resolved.json().get("status").asText()).isEqualTo("resolved");
    assertThat(resolved.json().get("alerts").get(0).get("fingerprint").asText())
        .isEqualTo(received().get(0).json().get("alerts").get(0).get("fingerprint").asText());
    // Exactly once each.
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(() -> received().size() == 2);

    cluster
        .kubectl("annotate", "-n", namespace, "ar/oncall", "vigie.dihya.io/test=first")
        .assertSuccess();
    await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 3);
    assertThat(received().get(2).json().get("kind").asText()).isEqualTo("test");
    assertSigned(received().get(2));
    String lastTest =
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
                            "-o=jsonpath={.status.lastTest.request}/{.status.lastTest.result}")
                        .output(),
                out -> out.endsWith("/Succeeded"));
    assertThat(lastTest).isEqualTo("first/Succeeded");
    String delivered =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    cluster
                        .kubectl(
                            "get",
                            "ar",
                            "oncall",
                            "-n",
                            namespace,
                            "-o=jsonpath={.status.sinks[0].delivered}")
                        .output()
                        .trim(),
                out -> out.equals("3"));
    assertThat(delivered).isEqualTo("3");
    assertThat(operator.log()).contains("io.dihya.vigie.audit.notification");
  }

  /**
   * A killed and restarted operator starts from what the route's status says was notified: a probe
   * still failing is not notified again, a probe deleted while the operator was down is resolved,
   * and the recovery of the other is notified once.
   */
  @Test
  void aKilledOperatorNeitherRepeatsNorLosesNotifications() throws Exception {
    String namespace = cluster.createNamespace("restart");
    namespaces.add(namespace);
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
                url: http://127.0.0.1:%1$d/restart
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
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: stock
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
        .kubectl("wait", "--for=condition=Healthy", "--timeout=30s", "-n", namespace, "hp", "--all")
        .assertSuccess();

    target.stop();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> afterRestart().size() == 2);
      assertThat(probesOf(afterRestart()))
          .containsExactlyInAnyOrder("firing orders", "firing stock");
      // Both recorded in the route's status as notified, nothing pending.
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
                          "-o=jsonpath={range .status.alerts[*]}{.probe}/{.state}/{.pending};{end}")
                      .output()
                      .trim(),
              out ->
                  out.equals("orders/Firing/;stock/Firing/;")
                      || out.equals("stock/Firing/;orders/Firing/;"));

      operator.kill();
      cluster.kubectl("delete", "hp", "stock", "-n", namespace).assertSuccess();
      operator = OperatorProcess.start(cluster, "alerting-restarted");

      // stock was deleted while the operator was down: resolved once; orders: nothing new.
      await().atMost(Duration.ofSeconds(30)).until(() -> afterRestart().size() == 3);
      assertThat(probesOf(afterRestart().subList(2, 3))).containsExactly("resolved stock");
      await()
          .during(Duration.ofSeconds(5))
          .atMost(Duration.ofSeconds(7))
          .until(() -> afterRestart().size() == 3);
    } finally {
      target.restart();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> afterRestart().size() == 4);
    assertThat(probesOf(afterRestart().subList(3, 4))).containsExactly("resolved orders");
    assertThat(afterRestart().get(3).json().get("alerts").get(0).get("fingerprint").asText())
        .isEqualTo(
            afterRestart().stream()
                .filter(r -> probesOf(List.of(r)).contains("firing orders"))
                .findFirst()
                .orElseThrow()
                .json()
                .get("alerts")
                .get(0)
                .get("fingerprint")
                .asText());
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(() -> afterRestart().size() == 4);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                cluster
                    .kubectl("get", "ar", "oncall", "-n", namespace, "-o=jsonpath={.status}")
                    .output()
                    .trim(),
            out -> out.contains("\"alerts\":[]"));
  }

  /** "firing orders" for each notification: its status and its alerts' probes. */
  private static List<String> probesOf(List<Received> notifications) {
    List<String> out = new ArrayList<>();
    for (Received r : notifications) {
      try {
        JsonNode body = r.json();
        for (JsonNode alert : body.get("alerts")) {
          out.add(body.get("status").asText() + " " + alert.get("labels").get("probe").asText());
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  /** Standard Webhooks: v1,base64(HMAC-SHA256(key, id.timestamp.body)). */
  private static void assertSigned(Received r) throws Exception {
    String id = r.header("webhook-id");
    String timestamp = r.header("webhook-timestamp");
    assertThat(id).isNotBlank();
    assertThat(Long.parseLong(timestamp))
        .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
    mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
    String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(r.body()));
    assertThat(r.header("webhook-signature")).isEqualTo(expected);
  }

  private static List<Received> received() {
    return receiver.requests("/hook");
  }

  private static List<Received> afterRestart() {
    return receiver.requests("/restart");
  }
}
