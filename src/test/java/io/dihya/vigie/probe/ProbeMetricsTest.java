package io.dihya.vigie.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.probe.check.Check;
import io.dihya.vigie.probe.check.CheckResult;
import io.dihya.vigie.probe.check.Reasons;
import io.dihya.vigie.probe.check.ResultData;
import io.dihya.vigie.redact.Redactor;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-probe series as Prometheus reads them (text format from a real registry), fed by a real
 * scheduler running checks written in the test.
 */
class ProbeMetricsTest {

  private static final ResourceID ORDERS = new ResourceID("orders", "shop");
  private static final String LABELS = "{namespace=\"shop\",probe=\"orders\",type=\"http\",}";

  private final ProbeScheduler scheduler =
      new ProbeScheduler(
          Clock.systemUTC(), 8, Duration.ofHours(1), new EngineMetrics(new SimpleMeterRegistry()));
  private final CollectorRegistry registry = new CollectorRegistry();

  ProbeMetricsTest() {
    registry.register(new ProbeMetrics(scheduler));
  }

  @AfterEach
  void close() {
    scheduler.close();
  }

  /** A check that answers what the test last set, counting its runs. */
  private record Scripted(AtomicReference<CheckResult> next, AtomicInteger runs) implements Check {
    Scripted(CheckResult first) {
      this(new AtomicReference<>(first), new AtomicInteger());
    }

    @Override
    public CompletableFuture<CheckResult> run(Duration timeout) {
      runs.incrementAndGet();
      return CompletableFuture.completedFuture(next.get());
    }

    /** Answers {@code result} from now on and waits until two runs returned it. */
    void answer(CheckResult result) {
      next.set(result);
      int seen = runs.get();
      await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= seen + 2);
    }
  }

  private static ProbeScheduler.Timing timing(String type) {
    return new ProbeScheduler.Timing(
        Duration.ofMillis(40), Duration.ofMillis(20), 2, 1, "v1", type);
  }

  private String scrape() throws IOException {
    StringWriter out = new StringWriter();
    TextFormat.write004(out, registry.metricFamilySamples());
    return out.toString();
  }

  private static CheckResult http(int status, boolean success) {
    CheckResult result =
        success
            ? CheckResult.success(250, "GET http://orders/ answered " + status)
            : CheckResult.failure(
                Reasons.UNEXPECTED_STATUS, "GET http://orders/ answered " + status, 250);
    // As the http check records it (CEL's types: a Long).
    return result.withData("http", ResultData.create().put("status", status).build());
  }

  @Test
  void anHttpProbeShowsBlackboxSeriesAndItsVerdict() throws IOException {
    Scripted check = new Scripted(http(200, true));
    scheduler.schedule(ORDERS, timing("http"), check, Redactor.standard(), null);
    check.answer(http(200, true));

    assertThat(scrape())
        .contains("probe_success" + LABELS + " 1.0\n")
        .contains("probe_duration_seconds" + LABELS + " 0.25\n")
        .contains("probe_http_status_code" + LABELS + " 200.0\n")
        .contains("vigie_probe_healthy" + LABELS + " 1.0\n")
        .contains("vigie_probe_consecutive_failures" + LABELS + " 0.0\n")
        .contains(
            "vigie_probe_last_check_reason{namespace=\"shop\",probe=\"orders\",type=\"http\","
                + "reason=\"Succeeded\",} 1.0\n")
        // No handshake, no certificate: no expiry series, as blackbox_exporter.
        .doesNotContain("probe_ssl_earliest_cert_expiry{");

    check.answer(http(503, false));
    String down = scrape();
    assertThat(down)
        .contains("probe_success" + LABELS + " 0.0\n")
        .contains("probe_http_status_code" + LABELS + " 503.0\n")
        .contains("vigie_probe_healthy" + LABELS + " 0.0\n")
        .contains("reason=\"UnexpectedStatus\",} 1.0\n")
        .doesNotContain("reason=\"Succeeded\"");
    assertThat(down).containsPattern("vigie_probe_consecutive_failures\\{[^}]*} [2-9]");
    // The messages (with the URL) never become labels.
    assertThat(down).doesNotContain("http://orders");

    // No answer at all: status code 0, as blackbox_exporter reports it.
    check.answer(CheckResult.failure(Reasons.CONNECTION_REFUSED, "connection refused", 1));
    assertThat(scrape()).contains("probe_http_status_code" + LABELS + " 0.0\n");
  }

  @Test
  void certificateExpiryIsTheLastCheckOnesAndOtherTypesHaveNoStatusCode() throws IOException {
    Instant notAfter = Instant.parse("2027-03-01T12:00:00Z");
    ResourceID tls = new ResourceID("portal", "school");
    Scripted check =
        new Scripted(CheckResult.success(3, "tls ok").withCertificateNotAfter(notAfter));
    scheduler.schedule(tls, timing("tls"), check, Redactor.standard(), null);
    check.answer(CheckResult.success(3, "tls ok").withCertificateNotAfter(notAfter));

    String labels = "{namespace=\"school\",probe=\"portal\",type=\"tls\",}";
    assertThat(scrape())
        .contains("probe_ssl_earliest_cert_expiry" + labels + " 1.8039024E9\n")
        .contains("probe_success" + labels + " 1.0\n")
        .doesNotContain("probe_http_status_code{");

    // A check that made no handshake shows no certificate, not the last one seen.
    check.answer(CheckResult.failure(Reasons.CONNECTION_REFUSED, "connection refused", 1));
    assertThat(scrape()).doesNotContain("probe_ssl_earliest_cert_expiry{");
  }

  @Test
  void aProbeWithoutVerdictShowsNoHealthAndADeletedProbeLeavesNoSeries() throws IOException {
    Scripted check =
        new Scripted(CheckResult.failure(Reasons.CONNECTION_REFUSED, "connection refused", 1));
    // failureThreshold 2: after one failure the health is still Unknown.
    scheduler.schedule(
        ORDERS,
        new ProbeScheduler.Timing(Duration.ofHours(1), Duration.ofMillis(20), 2, 1, "v1", "http"),
        check,
        Redactor.standard(),
        null);
    await().atMost(Duration.ofSeconds(5)).until(() -> check.runs().get() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> scrape().contains("probe_success{"));

    String unknown = scrape();
    assertThat(unknown)
        .contains("probe_success" + LABELS + " 0.0\n")
        .contains("vigie_probe_consecutive_failures" + LABELS + " 1.0\n")
        .doesNotContain("vigie_probe_healthy{");

    scheduler.remove(ORDERS);
    assertThat(scrape()).doesNotContain("probe=\"orders\"");
  }

  @Test
  void aChangedSpecKeepsTheSeriesUntilItsNextCheck() throws IOException {
    Scripted first = new Scripted(http(200, true));
    scheduler.schedule(ORDERS, timing("http"), first, Redactor.standard(), null);
    first.answer(http(200, true));

    scheduler.schedule(
        ORDERS,
        new ProbeScheduler.Timing(Duration.ofHours(1), Duration.ofMillis(20), 2, 1, "v2", "http"),
        new Check() {
          @Override
          public CompletableFuture<CheckResult> run(Duration timeout) {
            return new CompletableFuture<>(); // never answers within this test
          }
        },
        Redactor.standard(),
        null);
    // The new spec's first run is one interval after the last start: the old series stay.
    assertThat(scrape()).contains("probe_http_status_code" + LABELS + " 200.0\n");
  }
}
