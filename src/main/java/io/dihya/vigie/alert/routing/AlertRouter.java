package io.dihya.vigie.alert.routing;

import io.dihya.vigie.alert.sink.AlertSink;
import io.dihya.vigie.alert.sink.Delivery;
import io.dihya.vigie.alert.sink.Notification;
import io.dihya.vigie.alert.sink.Notification.Alert;
import io.dihya.vigie.alert.sink.Notification.Status;
import io.dihya.vigie.alert.sink.NotificationTemplate;
import io.dihya.vigie.redact.Redactor;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Routes probe transitions to the AlertRoutes of their namespace: an alert is born on every
 * transition (firing when a probe turns Unhealthy, resolved when it recovers), every route of the
 * probe's namespace whose selector and severities match groups it ({@link AlertGroups}), and a tick
 * every {@value #TICK_MILLIS} ms turns due groups into notifications for the route's sinks ({@link
 * SinkDispatcher}). A route never sees a probe of another namespace.
 *
 * <p>Every notification and outcome, and every muted alert, is one line of the audit log (category
 * {@code io.dihya.vigie.audit.notification}).
 *
 * <p>What each route's receivers were told is kept in a ledger ({@link Notified}) that the route
 * reconciler writes to the route's status; a restarted operator (or a replaced route) starts from
 * it, so an alert already notified is not notified again, a resolved notification still waiting for
 * delivery is sent, and an alert whose probe was deleted or recovered meanwhile is resolved. The
 * ledger is brought in line with the probes' known health every {@value #SWEEP_TICKS} ticks.
 */
public final class AlertRouter implements AutoCloseable {

  static final long TICK_MILLIS = 100;
  static final int SWEEP_TICKS = 50;
  private static final String RESTORED = "restored";
  static final String ALERTNAME = "ProbeFailed";
  private static final Logger AUDIT = Logger.getLogger("io.dihya.vigie.audit.notification");
  private static final Logger LOG = Logger.getLogger(AlertRouter.class);

  /** A route's configuration, built by the route reconciler. */
  public record RouteConfig(
      ResourceID id,
      String fingerprint,
      ProbeSelector selector,
      Set<String> severities,
      AlertGroups.Settings settings,
      AlertGroups.Mutes mutes,
      Map<String, AlertSink> sinks,
      SinkDispatcher.Settings delivery,
      Redactor redactor,
      Map<String, long[]> counted,
      java.time.Duration heartbeatInterval,
      Set<String> heartbeatSinks,
      List<Notified> restored,
      NotificationTemplate message) {

    public RouteConfig {
      restored = restored == null ? List.of() : List.copyOf(restored);
    }
  }

  /**
   * What a route's receivers were told of one alert.
   *
   * @param probe the probe's name (the namespace is the route's)
   * @param groupLabels the alert's values of the route's groupBy labels
   * @param status FIRING once its firing was notified; RESOLVED while its resolved notification is
   *     still being delivered
   * @param pending true until every sink has delivered (or given up on) the latest notification
   *     that carried it
   */
  public record Notified(
      String fingerprint,
      String probe,
      String severity,
      Map<String, String> groupLabels,
      Status status,
      boolean pending,
      Instant startsAt,
      Instant notifiedAt) {

    public Notified {
      groupLabels = groupLabels == null ? Map.of() : Map.copyOf(groupLabels);
    }
  }

  /** A ledger entry: the notification ids per sink not yet confirmed. */
  private record Entry(Alert alert, Instant notifiedAt, Map<String, String> unconfirmed) {}

  /** The latest outcome of a test request, per sink. */
  public record TestOutcome(String request, Map<String, Delivery> bySink) {}

  private final class Route {
    final RouteConfig config;
    final AlertGroups groups;
    final Map<String, SinkDispatcher> dispatchers = new LinkedHashMap<>();
    final Map<String, Delivery> testOutcomes = new ConcurrentHashMap<>();
    final Map<String, Entry> ledger = new ConcurrentHashMap<>();

