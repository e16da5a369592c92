package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import io.dihya.vigie.api.v1alpha1.ClientTls;
import io.dihya.vigie.api.v1alpha1.DnsCheck;
import io.dihya.vigie.api.v1alpha1.GrpcCheck;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.PostgresCheck;
import io.dihya.vigie.api.v1alpha1.RedisCheck;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import io.dihya.vigie.api.v1alpha1.TlsCheck;
import io.dihya.vigie.testing.LoopbackDnsServer;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every check type that connects to a host of the spec refuses a target the policy forbids, on real
 * sockets on loopback: the policy denies 127.0.0.2, where a listener counts the connections it gets
 * (none, ever), while the servers that must be reached listen on 127.0.0.1. Host names come from a
 * fixed table that only the policy knows (the system resolver does not): a check that reaches a
 * server by such a name has connected to the address the policy judged, not to a look-up of its
 * own.
 */
class TargetPolicyChecksTest {

  static final String CANARY = "CANARY-9e02";
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final InetAddress ALLOWED = address(127, 0, 0, 1);
  static final InetAddress DENIED = address(127, 0, 0, 2);
  static final String DENIED_RULE = "(vigie.targets.deny: 127.0.0.2/32)";

  /** A host name a URL may hold but SNI may not: a label of 64 characters. */
  static final String LONG_LABEL =
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test";

  static final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
  static final AtomicInteger rebinding = new AtomicInteger();
  static final AtomicInteger deniedConnections = new AtomicInteger();
  static final Map<String, String> secrets = new ConcurrentHashMap<>();
  static final Map<String, List<String>> hostHeaders = new ConcurrentHashMap<>();
  static final Map<String, String> sniSeen = new ConcurrentHashMap<>();

  static TargetPolicy policy;
  static CheckFactory factory;
  static ServerSocket denied;
  static ExecutorService serverThreads;
  static HttpServer http;
  static HttpsServer https;
  static HttpsServer otherName;
  static TestPki.Identity ca;
  static Instant notAfter;

