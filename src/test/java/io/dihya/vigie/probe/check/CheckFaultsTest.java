package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.dihya.vigie.testing.HostileServers;
import io.dihya.vigie.testing.HostileServers.Behaviour;
import io.dihya.vigie.testing.HostileServers.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Fault injection (issue 7): every check type that speaks to a socket, against servers that accept
 * and never answer, trickle a byte at a time, send a gigabyte, or close or reset at once ({@link
 * HostileServers}). Each check must end with the right reason within its timeout plus a small
 * margin, stop reading a flood at its limit and close its connection; then 10,000 such checks must
 * leave no thread, socket or memory behind (the figures are printed, for the issue).
 *
 * <p>An http check reads a body up to the limit and judges what it read (CheckFactory): a 200 with
 * a gigabyte of body is a success, or a BodyMismatch, after 1 MiB, not a failure.
 *
 * <p>The http servers start their answer once the request came, as HTTP servers do (one case speaks
 * first, as SSH does).
 */
class CheckFaultsTest {

  static final Duration TIMEOUT = Duration.ofMillis(400);

  /** Beyond the timeout, under the load of other builds on a small machine. */
  static final long MARGIN_MILLIS = 1500;

  /** What a check may have read of a flood, kernel buffers included: far below the gigabyte. */
  static final long FLOOD_READ_BOUND = 64L * 1024 * 1024;

  static HostileServers servers;
  static CheckFactory factory;
  static TestPki.Identity serverIdentity;
  static final Map<String, String> secrets = Map.of("user", "probe", "password", "secret");
  static List<Case> cases;

