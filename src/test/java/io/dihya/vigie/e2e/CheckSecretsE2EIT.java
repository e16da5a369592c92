package io.dihya.vigie.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.testing.LocalPostgres;
import io.dihya.vigie.testing.LocalRedis;
import io.dihya.vigie.testing.LoopbackHttpServer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The secrets that postgres, redis, http and grpc checks use never reach what vigie writes: the
 * built operator against the real kube-apiserver, a real PostgreSQL and Redis from Debian's
 * packages and an HTTP server on loopback, each refusing the canary credentials.
 */
class CheckSecretsE2EIT {

  private static final String CANARY = "cAnArY-e31b7a";
  private static LocalCluster cluster;
  private static OperatorProcess operator;
  private static LoopbackHttpServer http;
  private static LocalPostgres postgres;
  private static LocalRedis redis;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.get();
    cluster.installCrds();
    postgres = LocalPostgres.launch();
    redis = LocalRedis.launch("requirepass the-right-one");
    http = LoopbackHttpServer.start();
    http.answer(401);
    operator = OperatorProcess.start(cluster, "check-secrets");
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {operator, http, redis, postgres}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // Best effort: the next one still stops.
      }
    }
  }

  @Test
  void refusedCredentialsAreReportedWithoutEverShowingThem() throws Exception {
    String namespace = cluster.createNamespace("secrets");
    String keyPem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getEncoder()
                .encodeToString((CANARY + "-grpc-key").getBytes(StandardCharsets.UTF_8))
            + "\n-----END PRIVATE KEY-----\n";
    String yaml =
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: creds
        stringData:
          pg-user: %2$s
          pg-password: %1$s-pg
          redis-password: %1$s-redis
          token: %1$s-token
          tls.crt: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n"
          tls.key: %3$s
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: records-db
        spec:
          interval: 1s
          timeout: 900ms
          failureThreshold: 1
          postgres:
            host: 127.0.0.1
            port: %4$d
            database: %5$s
            sslMode: disable
            usernameSecretRef: {name: creds, key: pg-user}
            passwordSecretRef: {name: creds, key: pg-password}
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: sessions
        spec:
          interval: 1s
          timeout: 900ms
          failureThreshold: 1
          redis:
            host: 127.0.0.1
            port: %6$d
            passwordSecretRef: {name: creds, key: redis-password}
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: orders
        spec:
          interval: 1s
          timeout: 900ms
          failureThreshold: 1
          http:
            url: %7$s
            bearerTokenSecretRef: {name: creds, key: token}
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: grading
        spec:
          grpc:
            host: 127.0.0.1
            port: 50051
            tls:
              certSecretRef: {name: creds, key: tls.crt}
              keySecretRef: {name: creds, key: tls.key}
        """
            .formatted(
                CANARY,
                LocalPostgres.USER,
                "\"" + keyPem.replace("\n", "\\n") + "\"",
                postgres.port(),
                LocalPostgres.DATABASE,
                redis.port(),
                http.url("/api/orders"));
    cluster.apply(namespace, yaml).assertSuccess();

    for (String probe : List.of("records-db", "sessions", "orders")) {
      cluster
          .kubectl(
              "wait",
              "--for=condition=Healthy=False",
              "--timeout=60s",
              "-n",
              namespace,
              "hp/" + probe)
          .assertSuccess();
    }
    cluster
        .kubectl(
            "wait", "--for=condition=Ready=False", "--timeout=60s", "-n", namespace, "hp/grading")
        .assertSuccess();
    assertThat(reason(namespace, "records-db", "Healthy")).isEqualTo("AuthenticationFailed");
    assertThat(reason(namespace, "sessions", "Healthy")).isEqualTo("AuthenticationFailed");
    assertThat(reason(namespace, "orders", "Healthy")).isEqualTo("UnexpectedStatus");
    assertThat(reason(namespace, "grading", "Ready")).isEqualTo("InvalidSpec");
    // The checks really sent the canaries.
    assertThat(http.requests()).anyMatch(r -> r.contains(CANARY + "-token"));

    String status =
        cluster.kubectl("get", "hp", "-n", namespace, "-o", "yaml").assertSuccess().output();
    String events =
        cluster
            .kubectl("get", "events.events.k8s.io", "-n", namespace, "-o", "yaml")
            .assertSuccess()
            .output();
    String log = operator.log();
    String encoded = Base64.getEncoder().encodeToString(CANARY.getBytes(StandardCharsets.UTF_8));
    assertThat(status).contains("AuthenticationFailed");
    assertThat(events).contains("ProbeFailed").contains("InvalidSpec");
    assertThat(log).contains("records-db").contains("sessions").contains("grading");
    for (String written : List.of(status, events, log)) {
      assertThat(written)
          .doesNotContain(CANARY)
          .doesNotContain(encoded.substring(0, 12))
          .doesNotContain(LocalPostgres.USER);
    }
  }

  private static String reason(String namespace, String probe, String condition) {
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
}