  static InetAddress address(int... bytes) {
    try {
      return InetAddress.getByAddress(
          new byte[] {(byte) bytes[0], (byte) bytes[1], (byte) bytes[2], (byte) bytes[3]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The names only the policy's resolver knows. */
  static InetAddress[] resolve(String host) throws UnknownHostException {
    lookups.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
    return switch (host) {
      case "allowed.test", LONG_LABEL -> new InetAddress[] {ALLOWED};
      case "denied.test" -> new InetAddress[] {DENIED};
      case "mixed.test" -> new InetAddress[] {ALLOWED, DENIED};
      // A name whose answer changes at every look-up, as a rebinding attacker's would.
      case "rebinding.test" ->
          new InetAddress[] {rebinding.getAndIncrement() % 2 == 0 ? ALLOWED : DENIED};
      default -> throw new UnknownHostException(host);
    };
  }

  @BeforeAll
  static void start() throws Exception {
    policy =
        TargetPolicy.of(
                TargetPolicy.DEFAULT_ALLOW,
                List.of("169.254.0.0/16", "fd00:ec2::/64", "127.0.0.2/32"),
                List.of())
            .withResolver(TargetPolicyChecksTest::resolve);
    factory = new CheckFactory(1024 * 1024, null, policy);

    denied = new ServerSocket(0, 50, DENIED);
    Thread acceptor =
        new Thread(
            () -> {
              while (!denied.isClosed()) {
                try (Socket s = denied.accept()) {
                  deniedConnections.incrementAndGet();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "denied-listener");
    acceptor.setDaemon(true);
    acceptor.start();

    System.setProperty("sun.net.httpserver.nodelay", "true");
    serverThreads = Executors.newCachedThreadPool();
    http = HttpServer.create(new InetSocketAddress(ALLOWED, 0), 50);
    routes(http);
    http.setExecutor(serverThreads);
    http.start();

    ca = TestPki.authority("vigie policy CA");
    notAfter = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    https = httpsServer(TestPki.leaf(ca, "allowed", notAfter, "allowed.test").context());
    otherName = httpsServer(TestPki.leaf(ca, "other", notAfter, "other.test").context());
    secrets.put("ca/ca.crt", TestPki.pem(ca.certificate()));
    secrets.put("db/user", "monitor");
  }

  static HttpsServer httpsServer(SSLContext context) throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress(ALLOWED, 0), 50);
    server.setHttpsConfigurator(new HttpsConfigurator(context));
    routes(server);
    server.setExecutor(serverThreads);
    server.start();
    return server;
  }

  static void routes(HttpServer server) {
    server.createContext(
        "/echo",
        ex -> {
          hostHeaders.put(ex.getRequestURI().getPath(), ex.getRequestHeaders().get("Host"));
          if (ex instanceof HttpsExchange secure
              && secure.getSSLSession() instanceof ExtendedSSLSession session
              && !session.getRequestedServerNames().isEmpty()) {
            sniSeen.put(
                "/echo", ((SNIHostName) session.getRequestedServerNames().get(0)).getAsciiName());
          }
          respond(ex, 200, "echoed");
        });
    server.createContext(
        "/to-denied",
        ex -> {
          ex.getResponseHeaders()
              .add(
                  "Location",
                  "http://127.0.0.2:" + denied.getLocalPort() + "/latest/meta-data/?k=" + CANARY);
          respond(ex, 302, "");
        });
    server.createContext(
        "/to-https",
        ex -> {
          ex.getResponseHeaders()
              .add("Location", "https://allowed.test:" + https.getAddress().getPort() + "/echo");
          respond(ex, 307, "");
        });
  }

  static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getRequestBody().readAllBytes();
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }

  @AfterAll
  static void stop() throws IOException {
    factory.close();
    http.stop(0);
    https.stop(0);
    otherName.stop(0);
    denied.close();
    serverThreads.shutdownNow();
  }

  @BeforeEach
  void forget() {
    lookups.clear();
    hostHeaders.clear();
    sniSeen.clear();
  }

  static CheckResult run(HealthProbeSpec spec) throws Exception {
    return run(factory, spec);
  }

  static CheckResult run(CheckFactory checks, HealthProbeSpec spec) throws Exception {
    Check check = checks.create("test", spec, ref -> secrets.get(ref.name + "/" + ref.key));
    try {
      CheckResult result = check.run(TIMEOUT).get(10, TimeUnit.SECONDS);
      assertThat(result.message()).doesNotContain(CANARY);
      return result;
    } finally {
      check.close();
    }
  }

  static void assertForbidden(CheckResult result, String message) {
    assertThat(result.success()).isFalse();
    assertThat(result.reason()).isEqualTo(Reasons.TARGET_FORBIDDEN);
    assertThat(result.message()).isEqualTo(message);
    assertThat(deniedConnections).as("nothing ever reached the denied address").hasValue(0);
  }

  static String forbiddenAddress(String what) {
    return what + ": 127.0.0.2 is forbidden by the operator's target policy " + DENIED_RULE;
  }

  static String forbiddenName(String what, String name) {
    return what
        + ": "
        + name
        + " resolves to 127.0.0.2, which the operator's target policy forbids "
        + DENIED_RULE;
  }

  static HealthProbeSpec httpSpec(String url) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.http = new HttpCheck();
    spec.http.url = url;
    return spec;
  }

  // ---- http

  @Test
  void httpRefusesADeniedAddressAndANameThatResolvesToIt() throws Exception {
    int port = denied.getLocalPort();
    assertForbidden(
        run(httpSpec("http://127.0.0.2:" + port + "/healthz")),
        forbiddenAddress("GET http://127.0.0.2:" + port + "/healthz"));
    assertForbidden(
        run(httpSpec("http://denied.test:" + port + "/healthz?token=" + CANARY)),
        forbiddenName("GET http://denied.test:" + port + "/healthz", "denied.test"));
    assertForbidden(
        run(httpSpec("https://mixed.test:" + port + "/")),
        forbiddenName("GET https://mixed.test:" + port + "/", "mixed.test"));
    assertForbidden(
        run(httpSpec("http://[::ffff:127.0.0.2]:" + port + "/")),
        forbiddenAddress("GET http://[::ffff:127.0.0.2]:" + port + "/"));
  }

  @Test
  void httpToAnAllowedNameGoesToTheJudgedAddressWithTheNameAsHost() throws Exception {
    int port = http.getAddress().getPort();
    for (int i = 1; i <= 3; i++) {
      CheckResult result = run(httpSpec("http://allowed.test:" + port + "/echo"));
      assertThat(result.success()).as(result.message()).isTrue();
      assertThat(lookups.get("allowed.test")).as("one look-up per run, the policy's").hasValue(i);
    }
    assertThat(hostHeaders.get("/echo")).containsExactly("allowed.test:" + port);
  }

  @Test
  void httpsToAnAllowedNameSendsItAsSniAndVerifiesTheCertificateAgainstIt() throws Exception {
    HealthProbeSpec spec =
        httpSpec("https://allowed.test:" + https.getAddress().getPort() + "/echo");
    spec.http.tls = new ClientTls();
    spec.http.tls.caSecretRef = new SecretKeyRef("ca", "ca.crt");
    CheckResult result = run(spec);
    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.certificateNotAfter()).isEqualTo(notAfter);
    assertThat(sniSeen.remove("/echo")).isEqualTo("allowed.test");
    assertThat(hostHeaders.get("/echo"))
        .containsExactly("allowed.test:" + https.getAddress().getPort());

    // The certificate is verified against the name, not the address connected to.
    spec.http.url = "https://allowed.test:" + otherName.getAddress().getPort() + "/echo";
    CheckResult mismatch = run(spec);
    assertThat(mismatch.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(mismatch.message())
        .endsWith("TLS handshake failed: server certificate does not match the host name");

    // A name SNI cannot carry is not sent as SNI; without verification the check still runs.
    HealthProbeSpec longLabel =
        httpSpec("https://" + LONG_LABEL + ":" + otherName.getAddress().getPort() + "/echo");
    longLabel.http.tls = new ClientTls();
    longLabel.http.tls.insecureSkipVerify = true;
    CheckResult unnamed = run(longLabel);
    assertThat(unnamed.success()).as(unnamed.message()).isTrue();
    assertThat(sniSeen).doesNotContainKey("/echo");
  }

  @Test
  void aRedirectToAForbiddenTargetIsRefusedBeforeItConnects() throws Exception {
    int port = http.getAddress().getPort();
    CheckResult result = run(httpSpec("http://allowed.test:" + port + "/to-denied"));
    assertForbidden(
        result,
        "GET http://allowed.test:"
            + port
            + "/to-denied: the redirect to http://127.0.0.2:"
            + denied.getLocalPort()
            + "/latest/meta-data/: 127.0.0.2 is forbidden by the operator's target policy "
            + DENIED_RULE);

    // An allowed redirect, to https on the same name, is followed with its own TLS client.
    HealthProbeSpec toHttps = httpSpec("http://allowed.test:" + port + "/to-https");
    toHttps.http.tls = new ClientTls();
    toHttps.http.tls.caSecretRef = new SecretKeyRef("ca", "ca.crt");
    CheckResult followed = run(toHttps);
    assertThat(followed.success()).as(followed.message()).isTrue();
    assertThat(sniSeen.get("/echo")).isEqualTo("allowed.test");
  }

  @Test
  void aNameThatRebindsToAForbiddenAddressIsRefusedAtTheRunThatSeesIt() throws Exception {
    rebinding.set(0);
    Check check =
        factory.create(
            "test",
            httpSpec("http://rebinding.test:" + http.getAddress().getPort() + "/echo"),
            ref -> null);
    List<String> reasons = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      reasons.add(check.run(TIMEOUT).get(10, TimeUnit.SECONDS).reason());
    }
    assertThat(reasons)
        .containsExactly(
            Reasons.SUCCEEDED,
            Reasons.TARGET_FORBIDDEN,
            Reasons.SUCCEEDED,
            Reasons.TARGET_FORBIDDEN);
    assertThat(lookups.get("rebinding.test")).as("one look-up per run").hasValue(4);
    assertThat(deniedConnections).hasValue(0);
  }

  // ---- tcp

  static HealthProbeSpec tcpSpec(String host, int port) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.tcp = new TcpCheck();
    spec.tcp.host = host;
    spec.tcp.port = port;
    return spec;
  }

  @Test
  void tcpRefusesADeniedTarget() throws Exception {
    int port = denied.getLocalPort();
    assertForbidden(run(tcpSpec("127.0.0.2", port)), forbiddenAddress("tcp 127.0.0.2:" + port));
    assertForbidden(
        run(tcpSpec("denied.test", port)), forbiddenName("tcp denied.test:" + port, "denied.test"));
    assertForbidden(
        run(tcpSpec("::ffff:127.0.0.2", port)), forbiddenAddress("tcp [::ffff:127.0.0.2]:" + port));
    CheckResult allowed = run(tcpSpec("allowed.test", http.getAddress().getPort()));
    assertThat(allowed.success()).as(allowed.message()).isTrue();
  }

  // ---- dns

  static HealthProbeSpec dnsSpec(String server, int port) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.dns = new DnsCheck();
    spec.dns.name = "orders.shop.svc.cluster.local";
    spec.dns.server = server;
    spec.dns.port = port;
    return spec;
  }

