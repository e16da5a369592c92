package io.dihya.vigie.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dihya.vigie.api.v1alpha1.ClientTls;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.IpfsSink;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.probe.check.SecretValues;
import io.dihya.vigie.testing.LocalIpfs;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ipfs sink against a real IPFS node (js-ipfs, same RPC API as Kubo) on loopback: each
 * notification added, its CID returned, the bytes read back with /api/v0/cat and the pin checked.
 * Headers, the multipart body, odd answers, HTTPS and timeouts against a recording HTTP server.
 */
class IpfsAlertSinkTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String CANARY = "canary-Pr0xy-91c2d7";
  private static final Pattern CID = Pattern.compile("(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{50,})");

  private static ExecutorService executor;
  private static SinkHttp http;
  private static LocalIpfs ipfs;

  private final Map<String, String> secretData = new HashMap<>();
  private final SecretValues secrets = ref -> secretData.get(ref.name + "/" + ref.key);
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @BeforeAll
  static void start() {
    executor = Executors.newCachedThreadPool();
    http = new SinkHttp(executor);
    ipfs = LocalIpfs.launch();
  }

  @AfterAll
  static void stop() {
    if (ipfs != null) {
      ipfs.close();
    }
    executor.shutdownNow();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable closeable : closeLater) {
      closeable.close();
    }
  }

  private SecretKeyRef secret(String name, String value) {
    secretData.put(name + "/value", value);
    return new SecretKeyRef(name, "value");
  }

  private static IpfsSink spec(String url) {
    IpfsSink spec = new IpfsSink();
    spec.url = url;
    return spec;
  }

  private AlertSink sink(IpfsSink spec) {
    AlertSink sink = IpfsAlertSink.create(spec, secrets, http, executor, Clock.systemUTC());
    assertThat(sink.type()).isEqualTo("ipfs"); // the sink_type label of its metrics
    return sink;
  }

  private static Delivery send(AlertSink sink, Notification n) throws Exception {
    return sink.send(n, TIMEOUT).get(20, TimeUnit.SECONDS);
  }

  private static HttpHeader header(String name, String value) {
    HttpHeader header = new HttpHeader();
    header.name = name;
    header.value = value;
    return header;
  }

  // --- against the real node ---

  @Test
  void aNotificationIsAddedPinnedAndReadableByItsCid() throws Exception {
    Notification n = EmailTestNotifications.firing("n-1");

    Delivery delivery = send(sink(spec(ipfs.url())), n);

    assertThat(delivery.delivered()).as(String.valueOf(delivery)).isTrue();
    assertThat(delivery.reference()).matches(CID);
    byte[] stored = ipfs.cat(delivery.reference());
    assertThat(stored).isEqualTo(JSON.writeValueAsBytes(IpfsAlertSink.document(n)));
    JsonNode doc = JSON.readTree(stored);
    assertThat(doc.path("schema").asText()).isEqualTo("vigie.dihya.io/notification/v1");
    assertThat(doc.path("id").asText()).isEqualTo("n-1");
    assertThat(doc.path("kind").asText()).isEqualTo("alerts");
    assertThat(doc.path("status").asText()).isEqualTo("firing");
    assertThat(doc.path("route").asText()).isEqualTo("shop/oncall");
    assertThat(doc.path("title").asText())
        .isEqualTo("[FIRING:1] shop/orders-api ConnectionRefused");
    assertThat(doc.path("createdAt").asText()).isEqualTo("2026-11-24T10:00:30Z");
    JsonNode alert = doc.path("alerts").get(0);
    assertThat(alert.path("fingerprint").asText()).isEqualTo("0a1b2c3d4e5f6789");
    assertThat(alert.path("labels").path("app.kubernetes.io/name").asText()).isEqualTo("orders");
    assertThat(alert.path("startsAt").asText()).isEqualTo("2026-11-24T10:00:00Z");
    assertThat(alert.path("endsAt").isNull()).isTrue();
    assertThat(ipfs.pinned(delivery.reference())).isTrue();
  }

  @Test
  void eachKindIsStoredAndARetryIsTheSameFile() throws Exception {
    AlertSink sink = sink(spec(ipfs.url() + "/"));
    Instant at = Instant.parse("2026-11-24T11:00:00Z");
    Map<String, String> cids = new LinkedHashMap<>();
    for (Notification n :
        List.of(
            EmailTestNotifications.resolved("n-2"),
            EmailTestNotifications.test("n-3", at),
            EmailTestNotifications.heartbeat("n-4", at))) {
      Delivery delivery = send(sink, n);
      assertThat(delivery.delivered()).as(String.valueOf(delivery)).isTrue();
      cids.put(n.id(), delivery.reference());
      JsonNode doc = JSON.readTree(ipfs.cat(delivery.reference()));
      assertThat(doc.path("id").asText()).isEqualTo(n.id());
    }
    assertThat(cids.values()).doesNotHaveDuplicates();
    JsonNode resolved = JSON.readTree(ipfs.cat(cids.get("n-2")));
    assertThat(resolved.path("status").asText()).isEqualTo("resolved");
    assertThat(resolved.path("alerts").get(0).path("endsAt").asText())
        .isEqualTo("2026-11-24T10:05:00Z");
    assertThat(JSON.readTree(ipfs.cat(cids.get("n-3"))).path("kind").asText()).isEqualTo("test");
    assertThat(JSON.readTree(ipfs.cat(cids.get("n-4"))).path("kind").asText())
        .isEqualTo("heartbeat");

    // The pipeline retries with the same notification: the same bytes, the same CID.
    assertThat(send(sink, EmailTestNotifications.resolved("n-2")).reference())
        .isEqualTo(cids.get("n-2"));
  }

  @Test
  void unpinnedContentIsAddedButNotPinned() throws Exception {
    IpfsSink spec = spec(ipfs.url());
    spec.pin = false;
    Notification n = EmailTestNotifications.firing("n-5", Instant.parse("2026-11-24T12:00:00Z"));

    Delivery delivery = send(sink(spec), n);

    assertThat(delivery.delivered()).isTrue();
    assertThat(JSON.readTree(ipfs.cat(delivery.reference())).path("id").asText()).isEqualTo("n-5");
    assertThat(ipfs.pinned(delivery.reference())).isFalse();
  }

  @Test
  void aNodeThatIsDownIsRetryable() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    assertThat(send(sink(spec("http://127.0.0.1:" + port)), EmailTestNotifications.firing("n-6")))
        .isEqualTo(Delivery.retry("connection refused", null));
  }

  // --- the request, against a recording server ---

  private AlertmanagerTestHttpServer recorder(String answer) throws Exception {
    AlertmanagerTestHttpServer server = AlertmanagerTestHttpServer.start();
    server.body = answer;
    closeLater.add(server);
    return server;
  }

  @Test
  void oneMultipartFilePartWithTheSpecHeaders() throws Exception {
    AlertmanagerTestHttpServer server =
        recorder(
            "{\"Name\":\"vigie-n-7.json\",\"Hash\":\"QmesNfBa5gMx91CKmvELgz2MzeLyDWs9PX2h4LuUqvLY4K\",\"Size\":\"9\"}\n");
    IpfsSink spec = spec(server.url("/ipfs-proxy"));
    HttpHeader fromSecret = new HttpHeader();
    fromSecret.name = "Authorization";
    fromSecret.valueFrom = new HttpHeader.ValueFrom();
    fromSecret.valueFrom.secretKeyRef = secret("proxy", "Bearer " + CANARY);
    spec.headers = List.of(header("X-Source", "vigie"), fromSecret);
    Notification n = EmailTestNotifications.firing("n-7");

    Delivery delivery = send(sink(spec), n);

    assertThat(delivery).isEqualTo(Delivery.ok("QmesNfBa5gMx91CKmvELgz2MzeLyDWs9PX2h4LuUqvLY4K"));
    AlertmanagerTestHttpServer.Request request = server.requests.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.uri()).isEqualTo("/ipfs-proxy/api/v0/add?pin=true");
    assertThat(request.header("X-Source")).isEqualTo("vigie");
    assertThat(request.header("Authorization")).isEqualTo("Bearer " + CANARY);
    Matcher type =
        Pattern.compile("multipart/form-data; boundary=(vigie-[0-9a-f]{24})")
            .matcher(request.header("Content-Type"));
    assertThat(type.matches()).isTrue();
    String boundary = type.group(1);
    String json =
        new String(JSON.writeValueAsBytes(IpfsAlertSink.document(n)), StandardCharsets.UTF_8);
    assertThat(request.text())
        .isEqualTo(
            "--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\";"
                + " filename=\"vigie-n-7.json\"\r\nContent-Type: application/json\r\n\r\n"
                + json
                + "\r\n--"
                + boundary
                + "--\r\n");
    assertThat(json).doesNotContain(CANARY);
  }

  @Test
  void answersWithoutAUsableCidAreFailures() throws Exception {
    AlertmanagerTestHttpServer server = recorder("");
    AlertSink sink = sink(spec(server.url("")));
    Notification n = EmailTestNotifications.firing("n-8");

    server.body = "{\"Name\":\"x\"}";
    assertThat(send(sink, n)).isEqualTo(Delivery.fail("the IPFS node answered without a CID"));
    server.body = "<html>proxy login</html>";
    assertThat(send(sink, n)).isEqualTo(Delivery.fail("the IPFS node answered without a CID"));
    server.body = "{\"Hash\":\"Qm../../etc\"}";
    assertThat(send(sink, n)).isEqualTo(Delivery.fail("the IPFS node answered without a CID"));
    // With progress or a wrapping directory Kubo answers one object per line: the last wins.
    server.body =
        "{\"Name\":\"a\",\"Bytes\":10}\n{\"Name\":\"a\",\"Hash\":\"QmAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}\n"
            + "{\"Name\":\"\",\"Hash\":\"bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi\"}\n\n";
    assertThat(send(sink, n).reference())
        .isEqualTo("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi");

    server.status = 500;
    server.body = "{\"Message\":\"" + CANARY + "\",\"Code\":0,\"Type\":\"error\"}";
    assertThat(send(sink, n)).isEqualTo(Delivery.retry("HTTP 500", null));
    server.status = 403;
    assertThat(send(sink, n)).isEqualTo(Delivery.fail("HTTP 403"));
    server.status = 200;
    server.delayMillis = 1500;
    assertThat(sink.send(n, Duration.ofMillis(300)).get(5, TimeUnit.SECONDS))
        .isEqualTo(Delivery.retry("no answer within 300ms", null));
  }

  @Test
  void httpsUsesTheSinkAuthority() throws Exception {
    EmailTestPki.Identity ca = EmailTestPki.authority("vigie-ipfs-ca");
    EmailTestPki.Identity cert = EmailTestPki.leaf(ca, "ipfs.vigie.test", "ipfs.vigie.test");
    AlertmanagerTestHttpServer server = AlertmanagerTestHttpServer.startTls(cert.context());
    closeLater.add(server);
    server.body = "{\"Hash\":\"QmesNfBa5gMx91CKmvELgz2MzeLyDWs9PX2h4LuUqvLY4K\"}";
    IpfsSink spec = spec(server.url(""));

    assertThat(send(sink(spec), EmailTestNotifications.firing("n-9")).error())
        .isEqualTo("TLS handshake failed: server certificate not trusted");

    spec.tls = new ClientTls();
    spec.tls.caSecretRef = secret("ca", ca.certificatePem());
    spec.tls.serverName = "ipfs.vigie.test";
    assertThat(send(sink(spec), EmailTestNotifications.firing("n-9")))
        .isEqualTo(Delivery.ok("QmesNfBa5gMx91CKmvELgz2MzeLyDWs9PX2h4LuUqvLY4K"));
  }

  // --- the file ---

  @Test
  void theFileIsCanonicalWhateverTheMapOrder() throws Exception {
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("a", "1");
    forward.put("b", "2");
    Map<String, String> backward = new LinkedHashMap<>();
    backward.put("b", "2");
    backward.put("a", "1");
    Instant at = Instant.parse("2026-11-24T10:00:00Z");
    Notification one =
        new Notification(
            "x", null, "r", "m", "g", null, forward, forward, forward, null, "t", "x", at);
    Notification two =
        new Notification(
            "x", null, "r", "m", "g", null, backward, backward, backward, null, "t", "x", at);
    assertThat(JSON.writeValueAsString(IpfsAlertSink.document(one)))
        .isEqualTo(JSON.writeValueAsString(IpfsAlertSink.document(two)))
        .contains("\"groupLabels\":{\"a\":\"1\",\"b\":\"2\"}")
        .contains("\"kind\":null")
        .contains("\"alerts\":[]");
    Notification.Alert bare = new Notification.Alert(null, null, null, null, null, null, null);
    Notification withBare =
        new Notification(
            "y", null, "r", "m", "g", null, null, null, null, List.of(bare), null, null, null);
    assertThat(JSON.writeValueAsString(IpfsAlertSink.document(withBare)))
        .contains("\"alerts\":[{\"fingerprint\":null,\"status\":null");
  }

  @Test
  void fileNamesComeFromSafeIdsOnly() {
    Instant at = Instant.now();
    assertThat(IpfsAlertSink.fileName(EmailTestNotifications.test("abc-1.2_3", at)))
        .isEqualTo("vigie-abc-1.2_3.json");
    assertThat(IpfsAlertSink.fileName(EmailTestNotifications.test("../etc\"passwd", at)))
        .isEqualTo("vigie-notification.json");
    assertThat(IpfsAlertSink.fileName(EmailTestNotifications.test(null, at)))
        .isEqualTo("vigie-notification.json");
  }

  @Test
  void aNotificationThatCannotBeEncodedFailsAtOnce() throws Exception {
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "v");
    Notification broken =
        new Notification(
            "z", null, "r", "m", "g", null, nullKey, null, null, null, "t", "x", Instant.now());
    assertThat(send(sink(spec("http://127.0.0.1:9")), broken))
        .isEqualTo(Delivery.fail("the notification could not be encoded"));
  }

  // --- specs it cannot build ---

  @Test
  void misconfiguredSpecsAreNamedByFieldAndNeverEchoed() {
    expectInvalid(s -> s.url = " ", "ipfs.url: required");
    expectInvalid(
        s -> s.url = "http://u:" + CANARY + "@ipfs:5001",
        "ipfs.url: must not hold credentials; use the sink's authentication settings");
    expectInvalid(
        s -> s.url = "http://ipfs:5001/?key=" + CANARY,
        "ipfs.url: must be a base URL, without ?query or #");
    expectInvalid(
        s -> s.headers = List.of(header("Bad Name", "x")),
        "ipfs.headers[0].name: not a valid header name");
    expectInvalid(
        s -> s.headers = List.of(header("X-Ok", "x"), header("Content-Type", "text/plain")),
        "ipfs.headers[1].name: set by the sink, cannot be overridden");
    expectInvalid(
        s -> s.headers = List.of(header("X-Ok", null)),
        "ipfs.headers[0]: set exactly one of value and valueFrom");
    expectInvalid(
        s -> {
          HttpHeader both = header("X-Ok", "x");
          both.valueFrom = new HttpHeader.ValueFrom();
          both.valueFrom.secretKeyRef = secret("h", CANARY);
          s.headers = List.of(both);
        },
        "ipfs.headers[0]: set exactly one of value and valueFrom");
    expectInvalid(
        s -> {
          HttpHeader missing = new HttpHeader();
          missing.name = "Authorization";
          missing.valueFrom = new HttpHeader.ValueFrom();
          missing.valueFrom.secretKeyRef = new SecretKeyRef("absent", "key");
          s.headers = List.of(missing);
        },
        "ipfs.headers[0].valueFrom: the Secret key is missing");
    expectInvalid(
        s -> {
          HttpHeader injected = new HttpHeader();
          injected.name = "Authorization";
          injected.valueFrom = new HttpHeader.ValueFrom();
          injected.valueFrom.secretKeyRef = secret("h", CANARY + "\nX-Evil: 1");
          s.headers = List.of(injected);
        },
        "ipfs.headers[0]: the value holds a line break or control character");
    List<HttpHeader> nullHeader = new ArrayList<>();
    nullHeader.add(null);
    expectInvalid(s -> s.headers = nullHeader, "ipfs.headers[0].name: not a valid header name");
    expectInvalid(
        s -> {
          s.tls = new ClientTls();
          s.tls.keySecretRef = secret("k", CANARY);
        },
        "ipfs.tls: certSecretRef and keySecretRef must be set together");
  }

  @Test
  void absentHeadersAndPinDefaultsAreAccepted() throws Exception {
    AlertmanagerTestHttpServer server =
        recorder("{\"Hash\":\"QmesNfBa5gMx91CKmvELgz2MzeLyDWs9PX2h4LuUqvLY4K\"}");
    IpfsSink spec = spec(server.url(""));
    spec.headers = null;
    spec.pin = null;
    assertThat(send(sink(spec), EmailTestNotifications.firing("n-10")).delivered()).isTrue();
    assertThat(server.requests.get(0).uri()).isEqualTo("/api/v0/add?pin=true");
  }

  private void expectInvalid(Consumer<IpfsSink> change, String message) {
    IpfsSink spec = spec("http://ipfs.archive:5001");
    change.accept(spec);
    assertThatThrownBy(() -> sink(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message)
        .hasMessageNotContaining(CANARY);
  }
}