  /** One check against one hostile endpoint, and the reasons it may end with. */
  record Case(
      String name, Endpoint endpoint, HealthProbeSpec spec, Set<String> reasons, boolean closes) {
    Case(String name, Endpoint endpoint, HealthProbeSpec spec, Set<String> reasons) {
      this(name, endpoint, spec, reasons, true);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    servers = HostileServers.start();
    factory = new CheckFactory();
    TestPki.Identity ca = TestPki.authority("vigie hostile CA");
    serverIdentity =
        TestPki.leaf(ca, "localhost", Instant.now().plus(30, ChronoUnit.DAYS), "127.0.0.1");
    cases = cases();
  }

  @AfterAll
  static void stop() {
    if (factory != null) {
      factory.close();
    }
    if (servers != null) {
      servers.close();
    }
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static final byte[] NONE = new byte[0];

  /** A TLS record header announcing a 16 KiB handshake record: the rest never comes in time. */
  static final byte[] TLS_RECORD_HEADER = bytes(0x16, 0x03, 0x03, 0x40, 0x00);

  static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  static final String GIGABYTE = "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n";

  static List<Case> cases() throws Exception {
    List<Case> all = new ArrayList<>();
    Set<String> timeout = Set.of(Reasons.TIMEOUT);
    Set<String> failed = Set.of(Reasons.CONNECTION_FAILED);
    Set<String> tlsOrFailed = Set.of(Reasons.TLS_ERROR, Reasons.CONNECTION_FAILED);

    // http
    Function<Endpoint, HealthProbeSpec> http = e -> http("http", e, null);
    all.add(new Case("http silent", servers.listen(Behaviour.SILENT), null, timeout));
    all.add(
        new Case(
            "http trickled headers",
            servers.listenHttp(
                Behaviour.TRICKLE, ascii("HTTP/1.1 200 OK\r\n"), ascii("X-Slow: y\r\n")),
            null,
            timeout));
    all.add(
        new Case(
            "http trickled chunked body",
            servers.listenHttp(Behaviour.TRICKLE, ascii(CHUNKED), ascii("1\r\nx\r\n")),
            null,
            timeout));
    all.add(
        new Case(
            "http 1 GiB body",
            servers.listenHttp(Behaviour.FLOOD, ascii(GIGABYTE), ascii("x")),
            null,
            Set.of(Reasons.SUCCEEDED)));
    Endpoint gigabyteExpected = servers.listenHttp(Behaviour.FLOOD, ascii(GIGABYTE), ascii("x"));
    all.add(
        new Case(
            "http 1 GiB body, expectBody",
            gigabyteExpected,
            http("http", gigabyteExpected, "healthy"),
            Set.of(Reasons.BODY_MISMATCH)));
    all.add(
        new Case(
            "http endless chunked body",
            servers.listenHttp(
                Behaviour.FLOOD, ascii(CHUNKED), ascii("4000\r\n" + "x".repeat(0x4000) + "\r\n")),
            null,
            Set.of(Reasons.SUCCEEDED)));
    all.add(
        new Case(
            "http endless headers",
            servers.listenHttp(
                Behaviour.FLOOD, ascii("HTTP/1.1 200 OK\r\n"), ascii("X-Flood: yyyyyyyy\r\n")),
            null,
            Set.of(Reasons.UNEXPECTED_RESPONSE)));
    all.add(
        new Case(
            "http server speaks first",
            servers.listen(Behaviour.FLOOD, ascii("SSH-2.0-OpenSSH_9.2p1\r\n"), ascii("x")),
            null,
            // Not HTTP; or, when the banner beat the request out, Vert.x closed the connection
            // under it.
            Set.of(Reasons.UNEXPECTED_RESPONSE, Reasons.CONNECTION_FAILED)));
    all.add(new Case("http close", servers.listen(Behaviour.CLOSE), null, failed));
    all.add(new Case("http reset", servers.listen(Behaviour.RESET), null, failed));
    all.replaceAll(c -> c.spec() == null ? withSpec(c, http.apply(c.endpoint())) : c);

    // https
    List<Case> https = new ArrayList<>();
    https.add(new Case("https silent", servers.listen(Behaviour.SILENT), null, timeout));
    https.add(
        new Case(
            "https partial handshake",
            servers.listenHttp(Behaviour.TRICKLE, TLS_RECORD_HEADER, bytes(0)),
            null,
            timeout));
    https.add(
        new Case(
            "https not TLS, 1 GiB",
            servers.listen(Behaviour.FLOOD, NONE, ascii("x")),
            null,
            tlsOrFailed));
    https.add(new Case("https close", servers.listen(Behaviour.CLOSE), null, tlsOrFailed));
    https.add(new Case("https reset", servers.listen(Behaviour.RESET), null, tlsOrFailed));
    https.add(
        new Case(
            "https trickled body",
            servers.listenHttps(
                serverIdentity.context(), Behaviour.TRICKLE, ascii(CHUNKED), ascii("1\r\nx\r\n")),
            null,
            timeout));
    https.add(
        new Case(
            "https 1 GiB body",
            servers.listenHttps(
                serverIdentity.context(), Behaviour.FLOOD, ascii(GIGABYTE), ascii("x")),
            null,
            Set.of(Reasons.SUCCEEDED)));
    https.replaceAll(c -> withSpec(c, http("https", c.endpoint(), null)));
    all.addAll(https);

    // tls
    List<Case> tls = new ArrayList<>();
    tls.add(new Case("tls silent", servers.listen(Behaviour.SILENT), null, timeout));
    tls.add(
        new Case(
            "tls partial handshake",
            servers.listen(Behaviour.TRICKLE, TLS_RECORD_HEADER, bytes(0)),
            null,
            timeout));
    tls.add(
        new Case(
            "tls not TLS, 1 GiB",
            servers.listen(Behaviour.FLOOD, NONE, ascii("x")),
            null,
            tlsOrFailed));
    tls.add(new Case("tls close", servers.listen(Behaviour.CLOSE), null, tlsOrFailed));
    tls.add(new Case("tls reset", servers.listen(Behaviour.RESET), null, tlsOrFailed));
    tls.replaceAll(c -> withSpec(c, tls(c.endpoint())));
    all.addAll(tls);

    // tcp, send and expect
    List<Case> tcp = new ArrayList<>();
    tcp.add(new Case("tcp silent", servers.listen(Behaviour.SILENT), null, timeout));
    tcp.add(
        new Case(
            "tcp trickle", servers.listen(Behaviour.TRICKLE, NONE, ascii("x")), null, timeout));
    tcp.add(
        new Case(
            "tcp 1 GiB",
            servers.listen(Behaviour.FLOOD, NONE, ascii("x")),
            null,
            Set.of(Reasons.UNEXPECTED_RESPONSE)));
    tcp.add(
        new Case(
            "tcp close",
            servers.listen(Behaviour.CLOSE),
            null,
            Set.of(Reasons.UNEXPECTED_RESPONSE, Reasons.CONNECTION_FAILED)));
    tcp.add(new Case("tcp reset", servers.listen(Behaviour.RESET), null, failed));
    tcp.replaceAll(c -> withSpec(c, tcp(c.endpoint())));
    all.addAll(tcp);

    // grpc
    List<Case> grpc = new ArrayList<>();
    grpc.add(new Case("grpc silent", servers.listen(Behaviour.SILENT), null, timeout));
    grpc.add(
        new Case(
            "grpc trickled SETTINGS frame",
            // A SETTINGS frame of 16,380 bytes (2,730 settings) on stream 0, a byte at a time.
            servers.listen(Behaviour.TRICKLE, bytes(0, 0x3f, 0xfc, 4, 0, 0, 0, 0, 0), bytes(0)),
            null,
            timeout));
    grpc.add(
        new Case(
            "grpc not HTTP/2, 1 GiB",
            servers.listen(Behaviour.FLOOD, NONE, ascii("x")),
            null,
            Set.of(Reasons.UNEXPECTED_RESPONSE)));
    grpc.add(new Case("grpc close", servers.listen(Behaviour.CLOSE), null, failed));
    grpc.add(new Case("grpc reset", servers.listen(Behaviour.RESET), null, failed));
    grpc.replaceAll(c -> withSpec(c, grpc(c.endpoint())));
    all.addAll(grpc);

    // redis
    List<Case> redis = new ArrayList<>();
    redis.add(new Case("redis silent", servers.listen(Behaviour.SILENT), null, timeout));
    redis.add(
        new Case(
            "redis trickled line",
            servers.listen(Behaviour.TRICKLE, ascii("+"), ascii("A")),
            null,
            timeout));
    redis.add(
        new Case(
            "redis 1 GiB line",
            servers.listen(Behaviour.FLOOD, ascii("+"), ascii("A")),
            null,
            Set.of(Reasons.UNEXPECTED_RESPONSE)));
    redis.add(
        new Case(
            "redis 1 GiB of small bulk strings",
            servers.listen(Behaviour.FLOOD, ascii("*1000\r\n"), ascii("$10\r\n0123456789\r\n")),
            null,
            Set.of(Reasons.UNEXPECTED_RESPONSE)));
    redis.add(new Case("redis close", servers.listen(Behaviour.CLOSE), null, failed));
    redis.add(new Case("redis reset", servers.listen(Behaviour.RESET), null, failed));
    redis.replaceAll(c -> withSpec(c, redis(c.endpoint())));
    all.addAll(redis);

    // postgres: an ErrorResponse announcing 2 GB, then its bytes
    byte[] hugeError = bytes('E', 0x7f, 0xff, 0xff, 0xf0);
    List<Case> postgres = new ArrayList<>();
    postgres.add(new Case("postgres silent", servers.listen(Behaviour.SILENT), null, timeout));
    postgres.add(
        new Case(
            "postgres trickled message",
            servers.listen(Behaviour.TRICKLE, hugeError, ascii("x")),
            null,
            timeout));
    postgres.add(
        new Case(
            "postgres 1 GiB message",
            servers.listen(Behaviour.FLOOD, hugeError, ascii("x")),
            null,
            Set.of(Reasons.UNEXPECTED_RESPONSE)));
    postgres.add(new Case("postgres close", servers.listen(Behaviour.CLOSE), null, failed));
    postgres.add(new Case("postgres reset", servers.listen(Behaviour.RESET), null, failed));
    postgres.replaceAll(c -> withSpec(c, postgres(c.endpoint(), PostgresCheck.SslMode.DISABLE)));
    all.addAll(postgres);
    List<Case> postgresTls = new ArrayList<>();
    postgresTls.add(
        new Case(
            "postgres TLS partial handshake",
            // pgjdbc reads ahead of its 'S': a record header sent with it would be lost to the
            // handshake, so it comes with the trickle (its repeats fall in the record's body).
            servers.listen(Behaviour.TRICKLE, ascii("S"), concat(TLS_RECORD_HEADER, bytes(0))),
            null,
            timeout));
    postgresTls.add(
        new Case(
            "postgres TLS, not TLS, 1 GiB",
            servers.listen(Behaviour.FLOOD, ascii("S"), ascii("x")),
            null,
            Set.of(Reasons.TLS_ERROR)));
    postgresTls.replaceAll(c -> withSpec(c, postgres(c.endpoint(), PostgresCheck.SslMode.REQUIRE)));
    all.addAll(postgresTls);

    // dns over TCP and UDP
    List<Case> dnsTcp = new ArrayList<>();
    dnsTcp.add(new Case("dns tcp silent", servers.listen(Behaviour.SILENT), null, timeout));
    dnsTcp.add(
        new Case(
            "dns tcp trickled answer",
            servers.listen(Behaviour.TRICKLE, bytes(0xff, 0xff), ascii("x")),
            null,
            timeout));
    dnsTcp.add(
        new Case(
            "dns tcp 1 GiB of answers to nothing",
            servers.listen(Behaviour.FLOOD, NONE, concat(bytes(0, 16), ascii("x".repeat(16)))),
            null,
            Set.of(Reasons.DNS_FAILURE)));
    dnsTcp.add(new Case("dns tcp close", servers.listen(Behaviour.CLOSE), null, failed));
    dnsTcp.add(new Case("dns tcp reset", servers.listen(Behaviour.RESET), null, failed));
    dnsTcp.replaceAll(c -> withSpec(c, dns(c.endpoint(), DnsCheck.Transport.tcp)));
    all.addAll(dnsTcp);
    List<Case> dnsUdp = new ArrayList<>();
    dnsUdp.add(
        new Case("dns udp silent", servers.listenUdp(Behaviour.SILENT, NONE, NONE), null, timeout));
    dnsUdp.add(
        new Case(
            "dns udp garbage",
            servers.listenUdp(Behaviour.FLOOD, NONE, ascii("x")),
            null,
            Set.of(Reasons.DNS_FAILURE)));
    dnsUdp.replaceAll(c -> withSpec(c, dns(c.endpoint(), DnsCheck.Transport.udp)));
    all.addAll(dnsUdp);
    return List.copyOf(all);
  }

  static Case withSpec(Case c, HealthProbeSpec spec) {
    return new Case(c.name(), c.endpoint(), spec, c.reasons(), c.closes());
  }

  static HealthProbeSpec http(String scheme, Endpoint e, String expectContains) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.http = new HttpCheck();
    spec.http.url = scheme + "://127.0.0.1:" + e.port() + "/healthz";
    if (scheme.equals("https")) {
      spec.http.tls = new ClientTls();
      spec.http.tls.insecureSkipVerify = true;
    }
    if (expectContains != null) {
      spec.http.expectBody = new HttpCheck.ExpectBody();
      spec.http.expectBody.contains = expectContains;
    }
    return spec;
  }

  static HealthProbeSpec tls(Endpoint e) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.tls = new TlsCheck();
    spec.tls.host = "127.0.0.1";
    spec.tls.port = e.port();
    spec.tls.insecureSkipVerify = true;
    return spec;
  }

