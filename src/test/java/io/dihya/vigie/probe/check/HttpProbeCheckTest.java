package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.dihya.vigie.api.v1alpha1.ClientTls;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP(S) checks against real JDK servers on loopback. */
class HttpProbeCheckTest {

  static final String CANARY = "CANARY-7f3e9a";
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Duration SHORT = Duration.ofMillis(400);
  static final int MIB = 1024 * 1024;

  static HttpServer http;
  static HttpsServer https;
  static HttpsServer mtls;
  static HttpsServer otherName;
  static HttpsServer expired;
  static ExecutorService serverThreads;
  static CheckFactory factory;
  static TestPki.Identity ca;
  static TestPki.Identity client;
  static Instant serverNotAfter;

  /** What the servers saw: the last request of each path. */
  static final Map<String, Seen> seen = new ConcurrentHashMap<>();

  record Seen(Map<String, List<String>> headers, String body, String method, String sni) {}

  static final Map<String, String> secrets = new ConcurrentHashMap<>();

  static final AtomicInteger loops = new AtomicInteger();

  @BeforeAll
  static void servers() throws Exception {
    // Without TCP_NODELAY the JDK server's two writes (headers, body) meet the client's delayed
    // ACK: 40 ms a request. Read once per JVM: no effect if another test started a server first.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    serverThreads = Executors.newCachedThreadPool();
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
    routes(http);
    http.setExecutor(serverThreads);
    http.start();

    ca = TestPki.authority("vigie test CA");
    serverNotAfter = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    TestPki.Identity server =
        TestPki.leaf(ca, "localhost", serverNotAfter, "localhost", "127.0.0.1");
    https = httpsServer(server.context(), false);
    client = TestPki.leaf(ca, "vigie-probe", serverNotAfter, "vigie-probe");
    mtls = httpsServer(server.context(ca.certificate()), true);
    TestPki.Identity named = TestPki.leaf(ca, "orders", serverNotAfter, "orders.shop.svc");
    otherName = httpsServer(named.context(), false);
    TestPki.Identity old =
        TestPki.leaf(ca, "localhost", Instant.now().minus(1, ChronoUnit.DAYS), "127.0.0.1");
    expired = httpsServer(old.context(), false);

    secrets.put("ca/ca.crt", TestPki.pem(ca.certificate()));
    secrets.put("client/tls.crt", client.certificatePem());
    secrets.put("client/tls.key", client.keyPem());
    secrets.put("auth/token", CANARY + "-token\n");
    secrets.put("auth/user", "probe");
    secrets.put("auth/password", CANARY + "-password");
    secrets.put("api/key", CANARY + "-apikey\n");
    factory = new CheckFactory(MIB);
  }

