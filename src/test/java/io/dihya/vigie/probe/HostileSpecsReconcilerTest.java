package io.dihya.vigie.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.dihya.vigie.api.v1alpha1.Health;
import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import io.dihya.vigie.kube.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Issue 7: hostile HealthProbes next to a healthy one, against the fabric8 mock API server (which,
 * unlike a real one, enforces no schema: every bound is the operator's own) and real HTTP targets
 * on loopback. Each hostile probe is refused as InvalidSpec naming the field, or, when it is valid
 * but its body regex backtracks without end, fails its checks with a clear reason; the healthy
 * probe is checked on schedule all along and the operator keeps reconciling.
 *
 * <p>Every object stays under 64 KiB: the mock server splits larger watch events into WebSocket
 * continuation frames, after which the fabric8 Vert.x client's watch stops delivering events (a
 * real API server sends one frame per event). The bounds are tested on larger specs in {@link
 * HostileHealthProbeSpecTest}.
 */
@QuarkusTest
@WithKubernetesTestServer
class HostileSpecsReconcilerTest {

  private static final String NS = "hostile";

  @Inject KubernetesClient client;
  @Inject ProbeScheduler scheduler;

  @Test
  void hostileProbesAreRefusedOrContainedAndTheHealthyOneKeepsItsSchedule() throws Exception {
    AtomicInteger healthyRequests = new AtomicInteger();
    // A run of x's: (x*)*y backtracks for hours on it before saying "no match".
    byte[] adversarial = "x".repeat(256 * 1024).getBytes(StandardCharsets.US_ASCII);
    HttpServer server = server(healthyRequests, adversarial);
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    try {
      HealthProbe healthy = probe("steady", base + "/healthy");
      healthy.getSpec().interval = "1s";
      healthy.getSpec().timeout = "900ms";
      client.resource(healthy).create();
      awaitProbe("steady", p -> p.getStatus().health == Health.Healthy);

      Map<String, String> expected = new LinkedHashMap<>();
      hostile(
          expected,
          "ten-thousand-assertions",
          p -> p.getSpec().assertions = Collections.nCopies(10_000, "x"),
          "spec.assertions: at most 16 items (found 10000)");
      hostile(
          expected,
          "huge-header",
          p -> p.getSpec().http.headers = List.of(header("X-Big", "v".repeat(48 * 1024))),
          "spec.http.headers[0].value: at most 8192 characters (found 49152)");
      hostile(
          expected,
          "header-injection",
          p -> p.getSpec().http.headers = List.of(header("X-Tenant", "a\r\nX-Admin: true")),
          "spec.http.headers[0].value: contains a control character (U+000D) at index 1: header"
              + " values are printable ASCII, spaces and tabs");
      hostile(
          expected,
          "nul-header-name",
          p -> p.getSpec().http.headers = List.of(header("X-A\0B", "1")),
          "spec.http.headers[0].name: not a header name");
      hostile(
          expected,
          "invalid-regex",
          p -> expectRegex(p, "(unclosed"),
          "spec.http.expectBody.regex: not a valid regular expression: Unclosed group");
      hostile(
          expected,
          "bidi-url",
          p -> p.getSpec().http.url = base + "/\u202egnp.exe",
          "spec.http.url: contains a bidirectional control character (U+202E) at index "
              + (base.length() + 1));
      hostile(
          expected,
          "zero-width-host",
          p -> {
            p.getSpec().http = null;
            p.getSpec().tcp = new TcpCheck();
            p.getSpec().tcp.host = "db\u200b.shop.svc";
            p.getSpec().tcp.port = 5432;
          },
          "spec.tcp.host: contains an invisible character (U+200B) at index 2");
      hostile(
          expected,
          "forever-interval",
          p -> p.getSpec().interval = "999999999d",
          "spec.interval: must be at most 24h");
      hostile(
          expected,
          "overflowing-timeout",
          p -> p.getSpec().timeout = "999999999d".repeat(1000),
          "spec.timeout: at most 32 characters (found 10000)");
      hostile(
          expected,
          "huge-cel-regex",
          p -> p.getSpec().assertions = List.of("result.http.body.matches('(a{100}){10}x')"),
          "spec.assertions[0]: the regular expression of matches() is too large");

      // Valid, but its regex backtracks for hours on what the target answers.
      for (String name : List.of("backtracking-1", "backtracking-2")) {
        HealthProbe backtracking = probe(name, base + "/adversarial");
        expectRegex(backtracking, "(x*)*y");
        backtracking.getSpec().interval = "2s";
        backtracking.getSpec().timeout = "1900ms";
        backtracking.getSpec().failureThreshold = 1;
        client.resource(backtracking).create();
      }

      for (Map.Entry<String, String> hostile : expected.entrySet()) {
        HealthProbe refused =
            awaitProbe(
                hostile.getKey(),
                p ->
                    Conditions.find(p.getStatus().conditions, Conditions.READY)
                        .map(c -> Conditions.FALSE.equals(c.getStatus()))
                        .orElse(false));
        Condition ready = condition(refused, Conditions.READY);
        assertThat(ready.getReason())
            .as(hostile.getKey())
            .isEqualTo(Conditions.REASON_INVALID_SPEC);
        assertThat(ready.getMessage())
            .as(hostile.getKey())
            .startsWith(hostile.getValue())
            .hasSizeLessThanOrEqualTo(1024)
            .doesNotContain("vvvv", "X-Admin", "\r", "\0", "\u202e", "\u200b");
        assertThat(refused.getStatus().health).isEqualTo(Health.Unknown);
        assertThat(scheduler.isScheduled(new ResourceID(hostile.getKey(), NS)))
            .as(hostile.getKey())
            .isFalse();
      }

      for (String name : List.of("backtracking-1", "backtracking-2")) {
        HealthProbe contained = awaitProbe(name, p -> p.getStatus().health == Health.Unhealthy);
        assertThat(condition(contained, Conditions.READY).getStatus()).isEqualTo(Conditions.TRUE);
        Condition failing = condition(contained, Conditions.HEALTHY);
        assertThat(failing.getReason()).isEqualTo("BodyMismatch");
        assertThat(failing.getMessage())
            .contains(
                "answered 200 but the expected regular expression did not finish within 1000ms on"
                    + " the body: it backtracks too much")
            .contains("simplify spec.http.expectBody.regex");
      }

      // Meanwhile, and for a while more, the healthy probe is checked every second.
      int before = healthyRequests.get();
      Thread.sleep(8_000);
      int checks = healthyRequests.get() - before;
      assertThat(checks)
          .as("checks of the healthy probe in 8s at one a second (generous: a shared machine)")
          .isGreaterThanOrEqualTo(5);
      HealthProbe still =
          client.resources(HealthProbe.class).inNamespace(NS).withName("steady").get();
      assertThat(still.getStatus().health).isEqualTo(Health.Healthy);
      assertThat(still.getStatus().consecutiveFailures).isZero();

      // And the operator still takes new work.
      HealthProbe newcomer = probe("newcomer", base + "/healthy");
      newcomer.getSpec().interval = "1s";
      newcomer.getSpec().timeout = "900ms";
      client.resource(newcomer).create();
      awaitProbe("newcomer", p -> p.getStatus().health == Health.Healthy);
    } finally {
      server.stop(0);
    }
  }

