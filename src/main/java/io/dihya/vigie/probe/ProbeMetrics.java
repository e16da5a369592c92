package io.dihya.vigie.probe;

import io.dihya.vigie.api.v1alpha1.Health;
import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;
import java.util.List;

/**
 * Every probe's series on the metrics endpoint, read from the scheduler at each scrape, with
 * blackbox_exporter's names and meanings so that its dashboards and rules work on vigie's probes:
 *
 * <ul>
 *   <li>{@code probe_success}, {@code probe_duration_seconds}, {@code probe_http_status_code} (http
 *       checks), {@code probe_ssl_earliest_cert_expiry} (checks that were shown a certificate): the
 *       probe's last check, as blackbox reports one probe;
 *   <li>{@code vigie_probe_healthy} (the verdict after the thresholds; absent while Unknown),
 *       {@code vigie_probe_consecutive_failures}, and {@code vigie_probe_last_check_reason} (1 for
 *       the reason of the last check, the failure-reason series blackbox lacks).
 * </ul>
 *
 * <p>Labels are the probe's namespace and name and the check type, nothing a user wrote into a spec
 * (no URL, host, header or message), and reasons from the fixed set of {@link
 * io.dihya.vigie.probe.check.Reasons}. Nothing is kept between scrapes, so a deleted probe's series
 * are gone from the next scrape, and 10,000 probes cost no meter objects.
 */
public final class ProbeMetrics extends Collector {

  private static final List<String> LABELS = List.of("namespace", "probe", "type");
  private static final List<String> REASON_LABELS = List.of("namespace", "probe", "type", "reason");

  private final ProbeScheduler scheduler;

  public ProbeMetrics(ProbeScheduler scheduler) {
    this.scheduler = scheduler;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    GaugeMetricFamily success =
        new GaugeMetricFamily(
            "probe_success", "Whether the probe's last check succeeded (1) or failed (0)", LABELS);
    GaugeMetricFamily duration =
        new GaugeMetricFamily(
            "probe_duration_seconds", "How long the probe's last check took", LABELS);
    GaugeMetricFamily status =
        new GaugeMetricFamily(
            "probe_http_status_code",
            "The final HTTP status code of the probe's last check, 0 without an answer",
            LABELS);
    GaugeMetricFamily expiry =
        new GaugeMetricFamily(
            "probe_ssl_earliest_cert_expiry",
            "The earliest notAfter of the certificates the probe's last check was shown (Unix"
                + " seconds)",
            LABELS);
    GaugeMetricFamily healthy =
        new GaugeMetricFamily(
            "vigie_probe_healthy",
            "Whether the probe is Healthy (1) or Unhealthy (0) after its thresholds; absent while"
                + " Unknown",
            LABELS);
    GaugeMetricFamily failures =
        new GaugeMetricFamily(
            "vigie_probe_consecutive_failures",
            "Checks of the probe that failed in a row, up to the last one",
            LABELS);
    GaugeMetricFamily reason =
        new GaugeMetricFamily(
            "vigie_probe_last_check_reason",
            "1 for the reason of the probe's last check (Succeeded, or why it failed)",
            REASON_LABELS);
    scheduler.forEachReading(
        r -> {
          List<String> labels =
              List.of(r.id().getNamespace().orElse(""), r.id().getName(), r.checkType());
          ProbeScheduler.LastCheck last = r.lastCheck();
          if (last != null) {
            success.addMetric(labels, last.success() ? 1 : 0);
            duration.addMetric(labels, last.latencyMs() / 1000.0);
            if (last.httpStatus() >= 0) {
              status.addMetric(labels, last.httpStatus());
            }
            if (last.certificateNotAfter() != null) {
              expiry.addMetric(labels, last.certificateNotAfter().getEpochSecond());
            }
            reason.addMetric(
                List.of(labels.get(0), labels.get(1), labels.get(2), last.reason()), 1);
          }
          if (r.health() == Health.Healthy || r.health() == Health.Unhealthy) {
            healthy.addMetric(labels, r.health() == Health.Healthy ? 1 : 0);
          }
          failures.addMetric(labels, r.consecutiveFailures());
        });
    return List.of(success, duration, status, expiry, healthy, failures, reason);
  }
}
