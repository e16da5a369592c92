package io.dihya.vigie.alert.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dihya.vigie.api.v1alpha1.AlertmanagerSink;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.probe.check.SecretValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * Posts alerts to an Alertmanager's API v2 ({@code POST <url>/api/v2/alerts}, a JSON array), so
 * that teams that page through Alertmanager keep one pager. Alertmanager groups, silences, inhibits
 * and notifies; vigie only tells it which alerts fire and which resolved.
 *
 * <ul>
 *   <li>Each alert keeps its labels, with {@code alertname} set to {@value #ALERTNAME} unless the
 *       probe's labels name it. The reason stays an annotation: a label that changes with the
 *       failure would make a new alert in Alertmanager and leave the old one firing.
 *   <li>Firing: endsAt {@link #FIRING_HORIZON} ahead. Without an endsAt Alertmanager would resolve
 *       the alert after its resolve_timeout (5m by default) unless posted again, and the pipeline
 *       re-posts a firing group only every repeatInterval (4h by default): keep the route's
 *       repeatInterval below the horizon. Resolved: endsAt is the resolve time, in the past.
 *   <li>TEST: one alert {@value #TEST_ALERTNAME} labelled vigie_test="true" and the notification id
 *       (a new alert each time, so Alertmanager notifies each test), ending {@link #TEST_LIFETIME}
 *       after it starts.
 *   <li>HEARTBEAT: one always-firing alert {@value #HEARTBEAT_ALERTNAME} (route and receiver as
 *       labels) for a dead-man's switch: route it to the switch with a short repeat_interval. Its
 *       endsAt is twice the interval between the last two heartbeats this sink sent (the first one
 *       since the sink was built: {@link #FIRST_HEARTBEAT_HORIZON}), so that it resolves when vigie
 *       stops sending.
 * </ul>
 *
 * Label and annotation names Alertmanager would reject (it accepts [a-zA-Z_][a-zA-Z0-9_]*, and
 * refuses the whole batch for one bad name) are rewritten as Prometheus does: every other character
 * becomes '_' ("app.kubernetes.io/name" becomes "app_kubernetes_io_name"). Empty values are left
 * out, as Alertmanager would.
 */
final class AlertmanagerAlertSink implements AlertSink {

  @Override
  public String type() {
    return "alertmanager";
  }

  static final String ALERTNAME = "VigieProbeFailed";
  static final String TEST_ALERTNAME = "VigieTest";
  static final String HEARTBEAT_ALERTNAME = "VigieHeartbeat";
  static final Duration TEST_LIFETIME = Duration.ofMinutes(5);
  static final Duration FIRST_HEARTBEAT_HORIZON = Duration.ofHours(1);
  static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofMinutes(1);
  static final Duration MAX_HEARTBEAT_INTERVAL = Duration.ofHours(24);

  private static final String FIELD = "alertmanager";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VALID_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern INVALID_CHARS = Pattern.compile("[^a-zA-Z0-9_]");

  private final SinkHttp http;
  private final HttpClient client;
  private final URI endpoint;
  private final List<String[]> headers;
  private final Clock clock;
  private Instant lastHeartbeat;
  private Duration lastInterval;

  private AlertmanagerAlertSink(
      SinkHttp http, HttpClient client, URI endpoint, List<String[]> headers, Clock clock) {
    this.http = http;
    this.client = client;
    this.endpoint = endpoint;
    this.headers = headers;
    this.clock = clock;
  }

  static AlertSink create(
      AlertmanagerSink spec, SecretValues secrets, SinkHttp http, Executor executor, Clock clock) {
    URI endpoint = endpoint(spec.url, FIELD + ".url", "/api/v2/alerts");
    if (spec.bearerTokenSecretRef != null && spec.basicAuth != null) {
      throw new IllegalArgumentException(
          FIELD + ": set at most one of bearerTokenSecretRef and basicAuth");
    }
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Content-Type", "application/json"});
    if (spec.bearerTokenSecretRef != null) {
      String token = secret(spec.bearerTokenSecretRef, secrets, "bearerTokenSecretRef");
      headers.add(new String[] {"Authorization", "Bearer " + token});
    } else if (spec.basicAuth != null) {
      if (spec.basicAuth.usernameSecretRef == null || spec.basicAuth.passwordSecretRef == null) {
        throw new IllegalArgumentException(
            FIELD + ".basicAuth: usernameSecretRef and passwordSecretRef are required");
      }
      String user =
          secret(spec.basicAuth.usernameSecretRef, secrets, "basicAuth.usernameSecretRef");
      if (user.indexOf(':') >= 0) {
        throw new IllegalArgumentException(
            FIELD + ".basicAuth.usernameSecretRef: a user name cannot contain ':'");
      }
      String password =
          secret(spec.basicAuth.passwordSecretRef, secrets, "basicAuth.passwordSecretRef");
      String pair = user + ":" + password;
      headers.add(
          new String[] {
            "Authorization",
            "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8))
          });
    }
    HttpClient client = http.client(spec.tls, secrets, FIELD + ".tls");
    return new AlertmanagerAlertSink(http, client, endpoint, List.copyOf(headers), clock);
  }

  /**
   * {@code base} (validated by {@link SinkHttp#url}) with {@code path} appended to its path.
   * Credentials in the URL are refused: the JDK client would not send them, and status would show
   * them.
   */
  static URI endpoint(String base, String field, String path) {
    URI uri = SinkHttp.url(base, field);
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          field + ": must not hold credentials; use the sink's authentication settings");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(field + ": must be a base URL, without ?query or #");
    }
    String basePath = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (basePath.endsWith("/")) {
      basePath = basePath.substring(0, basePath.length() - 1);
    }
    try {
      return new URI(uri.getScheme() + "://" + uri.getRawAuthority() + basePath + path);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(field + ": not a valid URL");
    }
  }

  /** A non-empty, single-line Secret value (it goes into an HTTP header). */
  static String secret(SecretKeyRef ref, SecretValues secrets, String name) {
    String value = secrets.get(ref);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(FIELD + "." + name + ": the Secret key is empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        throw new IllegalArgumentException(
            FIELD + "." + name + ": the value holds a line break or control character");
      }
    }
    return value;
  }

  @Override
  public CompletableFuture<Delivery> send(Notification notification, Duration timeout) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(alerts(notification));
    } catch (JsonProcessingException | RuntimeException e) {
      return CompletableFuture.completedFuture(Delivery.fail("the alerts could not be encoded"));
    }
    return http.post(client, endpoint, headers, body, timeout)
        .handle(
            (response, error) ->
                error == null
                    ? response.delivery()
                    : Delivery.retry("the sink is shut down", null));
  }

  /** The JSON array posted for a notification. */
  ArrayNode alerts(Notification n) {
    ArrayNode alerts = JSON.createArrayNode();
    Notification.Kind kind = n.kind() == null ? Notification.Kind.ALERTS : n.kind();
    switch (kind) {
      case TEST -> alerts.add(test(n));
      case HEARTBEAT -> alerts.add(heartbeat(n));
      case ALERTS -> {
        for (Notification.Alert alert :
            n.alerts() == null ? List.<Notification.Alert>of() : n.alerts()) {
          alerts.add(alert(alert));
        }
      }
    }
    return alerts;
  }

  /** How long Alertmanager keeps a firing alert active without hearing of it again. */
  static final java.time.Duration FIRING_HORIZON = java.time.Duration.ofHours(25);

  private ObjectNode alert(Notification.Alert alert) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("alertname", ALERTNAME);
    labels.putAll(names(alert.labels()));
    Instant startsAt = alert.startsAt() == null ? clock.instant() : alert.startsAt();
    Instant endsAt = clock.instant().plus(FIRING_HORIZON);
    if (alert.status() == Notification.Status.RESOLVED) {
      endsAt = alert.endsAt() == null ? clock.instant() : alert.endsAt();
      if (endsAt.isBefore(startsAt)) {
        endsAt = startsAt; // Alertmanager refuses an alert that ends before it starts
      }
    }
    return node(labels, names(alert.annotations()), startsAt, endsAt);
  }

  private ObjectNode test(Notification n) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("alertname", TEST_ALERTNAME);
    labels.put("vigie_test", "true");
    labels.put("vigie_test_id", n.id());
    labels.put("vigie_route", n.route());
    labels.put("vigie_receiver", n.receiver());
    labels.put("severity", "info");
    Instant at = n.createdAt() == null ? clock.instant() : n.createdAt();
    return node(labels, describe(n), at, at.plus(TEST_LIFETIME));
  }

  private ObjectNode heartbeat(Notification n) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("alertname", HEARTBEAT_ALERTNAME);
    labels.put("vigie_route", n.route());
    labels.put("vigie_receiver", n.receiver());
    labels.put("severity", "none");
    Instant at = n.createdAt() == null ? clock.instant() : n.createdAt();
    return node(labels, describe(n), at, at.plus(heartbeatInterval(at).multipliedBy(2)));
  }

  /**
   * The time since the previous heartbeat, within [1m, 24h]; half the first horizon when there was
   * none. A retry of the same heartbeat (same time) gets the interval of its first attempt.
   */
  private synchronized Duration heartbeatInterval(Instant at) {
    if (lastHeartbeat != null && !at.isAfter(lastHeartbeat)) {
      return lastInterval;
    }
    Duration interval =
        lastHeartbeat == null
            ? FIRST_HEARTBEAT_HORIZON.dividedBy(2)
            : clamp(Duration.between(lastHeartbeat, at));
    lastHeartbeat = at;
    lastInterval = interval;
    return interval;
  }

  private static Duration clamp(Duration interval) {
    if (interval.compareTo(MIN_HEARTBEAT_INTERVAL) < 0) {
      return MIN_HEARTBEAT_INTERVAL;
    }
    return interval.compareTo(MAX_HEARTBEAT_INTERVAL) > 0 ? MAX_HEARTBEAT_INTERVAL : interval;
  }

  private static Map<String, String> describe(Notification n) {
    Map<String, String> annotations = new LinkedHashMap<>();
    if (n.title() != null && !n.title().isEmpty()) {
      annotations.put("summary", n.title());
    }
    if (n.text() != null && !n.text().isEmpty()) {
      annotations.put("description", n.text());
    }
    return annotations;
  }

  private static ObjectNode node(
      Map<String, String> labels,
      Map<String, String> annotations,
      Instant startsAt,
      Instant endsAt) {
    ObjectNode node = JSON.createObjectNode();
    ObjectNode labelNode = node.putObject("labels");
    labels.forEach(
        (name, value) -> {
          if (value != null && !value.isEmpty()) {
            labelNode.put(name, value);
          }
        });
    ObjectNode annotationNode = node.putObject("annotations");
    annotations.forEach(
        (name, value) -> {
          if (value != null && !value.isEmpty()) {
            annotationNode.put(name, value);
          }
        });
    node.put("startsAt", startsAt.toString());
    if (endsAt != null) {
      node.put("endsAt", endsAt.toString());
    }
    return node;
  }

  /**
   * Names Alertmanager accepts. A valid name wins over a rewritten one that collides with it, and
   * rewritten names are taken in name order, so that the same one wins every time.
   */
  static Map<String, String> names(Map<String, String> entries) {
    Map<String, String> out = new LinkedHashMap<>();
    if (entries == null) {
      return out;
    }
    Map<String, String> rewritten = new TreeMap<>();
    new TreeMap<>(entries)
        .forEach(
            (name, value) -> {
              if (name == null || name.isEmpty() || value == null || value.isEmpty()) {
                return;
              }
              if (VALID_NAME.matcher(name).matches()) {
                out.put(name, value);
              } else {
                String valid = INVALID_CHARS.matcher(name).replaceAll("_");
                rewritten.putIfAbsent(
                    Character.isDigit(valid.charAt(0)) ? "_" + valid : valid, value);
              }
            });
    rewritten.forEach(out::putIfAbsent);
    return out;
  }
}