  private void hostile(
      Map<String, String> expected, String name, Consumer<HealthProbe> spoil, String problem) {
    HealthProbe probe = probe(name, "http://127.0.0.1:1/");
    spoil.accept(probe);
    client.resource(probe).create();
    expected.put(name, problem);
  }

  private HealthProbe awaitProbe(String name, java.util.function.Predicate<HealthProbe> state) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> client.resources(HealthProbe.class).inNamespace(NS).withName(name).get(),
            p -> p != null && p.getStatus() != null && state.test(p));
  }

  private static HttpServer server(AtomicInteger healthyRequests, byte[] adversarial)
      throws java.io.IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext(
        "/healthy",
        exchange -> {
          healthyRequests.incrementAndGet();
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.createContext(
        "/adversarial",
        exchange -> {
          exchange.sendResponseHeaders(200, adversarial.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(adversarial);
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    return server;
  }

  private static void expectRegex(HealthProbe probe, String regex) {
    probe.getSpec().http.expectBody = new HttpCheck.ExpectBody();
    probe.getSpec().http.expectBody.regex = regex;
  }

  private static HttpHeader header(String name, String value) {
    HttpHeader header = new HttpHeader();
    header.name = name;
    header.value = value;
    return header;
  }

  private static Condition condition(HealthProbe probe, String type) {
    return Conditions.find(probe.getStatus().conditions, type).orElseThrow();
  }

  private static HealthProbe probe(String name, String url) {
    HealthProbe probe = new HealthProbe();
    probe.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    probe.getSpec().http = new HttpCheck();
    probe.getSpec().http.url = url;
    return probe;
  }
}
