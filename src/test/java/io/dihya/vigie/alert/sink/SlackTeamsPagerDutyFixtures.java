package io.dihya.vigie.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.probe.check.SecretValues;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * What the Slack, Teams and PagerDuty sink tests share: a recording HTTP receiver on loopback,
 * notifications built like the pipeline builds them, Secrets holding a canary.
 */
final class SlackTeamsPagerDutyFixtures {

  /** A value that must never leave in an error, a reference or (but for routing_key) a payload. */
  static final String CANARY = "CANARY-5b8c1d";

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant NOW = Instant.parse("2025-03-14T09:26:53Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final Instant STARTED = Instant.parse("2025-03-14T09:20:00Z");
  static final Instant ENDED = Instant.parse("2025-03-14T09:25:00Z");
  static final String RUNBOOK = "https://runbooks.example.com/shop/orders-api?section=tcp&lang=en";

  private SlackTeamsPagerDutyFixtures() {}

  /** One request as the receiver got it: the exact bytes. */
  record Request(
      String method, String path, String query, Map<String, List<String>> headers, byte[] body) {

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  /** What the receiver answers. */
  record Answer(int status, String body, Map<String, String> headers, long delayMillis) {
    static Answer of(int status, String body) {
      return new Answer(status, body, Map.of(), 0);
    }

    Answer header(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Answer(status, body, h, delayMillis);
    }

    Answer delayed(long millis) {
      return new Answer(status, body, headers, millis);
    }
  }

  /** A JDK HTTP server on 127.0.0.1 that records every request and answers as told. */
  static final class Receiver implements AutoCloseable {
    final HttpServer server;
    final ExecutorService threads = Executors.newCachedThreadPool();
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    volatile Function<Request, Answer> answer;

    Receiver(Function<Request, Answer> answer) {
      // Without TCP_NODELAY the JDK server's two writes meet the client's delayed ACK.
      System.setProperty("sun.net.httpserver.nodelay", "true");
      this.answer = answer;
      try {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.createContext("/", this::handle);
      server.setExecutor(threads);
      server.start();
    }

    private void handle(HttpExchange ex) throws IOException {
      byte[] body = ex.getRequestBody().readAllBytes();
      Request request =
          new Request(
              ex.getRequestMethod(),
              ex.getRequestURI().getRawPath(),
              ex.getRequestURI().getRawQuery(),
              Map.copyOf(ex.getRequestHeaders()),
              body);
      requests.add(request);
      Answer a = answer.apply(request);
      if (a.delayMillis() > 0) {
        try {
          Thread.sleep(a.delayMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
      try {
        ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
          try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
          }
        }
      } catch (IOException closedByTheClient) {
        // a timed-out client went away
      } finally {
        ex.close();
      }
    }

    /** http://127.0.0.1:port + pathAndQuery. */
    String url(String pathAndQuery) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
    }

    Request only() {
      assertThat(requests).hasSize(1);
      return requests.get(0);
    }

    @Override
    public void close() {
      server.stop(0);
      threads.shutdownNow();
    }
  }

  /** Secrets from a map keyed "name/key". */
  static SecretValues secrets(Map<String, String> values) {
    Map<String, String> copy = new ConcurrentHashMap<>(values);
    return ref -> copy.get(ref.name + "/" + ref.key);
  }

  static SecretKeyRef ref(String nameSlashKey) {
    String[] parts = nameSlashKey.split("/", 2);
    return new SecretKeyRef(parts[0], parts[1]);
  }

  static Notification.Alert alert(
      String namespace,
      String probe,
      String severity,
      Notification.Status status,
      Map<String, String> annotations) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("namespace", namespace);
    labels.put("probe", probe);
    labels.put("severity", severity);
    labels.put("check", "http");
    labels.put("team", "payments");
    boolean resolved = status == Notification.Status.RESOLVED;
    return new Notification.Alert(
        Integer.toHexString((namespace + "/" + probe).hashCode()) + "c0ffee",
        status,
        labels,
        annotations,
        STARTED,
        resolved ? ENDED : null,
        severity);
  }

  static Map<String, String> annotations(String reason, String message) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("summary", "Orders API is unreachable");
    a.put("reason", reason);
    a.put("message", message);
    a.put("runbook_url", RUNBOOK);
    return a;
  }

  static Notification.Alert firing() {
    return alert(
        "shop",
        "orders-api",
        "critical",
        Notification.Status.FIRING,
        annotations("ConnectionRefused", "tcp 10.0.0.7:8080: connection refused"));
  }

  static Notification.Alert resolved() {
    return alert(
        "shop",
        "orders-api",
        "critical",
        Notification.Status.RESOLVED,
        annotations("ConnectionRefused", "tcp 10.0.0.7:8080: connection refused"));
  }

  static Notification notification(
      Notification.Kind kind,
      Notification.Status status,
      List<Notification.Alert> alerts,
      String title,
      String text) {
    return new Notification(
        "n-" + Integer.toHexString(System.identityHashCode(alerts)) + "-" + title.hashCode(),
        kind,
        "shop/oncall",
        "chat",
        "{}:{namespace=\"shop\", probe=\"orders-api\"}",
        status,
        Map.of("namespace", "shop", "probe", "orders-api"),
        Map.of("namespace", "shop"),
        Map.of(),
        alerts,
        title,
        text,
        NOW);
  }

  static Notification firingNotification() {
    return notification(
        Notification.Kind.ALERTS,
        Notification.Status.FIRING,
        List.of(firing()),
        "[FIRING:1] shop/orders-api ConnectionRefused",
        "shop/orders-api is failing: tcp 10.0.0.7:8080: connection refused");
  }

  static Notification resolvedNotification() {
    return notification(
        Notification.Kind.ALERTS,
        Notification.Status.RESOLVED,
        List.of(resolved()),
        "[RESOLVED] shop/orders-api",
        "shop/orders-api recovered after 5m");
  }

  static Notification testNotification() {
    return notification(
        Notification.Kind.TEST,
        Notification.Status.FIRING,
        List.of(),
        "vigie test of route shop/oncall",
        "This is a test notification, sent because vigie.dihya.io/test changed.");
  }

  static Notification heartbeatNotification() {
    return notification(
        Notification.Kind.HEARTBEAT,
        Notification.Status.FIRING,
        List.of(),
        "vigie is alive",
        "The alert pipeline of route shop/oncall is running.");
  }

  /** n firing alerts of distinct probes, each message {@code messageLength} characters long. */
  static Notification many(int n, int messageLength) {
    List<Notification.Alert> alerts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, String> annotations = annotations("ConnectionRefused", "m".repeat(messageLength));
      annotations.put("runbook_url", RUNBOOK + "&probe=" + i);
      alerts.add(
          alert(
              "shop",
              "probe-" + i,
              i % 3 == 0 ? "critical" : i % 3 == 1 ? "warning" : "info",
              i % 4 == 3 ? Notification.Status.RESOLVED : Notification.Status.FIRING,
              annotations));
    }
    return notification(
        Notification.Kind.ALERTS,
        Notification.Status.FIRING,
        alerts,
        "[FIRING:" + n + "] shop",
        "x".repeat(50_000));
  }

  static Delivery await(java.util.concurrent.CompletableFuture<Delivery> future) {
    return future.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
  }

  static void assertNoCanary(Delivery d) {
    assertThat(String.valueOf(d.error())).doesNotContain(CANARY);
    assertThat(String.valueOf(d.reference())).doesNotContain(CANARY);
    assertThat(d.toString()).doesNotContain(CANARY);
  }

  static final Duration TIMEOUT = Duration.ofSeconds(5);

  /**
   * A timeout, reported as one: when a request on a reused keep-alive connection times out, the JDK
   * chains HttpTimeoutException -> ConnectionExpiredException -> IOException("connection closed
   * locally"), and Failures.classify lets the timeout win over the closure it caused.
   */
  static void assertTimedOut(Delivery d, String expected) {
    assertThat(d.delivered()).isFalse();
    assertThat(d.retryable()).isTrue();
    assertThat(d.retryAfter()).isNull();
    assertThat(d.reference()).isNull();
    assertThat(d.error()).isEqualTo(expected);
  }
}
