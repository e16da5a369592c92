package io.dihya.vigie.alert;

import io.dihya.vigie.alert.routing.AlertGroups;
import io.dihya.vigie.alert.routing.AlertRouter;
import io.dihya.vigie.alert.routing.ProbeSelector;
import io.dihya.vigie.alert.routing.RouteMutes;
import io.dihya.vigie.alert.routing.SinkDispatcher;
import io.dihya.vigie.alert.sink.AlertSink;
import io.dihya.vigie.alert.sink.Notification;
import io.dihya.vigie.alert.sink.NotificationTemplate;
import io.dihya.vigie.alert.sink.SinkFactory;
import io.dihya.vigie.api.v1alpha1.AlertRoute;
import io.dihya.vigie.api.v1alpha1.AlertRouteSpec;
import io.dihya.vigie.api.v1alpha1.AlertRouteStatus;
import io.dihya.vigie.api.v1alpha1.DurationFormat;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.Severity;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.kube.Conditions;
import io.dihya.vigie.kube.ConfigFingerprint;
import io.dihya.vigie.kube.EventPublisher;
import io.dihya.vigie.kube.ReconcileTrigger;
import io.dihya.vigie.kube.SecretRefs;
import io.dihya.vigie.kube.SecretResolver;
import io.dihya.vigie.kube.SpecProblems;
import io.dihya.vigie.kube.StatusPatcher;
import io.dihya.vigie.redact.Redactor;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Validates a route, builds its sinks from the Secrets it references and installs it in the {@link
 * AlertRouter}; keeps its status: Ready, one delivery record per sink (refreshed every {@value
 * #STATS_REFRESH_SECONDS} s, written only when it changed), and the router's ledger of what was
 * notified (written as soon as it changes; the route starts from it after a restart).
 */
@ControllerConfiguration(name = "alertroute")
public class AlertRouteReconciler implements Reconciler<AlertRoute> {

  static final long STATS_REFRESH_SECONDS = 15;

  /**
   * Notifications a sink keeps waiting while it is down: a firing one and its resolve (which may
   * not replace it) for each of 1,000 groups.
   */
  static final int SINK_QUEUE_CAPACITY = 2000;

  static final String REASON_UNSUPPORTED_SINK = "UnsupportedSink";

  /** Set it to a new value (e.g. the date) to send a test notification to every sink. */
  public static final String TEST_ANNOTATION = "vigie.dihya.io/test";

  static final String TEST_PENDING = "Pending";

  /** At most this many alerts are kept in status.alerts (about 250 bytes each). */
  static final int MAX_ALERT_RECORDS = 2000;

  private static final Logger LOG = Logger.getLogger(AlertRouteReconciler.class);

  private final Clock clock;
  private final AlertRouter router;
  private final SinkFactory sinks;
  private final SecretResolver secrets;
  private final Duration secretRetry;
  private final EventPublisher events;
  private final Counter statusPatches;
  private final ReconcileTrigger<AlertRoute> ledgerEvents = new ReconcileTrigger<>("alert-ledger");

  public AlertRouteReconciler(
      Clock clock,
      AlertRouter router,
      SinkFactory sinks,
      SecretResolver secrets,
      EventPublisher events,
      io.dihya.vigie.config.VigieConfig config,
      MeterRegistry registry) {
    this.statusPatches = StatusPatcher.counter(registry, "AlertRoute");
    this.events = events;
    this.clock = clock;
    this.router = router;
    this.sinks = sinks;
    this.secrets = secrets;
    this.secretRetry = config.secrets().retryInterval();
  }

  @Override
  public List<EventSource<?, AlertRoute>> prepareEventSources(
      EventSourceContext<AlertRoute> context) {
    router.onLedgerChange(ledgerEvents::fire);
    return List.of(ledgerEvents);
  }

  @Override
  public UpdateControl<AlertRoute> reconcile(AlertRoute route, Context<AlertRoute> context) {
    return StatusPatcher.writeNow(route, decide(route, context), context, statusPatches);
  }

  /** What the reconcile does: everything but the status write, which it returns. */
  private UpdateControl<AlertRoute> decide(AlertRoute route, Context<AlertRoute> context) {
    var cache = context.getPrimaryCache();
    router.existsWhen(id -> cache.get(id).isPresent());
    Instant now = clock.instant();
    ResourceID id = ResourceID.fromResource(route);
    AlertRouteSpec spec = route.getSpec();
    SpecProblems problems = AlertRouteValidator.validate(spec);
    if (!problems.isEmpty()) {
      router.remove(id);
      return patch(
          route, Conditions.FALSE, Conditions.REASON_INVALID_SPEC, problems.message(), now);
    }
    Set<SecretKeyRef> refs = SecretRefs.of(spec);
    SecretResolver.Resolution resolution =
        secrets.resolve(route.getMetadata().getNamespace(), refs);
    if (!resolution.complete()) {
      router.remove(id);
      return patch(
              route,
              Conditions.FALSE,
              Conditions.REASON_SECRET_NOT_FOUND,
              String.join("; ", resolution.missing()),
              now)
          .rescheduleAfter(secretRetry);
    }
    String fingerprint = ConfigFingerprint.of(route, resolution.values());
    if (!router.hasFingerprint(id, fingerprint)) {
      try {
        router.configure(config(id, fingerprint, spec, resolution, route.getStatus()));
      } catch (IllegalArgumentException e) {
        router.remove(id);
        return patch(route, Conditions.FALSE, Conditions.REASON_INVALID_SPEC, e.getMessage(), now);
      } catch (UnsupportedOperationException e) {
        router.remove(id);
        return patch(route, Conditions.FALSE, REASON_UNSUPPORTED_SINK, e.getMessage(), now);
      }
    }
    AlertRouteStatus.TestRecord test = test(route, id, now);
    UpdateControl<AlertRoute> update =
        patch(route, Conditions.TRUE, Conditions.REASON_ACCEPTED, "Spec accepted.", now, test);
    return update.rescheduleAfter(
        TEST_PENDING.equals(test == null ? null : test.result)
            ? Duration.ofSeconds(1)
            : Duration.ofSeconds(STATS_REFRESH_SECONDS));
  }

  /**
   * The lastTest record: a new annotation value sends a test to every sink (result Pending); once
   * every sink answered, Succeeded or Failed (naming the failing sinks, with an Event each).
   */
  private AlertRouteStatus.TestRecord test(AlertRoute route, ResourceID id, Instant now) {
    AlertRouteStatus.TestRecord last =
        route.getStatus() == null ? null : route.getStatus().lastTest;
    Map<String, String> annotations = route.getMetadata().getAnnotations();
    String request = annotations == null ? null : annotations.get(TEST_ANNOTATION);
    if (request != null && (last == null || !request.equals(last.request))) {
      router.sendTest(id, request);
      AlertRouteStatus.TestRecord record = new AlertRouteStatus.TestRecord();
      record.time = Conditions.timestamp(now);
      record.request = request;
      record.result = TEST_PENDING;
      return record;
    }
    if (last == null || !TEST_PENDING.equals(last.result)) {
      return last;
    }
    var outcome = router.testOutcome(id).filter(o -> o.request().equals(last.request));
    if (outcome.isEmpty()) {
      // Restarted while pending: send it again.
      router.sendTest(id, last.request);
      return last;
    }
    List<String> sinkNames = route.getSpec().sinks.stream().map(s -> s.name).toList();
    if (!outcome.get().bySink().keySet().containsAll(sinkNames)) {
      return last;
    }
    AlertRouteStatus.TestRecord record = new AlertRouteStatus.TestRecord();
    record.time = last.time;
    record.request = last.request;
    List<String> failures = new ArrayList<>();
    outcome
        .get()
        .bySink()
        .forEach(
            (sink, delivery) -> {
              if (!delivery.delivered()) {
                failures.add(sink + ": " + delivery.error());
                events.publish(
                    route,
                    EventPublisher.WARNING,
                    "TestFailed",
                    "Test",
                    "The test notification to sink " + sink + " failed: " + delivery.error(),
                    Redactor.standard());
              }
            });
    record.result = failures.isEmpty() ? "Succeeded" : "Failed";
    record.message = failures.isEmpty() ? null : String.join("; ", failures);
    return record;
  }

  private AlertRouter.RouteConfig config(
      ResourceID id,
      String fingerprint,
      AlertRouteSpec spec,
      SecretResolver.Resolution resolution,
      AlertRouteStatus current) {
    Map<String, long[]> counted = new LinkedHashMap<>();
    if (current != null && current.sinks != null) {
      for (AlertRouteStatus.SinkStatus s : current.sinks) {
        counted.put(
            s.name,
            new long[] {s.delivered == null ? 0 : s.delivered, s.failed == null ? 0 : s.failed});
      }
    }
    NotificationTemplate payload =
        spec.template == null || spec.template.payload == null
            ? null
            : NotificationTemplate.compilePayload(spec.template.payload, "spec.template.payload");
    Map<String, AlertSink> built = new LinkedHashMap<>();
    try {
      for (int i = 0; i < spec.sinks.size(); i++) {
        Sink sink = spec.sinks.get(i);
        try {
          built.put(
              sink.name, sinks.create(sink, resolution::get, "spec.sinks[" + i + "]", payload));
        } catch (IllegalArgumentException e) {
          String message = e.getMessage();
          throw new IllegalArgumentException(
              message.startsWith("spec.") ? message : "spec.sinks[" + i + "]." + message);
        }
      }
    } catch (RuntimeException e) {
      built.values().forEach(AlertSink::close);
      throw e;
    }
    Redactor redactor = Redactor.standard().withSecrets(resolution.values().values());
    if (spec.redaction != null) {
      if (spec.redaction.patterns != null && !spec.redaction.patterns.isEmpty()) {
        redactor =
            redactor.withPatterns(spec.redaction.patterns.stream().map(Pattern::compile).toList());
      }
      if (spec.redaction.anonymize != null) {
        redactor =
            redactor.withAnonymization(
                Boolean.TRUE.equals(spec.redaction.anonymize.emails),
                Boolean.TRUE.equals(spec.redaction.anonymize.ipAddresses));
      }
    }
    return new AlertRouter.RouteConfig(
        id,
        fingerprint,
        ProbeSelector.of(spec.probeSelector),
        spec.severities == null
            ? Set.of()
            : spec.severities.stream().map(AlertRouteReconciler::wire).collect(Collectors.toSet()),
        new AlertGroups.Settings(
            spec.groupBy == null ? List.of("namespace", "probe") : spec.groupBy,
            duration(spec.groupWait, "30s"),
            duration(spec.groupInterval, "5m"),
            duration(spec.repeatInterval, "4h"),
            !Boolean.FALSE.equals(spec.sendResolved)),
        RouteMutes.of(spec.silences, spec.muteTimeIntervals),
        built,
        new SinkDispatcher.Settings(
            Duration.ofSeconds(10),
            Duration.ofSeconds(1),
            Duration.ofMinutes(5),
            SINK_QUEUE_CAPACITY,
            spec.rateLimit == null ? null : spec.rateLimit.perMinute),
        redactor,
        counted,
        spec.heartbeat == null || spec.heartbeat.interval == null
            ? null
            : DurationFormat.parse(spec.heartbeat.interval).orElseThrow(),
        spec.heartbeat == null || spec.heartbeat.sinks == null
            ? Set.of()
            : Set.copyOf(spec.heartbeat.sinks),
        restored(current),
        spec.template == null || spec.template.message == null
            ? null
            : NotificationTemplate.compile(spec.template.message, "spec.template.message"));
  }

  /** The ledger as status kept it; records it cannot read are skipped. */
  static List<AlertRouter.Notified> restored(AlertRouteStatus current) {
    List<AlertRouter.Notified> restored = new ArrayList<>();
    if (current == null || current.alerts == null) {
      return restored;
    }
    for (AlertRouteStatus.NotifiedAlert a : current.alerts) {
      try {
        restored.add(
            new AlertRouter.Notified(
                Objects.requireNonNull(a.fingerprint),
                Objects.requireNonNull(a.probe),
                a.severity,
                a.groupLabels,
                "Resolved".equals(a.state)
                    ? Notification.Status.RESOLVED
                    : Notification.Status.FIRING,
                Boolean.TRUE.equals(a.pending),
                a.startsAt == null ? null : Instant.parse(a.startsAt),
                Instant.parse(Objects.requireNonNull(a.notifiedAt))));
      } catch (RuntimeException e) {
        LOG.debugf("skipping an unreadable status.alerts record: %s", e.getClass().getSimpleName());
      }
    }
    return restored;
  }

  /**
   * The ledger as status records; an empty ledger is no field when status had none, else an empty
   * list (so that the patch clears the field).
   */
  private static List<AlertRouteStatus.NotifiedAlert> records(
      List<AlertRouter.Notified> ledger, List<AlertRouteStatus.NotifiedAlert> current) {
    if (ledger.isEmpty()) {
      return current == null ? null : List.of();
    }
    if (ledger.size() > MAX_ALERT_RECORDS) {
      LOG.warnf(
          "%d alerts notified by one route; status keeps %d of them",
          ledger.size(), MAX_ALERT_RECORDS);
    }
    List<AlertRouteStatus.NotifiedAlert> records = new ArrayList<>();
    for (AlertRouter.Notified n : ledger.subList(0, Math.min(ledger.size(), MAX_ALERT_RECORDS))) {
      AlertRouteStatus.NotifiedAlert a = new AlertRouteStatus.NotifiedAlert();
      a.fingerprint = n.fingerprint();
      a.probe = n.probe();
      a.severity = n.severity();
      a.groupLabels = n.groupLabels().isEmpty() ? null : new java.util.TreeMap<>(n.groupLabels());
      a.state = n.status() == Notification.Status.RESOLVED ? "Resolved" : "Firing";
      a.pending = n.pending() ? Boolean.TRUE : null;
      a.startsAt = n.startsAt() == null ? null : Conditions.timestamp(n.startsAt());
      a.notifiedAt = Conditions.timestamp(n.notifiedAt());
      records.add(a);
    }
    return records;
  }

  private static String wire(Severity severity) {
    return severity.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static Duration duration(String text, String fallback) {
    return DurationFormat.parse(text == null ? fallback : text).orElseThrow();
  }

  private UpdateControl<AlertRoute> patch(
      AlertRoute route, String ready, String reason, String message, Instant now) {
    return patch(
        route,
        ready,
        reason,
        message,
        now,
        route.getStatus() == null ? null : route.getStatus().lastTest);
  }

  private UpdateControl<AlertRoute> patch(
      AlertRoute route,
      String ready,
      String reason,
      String message,
      Instant now,
      AlertRouteStatus.TestRecord test) {
    AlertRouteStatus current =
        route.getStatus() == null ? new AlertRouteStatus() : route.getStatus();
    Long generation = route.getMetadata().getGeneration();
    AlertRouteStatus status = new AlertRouteStatus();
    status.observedGeneration = generation;
    status.lastTest = test;
    status.sinks =
        sinkRecords(
            route.getSpec() == null ? List.of() : route.getSpec().sinks,
            current,
            router.stats(ResourceID.fromResource(route)).orElse(Map.of()));
    status.lastDeliveryTime =
        status.sinks.stream()
            .map(s -> s.lastDeliveryTime)
            .filter(t -> t != null)
            .max(String::compareTo)
            .orElse(current.lastDeliveryTime);
    status.sinkNames = status.sinks.stream().map(s -> s.name).collect(Collectors.joining(","));
    // Not installed (invalid, or a Secret is missing): keep what status says was notified.
    status.alerts =
        router
            .notified(ResourceID.fromResource(route))
            .map(ledger -> records(ledger, current.alerts))
            .orElse(current.alerts);
    boolean already =
        Conditions.find(current.conditions, Conditions.READY)
            .map(c -> reason.equals(c.getReason()))
            .orElse(false);
    if (!already && !Conditions.TRUE.equals(ready)) {
      LOG.infof(
          "AlertRoute %s/%s is not ready (%s): %s",
          route.getMetadata().getNamespace(), route.getMetadata().getName(), reason, message);
    }
    status.conditions =
        Conditions.set(
            current.conditions, Conditions.READY, ready, reason, message, generation, now);
    return StatusPatcher.patchIfChanged(route, status, AlertRoute::new);
  }

  /**
   * One record per sink of the spec: the router's counters once it delivered, else what status
   * already said (kept across restarts).
   */
  private static List<AlertRouteStatus.SinkStatus> sinkRecords(
      List<Sink> sinks, AlertRouteStatus current, Map<String, SinkDispatcher.Stats> stats) {
    Map<String, AlertRouteStatus.SinkStatus> previous =
        current.sinks.stream()
            .filter(s -> s.name != null)
            .collect(Collectors.toMap(s -> s.name, Function.identity(), (a, b) -> a));
    List<AlertRouteStatus.SinkStatus> records = new ArrayList<>();
    for (Sink sink : sinks) {
      if (sink.name == null || records.stream().anyMatch(r -> r.name.equals(sink.name))) {
        continue;
      }
      AlertRouteStatus.SinkStatus old = previous.get(sink.name);
      AlertRouteStatus.SinkStatus record = new AlertRouteStatus.SinkStatus();
      record.name = sink.name;
      long baseDelivered = old == null || old.delivered == null ? 0 : old.delivered;
      long baseFailed = old == null || old.failed == null ? 0 : old.failed;
      SinkDispatcher.Stats s = stats.get(sink.name);
      record.delivered = s == null ? baseDelivered : s.delivered();
      record.failed = s == null ? baseFailed : s.failed();
      record.lastDeliveryTime =
          s != null && s.lastDelivery() != null
              ? Conditions.timestamp(s.lastDelivery())
              : old == null ? null : old.lastDeliveryTime;
      record.lastError =
          s != null && s.lastError() != null ? s.lastError() : old == null ? null : old.lastError;
      record.lastCid =
          s != null && s.lastReference() != null
              ? s.lastReference()
              : old == null ? null : old.lastCid;
      records.add(record);
    }
    return records;
  }
}