    /**
     * The fingerprints of the alerts given to the groups, per probe ("namespace/name"): a firing
     * transition looks through every group for the probe's alert under older labels only when there
     * may be one, not on every transition (1,000 probes flapping made that quadratic).
     */
    final Map<String, Set<String>> fingerprints = new ConcurrentHashMap<>();

    volatile String testRequest;
    volatile Instant lastHeartbeat;

    Route(RouteConfig config) {
      this.config = config;
      this.lastHeartbeat = clock.instant();
      this.groups = new AlertGroups(config.settings(), this::mutedBy);
      config
          .sinks()
          .forEach(
              (name, sink) ->
                  dispatchers.put(
                      name,
                      new SinkDispatcher(
                          sink,
                          timer,
                          clock,
                          config.delivery(),
                          (n, d) -> {
                            if (n.kind() == Notification.Kind.TEST) {
                              testOutcomes.put(n.receiver(), d);
                            } else if (n.kind() == Notification.Kind.ALERTS
                                && (d.delivered() || !d.retryable())) {
                              confirm(n);
                            }
                            outcome(n, d);
                          })));
    }

    /** A sink is done with a notification: its alerts are no longer pending for that sink. */
    void confirm(Notification n) {
      boolean changed = false;
      for (Alert alert : n.alerts()) {
        Entry entry = ledger.get(alert.fingerprint());
        if (entry != null && entry.unconfirmed().remove(n.receiver(), n.id())) {
          changed = true;
          if (entry.unconfirmed().isEmpty() && entry.alert().status() == Status.RESOLVED) {
            ledger.remove(alert.fingerprint(), entry);
          }
        }
      }
      if (changed) {
        ledgerChanged.accept(config.id());
      }
    }

    /** Restores the ledger and the groups from what was notified before. */
    void restore(List<Notified> notified, Instant now) {
      String namespace = config.id().getNamespace().orElse("");
      for (Notified n : notified) {
        Map<String, String> labels = new TreeMap<>(n.groupLabels());
        labels.put("alertname", ALERTNAME);
        labels.put("namespace", namespace);
        labels.put("probe", n.probe());
        if (n.severity() != null) {
          labels.put("severity", n.severity());
        }
        Alert alert =
            new Alert(
                n.fingerprint(),
                n.status(),
                Map.copyOf(labels),
                Map.of(
                    "summary",
                    "HealthProbe " + namespace + "/" + n.probe() + " is unhealthy",
                    "reason",
                    "",
                    "message",
                    ""),
                n.startsAt(),
                n.status() == Status.RESOLVED ? n.notifiedAt() : null,
                n.severity());
        boolean notifiedFiring = !(n.status() == Status.FIRING && n.pending());
        groups.restore(alert, notifiedFiring, n.notifiedAt(), now);
        Map<String, String> unconfirmed = new ConcurrentHashMap<>();
        if (n.pending()) {
          unconfirmed.put(RESTORED, RESTORED);
        }
        ledger.put(n.fingerprint(), new Entry(alert, n.notifiedAt(), unconfirmed));
        held(namespace + "/" + n.probe()).add(n.fingerprint());
      }
    }

    Set<String> held(String probeKey) {
      return fingerprints.computeIfAbsent(probeKey, k -> ConcurrentHashMap.newKeySet());
    }

    List<Notified> notified() {
      List<Notified> list = new ArrayList<>();
      ledger.forEach(
          (fingerprint, e) ->
              list.add(
                  new Notified(
                      fingerprint,
                      e.alert().labels().get("probe"),
                      e.alert().severity(),
                      groupLabels(e.alert()),
                      e.alert().status(),
                      !e.unconfirmed().isEmpty(),
                      e.alert().startsAt(),
                      e.notifiedAt())));
      list.sort(java.util.Comparator.comparing(Notified::fingerprint));
      return list;
    }

    private Map<String, String> groupLabels(Alert alert) {
      Map<String, String> values = new TreeMap<>();
      for (String name : config.settings().groupBy()) {
        String value = alert.labels().get(name);
        if (value != null && !Set.of("alertname", "namespace", "probe").contains(name)) {
          values.put(name, value);
        }
      }
      return values;
    }