  @Test
  void dnsRefusesADeniedServer() throws Exception {
    try (LoopbackDnsServer deniedServer = LoopbackDnsServer.start(DENIED);
        LoopbackDnsServer allowedServer = LoopbackDnsServer.start(ALLOWED)) {
      allowedServer.add("orders.shop.svc.cluster.local. 30 IN A 10.0.0.7");
      int port = deniedServer.port();
      String target = "dns A orders.shop.svc.cluster.local @";
      assertForbidden(
          run(dnsSpec("127.0.0.2", port)), forbiddenAddress(target + "127.0.0.2:" + port));
      assertForbidden(
          run(dnsSpec("denied.test", port)),
          forbiddenName(target + "denied.test:" + port, "denied.test"));
      assertThat(deniedServer.queries()).isZero();

      CheckResult byName = run(dnsSpec("allowed.test", allowedServer.port()));
      assertThat(byName.success()).as(byName.message()).isTrue();
      assertThat(allowedServer.queries()).isEqualTo(1);
    }
  }

  // ---- grpc

  static HealthProbeSpec grpcSpec(String host, int port) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.grpc = new GrpcCheck();
    spec.grpc.host = host;
    spec.grpc.port = port;
    return spec;
  }

  @Test
  void grpcRefusesADeniedTargetAndReachesAnAllowedNameByItsAddress() throws Exception {
    int port = denied.getLocalPort();
    assertForbidden(run(grpcSpec("127.0.0.2", port)), forbiddenAddress("grpc 127.0.0.2:" + port));
    assertForbidden(
        run(grpcSpec("denied.test", port)),
        forbiddenName("grpc denied.test:" + port, "denied.test"));

    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("", ServingStatus.SERVING);
    TestPki.Identity identity = TestPki.leaf(ca, "allowed", notAfter, "allowed.test");
    Server plain =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(ALLOWED, 0), InsecureServerCredentials.create())
            .addService(health.getHealthService())
            .build()
            .start();
    Server tls =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(ALLOWED, 0),
                TlsServerCredentials.newBuilder()
                    .keyManager(stream(TestPki.chainPem(identity)), stream(identity.keyPem()))
                    .build())
            .addService(health.getHealthService())
            .build()
            .start();
    try {
      CheckResult byName = run(grpcSpec("allowed.test", plain.getPort()));
      assertThat(byName.success()).as(byName.message()).isTrue();

      HealthProbeSpec secure = grpcSpec("allowed.test", tls.getPort());
      secure.grpc.tls = new ClientTls();
      secure.grpc.tls.caSecretRef = new SecretKeyRef("ca", "ca.crt");
      CheckResult verified = run(secure);
      assertThat(verified.success())
          .as("verified against the name: " + verified.message())
          .isTrue();

      // One check, two runs: the channel to the judged address is kept.
      Check check = factory.create("test", grpcSpec("allowed.test", plain.getPort()), r -> null);
      assertThat(check.run(TIMEOUT).get(10, TimeUnit.SECONDS).success()).isTrue();
      var channel = ((GrpcProbeCheck) check).channel();
      assertThat(check.run(TIMEOUT).get(10, TimeUnit.SECONDS).success()).isTrue();
      assertThat(((GrpcProbeCheck) check).channel()).isSameAs(channel);
      check.close();
    } finally {
      plain.shutdownNow();
      tls.shutdownNow();
    }
  }

  @Test
  void grpcMovesItsChannelWhenTheNameMovesAndRefusesAForbiddenMove() throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(ALLOWED, 0), InsecureServerCredentials.create())
            .addService(health.getHealthService())
            .build()
            .start();
    try {
      rebinding.set(0);
      Check check = factory.create("test", grpcSpec("rebinding.test", server.getPort()), r -> null);
      assertThat(check.run(TIMEOUT).get(10, TimeUnit.SECONDS).success()).isTrue();
      CheckResult moved = check.run(TIMEOUT).get(10, TimeUnit.SECONDS);
      assertThat(moved.reason()).isEqualTo(Reasons.TARGET_FORBIDDEN);
      assertThat(check.run(TIMEOUT).get(10, TimeUnit.SECONDS).success()).isTrue();
      check.close();
      assertThat(deniedConnections).hasValue(0);
    } finally {
      server.shutdownNow();
    }
  }

  static ByteArrayInputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
  }

  // ---- tls

  static HealthProbeSpec tlsSpec(String host, int port) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.tls = new TlsCheck();
    spec.tls.host = host;
    spec.tls.port = port;
    spec.tls.caSecretRef = new SecretKeyRef("ca", "ca.crt");
    return spec;
  }

  @Test
  void tlsRefusesADeniedTargetAndVerifiesAnAllowedNameByItsCertificate() throws Exception {
    int port = denied.getLocalPort();
    assertForbidden(run(tlsSpec("127.0.0.2", port)), forbiddenAddress("tls 127.0.0.2:" + port));
    assertForbidden(
        run(tlsSpec("denied.test", port)), forbiddenName("tls denied.test:" + port, "denied.test"));
    CheckResult byName = run(tlsSpec("allowed.test", https.getAddress().getPort()));
    assertThat(byName.success()).as(byName.message()).isTrue();
  }

  // ---- postgres and redis: their connect points refuse before any server is needed

  static HealthProbeSpec postgresSpec(String host, int port) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.postgres = new PostgresCheck();
    spec.postgres.host = host;
    spec.postgres.port = port;
    spec.postgres.database = "records";
    spec.postgres.usernameSecretRef = new SecretKeyRef("db", "user");
    spec.postgres.sslMode = PostgresCheck.SslMode.DISABLE;
    return spec;
  }

  @Test
  void postgresRefusesTheAddressPgjdbcResolvedInItsSocketFactory() throws Exception {
    int port = denied.getLocalPort();
    assertForbidden(
        run(postgresSpec("127.0.0.2", port)),
        forbiddenAddress("postgres 127.0.0.2:" + port + "/records"));

    // pgjdbc looks localhost up itself: the address it found is judged before the connect.
    TargetPolicy noLoopback =
        TargetPolicy.of(TargetPolicy.DEFAULT_ALLOW, List.of("127.0.0.0/8", "::1/128"), List.of());
    try (CheckFactory strict = new CheckFactory(1024, null, noLoopback)) {
      CheckResult result = run(strict, postgresSpec("localhost", port));
      assertThat(result.reason()).isEqualTo(Reasons.TARGET_FORBIDDEN);
      assertThat(result.message())
          .startsWith("postgres localhost:" + port + "/records: localhost resolves to ")
          .contains(", which the operator's target policy forbids (vigie.targets.deny: ");
    }
    assertThat(deniedConnections).hasValue(0);
  }

  @Test
  void postgresSocketsResolveAnUnresolvedEndpointThroughThePolicy() throws Exception {
    try (PostgresAttempt attempt =
        PostgresAttempt.open(
            System.nanoTime() + TimeUnit.SECONDS.toNanos(5), policy, null, false)) {
      PostgresSocketFactory sockets = new PostgresSocketFactory(attempt.id());
      try (Socket socket = sockets.createSocket()) {
        socket.connect(
            InetSocketAddress.createUnresolved("allowed.test", http.getAddress().getPort()));
        assertThat(socket.getInetAddress()).isEqualTo(ALLOWED);
      }
      try (Socket socket = sockets.createSocket()) {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () ->
                    socket.connect(
                        InetSocketAddress.createUnresolved("denied.test", denied.getLocalPort())))
            .isInstanceOf(TargetForbiddenException.class);
      }
      try (Socket socket = sockets.createSocket()) {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> socket.connect(java.net.UnixDomainSocketAddress.of("/tmp/vigie-none.sock")))
            .isInstanceOf(java.net.SocketException.class);
      }
    }
    assertThat(deniedConnections).hasValue(0);
  }

  static HealthProbeSpec redisSpec(String host, int port) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.redis = new RedisCheck();
    spec.redis.host = host;
    spec.redis.port = port;
    return spec;
  }

  @Test
  void redisRefusesADeniedTarget() throws Exception {
    int port = denied.getLocalPort();
    assertForbidden(run(redisSpec("127.0.0.2", port)), forbiddenAddress("redis 127.0.0.2:" + port));
    assertForbidden(
        run(redisSpec("denied.test", port)),
        forbiddenName("redis denied.test:" + port, "denied.test"));
  }

  // ---- the defaults and the API server

  @Test
  void theDefaultPolicyRefusesTheMetadataServiceHoweverItIsWritten() throws Exception {
    try (CheckFactory defaults = new CheckFactory()) {
      String rule = " is forbidden by the operator's target policy (vigie.targets.deny: ";
      for (String url :
          List.of(
              "http://169.254.169.254/latest/meta-data/",
              "http://[::ffff:169.254.169.254]/latest/meta-data/",
              "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
              "http://[fd00:ec2::254]/latest/meta-data/")) {
        CheckResult result = run(defaults, httpSpec(url));
        assertThat(result.reason()).as(url).isEqualTo(Reasons.TARGET_FORBIDDEN);
        assertThat(result.message()).as(url).contains(rule);
      }
      CheckResult decimal = run(defaults, httpSpec("http://2852039166/latest/meta-data/"));
      assertThat(decimal.reason()).isEqualTo(Reasons.TARGET_FORBIDDEN);
      assertThat(decimal.message())
          .isEqualTo(
              "GET http://2852039166/latest/meta-data/: 2852039166 resolves to 169.254.169.254,"
                  + " which the operator's target policy forbids"
                  + " (vigie.targets.deny: 169.254.0.0/16)");
      assertThat(run(defaults, tcpSpec("169.254.169.254", 80)).reason())
          .isEqualTo(Reasons.TARGET_FORBIDDEN);
      assertThat(run(defaults, tcpSpec("::ffff:a9fe:a9fe", 80)).reason())
          .isEqualTo(Reasons.TARGET_FORBIDDEN);
      assertThat(run(defaults, grpcSpec("169.254.169.254", 80)).reason())
          .isEqualTo(Reasons.TARGET_FORBIDDEN);
      assertThat(run(defaults, dnsSpec("169.254.169.253", 53)).reason())
          .isEqualTo(Reasons.TARGET_FORBIDDEN);
      assertThat(run(defaults, tlsSpec("fd00:ec2::254", 443)).reason())
          .isEqualTo(Reasons.TARGET_FORBIDDEN);
      assertThat(run(defaults, redisSpec("169.254.169.254", 6379)).reason())
          .isEqualTo(Reasons.TARGET_FORBIDDEN);
      assertThat(run(defaults, postgresSpec("169.254.169.254", 5432)).reason())
          .isEqualTo(Reasons.TARGET_FORBIDDEN);
      // Loopback is not denied by default: the checks of the other tests run there.
      assertThat(run(defaults, tcpSpec("127.0.0.1", http.getAddress().getPort())).success())
          .isTrue();
    }
  }

  @Test
  void theApiServerIsRefusedOnItsOwnPortOnly() throws Exception {
    int apiPort = https.getAddress().getPort();
    TargetPolicy withApiServer =
        TargetPolicy.of(
            TargetPolicy.DEFAULT_ALLOW,
            TargetPolicy.DEFAULT_DENY,
            TargetPolicy.apiServerEndpoints(
                "https://127.0.0.1:" + apiPort, null, null, TargetPolicy.jdkResolver()));
    try (CheckFactory checks = new CheckFactory(1024, null, withApiServer)) {
      CheckResult api = run(checks, tcpSpec("127.0.0.1", apiPort));
      assertThat(api.reason()).isEqualTo(Reasons.TARGET_FORBIDDEN);
      assertThat(api.message())
          .isEqualTo(
              "tcp 127.0.0.1:"
                  + apiPort
                  + ": 127.0.0.1 is forbidden by the operator's target policy (the API server's"
                  + " own endpoint, port "
                  + apiPort
                  + ": vigie.targets.deny-api-server)");
      assertThat(run(checks, tcpSpec("127.0.0.1", http.getAddress().getPort())).success()).isTrue();
    }
  }
}