  static HealthProbeSpec tcp(Endpoint e) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.tcp = new TcpCheck();
    spec.tcp.host = "127.0.0.1";
    spec.tcp.port = e.port();
    spec.tcp.send = "PING\r\n";
    spec.tcp.expect = "+PONG";
    return spec;
  }

  static HealthProbeSpec grpc(Endpoint e) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.grpc = new GrpcCheck();
    spec.grpc.host = "127.0.0.1";
    spec.grpc.port = e.port();
    return spec;
  }

  static HealthProbeSpec redis(Endpoint e) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.redis = new RedisCheck();
    spec.redis.host = "127.0.0.1";
    spec.redis.port = e.port();
    return spec;
  }

  static HealthProbeSpec postgres(Endpoint e, PostgresCheck.SslMode mode) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.postgres = new PostgresCheck();
    spec.postgres.host = "127.0.0.1";
    spec.postgres.port = e.port();
    spec.postgres.database = "app";
    spec.postgres.usernameSecretRef = new SecretKeyRef("pg", "user");
    spec.postgres.passwordSecretRef = new SecretKeyRef("pg", "password");
    spec.postgres.sslMode = mode;
    return spec;
  }

  static HealthProbeSpec dns(Endpoint e, DnsCheck.Transport transport) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.dns = new DnsCheck();
    spec.dns.name = "db.shop.test";
    spec.dns.server = "127.0.0.1";
    spec.dns.port = e.port();
    spec.dns.transport = transport;
    return spec;
  }

  static Check check(HealthProbeSpec spec) {
    return factory.create("test", spec, ref -> secrets.get(ref.key));
  }

  /** Runs every case once, concurrently: class loading and pools are then out of the timings. */
  static void warmUp(CheckFactory checks, Duration timeout) throws Exception {
    List<CompletableFuture<CheckResult>> runs = new ArrayList<>();
    for (Case c : cases) {
      Check check = checks.create("test", c.spec(), ref -> secrets.get(ref.key));
      runs.add(check.run(timeout).whenComplete((r, e) -> check.close()));
    }
    CompletableFuture.allOf(runs.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
  }

  /** Waits until the endpoint's connections have ended, at most {@code millis}. */
  static void awaitClosed(Endpoint endpoint, long millis) throws InterruptedException {
    long start = System.nanoTime();
    while (endpoint.open() > 0
        && System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(millis)) {
      Thread.sleep(10);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCheckFailsOnTimeWhateverTheServerDoes() throws Exception {
    warmUp(factory, TIMEOUT);
    return cases.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name(),
                    () -> {
                      awaitClosed(c.endpoint(), 5000);
                      long start = System.nanoTime();
                      CheckResult result;
                      try (Check check = check(c.spec())) {
                        result =
                            check
                                .run(TIMEOUT)
                                .get(TIMEOUT.toMillis() + 10_000, TimeUnit.MILLISECONDS);
                      }
                      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                      if (c.closes()) {
                        awaitClosed(c.endpoint(), MARGIN_MILLIS + 1000);
                      }
                      System.out.printf(
                          "%-36s %-18s %5d ms  open=%d  maxSent=%d%n",
                          c.name(),
                          result.reason(),
                          elapsed,
                          c.endpoint().open(),
                          c.endpoint().maxBytesSent());
                      assertThat(result.reason()).as(result.message()).isIn(c.reasons());
                      assertThat(elapsed)
                          .as("time to the result")
                          .isLessThan(TIMEOUT.toMillis() + MARGIN_MILLIS);
                      if (c.closes()) {
                        assertThat(c.endpoint().open())
                            .as("the check closed its connection")
                            .isZero();
                      }
                      assertThat(c.endpoint().maxBytesSent())
                          .as("what the server could send before the check closed")
                          .isLessThan(FLOOD_READ_BOUND);
                    }));
  }

  /** What the process holds: the figures the leak test compares. */
  record Snapshot(
      int threads,
      int idlePoolThreads,
      int busyPoolThreads,
      Map<String, Integer> byLibrary,
      int fds,
      int sockets,
      long heapUsed) {

    /** Thread name prefixes of the check libraries (and of the test's own servers). */
    static final List<String> LIBRARIES =
        List.of("vigie-check-", "vigie-tcp-", "HttpClient-", "grpc-", "dnsjava", "hostile-");

    /** Live threads but the factory pool's idle ones, which end after a minute idle. */
    int lasting() {
      return threads - idlePoolThreads;
    }

    static Snapshot take(boolean collect) throws Exception {
      long heap = 0;
      if (collect) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
          System.gc();
          Thread.sleep(100);
        }
        heap = memory.getHeapMemoryUsage().getUsed();
      }
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      int idle = 0;
      int busy = 0;
      Map<String, Integer> byLibrary = new TreeMap<>();
      LIBRARIES.forEach(prefix -> byLibrary.put(prefix, 0));
      for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds(), 16)) {
        if (info == null) {
          continue;
        }
        String name = info.getThreadName();
        for (String prefix : LIBRARIES) {
          if (name.startsWith(prefix)) {
            byLibrary.merge(prefix, 1, Integer::sum);
          }
        }
        if (name.startsWith("vigie-check-")) {
          boolean waitsForWork =
              Arrays.stream(info.getStackTrace())
                  .anyMatch(
                      f ->
                          f.getClassName().equals("java.util.concurrent.ThreadPoolExecutor")
                              && f.getMethodName().equals("getTask"));
          if (waitsForWork) {
            idle++;
          } else {
            busy++;
          }
        }
      }
      int fds = 0;
      int sockets = 0;
      File[] open = new File("/proc/self/fd").listFiles();
      for (File fd : open == null ? new File[0] : open) {
        fds++;
        try {
          if (Files.readSymbolicLink(fd.toPath()).toString().startsWith("socket:")) {
            sockets++;
          }
        } catch (IOException e) {
          // closed meanwhile (the directory's own descriptor, among others)
        }
      }
      return new Snapshot(threads.getThreadCount(), idle, busy, byLibrary, fds, sockets, heap);
    }

    @Override
    public String toString() {
      return String.format(
          "threads=%d (idle pool %d, busy pool %d, lasting %d) %s fds=%d (sockets %d) heap=%d MiB",
          threads,
          idlePoolThreads,
          busyPoolThreads,
          lasting(),
          byLibrary,
          fds,
          sockets,
          heapUsed >> 20);
    }
  }

  @Test
  void tenThousandHostileChecksLeakNoThreadSocketOrMemory() throws Exception {
    Assumptions.assumeTrue(new File("/proc/self/fd").isDirectory(), "counts /proc/self/fd");
    // Floods read up to the limit, then stop: a smaller one keeps 2,500 floods cheap.
    int limit = 64 * 1024;
    Duration timeout = Duration.ofMillis(250);
    int total = 10_000;
    int concurrency = 200;
    // Not the endless headers: the JDK keeps their connection open (see its case).
    List<Case> mix =
        cases.stream()
            .filter(Case::closes)
            .filter(c -> c.name().startsWith(System.getProperty("only", "")))
            .toList();
    try (CheckFactory checks = new CheckFactory(limit)) {
      warmUp(checks, timeout);
      settle(mix, Duration.ofSeconds(10));
      Snapshot before = Snapshot.take(true);

      long started = System.nanoTime();
      Semaphore slots = new Semaphore(concurrency);
      AtomicInteger wrong = new AtomicInteger();
      AtomicInteger late = new AtomicInteger();
      AtomicLong slowest = new AtomicLong();
      Map<String, AtomicInteger> reasons = new ConcurrentHashMap<>();
      List<String> samples = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(total);
      for (int i = 0; i < total; i++) {
        slots.acquire();
        Case c = mix.get(i % mix.size());
        long start = System.nanoTime();
        Check check = checks.create("test", c.spec(), ref -> secrets.get(ref.key));
        check
            .run(timeout)
            .whenComplete(
                (result, error) -> {
                  long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                  check.close();
                  slowest.accumulateAndGet(elapsed, Math::max);
                  if (elapsed > timeout.toMillis() + MARGIN_MILLIS) {
                    late.incrementAndGet();
                  }
                  String reason = result == null ? "exception" : result.reason();
                  reasons.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
                  // Under this load a fast failure may come after the timeout.
                  if (!c.reasons().contains(reason) && !reason.equals(Reasons.TIMEOUT)) {
                    wrong.incrementAndGet();
                    if (samples.size() < 5) {
                      samples.add(c.name() + ": " + (result == null ? error : result.message()));
                    }
                  }
                  slots.release();
                  done.countDown();
                });
      }
      assertThat(done.await(60, TimeUnit.SECONDS)).as("every check completed").isTrue();
      long seconds = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      settle(mix, Duration.ofSeconds(10));
      Snapshot after = Snapshot.take(true);
      System.out.printf(
          "%d hostile checks (%d cases, timeout %s, %d at a time) in %d ms, slowest %d ms,"
              + " %d late: %s%n  before: %s%n  after:  %s%n",
          total,
          mix.size(),
          timeout,
          concurrency,
          seconds,
          slowest.get(),
          late.get(),
          new TreeMap<>(reasons),
          before,
          after);

      // The exact reasons are the other test's; here, under load, one run in a thousand may end
      // otherwise (seen once in 30,000: a trickled body ended by the server).
      assertThat(wrong.get())
          .as("checks with an unexpected reason: %s", samples)
          .isLessThanOrEqualTo(total / 1000);
      assertThat(late.get()).as("checks that took more than the timeout and its margin").isZero();
      assertThat(PostgresAttempt.running()).as("postgres runs still registered").isZero();
      assertThat(after.busyPoolThreads()).as("check threads still at work").isZero();
      assertThat(after.lasting()).as("threads").isLessThanOrEqualTo(before.lasting() + 8);
      for (String library : Snapshot.LIBRARIES) {
        if (!library.equals("vigie-check-")) {
          assertThat(after.byLibrary().get(library))
              .as("threads named %s*", library)
              .isLessThanOrEqualTo(before.byLibrary().get(library) + 2);
        }
      }
      assertThat(after.fds()).as("file descriptors").isLessThanOrEqualTo(before.fds() + 16);
      assertThat(after.heapUsed())
          .as("heap used after GC")
          .isLessThanOrEqualTo(before.heapUsed() + 64L * 1024 * 1024);
    }
  }

  /**
   * Waits for what ends a little after the checks' results: the servers' sides of their
   * connections, the postgres runs' grace, the blocking checks' threads.
   */
  static void settle(List<Case> mix, Duration atMost) throws Exception {
    long end = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() - end < 0) {
      boolean open = mix.stream().anyMatch(c -> c.endpoint().open() > 0);
      if (!open && PostgresAttempt.running() == 0 && Snapshot.take(false).busyPoolThreads() == 0) {
        break;
      }
      Thread.sleep(50);
    }
    Thread.sleep(300);
  }
}
