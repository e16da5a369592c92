package io.dihya.vigie.alert.routing;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.List;

/**
 * Every sink's delivery counters on the metrics endpoint, read from the routes at each scrape:
 * {@code vigie_notifications_sent_total}, {@code _failed_total} (given up: a failure that is not
 * retried), {@code _retried_total} (failed attempts that are retried), {@code _dropped_total}
 * (dropped from a full queue) and the gauge {@code vigie_sink_queue_depth}.
 *
 * <p>Labels are the route's namespace and name, the sink's name and its type: names from the
 * route's metadata and spec, never a URL, address or key. The counters are the route's sinks' since
 * the route was last configured in this process (a changed route or a restart starts them again,
 * which Prometheus' rate() reads as a counter reset). A deleted route's series are gone from the
 * next scrape.
 */
public final class NotificationMetrics extends Collector {

  private static final List<String> LABELS = List.of("namespace", "route", "sink", "sink_type");

  private final AlertRouter router;

  public NotificationMetrics(AlertRouter router) {
    this.router = router;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    CounterMetricFamily sent =
        new CounterMetricFamily(
            "vigie_notifications_sent", "Notifications the sink accepted", LABELS);
    CounterMetricFamily failed =
        new CounterMetricFamily(
            "vigie_notifications_failed",
            "Notifications given up after a failure that is not retried (e.g. HTTP 400)",
            LABELS);
    CounterMetricFamily retried =
        new CounterMetricFamily(
            "vigie_notifications_retried",
            "Attempts that failed and are retried (timeouts, HTTP 429 and 5xx, connection failures)",
            LABELS);
    CounterMetricFamily dropped =
        new CounterMetricFamily(
            "vigie_notifications_dropped",
            "Notifications dropped because the sink's queue was full",
            LABELS);
    GaugeMetricFamily queue =
        new GaugeMetricFamily(
            "vigie_sink_queue_depth",
            "Notifications waiting for the sink, the one being sent included",
            LABELS);
    router.forEachSink(
        s -> {
          List<String> labels =
              List.of(s.route().getNamespace().orElse(""), s.route().getName(), s.sink(), s.type());
          sent.addMetric(labels, s.stats().delivered());
          failed.addMetric(labels, s.stats().failed());
          retried.addMetric(labels, s.stats().retried());
          dropped.addMetric(labels, s.stats().dropped());
          queue.addMetric(labels, s.stats().waiting());
        });
    return List.of(sent, failed, retried, dropped, queue);
  }
}
