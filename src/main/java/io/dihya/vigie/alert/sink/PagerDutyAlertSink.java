package io.dihya.vigie.alert.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dihya.vigie.api.v1alpha1.PagerDutySink;
import io.dihya.vigie.probe.check.SecretValues;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Sends the {@link PagerDutyEvents} of a notification to the Events API v2, one at a time, in order
 * (a test's resolve must follow its trigger; one at a time also stays under PagerDuty's rate limit
 * per routing key instead of bursting 200 requests into 429s).
 *
 * <p>A notification is delivered only when every one of its events was accepted (202). The first
 * refusal stops the attempt and is its outcome: retryable for 429 (Retry-After kept), 5xx, timeouts
 * and connection failures; permanent for 400 (an invalid event or routing key). Partial success:
 * the number of events already accepted is remembered per notification id (bounded, {@link
 * #REMEMBERED} notifications), so the pipeline's retry sends only the rest. Re-sending an accepted
 * event would be harmless, as PagerDuty deduplicates by dedup_key, but a large group would then
 * never get past the events that time out at its end.
 */
final class PagerDutyAlertSink implements AlertSink {

  @Override
  public String type() {
    return "pagerduty";
  }

  static final String FIELD = "pagerduty";
  static final String DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue";
  static final int ROUTING_KEY_LENGTH = 32;

  /** Notifications whose partial progress is remembered; the oldest is forgotten first. */
  static final int REMEMBERED = 1_024;

  /** Below this much time left, the next event is not started. */
  static final Duration MIN_LEFT = Duration.ofMillis(50);

  private static final List<String[]> HEADERS =
      List.<String[]>of(new String[] {"Content-Type", "application/json"});

  private final SinkHttp http;
  private final HttpClient client;
  private final String routingKey;
  private final URI enqueue;
  private final URI change;
  private final Clock clock;
  private final Executor executor;
  private final Map<String, Integer> accepted =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
          return size() > REMEMBERED;
        }
      };

  private PagerDutyAlertSink(
      SinkHttp http,
      HttpClient client,
      String routingKey,
      URI enqueue,
      Clock clock,
      Executor executor) {
    this.http = http;
    this.executor = executor;
    this.client = client;
    this.routingKey = routingKey;
    this.enqueue = enqueue;
    this.change = changeUrl(enqueue);
    this.clock = clock;
  }

  static AlertSink create(
      PagerDutySink spec, SecretValues secrets, SinkHttp http, Executor executor, Clock clock) {
    if (spec == null || spec.routingKeySecretRef == null) {
      throw new IllegalArgumentException(FIELD + ".routingKeySecretRef: required");
    }
    String key = secrets.get(spec.routingKeySecretRef);
    key = key == null ? "" : key.strip();
    if (key.length() != ROUTING_KEY_LENGTH) {
      throw new IllegalArgumentException(
          FIELD
              + ".routingKeySecretRef: a routing key has "
              + ROUTING_KEY_LENGTH
              + " characters, this one has "
              + key.length());
    }
    if (!key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(
          FIELD + ".routingKeySecretRef: a routing key is printable ASCII without spaces");
    }
    String url = spec.url == null || spec.url.isBlank() ? DEFAULT_URL : spec.url;
    URI enqueue = SinkHttp.url(url, FIELD + ".url");
    return new PagerDutyAlertSink(
        http, http.client(null, secrets, FIELD), key, enqueue, clock, executor);
  }

  /**
   * The change-events endpoint beside the events endpoint: {@code .../v2/enqueue} becomes {@code
   * .../v2/change/enqueue}, in whichever region or proxy the url points at.
   */
  static URI changeUrl(URI enqueue) {
    String path = enqueue.getRawPath(); // "" at least: the URL has a host
    String changePath =
        path.endsWith("/enqueue")
            ? path.substring(0, path.length() - "enqueue".length()) + "change/enqueue"
            : (path.endsWith("/") ? path : path + "/") + "change/enqueue";
    return URI.create(
        enqueue.getScheme()
            + "://"
            + enqueue.getRawAuthority()
            + changePath
            + (enqueue.getRawQuery() == null ? "" : "?" + enqueue.getRawQuery()));
  }

  @Override
  public CompletableFuture<Delivery> send(Notification notification, Duration timeout) {
    CompletableFuture<Delivery> delivery;
    try {
      // Building 200 events takes tens of milliseconds of CPU: not on the caller's thread.
      delivery =
          CompletableFuture.supplyAsync(() -> build(notification), executor)
              .thenCompose(events -> deliver(notification.id(), events, timeout))
              .handle(
                  (d, error) ->
                      error != null ? Delivery.retry("the event could not be sent", null) : d);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(Delivery.retry("the sink is shut down", null));
    }
    // A safety net only: every path completes it, at the latest at the deadline.
    return delivery.completeOnTimeout(
        Delivery.retry("no answer within " + seconds(timeout), null),
        timeout.toMillis() + 1_000,
        TimeUnit.MILLISECONDS);
  }

  private List<PagerDutyEvents.Event> build(Notification notification) {
    try {
      return PagerDutyEvents.of(notification, routingKey, enqueue, change, clock.instant());
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  private CompletableFuture<Delivery> deliver(
      String id, List<PagerDutyEvents.Event> events, Duration timeout) {
    if (events == null) {
      return CompletableFuture.completedFuture(Delivery.fail("the events could not be built"));
    }
    if (events.isEmpty()) {
      return CompletableFuture.completedFuture(Delivery.ok(null));
    }
    CompletableFuture<Delivery> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    next(id, events, remembered(id, events.size()), deadline, timeout, result);
    return result;
  }

  private void next(
      String id,
      List<PagerDutyEvents.Event> events,
      int index,
      long deadline,
      Duration timeout,
      CompletableFuture<Delivery> result) {
    if (index == events.size()) {
      forget(id);
      result.complete(Delivery.ok(reference(events)));
      return;
    }
    long left = deadline - System.nanoTime();
    if (left < MIN_LEFT.toNanos()) {
      remember(id, index);
      result.complete(
          Delivery.retry("no answer within " + seconds(timeout) + of(index, events), null));
      return;
    }
    PagerDutyEvents.Event event = events.get(index);
    http.post(client, event.target(), HEADERS, event.body(), Duration.ofNanos(left))
        .whenComplete(
            (response, error) -> {
              try {
                if (error == null && response.delivery().delivered()) {
                  next(id, events, index + 1, deadline, timeout, result);
                } else {
                  remember(id, index);
                  result.complete(refused(response, error, timeout, index, events));
                }
              } catch (RuntimeException e) {
                result.complete(
                    Delivery.retry("the event could not be sent" + of(index, events), null));
              }
            });
  }

  private static Delivery refused(
      SinkHttp.Response response,
      Throwable error,
      Duration timeout,
      int index,
      List<PagerDutyEvents.Event> events) {
    if (error != null) {
      return Delivery.retry("the event could not be sent" + of(index, events), null);
    }
    Delivery d = response.delivery();
    // The event was given only the time left: say the notification's timeout, not that rest.
    String text =
        response.status() == 0 && d.error().startsWith("no answer within")
            ? "no answer within " + seconds(timeout)
            : d.error();
    return new Delivery(false, d.retryable(), text + of(index, events), d.retryAfter(), null);
  }

  /** " (event 3 of 12)" when the notification has several events. */
  private static String of(int index, List<PagerDutyEvents.Event> events) {
    return events.size() == 1 ? "" : " (event " + (index + 1) + " of " + events.size() + ")";
  }

  private static String seconds(Duration timeout) {
    long ms = timeout.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }

  /**
   * The dedup_key of a single event or of a test, "N events" for several alerts, "change event" for
   * a heartbeat: never the routing key.
   */
  private static String reference(List<PagerDutyEvents.Event> events) {
    PagerDutyEvents.Event first = events.get(0);
    if (first.dedupKey() == null) {
      return "change event";
    }
    boolean oneKey = events.stream().allMatch(e -> first.dedupKey().equals(e.dedupKey()));
    return oneKey ? first.dedupKey() : events.size() + " events";
  }

  private synchronized int remembered(String id, int events) {
    Integer done = id == null ? null : accepted.get(id);
    return done == null || done >= events ? 0 : done;
  }

  private synchronized void remember(String id, int done) {
    if (id != null && done > 0) {
      accepted.put(id, done);
    }
  }

  private synchronized void forget(String id) {
    if (id != null) {
      accepted.remove(id);
    }
  }

  @Override
  public String toString() {
    return "PagerDutyAlertSink"; // never the routing key
  }
}
