package io.dihya.vigie.alert.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.IpfsSink;
import io.dihya.vigie.probe.check.SecretValues;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * Adds each notification to an IPFS node as one JSON file through the Kubo RPC API ({@code POST
 * <url>/api/v0/add?pin=true}, multipart/form-data with one file part) and returns the CID the node
 * answers (its {@code Hash}) as the delivery's reference, for the audit log and status.
 *
 * <p>The file is the notification as canonical JSON (fixed field order, maps sorted by key), so
 * that a retried notification is the same file and gets the same CID: a retry after a lost answer
 * adds nothing new. Everything in it is already redacted; the request headers (a proxy's
 * Authorization, from a Secret) are never part of it.
 */
final class IpfsAlertSink implements AlertSink {

  @Override
  public String type() {
    return "ipfs";
  }

  /** The document's schema, first field of every file. */
  static final String SCHEMA = "vigie.dihya.io/notification/v1";

  private static final String FIELD = "ipfs";
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final Pattern CID = Pattern.compile("[A-Za-z0-9]{8,128}");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  /** Headers the sink sets itself or the JDK client refuses. */
  private static final Set<String> RESERVED =
      Set.of(
          "content-type",
          "content-length",
          "host",
          "connection",
          "expect",
          "upgrade",
          "transfer-encoding",
          "te",
          "trailer",
          "keep-alive",
          "proxy-connection");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final SinkHttp http;
  private final HttpClient client;
  private final URI endpoint;
  private final List<String[]> headers;

  private IpfsAlertSink(SinkHttp http, HttpClient client, URI endpoint, List<String[]> headers) {
    this.http = http;
    this.client = client;
    this.endpoint = endpoint;
    this.headers = headers;
  }

  static AlertSink create(
      IpfsSink spec, SecretValues secrets, SinkHttp http, Executor executor, Clock clock) {
    URI base = AlertmanagerAlertSink.endpoint(spec.url, FIELD + ".url", "/api/v0/add");
    boolean pin = spec.pin == null || spec.pin;
    URI endpoint;
    try {
      endpoint = new URI(base + "?pin=" + pin);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(FIELD + ".url: not a valid URL");
    }
    List<String[]> headers = new ArrayList<>();
    List<HttpHeader> extra = spec.headers == null ? List.of() : spec.headers;
    for (int i = 0; i < extra.size(); i++) {
      headers.add(header(extra.get(i), secrets, FIELD + ".headers[" + i + "]"));
    }
    HttpClient client = http.client(spec.tls, secrets, FIELD + ".tls");
    return new IpfsAlertSink(http, client, endpoint, List.copyOf(headers));
  }

  private static String[] header(HttpHeader header, SecretValues secrets, String field) {
    if (header == null || header.name == null || !TOKEN.matcher(header.name).matches()) {
      throw new IllegalArgumentException(field + ".name: not a valid header name");
    }
    if (RESERVED.contains(header.name.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(field + ".name: set by the sink, cannot be overridden");
    }
    boolean inline = header.value != null;
    boolean fromSecret = header.valueFrom != null && header.valueFrom.secretKeyRef != null;
    if (inline == fromSecret) {
      throw new IllegalArgumentException(field + ": set exactly one of value and valueFrom");
    }
    String value = inline ? header.value : secrets.get(header.valueFrom.secretKeyRef);
    if (value == null) {
      throw new IllegalArgumentException(field + ".valueFrom: the Secret key is missing");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        throw new IllegalArgumentException(
            field + ": the value holds a line break or control character");
      }
    }
    return new String[] {header.name, value};
  }

  @Override
  public CompletableFuture<Delivery> send(Notification notification, Duration timeout) {
    byte[] file;
    try {
      file = JSON.writeValueAsBytes(document(notification));
    } catch (JsonProcessingException | RuntimeException e) {
      return CompletableFuture.completedFuture(
          Delivery.fail("the notification could not be encoded"));
    }
    String boundary = "vigie-" + HexFormat.of().formatHex(randomBytes());
    List<String[]> request = new ArrayList<>(headers.size() + 1);
    request.add(new String[] {"Content-Type", "multipart/form-data; boundary=" + boundary});
    request.addAll(headers);
    byte[] body = multipart(boundary, fileName(notification), file);
    return http.post(client, endpoint, request, body, timeout)
        .handle(
            (response, error) -> {
              if (error != null) {
                return Delivery.retry("the sink is shut down", null);
              }
              if (!response.delivery().delivered()) {
                return response.delivery();
              }
              String cid = cid(response.body());
              return cid == null
                  ? Delivery.fail("the IPFS node answered without a CID")
                  : Delivery.ok(cid);
            });
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** "vigie-ID.json", or by kind and time when the id is not a safe file name. */
  static String fileName(Notification n) {
    String id = n.id() == null ? "" : n.id();
    if (SAFE_NAME.matcher(id).matches()) {
      return "vigie-" + id + ".json";
    }
    return "vigie-notification.json";
  }

  static byte[] multipart(String boundary, String fileName, byte[] file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(file.length + 256);
    String head =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
            + fileName
            + "\"\r\nContent-Type: application/json\r\n\r\n";
    out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(file);
    out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /**
   * The CID of the added file: Kubo answers one JSON object per line (more with progress or
   * directories); the last one with a Hash is the file's.
   */
  static String cid(String body) {
    String found = null;
    for (String line : body.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode hash = JSON.readTree(line).path("Hash");
        if (hash.isTextual() && CID.matcher(hash.asText()).matches()) {
          found = hash.asText();
        }
      } catch (JsonProcessingException e) {
        return null;
      }
    }
    return found;
  }

  /** The file's content: the notification, with a schema name. */
  static ObjectNode document(Notification n) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("schema", SCHEMA);
    doc.put("id", n.id());
    doc.put("kind", n.kind() == null ? null : n.kind().name().toLowerCase(Locale.ROOT));
    doc.put("route", n.route());
    doc.put("receiver", n.receiver());
    doc.put("groupKey", n.groupKey());
    doc.put("status", n.status() == null ? null : n.status().wire());
    doc.put("title", n.title());
    doc.put("text", n.text());
    doc.put("createdAt", time(n.createdAt()));
    doc.set("groupLabels", map(n.groupLabels()));
    doc.set("commonLabels", map(n.commonLabels()));
    doc.set("commonAnnotations", map(n.commonAnnotations()));
    ArrayNode alerts = doc.putArray("alerts");
    for (Notification.Alert alert :
        n.alerts() == null ? List.<Notification.Alert>of() : n.alerts()) {
      ObjectNode a = alerts.addObject();
      a.put("fingerprint", alert.fingerprint());
      a.put("status", alert.status() == null ? null : alert.status().wire());
      a.put("severity", alert.severity());
      a.set("labels", map(alert.labels()));
      a.set("annotations", map(alert.annotations()));
      a.put("startsAt", time(alert.startsAt()));
      a.put("endsAt", time(alert.endsAt()));
    }
    return doc;
  }

  private static ObjectNode map(Map<String, String> map) {
    ObjectNode node = JSON.createObjectNode();
    if (map != null) {
      new TreeMap<>(map).forEach(node::put);
    }
    return node;
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
