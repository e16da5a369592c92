package io.dihya.vigie.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.testing.LoopbackHttpServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The metrics endpoint of the built operator, scraped as Prometheus scrapes it, with the operator
 * running against the real kube-apiserver and checking a real HTTP target: the probe series follow
 * the target, a route's sink is counted, no secret is in the scrape, and 1,000 probes created and
 * deleted leave the series where they were.
 */
class MetricsE2EIT {

  private static final String CANARY = "cAnArY-m3tr1c5";
  private static LocalCluster cluster;
  private static OperatorProcess operator;
  private static LoopbackHttpServer target;
  private static WebhookReceiver receiver;
  private static String metricsNamespace;
  private static String cardinalityNamespace;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.get();
    cluster.installCrds();
    target = LoopbackHttpServer.start();
    receiver = WebhookReceiver.start();
    // The operator watches this class's namespaces only: the other end-to-end tests' probes, in
    // the same API server, would come and go in its scrape.
    metricsNamespace = cluster.createNamespace("metrics");
    cardinalityNamespace = cluster.createNamespace("cardinality");
    operator =
        OperatorProcess.start(
            cluster,
            "metrics",
            Map.of(
                "QUARKUS_OPERATOR_SDK_NAMESPACES", metricsNamespace + "," + cardinalityNamespace));
  }

  @AfterAll
  static void stop() {
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
  void probeSeriesFollowTheTargetAndTheScrapeHoldsNoSecret() throws Exception {
    String namespace = metricsNamespace;
    cluster
        .apply(
            namespace,
            """
            apiVersion: v1
            kind: Secret
            metadata:
              name: api-credentials
            stringData:
              token: %1$s
            ---
            apiVersion: vigie.dihya.io/v1alpha1
            kind: AlertRoute
            metadata:
              name: oncall
            spec:
              groupWait: 2s
              groupInterval: 2s
              sinks:
                - name: hook
                  webhook:
                    url: http://127.0.0.1:%2$d/hook?token=%1$s
            ---
            apiVersion: vigie.dihya.io/v1alpha1
            kind: HealthProbe
            metadata:
              name: orders
            spec:
              interval: 1s
              timeout: 500ms
              failureThreshold: 2
              http:
                url: %3$s
                headers:
                  - name: X-Api-Key
                    valueFrom:
                      secretKeyRef: {name: api-credentials, key: token}
            """
                .formatted(CANARY, receiver.port(), target.url("/healthz?token=" + CANARY)))
        .assertSuccess();
    Map<String, String> orders = Map.of("namespace", namespace, "probe", "orders", "type", "http");
    Map<String, String> hook =
        Map.of("namespace", namespace, "route", "oncall", "sink", "hook", "sink_type", "webhook");

    Scrape up =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(MetricsE2EIT::scrape, s -> s.is("vigie_probe_healthy", orders, 1.0));
    assertThat(up.value("probe_success", orders)).isEqualTo(1.0);
    assertThat(up.value("probe_http_status_code", orders)).isEqualTo(200.0);
    assertThat(up.value("probe_duration_seconds", orders)).isGreaterThan(0.0).isLessThan(0.5);
    assertThat(up.value("vigie_probe_consecutive_failures", orders)).isEqualTo(0.0);
    assertThat(up.value("vigie_probe_last_check_reason", with(orders, "reason", "Succeeded")))
        .isEqualTo(1.0);
    // A plain-http check was shown no certificate: no expiry series, as blackbox_exporter does.
    assertThat(up.value("probe_ssl_earliest_cert_expiry", orders)).isNull();
    assertThat(up.value("vigie_notifications_sent_total", hook)).isEqualTo(0.0);
    assertThat(up.value("vigie_sink_queue_depth", hook)).isEqualTo(0.0);

    target.answer(503);
    Scrape down;
    try {
      down =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  MetricsE2EIT::scrape,
                  s ->
                      s.is("vigie_probe_healthy", orders, 0.0)
                          && s.atLeast("vigie_notifications_sent_total", hook, 1.0));
    } finally {
      target.answer(200);
    }
    assertThat(down.value("probe_success", orders)).isEqualTo(0.0);
    assertThat(down.value("probe_http_status_code", orders)).isEqualTo(503.0);
    assertThat(down.value("vigie_probe_consecutive_failures", orders)).isGreaterThanOrEqualTo(2.0);
    assertThat(
            down.value("vigie_probe_last_check_reason", with(orders, "reason", "UnexpectedStatus")))
        .isEqualTo(1.0);
    // One reason series per probe: the succeeded one is gone.
    assertThat(down.value("vigie_probe_last_check_reason", with(orders, "reason", "Succeeded")))
        .isNull();
    assertThat(down.value("vigie_check_failures_total", Map.of("reason", "UnexpectedStatus")))
        .isGreaterThanOrEqualTo(2.0);
    assertThat(down.value("vigie_status_patches_total", Map.of("kind", "HealthProbe")))
        .isGreaterThanOrEqualTo(2.0);
    assertThat(down.value("vigie_events_written_total", Map.of("type", "Warning")))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(receiver.requests("/hook")).isNotEmpty();

    Scrape recovered =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(MetricsE2EIT::scrape, s -> s.is("vigie_probe_healthy", orders, 1.0));
    assertThat(recovered.value("probe_http_status_code", orders)).isEqualTo(200.0);
    // The check did use the secret; the scrape carries neither it nor the URLs it is in.
    assertThat(target.requests()).anyMatch(r -> r.contains(CANARY));
    assertThat(recovered.body).doesNotContain(CANARY).doesNotContain("/healthz");
    assertThat(recovered.body).doesNotContain(String.valueOf(receiver.port()));
  }

  @Test
  void thousandProbesCreatedAndDeletedLeaveTheSeriesWhereTheyWere() throws Exception {
    String namespace = cardinalityNamespace;
    Scrape before = scrape();
    int probeSeries = before.count("probe_") + before.count("vigie_probe_");

    create(namespace, 1000);
    Scrape full =
        await()
            .atMost(Duration.ofMinutes(3))
            .until(MetricsE2EIT::scrape, s -> s.inNamespace(namespace, "probe_success") == 1000);
    assertThat(full.inNamespace(namespace, "vigie_probe_consecutive_failures")).isEqualTo(1000);
    assertThat(full.inNamespace(namespace, "probe_http_status_code")).isEqualTo(1000);

    // One delete of the collection: kubectl deletes 1,000 probes one request at a time.
    cluster.client().resources(HealthProbe.class).inNamespace(namespace).delete();
    Scrape after =
        await()
            .atMost(Duration.ofMinutes(2))
            .until(MetricsE2EIT::scrape, s -> s.inNamespace(namespace, null) == 0);
    // Only this class's probes are watched, and its tests run one after the other: the other
    // test's probe, if any, is steady, so the per-probe families are back to their size before.
    assertThat(after.count("probe_") + after.count("vigie_probe_")).isEqualTo(probeSeries);
  }

  private static void create(String namespace, int n) throws Exception {
    List<Callable<HealthProbe>> creates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HealthProbe probe = new HealthProbe();
      probe.setMetadata(
          new ObjectMetaBuilder().withName("svc-" + i).withNamespace(namespace).build());
      HealthProbeSpec spec = new HealthProbeSpec();
      spec.interval = "10s";
      spec.timeout = "2s";
      spec.http = new HttpCheck();
      spec.http.url = target.url("/svc/" + i);
      probe.setSpec(spec);
      creates.add(() -> cluster.client().resource(probe).create());
    }
    Parallel.run(16, creates);
  }

  private static Map<String, String> with(Map<String, String> labels, String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(labels);
    more.put(name, value);
    return more;
  }

  private static Scrape scrape() throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.port() + "/q/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return new Scrape(response.body());
  }

  /** One scrape in Prometheus' text format. */
  private record Scrape(String body) {

    private static final Pattern SAMPLE =
        Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

    private record Sample(String name, Map<String, String> labels, double value) {}

    List<Sample> samples() {
      List<Sample> samples = new ArrayList<>();
      for (String line : body.split("\n")) {
        Matcher m = SAMPLE.matcher(line);
        if (line.startsWith("#") || !m.matches()) {
          continue;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.group(2) != null) {
          Matcher l = LABEL.matcher(m.group(2));
          while (l.find()) {
            labels.put(l.group(1), l.group(2));
          }
        }
        samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
      }
      return samples;
    }

    /** The value of the one series with exactly these labels, or null when there is none. */
    Double value(String name, Map<String, String> labels) {
      List<Sample> found =
          samples().stream().filter(s -> s.name.equals(name) && s.labels.equals(labels)).toList();
      assertThat(found).as("series %s%s", name, labels).hasSizeLessThanOrEqualTo(1);
      return found.isEmpty() ? null : found.get(0).value;
    }

    /** Whether the series exists with this value. */
    boolean is(String name, Map<String, String> labels, double expected) {
      Double value = value(name, labels);
      return value != null && value == expected;
    }

    /** Whether the series exists with at least this value. */
    boolean atLeast(String name, Map<String, String> labels, double least) {
      Double value = value(name, labels);
      return value != null && value >= least;
    }

    /** Series whose name starts with the prefix (per-probe families have probe and namespace). */
    int count(String prefix) {
      return (int)
          samples().stream()
              .filter(s -> s.name.startsWith(prefix) && s.labels.containsKey("probe"))
              .count();
    }

    /** Per-probe series of a namespace, of one family or (null) all. */
    int inNamespace(String namespace, String name) {
      return (int)
          samples().stream()
              .filter(s -> s.labels.containsKey("probe"))
              .filter(s -> namespace.equals(s.labels.get("namespace")))
              .filter(s -> name == null || s.name.equals(name))
              .count();
    }
  }
}
