package io.dihya.vigie.alert.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.alert.sink.AlertSink;
import io.dihya.vigie.alert.sink.Delivery;
import io.dihya.vigie.alert.sink.Notification;
import io.dihya.vigie.redact.Redactor;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sinks' delivery counters as Prometheus reads them, from a real router and dispatchers. */
class NotificationMetricsTest {

  private static final ResourceID ROUTE = new ResourceID("oncall", "shop");

  private final AlertRouter router = new AlertRouter(Clock.systemUTC());
  private final CollectorRegistry registry = new CollectorRegistry();

  NotificationMetricsTest() {
    registry.register(new NotificationMetrics(router));
  }

  @AfterEach
  void stop() {
    router.close();
  }

  /** A sink of a type, answering with {@code answers} in turn (the last one from then on). */
  private static AlertSink sink(String type, AtomicInteger attempts, Delivery... answers) {
    return new AlertSink() {
      @Override
      public CompletableFuture<Delivery> send(Notification notification, Duration timeout) {
        int n = attempts.getAndIncrement();
        return CompletableFuture.completedFuture(answers[Math.min(n, answers.length - 1)]);
      }

      @Override
      public String type() {
        return type;
      }
    };
  }

  private void route(Map<String, AlertSink> sinks, int capacity) {
    router.configure(
        new AlertRouter.RouteConfig(
            ROUTE,
            "fp",
            ProbeSelector.of(new LabelSelectorBuilder().build()),
            Set.of(),
            new AlertGroups.Settings(
                List.of("namespace", "probe"),
                Duration.ofMillis(100),
                Duration.ofMillis(100),
                Duration.ofHours(1),
                true),
            AlertGroups.Mutes.NONE,
            sinks,
            new SinkDispatcher.Settings(
                Duration.ofSeconds(1),
                Duration.ofMillis(50),
                Duration.ofSeconds(1),
                capacity,
                null),
            Redactor.standard(),
            Map.of(),
            null,
            Set.of(),
            List.of(),
            null));
  }

  private void fail(String probe) {
    router.transition(AlertRouterTest.transition("shop", probe, true, "critical", List.of()));
  }

  private String scrape() throws IOException {
    StringWriter out = new StringWriter();
    TextFormat.write004(out, registry.metricFamilySamples());
    return out.toString();
  }

  private static String series(String name, String sink, String type) {
    return name
        + "{namespace=\"shop\",route=\"oncall\",sink=\""
        + sink
        + "\",sink_type=\""
        + type
        + "\",} ";
  }

  @Test
  void sentFailedAndRetriedAreCountedPerSinkAndGoneWithTheRoute() throws IOException {
    AtomicInteger flaky = new AtomicInteger();
    AtomicInteger broken = new AtomicInteger();
    Map<String, AlertSink> sinks = new LinkedHashMap<>();
    sinks.put("hook", sink("webhook", flaky, Delivery.retry("HTTP 503", null), Delivery.ok(null)));
    sinks.put("pager", sink("pagerduty", broken, Delivery.fail("HTTP 400")));
    route(sinks, 100);

    fail("orders");
    await().atMost(Duration.ofSeconds(5)).until(() -> flaky.get() == 2 && broken.get() == 1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                scrape()
                    .contains(series("vigie_notifications_sent_total", "hook", "webhook") + "1.0"));

    String scrape = scrape();
    assertThat(scrape)
        .contains(series("vigie_notifications_sent_total", "hook", "webhook") + "1.0\n")
        .contains(series("vigie_notifications_retried_total", "hook", "webhook") + "1.0\n")
        .contains(series("vigie_notifications_failed_total", "hook", "webhook") + "0.0\n")
        .contains(series("vigie_notifications_sent_total", "pager", "pagerduty") + "0.0\n")
        .contains(series("vigie_notifications_failed_total", "pager", "pagerduty") + "1.0\n")
        .contains(series("vigie_notifications_retried_total", "pager", "pagerduty") + "0.0\n")
        .contains(series("vigie_notifications_dropped_total", "pager", "pagerduty") + "0.0\n")
        .contains(series("vigie_sink_queue_depth", "hook", "webhook") + "0.0\n")
        .contains("# TYPE vigie_notifications_sent_total counter\n")
        .contains("# TYPE vigie_sink_queue_depth gauge\n");

    router.remove(ROUTE);
    assertThat(scrape()).doesNotContain("route=\"oncall\"");
  }

  @Test
  void aFullQueueCountsDropsAndShowsItsDepth() throws IOException {
    AtomicInteger attempts = new AtomicInteger();
    // The sink never answers: the first notification stays in flight (not counted against the
    // capacity), one more may wait, a third is one too many.
    AlertSink stuck =
        new AlertSink() {
          @Override
          public CompletableFuture<Delivery> send(Notification notification, Duration timeout) {
            attempts.incrementAndGet();
            return new CompletableFuture<>();
          }

          @Override
          public String type() {
            return "slack";
          }
        };
    route(Map.of("chat", stuck), 1);

    fail("orders");
    await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() == 1);
    fail("cart");
    fail("payments");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                scrape()
                    .contains(
                        series("vigie_notifications_dropped_total", "chat", "slack") + "1.0"));
    assertThat(scrape())
        .contains(series("vigie_sink_queue_depth", "chat", "slack") + "2.0\n")
        .contains(series("vigie_notifications_sent_total", "chat", "slack") + "0.0\n");
  }
}