  static HttpsServer httpsServer(SSLContext context, boolean needClientAuth) throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
    server.setHttpsConfigurator(
        new HttpsConfigurator(context) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters p = context.getDefaultSSLParameters();
            p.setNeedClientAuth(needClientAuth);
            params.setSSLParameters(p);
          }
        });
    routes(server);
    server.setExecutor(serverThreads);
    server.start();
    return server;
  }

  @AfterAll
  static void stop() {
    factory.close();
    for (HttpServer s : List.of(http, https, mtls, otherName, expired)) {
      s.stop(0);
    }
    serverThreads.shutdownNow();
  }

  @BeforeEach
  void forget() {
    seen.clear();
  }

  static void routes(HttpServer server) {
    server.createContext("/ok", ex -> respond(ex, 200, "all good: healthy"));
    server.createContext(
        "/status",
        ex -> {
          String code = ex.getRequestURI().getQuery().split("&")[0].substring("code=".length());
          respond(ex, Integer.parseInt(code), code.equals("204") ? "" : "status");
        });
    server.createContext(
        "/echo",
        ex -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String sni = null;
          if (ex instanceof HttpsExchange secure
              && secure.getSSLSession() instanceof ExtendedSSLSession session
              && !session.getRequestedServerNames().isEmpty()) {
            sni = ((SNIHostName) session.getRequestedServerNames().get(0)).getAsciiName();
          }
          seen.put(
              "/echo",
              new Seen(Map.copyOf(ex.getRequestHeaders()), body, ex.getRequestMethod(), sni));
          respond(ex, 200, "echoed");
        });
    server.createContext(
        "/redirect",
        ex -> {
          ex.getResponseHeaders().add("Location", "/ok");
          respond(ex, 302, "moved");
        });
    // /to/CODE?LOCATION: a redirect with that status to that location (none if empty).
    server.createContext(
        "/to/",
        ex -> {
          int code = Integer.parseInt(ex.getRequestURI().getPath().substring("/to/".length()));
          String location = ex.getRequestURI().getRawQuery();
          if (location != null && !location.isEmpty()) {
            ex.getResponseHeaders()
                .add("Location", java.net.URLDecoder.decode(location, StandardCharsets.UTF_8));
          }
          respond(ex, code, "");
        });
    server.createContext(
        "/loop",
        ex -> {
          loops.incrementAndGet();
          ex.getResponseHeaders().add("Location", "/loop");
          respond(ex, 302, "");
        });
    server.createContext(
        "/big",
        ex -> {
          // 5 MB; the marker sits at the start or past the first MiB.
          boolean late = "late".equals(ex.getRequestURI().getQuery());
          ex.sendResponseHeaders(200, 5L * MIB);
          byte[] chunk = new byte[64 * 1024];
          java.util.Arrays.fill(chunk, (byte) 'x');
          try (OutputStream out = ex.getResponseBody()) {
            for (int written = 0; written < 5 * MIB; written += chunk.length) {
              boolean marker = late ? written == 2 * MIB : written == 0;
              if (marker) {
                System.arraycopy("MARKER".getBytes(StandardCharsets.US_ASCII), 0, chunk, 100, 6);
              }
              out.write(chunk);
              java.util.Arrays.fill(chunk, (byte) 'x');
            }
          } catch (IOException expectedWhenTheClientStopsReading) {
            // The check cancels the rest of the body.
          }
          ex.close();
        });
    server.createContext(
        "/stall-body",
        ex -> {
          ex.sendResponseHeaders(200, 0);
          ex.getResponseBody().write("partial".getBytes(StandardCharsets.US_ASCII));
          ex.getResponseBody().flush();
          sleep(3000);
          ex.close();
        });
    server.createContext(
        "/json",
        ex -> {
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.getResponseHeaders().add("X-Instance", "a");
          ex.getResponseHeaders().add("X-Instance", "b");
          respond(ex, 200, "{\"status\":\"UP\",\"components\":{\"db\":{\"status\":\"UP\"}}}");
        });
    server.createContext("/backtrack", ex -> respond(ex, 200, "x".repeat(200)));
    server.createContext("/pathological", ex -> respond(ex, 200, "a".repeat(100_000) + "!"));
  }

  static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getRequestBody().readAllBytes();
    // As nginx, Go, Jetty and Node do (RFC 9112 9.6): the JDK server closes a Connection: close
    // exchange without saying so, and the JDK client, which pools on the response's header alone,
    // may then send the next run on the connection being closed.
    if ("close".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Connection"))) {
      ex.getResponseHeaders().set("Connection", "close");
    }
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String url(HttpServer server, String path) {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  static HealthProbeSpec spec(String url) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.http = new HttpCheck();
    spec.http.url = url;
    return spec;
  }

  static SecretValues secretValues() {
    return ref -> secrets.get(ref.name + "/" + ref.key);
  }

  static CheckResult run(HealthProbeSpec spec) throws Exception {
    return run(spec, TIMEOUT);
  }

  static CheckResult run(HealthProbeSpec spec, Duration timeout) throws Exception {
    Check check = factory.create("test", spec, secretValues());
    CheckResult result = check.run(timeout).get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
    assertThat(result.message()).doesNotContain(CANARY);
    return result;
  }

  static ClientTls tlsWithCa() {
    ClientTls tls = new ClientTls();
    tls.caSecretRef = new SecretKeyRef("ca", "ca.crt");
    return tls;
  }

  @Test
  void healthyEndpointSucceeds() throws Exception {
    CheckResult result = run(spec(url(http, "/ok")));

    assertThat(result.success()).isTrue();
    assertThat(result.reason()).isEqualTo(Reasons.SUCCEEDED);
    assertThat(result.message()).isEqualTo("GET " + url(http, "/ok") + " answered 200");
    assertThat(result.latencyMs()).isBetween(0L, 5000L);
    assertThat(result.certificateNotAfter()).isNull();
  }

  @Test
  void unexpectedStatusNamesTheCodeAndTheExpectation() throws Exception {
    CheckResult result = run(spec(url(http, "/status?code=503")));

    assertThat(result.success()).isFalse();
    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_STATUS);
    assertThat(result.message())
        .isEqualTo(
            "GET http://127.0.0.1:"
                + http.getAddress().getPort()
                + "/status answered 503, expected 200-399");
  }

  @Test
  void statusCodesAndRangesAreInclusive() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/status?code=503"));
    spec.http.expectStatus = List.of("200", "500-503");
    assertThat(run(spec).success()).isTrue();

    spec.http.expectStatus = List.of("200", "500-502");
    CheckResult result = run(spec);
    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_STATUS);
    assertThat(result.message()).endsWith("answered 503, expected 200, 500-502");

    spec = spec(url(http, "/status?code=204"));
    spec.http.expectStatus = List.of(" 204 ");
    assertThat(run(spec).success()).isTrue();
    spec.http.expectStatus = List.of();
    assertThat(run(spec).success()).as("empty means the default 200-399").isTrue();
  }

  @Test
  void bodyExpectationContainsAndRegex() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/ok"));
    spec.http.expectBody = new HttpCheck.ExpectBody();
    spec.http.expectBody.contains = "good";
    spec.http.expectBody.regex = "heal+thy$";
    assertThat(run(spec).success()).isTrue();

    spec.http.expectBody.contains = "bad";
    CheckResult contains = run(spec);
    assertThat(contains.reason()).isEqualTo(Reasons.BODY_MISMATCH);
    assertThat(contains.message())
        .isEqualTo(
            "GET "
                + url(http, "/ok")
                + " answered 200 but the body does not contain the expected text");

    spec.http.expectBody.contains = "good";
    spec.http.expectBody.regex = "^healthy";
    CheckResult regex = run(spec);
    assertThat(regex.reason()).isEqualTo(Reasons.BODY_MISMATCH);
    assertThat(regex.message())
        .endsWith("answered 200 but the body does not match the expected regular expression");
  }

  @Test
  void anEmptyBodyExpectationExpectsNothing() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/ok"));
    spec.http.expectBody = new HttpCheck.ExpectBody();
    spec.http.expectBody.contains = "";
    assertThat(run(spec).success()).isTrue();
  }

  @Test
  void bodyBeyondTheLimitIsCutAndStillMatchesEarlyText() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/big"));
    spec.http.expectBody = new HttpCheck.ExpectBody();
    spec.http.expectBody.contains = "MARKER";
    assertThat(run(spec).success()).isTrue();

    CheckResult late = run(lateSpec());
    assertThat(late.reason()).isEqualTo(Reasons.BODY_MISMATCH);
    assertThat(late.message())
        .endsWith(
            "the body does not match the expected regular expression in its first "
                + MIB
                + " bytes");
  }

  private static HealthProbeSpec lateSpec() {
    HealthProbeSpec spec = spec(url(http, "/big?late"));
    spec.http.expectBody = new HttpCheck.ExpectBody();
    spec.http.expectBody.regex = "MARK(ER)";
    return spec;
  }

  @Test
  void bigBodyWithoutExpectationIsDiscardedUpToTheLimit() throws Exception {
    CheckResult result = run(spec(url(http, "/big")));
    assertThat(result.success()).isTrue();
  }

  @Test
  void headersBasicAuthAndBodyReachTheServer() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/echo"));
    spec.http.method = HttpCheck.Method.POST;
    spec.http.body = "{\"ping\":true}";
    spec.http.headers = new ArrayList<>();
    spec.http.headers.add(header("X-Plain", "plain-value", null));
    spec.http.headers.add(header("X-Latin", "caf\u00e9 bar", null));
    spec.http.headers.add(header("X-Api-Key", null, new SecretKeyRef("api", "key")));
    spec.http.basicAuth = new HttpCheck.BasicAuth();
    spec.http.basicAuth.usernameSecretRef = new SecretKeyRef("auth", "user");
    spec.http.basicAuth.passwordSecretRef = new SecretKeyRef("auth", "password");

    assertThat(run(spec).success()).isTrue();

    Seen request = seen.get("/echo");
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.body()).isEqualTo("{\"ping\":true}");
    assertThat(request.headers().get("X-plain")).containsExactly("plain-value");
    assertThat(request.headers().get("X-latin"))
        .as("obs-text, one byte a character")
        .containsExactly("caf\u00e9 bar");
    assertThat(request.headers().get("User-agent")).containsExactly("vigie");
    assertThat(request.headers().get("X-api-key"))
        .as("the trailing newline of the Secret is dropped")
        .containsExactly(CANARY + "-apikey");
    String basic =
        Base64.getEncoder()
            .encodeToString(("probe:" + CANARY + "-password").getBytes(StandardCharsets.UTF_8));
    assertThat(request.headers().get("Authorization")).containsExactly("Basic " + basic);
  }

  @Test
  void bearerTokenReachesTheServer() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/echo"));
    spec.http.bearerTokenSecretRef = new SecretKeyRef("auth", "token");

    assertThat(run(spec).success()).isTrue();

    assertThat(seen.get("/echo").headers().get("Authorization"))
        .containsExactly("Bearer " + CANARY + "-token");
    assertThat(seen.get("/echo").method()).isEqualTo("GET");
  }

  static HttpHeader header(String name, String value, SecretKeyRef ref) {
    HttpHeader h = new HttpHeader();
    h.name = name;
    h.value = value;
    if (ref != null) {
      h.valueFrom = new HttpHeader.ValueFrom();
      h.valueFrom.secretKeyRef = ref;
    }
    return h;
  }

  @Test
  void secretsAndQueriesNeverReachTheMessages() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/status?code=503&token=" + CANARY));
    spec.http.headers = List.of(header("X-Api-Key", null, new SecretKeyRef("api", "key")));
    spec.http.bearerTokenSecretRef = new SecretKeyRef("auth", "token");
    CheckResult status = run(spec);
    assertThat(status.reason()).isEqualTo(Reasons.UNEXPECTED_STATUS);
    assertThat(status.message()).doesNotContain("token").doesNotContain("?");

    spec.http.url = "http://user:" + CANARY + "@127.0.0.1:" + closedPort() + "/x?k=" + CANARY;
    CheckResult refused = run(spec);
    assertThat(refused.reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
    assertThat(refused.message()).doesNotContain("user");

    spec.http.url = "http://does-not-exist.invalid/x?k=" + CANARY;
    assertThat(run(spec).reason()).isEqualTo(Reasons.DNS_FAILURE);
  }

  @Test
  void redirectsFollowedOrNot() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/redirect"));
    spec.http.expectStatus = List.of("200");
    CheckResult followed = run(spec);
    assertThat(followed.success()).isTrue();
    assertThat(followed.message()).endsWith("answered 200");

    spec.http.followRedirects = false;
    CheckResult notFollowed = run(spec);
    assertThat(notFollowed.reason()).isEqualTo(Reasons.UNEXPECTED_STATUS);
    assertThat(notFollowed.message())
        .endsWith("answered 302, expected 200 (redirects are not followed)");

    spec.http.expectStatus = List.of("200", "302");
    assertThat(run(spec).success()).isTrue();
  }

  static void assertSucceeds(HealthProbeSpec spec) throws Exception {
    CheckResult result = run(spec);
    assertThat(result.success()).as(result.message()).isTrue();
  }

  static String to(int code, String location) {
    return "/to/"
        + code
        + "?"
        + java.net.URLEncoder.encode(location, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * A server of its own: the shared one may hold hundreds of idle connections from the load tests,
   * beyond which the JDK server closes a kept-alive connection without saying so, and a POST on it
   * is not retried by the client.
   */
  static HttpServer ownServer() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    routes(server);
    server.setExecutor(serverThreads);
    server.start();
    return server;
  }

  @Test
  void redirectsChangeTheMethodAsBrowsersDoAndKeepTheHeaders() throws Exception {
    HttpServer http = ownServer();
    try {
      redirectsChangeTheMethod(http);
    } finally {
      http.stop(0);
    }
  }

  private static void redirectsChangeTheMethod(HttpServer http) throws Exception {
    HealthProbeSpec spec = spec(url(http, to(303, "/echo")));
    spec.http.method = HttpCheck.Method.POST;
    spec.http.body = "{\"ping\":true}";
    spec.http.headers = List.of(header("X-Plain", "kept", null));
    assertSucceeds(spec);
    assertThat(seen.get("/echo").method()).as("303: GET").isEqualTo("GET");
    assertThat(seen.get("/echo").body()).isEmpty();
    assertThat(seen.get("/echo").headers().get("X-plain")).containsExactly("kept");

    spec.http.url = url(http, to(301, "/echo"));
    assertSucceeds(spec);
    assertThat(seen.get("/echo").method()).as("301 of a POST: GET").isEqualTo("GET");

    spec.http.url = url(http, to(307, "/echo"));
    assertSucceeds(spec);
    assertThat(seen.get("/echo").method()).as("307: the same request").isEqualTo("POST");
    assertThat(seen.get("/echo").body()).isEqualTo("{\"ping\":true}");

    spec.http.method = HttpCheck.Method.PUT;
    spec.http.url = url(http, to(308, url(http, "/echo")));
    assertSucceeds(spec);
    assertThat(seen.get("/echo").method()).isEqualTo("PUT");
  }

  @Test
  void redirectsThatAreNotFollowedAreTheAnswer() throws Exception {
    loops.set(0);
    HealthProbeSpec loop = spec(url(http, "/loop"));
    loop.http.expectStatus = List.of("200");
    CheckResult looped = run(loop);
    assertThat(looped.reason()).isEqualTo(Reasons.UNEXPECTED_STATUS);
    assertThat(looped.message()).endsWith("answered 302, expected 200");
    assertThat(loops).as("the first request and 5 redirects").hasValue(6);

    for (String path :
        List.of(
            to(302, ""), // no Location
            to(302, "http://[not a url"),
            to(302, "ftp://127.0.0.1/file"),
            to(300, "/ok"))) {
      HealthProbeSpec spec = spec(url(http, path));
      spec.http.expectStatus = List.of("200");
      CheckResult result = run(spec);
      assertThat(result.reason()).as(path).isEqualTo(Reasons.UNEXPECTED_STATUS);
    }

    HealthProbeSpec downgrade = spec(url(https, to(302, url(http, "/ok"))));
    downgrade.http.tls = tlsWithCa();
    downgrade.http.expectStatus = List.of("200");
    CheckResult notFollowed = run(downgrade);
    assertThat(notFollowed.message())
        .as("never from https to http")
        .endsWith("answered 302, expected 200");
  }

  @Test
  void aHostHeaderOfTheSpecIsRefused() {
    HealthProbeSpec spec = spec(url(http, "/ok"));
    spec.http.headers = List.of(header("host", "elsewhere", null));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> factory.create("test", spec, secretValues()))
        .as("the operator's JVM allows Host for the checks' own use only")
        .hasMessage("spec.http.headers[0].name: the HTTP client does not allow the header host");
  }

  @Test
  void eachRunOpensANewConnectionUnlessTheSpecAsksToKeepItAlive() throws Exception {
    // A server that keeps every connection open unless the request says Connection: close, and
    // counts the connections it accepted.
    java.util.concurrent.atomic.AtomicInteger accepted =
        new java.util.concurrent.atomic.AtomicInteger();
    List<String> connectionHeaders = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ServerSocket server = new ServerSocket(0)) {
      Thread acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket socket = server.accept();
                    accepted.incrementAndGet();
                    new Thread(() -> serveKeepAlive(socket, connectionHeaders)).start();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      acceptor.start();
      String url = "http://127.0.0.1:" + server.getLocalPort() + "/";
      Check fresh = factory.create("test", spec(url), secretValues());
      for (int i = 0; i < 3; i++) {
        assertThat(fresh.run(TIMEOUT).get(10, TimeUnit.SECONDS).success()).isTrue();
      }
      assertThat(accepted.get())
          .as("a new connection each run, as kubelet and blackbox")
          .isEqualTo(3);
      assertThat(connectionHeaders).containsExactly("close", "close", "close");

      HealthProbeSpec keep = spec(url);
      keep.http.headers = List.of(header("Connection", "keep-alive", null));
      Check pooled = factory.create("test", keep, secretValues());
      for (int i = 0; i < 3; i++) {
        assertThat(pooled.run(TIMEOUT).get(10, TimeUnit.SECONDS).success()).isTrue();
      }
      assertThat(accepted.get()).as("one more connection, kept for the next runs").isEqualTo(4);

      HealthProbeSpec upgrade = spec(url);
      upgrade.http.headers = List.of(header("Connection", "upgrade", null));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> factory.create("test", upgrade, secretValues()))
          .hasMessage("spec.http.headers[0].value: Connection may only be keep-alive or close");
    }
  }

  /** Answers 200 to every request on the socket until one says Connection: close. */
  private static void serveKeepAlive(Socket socket, List<String> connectionHeaders) {
    try (socket) {
      var in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
      var out = socket.getOutputStream();
      while (true) {
        String line = in.readLine();
        if (line == null) {
          return;
        }
        String connection = "";
        while ((line = in.readLine()) != null && !line.isEmpty()) {
          if (line.toLowerCase(java.util.Locale.ROOT).startsWith("connection:")) {
            connection = line.substring("connection:".length()).trim();
          }
        }
        connectionHeaders.add(connection);
        boolean close = connection.equalsIgnoreCase("close");
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                    + (close ? "Connection: close\r\n" : "")
                    + "\r\nok")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.flush();
        if (close) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  @Test
  void assertionsSeeStatusHeadersBodyAndJson() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/json"));
    spec.assertions =
        List.of(
            "result.http.status == 200",
            "result.http.headers['x-instance'] == 'a, b'",
            "result.http.json.components.db.status == 'UP'",
            "result.http.body.contains('components') && !result.http.bodyTruncated");
    CheckResult result = run(spec);
    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.data()).containsOnlyKeys("http");

    spec.assertions = List.of("result.http.json.status == 'DOWN'");
    CheckResult failed = run(spec);
    assertThat(failed.reason()).isEqualTo(Reasons.ASSERTION_FAILED);
    assertThat(failed.message())
        .isEqualTo(
            "GET "
                + url(http, "/json")
                + " answered 200; assertion spec.assertions[0] is false:"
                + " result.http.json.status == 'DOWN'");
  }

  @Test
  void withoutAssertionsTheBodyIsNotKeptAndPlainTextIsNotJson() throws Exception {
    CheckResult plain = run(spec(url(http, "/json")));
    @SuppressWarnings("unchecked")
    Map<String, Object> httpData = (Map<String, Object>) plain.data().get("http");
    assertThat(httpData).containsOnlyKeys("status", "headers");
    HealthProbeSpec spec = spec(url(http, "/ok"));
    spec.assertions = List.of("!has(result.http.json) && result.http.body == 'all good: healthy'");
    assertThat(run(spec).success()).isTrue();
  }

  @Test
  void httpsResultsCarryTheTlsVariables() throws Exception {
    HealthProbeSpec spec = spec(url(https, "/ok"));
    spec.http.tls = new ClientTls();
    spec.http.tls.caSecretRef = new SecretKeyRef("ca", "ca.crt");
    spec.assertions =
        List.of(
            "result.tls.daysLeft >= 29 && result.tls.daysLeft <= 30",
            "result.tls.dnsNames.exists(n, n == 'localhost')",
            "result.tls.protocol.startsWith('TLSv1.')",
            "result.tls.notAfter == '" + serverNotAfter + "'");
    CheckResult result = run(spec);
    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.certificateNotAfter()).isEqualTo(serverNotAfter);
  }

  @Test
  void closedPortIsConnectionRefused() throws Exception {
    CheckResult result = run(spec("http://127.0.0.1:" + closedPort() + "/healthz"));

    assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
    assertThat(result.message())
        .isEqualTo("GET http://127.0.0.1:" + closedPort + "/healthz: connection refused");
  }

  static int closedPort;

  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    return closedPort;
  }

  @Test
  void serverThatNeverAnswersTimesOutOnTime() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      long start = System.nanoTime();
      CheckResult result =
          run(spec("http://127.0.0.1:" + silent.getLocalPort() + "/healthz"), SHORT);
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
      assertThat(result.message()).endsWith("/healthz: no answer within 400ms");
      assertThat(result.latencyMs()).isGreaterThanOrEqualTo(SHORT.toMillis() - 50);
      assertThat(elapsed).isLessThan(SHORT.toMillis() + 500);
    }
  }

  @Test
  void bodyThatStallsHitsTheHardTimeout() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/stall-body"));
    spec.http.expectBody = new HttpCheck.ExpectBody();
    spec.http.expectBody.contains = "partial";
    long start = System.nanoTime();
    CheckResult result = run(spec, SHORT);
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
    assertThat(result.message()).endsWith("no answer within 400ms");
    assertThat(elapsed).isLessThan(SHORT.toMillis() + 500);
  }

  @Test
  void catastrophicRegexStopsAtTheDeadline() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/backtrack"));
    spec.http.expectBody = new HttpCheck.ExpectBody();
    // Polynomial of a high degree on 200 x's: minutes; the JDK's memoization does not help.
    spec.http.expectBody.regex = "(x*)*(x*)*(x*)*y";
    long start = System.nanoTime();
    CheckResult result = run(spec, SHORT);
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
    assertThat(elapsed).isLessThan(SHORT.toMillis() + 500);
    assertThat(busyThreads("vigie-check-"))
        .as("the regex stopped at the deadline instead of spinning on")
        .isZero();
  }

  /** Threads of that name prefix running user code right now. */
  static long busyThreads(String prefix) throws InterruptedException {
    Thread.sleep(100);
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith(prefix))
        .filter(
            e ->
                java.util.Arrays.stream(e.getValue())
                    .anyMatch(f -> f.getClassName().startsWith("java.util.regex")))
        .count();
  }

  @Test
  void deeplyRecursiveRegexIsABodyMismatch() throws Exception {
    HealthProbeSpec spec = spec(url(http, "/pathological"));
    spec.http.expectBody = new HttpCheck.ExpectBody();
    spec.http.expectBody.regex = "(a|aa)+!";

    CheckResult result = run(spec);

    assertThat(result.reason()).isEqualTo(Reasons.BODY_MISMATCH);
    assertThat(result.message())
        .endsWith(
            "answered 200 but the body could not be matched: the regular expression recurses too"
                + " deeply");
  }

  @Test
  void unknownHostIsDnsFailure() throws Exception {
    CheckResult result = run(spec("http://does-not-exist.invalid/healthz"));

    assertThat(result.reason()).isEqualTo(Reasons.DNS_FAILURE);
    assertThat(result.message())
        .isEqualTo("GET http://does-not-exist.invalid/healthz: host name not found");
  }

  @Test
  void connectionClosedWithoutAnswerOrReset() throws Exception {
    try (ServerSocket rude = new ServerSocket(0)) {
      Thread server =
          new Thread(
              () -> {
                for (int i = 0; i < 2; i++) {
                  try (Socket s = rude.accept()) {
                    s.getInputStream().read(new byte[1024]);
                    if (i == 1) {
                      s.setSoLinger(true, 0); // RST instead of FIN
                    }
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      server.start();
      HealthProbeSpec spec = spec("http://127.0.0.1:" + rude.getLocalPort() + "/");
      spec.http.method = HttpCheck.Method.POST; // not retried by the JDK client
      CheckResult closed = run(spec);
      assertThat(closed.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
      assertThat(closed.message()).endsWith(": connection closed before a complete answer");
      CheckResult reset = run(spec);
      assertThat(reset.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
      assertThat(reset.message()).containsAnyOf("connection reset", "connection closed");
      server.join(2000);
    }
  }

  @Test
  void anAnswerThatIsNotHttpIsAnUnexpectedResponse() throws Exception {
    try (ServerSocket ssh = new ServerSocket(0)) {
      Thread server =
          new Thread(
              () -> {
                try (Socket s = ssh.accept()) {
                  s.getOutputStream()
                      .write("SSH-2.0-OpenSSH_9.2p1\r\n".getBytes(StandardCharsets.US_ASCII));
                  s.getOutputStream().flush();
                  s.getInputStream().read(new byte[1024]);
                  Thread.sleep(200);
                } catch (IOException | InterruptedException e) {
                  // done
                }
              });
      server.start();
      CheckResult result = run(spec("http://127.0.0.1:" + ssh.getLocalPort() + "/"));
      assertThat(result.reason()).as(result.message()).isEqualTo(Reasons.UNEXPECTED_RESPONSE);
      assertThat(result.message()).endsWith(": the answer is not valid HTTP");
      server.join(2000);
    }
  }

  @Test
  void aBodyThatIsNotHttpChunkingIsAnUnexpectedResponse() throws Exception {
    try (ServerSocket garbled = new ServerSocket(0)) {
      Thread server =
          new Thread(
              () -> {
                try (Socket s = garbled.accept()) {
                  s.getInputStream().read(new byte[1024]);
                  s.getOutputStream()
                      .write(
                          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n"
                              .getBytes(StandardCharsets.US_ASCII));
                  s.getOutputStream().flush();
                  Thread.sleep(500);
                } catch (IOException | InterruptedException e) {
                  // done
                }
              });
      server.start();
      CheckResult result = run(spec("http://127.0.0.1:" + garbled.getLocalPort() + "/"));
      assertThat(result.reason()).as(result.message()).isEqualTo(Reasons.UNEXPECTED_RESPONSE);
      assertThat(result.message()).endsWith(": the answer is not valid HTTP");
      server.join(2000);
    }
  }

  @Test
  void invalidTimeoutIsReportedNotThrown() throws Exception {
    Check check = factory.create("test", spec(url(http, "/ok")), secretValues());

    CheckResult zero = check.run(Duration.ZERO).get(1, TimeUnit.SECONDS);
    assertThat(zero.reason()).isEqualTo(Reasons.INVALID_SPEC);
    assertThat(check.run(null).get(1, TimeUnit.SECONDS).reason()).isEqualTo(Reasons.INVALID_SPEC);
    assertThat(check.run(Duration.ofSeconds(-1)).get(1, TimeUnit.SECONDS).success()).isFalse();
  }

  // ---- TLS

  @Test
  void httpsWithTheCaFromPemSucceedsAndReportsTheCertificateExpiry() throws Exception {
    HealthProbeSpec spec = spec(url(https, "/ok"));
    spec.http.tls = tlsWithCa();

    CheckResult result = run(spec);

    assertThat(result.success()).isTrue();
    assertThat(result.certificateNotAfter())
        .as("the earliest of the chain: the server's, before the CA's")
        .isEqualTo(serverNotAfter);
  }

  @Test
  void httpsWithoutTheCaIsTlsError() throws Exception {
    CheckResult result = run(spec(url(https, "/ok")));

    assertThat(result.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(result.message())
        .isEqualTo(
            "GET " + url(https, "/ok") + ": TLS handshake failed: server certificate not trusted");
    assertThat(result.certificateNotAfter()).isNull();
  }

  @Test
  void expiredCertificateIsTlsError() throws Exception {
    HealthProbeSpec spec = spec(url(expired, "/ok"));
    spec.http.tls = tlsWithCa();

    CheckResult result = run(spec);

    assertThat(result.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(result.message()).endsWith("server certificate expired or not yet valid");
  }

  @Test
  void insecureSkipVerifyAcceptsAnyCertificateAndHostName() throws Exception {
    HealthProbeSpec spec = spec(url(otherName, "/ok")); // CA unknown, name orders.shop.svc
    spec.http.tls = new ClientTls();
    spec.http.tls.insecureSkipVerify = true;

    CheckResult result = run(spec);

    assertThat(result.success()).isTrue();
    assertThat(result.certificateNotAfter()).isEqualTo(serverNotAfter);
  }

  @Test
  void hostNameIsVerified() throws Exception {
    HealthProbeSpec spec = spec(url(otherName, "/ok"));
    spec.http.tls = tlsWithCa();

    CheckResult result = run(spec);

    assertThat(result.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(result.message())
        .endsWith("TLS handshake failed: server certificate does not match the host name");
  }

  @Test
  void serverNameIsSentAsSniAndVerified() throws Exception {
    for (String host : List.of("127.0.0.1", "localhost")) {
      HealthProbeSpec spec =
          spec("https://" + host + ":" + otherName.getAddress().getPort() + "/echo");
      spec.http.tls = tlsWithCa();
      spec.http.tls.serverName = "orders.shop.svc";

      CheckResult result = run(spec);

      assertThat(result.success()).as(host).isTrue();
      assertThat(seen.get("/echo").sni()).as(host).isEqualTo("orders.shop.svc");
    }

    HealthProbeSpec wrong = spec(url(https, "/ok")); // a localhost certificate
    wrong.http.tls = tlsWithCa();
    wrong.http.tls.serverName = "orders.shop.svc";
    assertThat(run(wrong).reason()).isEqualTo(Reasons.TLS_ERROR);
  }

  @Test
  void aHostNameIsTheSniAndTheHostHeaderEvenWithoutADot() throws Exception {
    // A Service of the probe's own namespace is a name without a dot, for which the JDK sends no
    // SNI of its own: the check does.
    HealthProbeSpec spec = spec("https://localhost:" + https.getAddress().getPort() + "/echo");
    spec.http.tls = tlsWithCa();

    CheckResult result = run(spec);

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(seen.get("/echo").sni()).isEqualTo("localhost");
    assertThat(seen.get("/echo").headers().get("Host"))
        .containsExactly("localhost:" + https.getAddress().getPort());
  }

  @Test
  void mutualTls() throws Exception {
    HealthProbeSpec spec = spec(url(mtls, "/ok"));
    spec.http.tls = tlsWithCa();

    CheckResult without = run(spec);
    assertThat(without.success()).isFalse();
    // TLS 1.3: the client's handshake is over before the server rejects the missing certificate;
    // the JDK client then reports the closed (or reset) connection, not the server's alert.
    assertThat(without.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
    assertThat(without.message())
        .containsAnyOf(": connection closed before a complete answer", ": connection reset");

    spec.http.tls.certSecretRef = new SecretKeyRef("client", "tls.crt");
    spec.http.tls.keySecretRef = new SecretKeyRef("client", "tls.key");
    CheckResult with = run(spec);
    assertThat(with.success()).isTrue();
    assertThat(with.certificateNotAfter()).isEqualTo(serverNotAfter);
  }

  @Test
  void tlsToAPlainServerIsTlsErrorAndPlainToATlsServerFails() throws Exception {
    try (ServerSocket plain = new ServerSocket(0)) {
      Thread server =
          new Thread(
              () -> {
                try (Socket s = plain.accept()) {
                  s.getInputStream().read(new byte[512]);
                  s.getOutputStream()
                      .write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                  s.getOutputStream().flush();
                  Thread.sleep(1000);
                } catch (IOException | InterruptedException e) {
                  // done
                }
              });
      server.start();
      CheckResult tlsToPlain = run(spec("https://127.0.0.1:" + plain.getLocalPort() + "/ok"));
      assertThat(tlsToPlain.reason()).isEqualTo(Reasons.TLS_ERROR);
      assertThat(tlsToPlain.message())
          .endsWith(": TLS handshake failed: the server does not speak TLS");
    }

    CheckResult plainToTls =
        run(spec("http://127.0.0.1:" + https.getAddress().getPort() + "/ok"), SHORT);
    assertThat(plainToTls.success()).isFalse();
  }

  // ---- sharing and load

  @Test
  void manyConcurrentChecksShareOneClient() throws Exception {
    try (CheckFactory own = new CheckFactory()) {
      List<Check> checks = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        checks.add(own.create("test", spec(url(http, "/ok?probe=" + i)), secretValues()));
      }
      assertThat(own.httpClientCount()).isEqualTo(1);

      List<java.util.concurrent.CompletableFuture<CheckResult>> runs = new ArrayList<>();
      for (Check check : checks) {
        runs.add(check.run(TIMEOUT));
      }
      for (var run : runs) {
        CheckResult r = run.get(20, TimeUnit.SECONDS);
        assertThat(r.success()).as(r.reason() + " " + r.message() + " " + r.latencyMs()).isTrue();
      }
      assertThat(own.httpClientCount()).isEqualTo(1);
    }
  }

  @Test
  void throughputOf2000ChecksWithConcurrency200() throws Exception {
    try (CheckFactory own = new CheckFactory()) {
      Check check = own.create("test", spec(url(http, "/ok")), secretValues());
      int total = 2000;
      loop(check, 500, 200); // warm-up: JIT and connections
      long start = System.nanoTime();
      int ok = loop(check, total, 200);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "vigie http checks: %d in %.2fs = %.0f checks/s (concurrency 200, %d ok)%n",
          total, seconds, total / seconds, ok);
      assertThat(ok).isEqualTo(total);
    }
  }

  /** Runs {@code total} checks, at most {@code concurrency} at a time; the number that passed. */
  static int loop(Check check, int total, int concurrency) throws Exception {
    {
      Semaphore inFlight = new Semaphore(concurrency);
      AtomicInteger ok = new AtomicInteger();
      java.util.concurrent.ConcurrentMap<String, Integer> failures =
          new java.util.concurrent.ConcurrentHashMap<>();
      List<java.util.concurrent.CompletableFuture<CheckResult>> runs = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        inFlight.acquire();
        runs.add(
            check
                .run(TIMEOUT)
                .whenComplete(
                    (r, e) -> {
                      if (r.success()) {
                        ok.incrementAndGet();
                      } else {
                        failures.merge(r.reason() + ": " + r.message(), 1, Integer::sum);
                      }
                      inFlight.release();
                    }));
      }
      for (var run : runs) {
        run.get(30, TimeUnit.SECONDS);
      }
      if (!failures.isEmpty()) {
        System.out.println("failed checks by reason: " + failures);
      }
      return ok.get();
    }
  }
}
