package io.dihya.vigie.alert.sink;

import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.probe.check.SecretValues;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the {@link AlertSink}s of routes and owns what they share: the pooled HTTP clients and a
 * pool of daemon threads ("vigie-sink-N") for their I/O and callbacks. One per operator; {@link
 * #close()} on shutdown.
 */
public final class SinkFactory implements AutoCloseable {

  private final ExecutorService executor;
  private final SinkHttp http;
  private final Clock clock;

  public SinkFactory(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.executor = Executors.newCachedThreadPool(daemonThreads("vigie-sink-"));
    this.http = new SinkHttp(executor);
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * The sink of one {@code spec.sinks[i]} entry.
   *
   * @throws IllegalArgumentException with a field-path message ("spec.sinks[2].webhook.url: not a
   *     valid URL") for anything it cannot build; never echoes a value
   */
  public AlertSink create(Sink spec, SecretValues secrets, String field) {
    return create(spec, secrets, field, null);
  }

  /**
   * The sink of one {@code spec.sinks[i]} entry, a {@code webhook} of which renders its body from
   * {@code payload}: the route's {@code spec.template.payload} compiled with {@link
   * NotificationTemplate#compilePayload}, or null. Other sink kinds ignore it (they take the
   * message template's text through the notification).
   *
   * @throws IllegalArgumentException as {@link #create(Sink, SecretValues, String)}, and for a
   *     payload template with a webhook format other than json ("webhook.format: ...")
   */
  public AlertSink create(
      Sink spec, SecretValues secrets, String field, NotificationTemplate payload) {
    List<String> kinds = new ArrayList<>();
    if (spec.log != null) kinds.add("log");
    if (spec.webhook != null) kinds.add("webhook");
    if (spec.slack != null) kinds.add("slack");
    if (spec.teams != null) kinds.add("teams");
    if (spec.pagerduty != null) kinds.add("pagerduty");
    if (spec.email != null) kinds.add("email");
    if (spec.alertmanager != null) kinds.add("alertmanager");
    if (spec.ipfs != null) kinds.add("ipfs");
    if (kinds.size() != 1) {
      throw new IllegalArgumentException(
          field
              + ": set exactly one sink kind, found "
              + (kinds.isEmpty() ? "none" : String.join(", ", kinds)));
    }
    return switch (kinds.get(0)) {
      case "log" -> LogAlertSink.create(spec.log, secrets, http, executor, clock);
      case "webhook" ->
          WebhookAlertSink.create(spec.webhook, secrets, payload, http, executor, clock);
      case "slack" -> SlackAlertSink.create(spec.slack, secrets, http, executor, clock);
      case "teams" -> TeamsAlertSink.create(spec.teams, secrets, http, executor, clock);
      case "pagerduty" -> PagerDutyAlertSink.create(spec.pagerduty, secrets, http, executor, clock);
      case "email" -> EmailAlertSink.create(spec.email, secrets, http, executor, clock);
      case "alertmanager" ->
          AlertmanagerAlertSink.create(spec.alertmanager, secrets, http, executor, clock);
      case "ipfs" -> IpfsAlertSink.create(spec.ipfs, secrets, http, executor, clock);
      default -> throw new IllegalStateException("unknown sink kind " + kinds.get(0));
    };
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