    boolean matches(ProbeTransition t) {
      return config.id().getNamespace().orElse("").equals(t.namespace())
          && config.selector().matches(t.probeLabels())
          && (config.severities().isEmpty() || config.severities().contains(t.severity()));
    }

    Optional<String> mutedBy(Alert alert, Instant now) {
      Optional<String> muted = config.mutes().mutedBy(alert, now);
      return muted.isPresent() ? muted : inhibitedBy(alert);
    }

    void close() {
      dispatchers.values().forEach(SinkDispatcher::close);
    }
  }

  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final Map<ResourceID, Route> routes = new ConcurrentHashMap<>();

  /** The alert of each probe known Unhealthy ("namespace/name"), with what it was born of. */
  private final Map<String, Firing> firing = new ConcurrentHashMap<>();

  private record Firing(Alert alert, ProbeTransition transition) {}

  /** Probes whose health was reported since start ("namespace/name"). */
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  private volatile java.util.function.Predicate<ResourceID> exists = id -> true;
  private volatile java.util.function.Predicate<ResourceID> probeExists;
  private volatile java.util.function.Consumer<ResourceID> ledgerChanged = id -> {};
  private long ticks;

  public AlertRouter(Clock clock) {
    this(
        clock,
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vigie-alert-router");
              t.setDaemon(true);
              return t;
            }));
  }

  /**
   * A router whose ticks and delivery retries run on {@code timer}, which it owns (and shuts down
   * on close): tests hand it simulated time, with a clock that reads the same time.
   */
  AlertRouter(Clock clock, ScheduledExecutorService timer) {
    this.clock = clock;
    this.timer = timer;
    timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * How to tell that a route still exists (the route reconciler's cache): deleted routes are
   * dropped within seconds, without a finalizer.
   */
  public void existsWhen(java.util.function.Predicate<ResourceID> test) {
    this.exists = test;
  }

  /**
   * How to tell that a probe still exists (the probe reconciler's cache, once it has synced): the
   * alerts of deleted probes are resolved.
   */
  public void probesExistWhen(java.util.function.Predicate<ResourceID> test) {
    this.probeExists = test;
  }

  /** Called with a route's id when its ledger changed (its status should be written). */
  public void onLedgerChange(java.util.function.Consumer<ResourceID> listener) {
    this.ledgerChanged = listener;
  }

  /** What the route's receivers were told, for its status; empty when it is not installed. */
  public Optional<List<Notified>> notified(ResourceID id) {
    Route route = routes.get(id);
    return route == null ? Optional.empty() : Optional.of(route.notified());
  }

  public boolean hasFingerprint(ResourceID id, String fingerprint) {
    Route route = routes.get(id);
    return route != null && route.config.fingerprint().equals(fingerprint);
  }

  /**
   * Installs or replaces a route. It starts from the replaced route's ledger, else from {@code
   * config.restored()} (the route's status), then takes in the probes currently firing that it
   * matches. Notifications the replaced route had not delivered are sent again.
   */
  public void configure(RouteConfig config) {
    Instant now = clock.instant();
    Route previous = routes.get(config.id());
    Route route = new Route(config);
    route.restore(previous != null ? previous.notified() : config.restored(), now);
    for (Firing f : firing.values()) {
      if (route.matches(f.transition())) {
        route
            .held(f.transition().namespace() + "/" + f.transition().probe())
            .add(f.alert().fingerprint());
        route.groups.update(f.alert(), now);
      }
    }
    routes.put(config.id(), route);
    if (previous != null) {
      previous.close();
    }
  }

  public void remove(ResourceID id) {
    Route previous = routes.remove(id);
    if (previous != null) {
      previous.close();
    }
  }

  /**
   * The delivery counters of a route's sinks, by sink name, counted from the route's {@code
   * counted} (what status said when the route was configured); {@code failed} includes the
   * notifications dropped from a full queue.
   */
  public Optional<Map<String, SinkDispatcher.Stats>> stats(ResourceID id) {
    Route route = routes.get(id);
    if (route == null) {
      return Optional.empty();
    }
    Map<String, SinkDispatcher.Stats> stats = new LinkedHashMap<>();
    route.dispatchers.forEach(
        (name, d) -> {
          SinkDispatcher.Stats s = d.stats();
          long[] base = route.config.counted().getOrDefault(name, new long[2]);
          stats.put(
              name,
              new SinkDispatcher.Stats(
                  base[0] + s.delivered(),
                  // status.sinks[].failed: given up after retries, or dropped from a full queue.
                  base[1] + s.failed() + s.dropped(),
                  s.dropped(),
                  s.retried(),
                  s.waiting(),
                  s.lastDelivery(),
                  s.lastError(),
                  s.lastReference()));
        });
    return Optional.of(stats);
  }

  /** One sink of one route, with its dispatcher's counters since the route was configured. */
  public record SinkReading(
      ResourceID route, String sink, String type, SinkDispatcher.Stats stats) {}

  /** Reads every sink of every installed route (for a metrics scrape). */
  public void forEachSink(Consumer<SinkReading> action) {
    routes.forEach(
        (id, route) ->
            route.dispatchers.forEach(
                (name, d) ->
                    action.accept(
                        new SinkReading(
                            id, name, route.config.sinks().get(name).type(), d.stats()))));
  }

  /**
   * Sends a test notification to every sink of the route, for the request (the value of the route's
   * test annotation).
   *
   * @return false when the route is not installed
   */
  public boolean sendTest(ResourceID id, String request) {
    Route route = routes.get(id);
    if (route == null) {
      return false;
    }
    route.testRequest = request;
    route.testOutcomes.clear();
    Instant now = clock.instant();
    route.dispatchers.forEach(
        (name, d) -> d.offer(special(route, name, Notification.Kind.TEST, request, now)));
    return true;
  }

  /** What the sinks answered to the latest test, as far as they did. */
  public Optional<TestOutcome> testOutcome(ResourceID id) {
    Route route = routes.get(id);
    if (route == null || route.testRequest == null) {
      return Optional.empty();
    }
    return Optional.of(new TestOutcome(route.testRequest, Map.copyOf(route.testOutcomes)));
  }

  private Notification special(
      Route owner, String sink, Notification.Kind kind, String request, Instant now) {
    RouteConfig c = owner.config;
    String route = c.id().getNamespace().orElse("") + "/" + c.id().getName();
    boolean test = kind == Notification.Kind.TEST;
    String title =
        test
            ? "[TEST] vigie test notification for route " + route
            : "[HEARTBEAT] vigie is alive (route " + route + ")";
    String text =
        test
            ? "A test of the channel "
                + sink
                + ", asked for by the annotation vigie.dihya.io/test="
                + request
                + ". Nothing is wrong."
            : "The alert pipeline of vigie works. If these stop coming, vigie is down.";
    return rendered(
        c,
        new Notification(
            fingerprint(
                Map.of("route", route, "sink", sink, "kind", kind.name(), "at", now.toString())),
            kind,
            route,
            sink,
            "{}/" + kind.name().toLowerCase(java.util.Locale.ROOT),
            test ? Status.FIRING : Status.RESOLVED,
            Map.of(),
            Map.of(),
            Map.of(),
            List.of(),
            c.redactor().redact(title),
            c.redactor().redact(text),
            now));
  }

  /** The notification with the route's message template rendered as its text, redacted. */
  private static Notification rendered(RouteConfig c, Notification n) {
    if (c.message() == null) {
      return n;
    }
    return n.withText(c.redactor().redact(c.message().render(n)));
  }

  /**
   * A probe changed health, or reports its health after a restart or a change of its spec: its
   * alert goes to every matching route of its namespace. Reporting a state the routes already hold
   * changes nothing.
   */
  public void transition(ProbeTransition t) {
    String key = t.namespace() + "/" + t.probe();
    Alert alert = alert(t);
    reported.add(key);
    if (t.unhealthy()) {
      firing.put(key, new Firing(alert, t));
    } else {
      firing.remove(key);
    }
    Instant now = clock.instant();
    for (Route route : routes.values()) {
      if (route.matches(t)) {
        if (t.unhealthy()) {
          Set<String> held = route.held(key);
          if (!held.isEmpty() && !(held.size() == 1 && held.contains(alert.fingerprint()))) {
            // Its labels changed while it fired: the alert under the old labels is over.
            route.groups.resolve(
                a ->
                    sameProbe(a, t.namespace(), t.probe())
                        && !a.fingerprint().equals(alert.fingerprint()),
                now);
            held.clear();
          }
          held.add(alert.fingerprint());
        }
        route.groups.update(alert, now);
      }
    }
  }

  /**
   * The probe no longer has a verdict (suspended, invalid, deleted): its firing alerts are
   * resolved.
   */
  public void withdraw(String namespace, String probe) {
    String key = namespace + "/" + probe;
    reported.add(key);
    firing.remove(key);
    Instant now = clock.instant();
    for (Route route : routes.values()) {
      if (route.config.id().getNamespace().orElse("").equals(namespace)) {
        route.groups.resolve(a -> sameProbe(a, namespace, probe), now);
        route.fingerprints.remove(key);
      }
    }
  }

  /** The first of {@code dependsOn} (probes of the namespace) known Unhealthy. */
  public Optional<String> unhealthyDependency(String namespace, List<String> dependsOn) {
    if (dependsOn == null) {
      return Optional.empty();
    }
    return dependsOn.stream().filter(d -> firing.containsKey(namespace + "/" + d)).findFirst();
  }

  private static boolean sameProbe(Alert alert, String namespace, String probe) {
    return namespace.equals(alert.labels().get("namespace"))
        && probe.equals(alert.labels().get("probe"));
  }

  /**
   * Brings every route's firing alerts in line with what is known of their probes: deleted ones,
   * ones reported healthy (before the route was installed, or while the operator was down), ones
   * whose labels changed and ones the route no longer selects are resolved.
   */
  void sweep(Instant now) {
    java.util.function.Predicate<ResourceID> probes = probeExists;
    if (probes != null) {
      for (String key : List.copyOf(reported)) {
        int slash = key.indexOf('/');
        if (!probes.test(new ResourceID(key.substring(slash + 1), key.substring(0, slash)))) {
          reported.remove(key);
          firing.remove(key);
          routes.values().forEach(route -> route.fingerprints.remove(key));
        }
      }
    }
    for (Route route : routes.values()) {
      route.groups.resolve(
          alert -> {
            String namespace = alert.labels().get("namespace");
            String probe = alert.labels().get("probe");
            String key = namespace + "/" + probe;
            Firing current = firing.get(key);
            if (current != null) {
              return !current.alert().fingerprint().equals(alert.fingerprint())
                  || !route.matches(current.transition());
            }
            return reported.contains(key)
                || (probes != null && !probes.test(new ResourceID(probe, namespace)));
          },
          now);
    }
  }

  /** The alert of a transition: stable labels (its fingerprint), the rest in annotations. */
  static Alert alert(ProbeTransition t) {
    Map<String, String> labels = new TreeMap<>();
    if (t.probeLabels() != null) {
      labels.putAll(t.probeLabels());
    }
    if (t.alertLabels() != null) {
      labels.putAll(t.alertLabels());
    }
    labels.put("alertname", ALERTNAME);
    labels.put("namespace", t.namespace());
    labels.put("probe", t.probe());
    labels.put("severity", t.severity());
    labels.put("check", t.checkType());
    Map<String, String> annotations = new TreeMap<>();
    if (t.alertAnnotations() != null) {
      annotations.putAll(t.alertAnnotations());
    }
    annotations.putIfAbsent(
        "summary", "HealthProbe " + t.namespace() + "/" + t.probe() + " is unhealthy");
    annotations.put("reason", t.reason() == null ? "" : t.reason());
    annotations.put("message", t.message() == null ? "" : t.message());
    Status status = t.unhealthy() ? Status.FIRING : Status.RESOLVED;
    return new Alert(
        fingerprint(labels),
        status,
        Map.copyOf(labels),
        Map.copyOf(annotations),
        t.since(),
        t.unhealthy() ? null : t.since(),
        t.severity());
  }

  /** 16 hex digits of SHA-256 over the sorted labels. */
  static String fingerprint(Map<String, String> labels) {
    StringBuilder text = new StringBuilder();
    new TreeMap<>(labels).forEach((k, v) -> text.append(k).append('\0').append(v).append('\0'));
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  /** A firing probe's alert is inhibited while one of its dependsOn is firing too. */
  private Optional<String> inhibitedBy(Alert alert) {
    String namespace = alert.labels().get("namespace");
    Firing probe = firing.get(namespace + "/" + alert.labels().get("probe"));
    if (probe == null) {
      return Optional.empty();
    }
    return unhealthyDependency(namespace, probe.transition().dependsOn())
        .map(dependency -> "dependency " + dependency + " is unhealthy");
  }

  void tick() {
    try {
      Instant now = clock.instant();
      if (++ticks % SWEEP_TICKS == 0) {
        List.copyOf(routes.keySet()).stream().filter(id -> !exists.test(id)).forEach(this::remove);
        sweep(now);
      }
      for (Route route : routes.values()) {
        heartbeat(route, now);
        boolean changed = false;
        for (AlertGroups.Flush flush : route.groups.due(now)) {
          changed |= record(route, flush, now);
        }
        if (changed) {
          ledgerChanged.accept(route.config.id());
        }
      }
    } catch (RuntimeException e) {
      LOG.warnf("alert routing tick failed: %s", e.getClass().getSimpleName());
    }
  }

  /**
   * Sends a flush to the route's sinks and records it in the ledger; true if the ledger changed.
   */
  private boolean record(Route route, AlertGroups.Flush flush, Instant now) {
    boolean changed = false;
    for (Map.Entry<String, String> muted : flush.muted().entrySet()) {
      auditMuted(route, muted.getKey(), muted.getValue());
      changed |= route.ledger.remove(muted.getKey()) != null;
    }
    for (String fingerprint : flush.forgotten()) {
      changed |= route.ledger.remove(fingerprint) != null;
    }
    if (flush.alerts().isEmpty()) {
      return changed;
    }
    Map<String, Notification> bySink = new LinkedHashMap<>();
    route
        .dispatchers
        .keySet()
        .forEach(name -> bySink.put(name, notification(route, name, flush, now)));
    for (Alert alert : flush.alerts()) {
      Map<String, String> unconfirmed = new ConcurrentHashMap<>();
      bySink.forEach((name, n) -> unconfirmed.put(name, n.id()));
      if (unconfirmed.isEmpty() && alert.status() == Status.RESOLVED) {
        route.ledger.remove(alert.fingerprint());
      } else {
        route.ledger.put(alert.fingerprint(), new Entry(alert, now, unconfirmed));
      }
    }
    bySink.forEach((name, n) -> route.dispatchers.get(name).offer(n));
    return true;
  }

  private void heartbeat(Route route, Instant now) {
    java.time.Duration interval = route.config.heartbeatInterval();
    if (interval == null || now.isBefore(route.lastHeartbeat.plus(interval))) {
      return;
    }
    route.lastHeartbeat = now;
    Set<String> only = route.config.heartbeatSinks();
    route.dispatchers.forEach(
        (name, d) -> {
          if (only == null || only.isEmpty() || only.contains(name)) {
            d.offer(special(route, name, Notification.Kind.HEARTBEAT, null, now));
          }
        });
  }

  static Notification notification(Route owner, String sink, AlertGroups.Flush flush, Instant now) {
    RouteConfig c = owner.config;
    Redactor redactor = c.redactor();
    List<Alert> alerts = new ArrayList<>();
    for (Alert a : flush.alerts()) {
      Map<String, String> annotations = new TreeMap<>();
      a.annotations().forEach((k, v) -> annotations.put(k, redactor.redact(v)));
      alerts.add(
          new Alert(
              a.fingerprint(),
              a.status(),
              a.labels(),
              Map.copyOf(annotations),
              a.startsAt(),
              a.endsAt(),
              a.severity()));
    }
    Status status = flush.status();
    long firing = alerts.stream().filter(a -> a.status() == Status.FIRING).count();
    String route = c.id().getNamespace().orElse("") + "/" + c.id().getName();
    String title =
        "["
            + (status == Status.FIRING ? "FIRING:" + firing : "RESOLVED")
            + "] "
            + (alerts.size() == 1
                ? alerts.get(0).labels().get("namespace")
                    + "/"
                    + alerts.get(0).labels().get("probe")
                    + (status == Status.FIRING
                        ? " " + alerts.get(0).annotations().getOrDefault("reason", "")
                        : " recovered")
                : flush.groupKey() + " (" + alerts.size() + " probes)");
    String text = summary(alerts, firing);
    String id =
        fingerprint(
            Map.of(
                "route", route,
                "sink", sink,
                "group", flush.groupKey(),
                "at", now.toString(),
                "alerts",
                    alerts.stream().map(a -> a.fingerprint() + a.status()).toList().toString()));
    return rendered(
        c,
        new Notification(
            id,
            Notification.Kind.ALERTS,
            route,
            sink,
            flush.groupKey(),
            status,
            flush.groupLabels(),
            common(alerts.stream().map(Alert::labels).toList()),
            common(alerts.stream().map(Alert::annotations).toList()),
            List.copyOf(alerts),
            redactor.redact(title),
            redactor.redact(text),
            now));
  }

  /**
   * A short text: the sinks show each alert's details themselves. One alert: its summary and, when
   * firing, reason and message; several: the counts and the first probes.
   */
  private static String summary(List<Alert> alerts, long firing) {
    if (alerts.size() == 1) {
      Alert a = alerts.get(0);
      String summary = a.annotations().getOrDefault("summary", "");
      return a.status() == Status.FIRING
          ? summary
              + " — "
              + a.annotations().getOrDefault("reason", "")
              + ": "
              + a.annotations().getOrDefault("message", "")
          : summary + " — resolved";
    }
    List<String> probes =
        alerts.stream()
            .map(a -> a.labels().get("namespace") + "/" + a.labels().get("probe"))
            .limit(5)
            .toList();
    return firing
        + " firing, "
        + (alerts.size() - firing)
        + " resolved: "
        + String.join(", ", probes)
        + (alerts.size() > 5 ? " and " + (alerts.size() - 5) + " more" : "");
  }

  private static Map<String, String> common(List<Map<String, String>> maps) {
    if (maps.isEmpty()) {
      return Map.of();
    }
    Map<String, String> common = new TreeMap<>(maps.get(0));
    for (Map<String, String> m : maps.subList(1, maps.size())) {
      common.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey())));
    }
    return Map.copyOf(common);
  }

  private static void outcome(Notification n, Delivery d) {
    MDC.put("route", n.route());
    MDC.put("sink", n.receiver());
    MDC.put("notificationId", n.id());
    MDC.put("status", n.status().wire());
    MDC.put("result", d.delivered() ? "delivered" : d.retryable() ? "retrying" : "failed");
    try {
      if (d.delivered()) {
        AUDIT.infof(
            "notification %s delivered to %s%s",
            n.id(), n.receiver(), d.reference() == null ? "" : " (" + d.reference() + ")");
      } else {
        AUDIT.infof(
            "notification %s to %s %s: %s",
            n.id(), n.receiver(), d.retryable() ? "will be retried" : "failed", d.error());
      }
    } finally {
      MDC.clear();
    }
  }

  private static void auditMuted(Route route, String fingerprint, String by) {
    MDC.put(
        "route", route.config.id().getNamespace().orElse("") + "/" + route.config.id().getName());
    MDC.put("fingerprint", fingerprint);
    try {
      AUDIT.infof("alert %s muted by %s: recorded, not sent", fingerprint, by);
    } finally {
      MDC.clear();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    routes.values().forEach(Route::close);
    routes.clear();
  }
}
