package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.DnsCheck;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.testing.LoopbackDnsServer;
import io.dihya.vigie.testing.LoopbackDnsServer.Mode;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Address;

/** DNS checks against a real DNS server on loopback (UDP and TCP). */
class DnsProbeCheckTest {

  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final String NAME = "shop.example.org";

  static CheckFactory factory;
  LoopbackDnsServer server;

  @BeforeAll
  static void startFactory() {
    factory = new CheckFactory();
  }

  @AfterAll
  static void stopFactory() {
    factory.close();
  }

  @BeforeEach
  void startServer() throws Exception {
    server = LoopbackDnsServer.start();
    server.add(
        "shop.example.org. 300 IN A 10.0.0.7",
        "shop.example.org. 60 IN A 10.0.0.8",
        "shop.example.org. 300 IN TXT \"v=spf1 -all\"",
        "v6.example.org. 120 IN AAAA ::1",
        "v6.example.org. 90 IN AAAA 2001:DB8:0:0:0:0:0:1",
        "www.example.org. 3600 IN CNAME Shop.Example.Org.",
        "alias.example.org. 30 IN CNAME www.example.org.",
        "example.org. 600 IN MX 10 mail.example.org.",
        "example.org. 600 IN MX 20 backup.example.org.",
        "_pg._tcp.example.org. 45 IN SRV 0 5 5432 db.example.org.",
        "_pg._tcp.example.org. 45 IN SRV 1 0 5433 db2.example.org.",
        "dkim.example.org. 300 IN TXT \"v=DKIM1; k=rsa; \" \"p=MIGfMA0\"",
        "only-txt.example.org. 300 IN TXT \"hello\"");
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  /** A dns block asking the loopback server. */
  DnsCheck dns(DnsCheck.RecordType type, String name, String... expect) {
    DnsCheck spec = new DnsCheck();
    spec.name = name;
    spec.recordType = type;
    spec.server = "127.0.0.1";
    spec.port = server.port();
    spec.expect = new ArrayList<>(List.of(expect));
    return spec;
  }

  static CheckResult run(DnsCheck dns) throws Exception {
    return run(dns, TIMEOUT);
  }

  static CheckResult run(DnsCheck dns, Duration timeout) throws Exception {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.dns = dns;
    Check check = factory.create("test", spec, ref -> null);
    try {
      return check.run(timeout).get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
    } finally {
      check.close();
    }
  }

  static CheckResult run(Check check) throws Exception {
    return check.run(TIMEOUT).get(TIMEOUT.toMillis() + 5000, TimeUnit.MILLISECONDS);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> data(CheckResult result) {
    return (Map<String, Object>) result.data().get("dns");
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> records(CheckResult result) {
    return (List<Map<String, Object>>) data(result).get("records");
  }

  String at() {
    return " @127.0.0.1:" + server.port();
  }

  // ---- healthy, each record type ----

  @Test
  void aRecordsAnswer() throws Exception {
    CheckResult result = run(dns(DnsCheck.RecordType.A, NAME));

    assertThat(result.success()).isTrue();
    assertThat(result.reason()).isEqualTo(Reasons.SUCCEEDED);
    assertThat(result.message()).isEqualTo("dns A shop.example.org" + at() + ": 2 answers");
    assertThat(result.certificateNotAfter()).isNull();
    assertThat(server.udpQueries()).isEqualTo(1);
    assertThat(server.tcpQueries()).isZero();
    assertThat(server.questions()).containsExactly("shop.example.org. A");
  }

  @Test
  void dataHoldsTheAnswersForAssertions() throws Exception {
    CheckResult result = run(dns(DnsCheck.RecordType.A, NAME + "."));

    assertThat(result.data()).containsOnlyKeys("dns");
    Map<String, Object> dns = data(result);
    assertThat(dns)
        .containsOnlyKeys(
            "rcode", "answers", "ttl", "records", "cnames", "authoritative", "server");
    assertThat(dns.get("rcode")).isEqualTo("NOERROR");
    assertThat(dns.get("answers")).isEqualTo(List.of("10.0.0.7", "10.0.0.8"));
    assertThat(dns.get("ttl")).isEqualTo(60L);
    assertThat(dns.get("cnames")).isEqualTo(List.of());
    assertThat(dns.get("authoritative")).isEqualTo(true);
    assertThat(dns.get("server")).isEqualTo("127.0.0.1:" + server.port());
    assertThat(records(result))
        .containsExactly(
            Map.of("value", "10.0.0.7", "ttl", 300L, "address", "10.0.0.7"),
            Map.of("value", "10.0.0.8", "ttl", 60L, "address", "10.0.0.8"));
  }

  @Test
  void notAuthoritativeAnswer() throws Exception {
    server.authoritative(false);

    CheckResult result = run(dns(DnsCheck.RecordType.A, NAME));

    assertThat(result.success()).isTrue();
    assertThat(data(result).get("authoritative")).isEqualTo(false);
  }

  @Test
  void aaaaRecordsAreComparedAsAddresses() throws Exception {
    CheckResult result =
        run(dns(DnsCheck.RecordType.AAAA, "v6.example.org", "0:0:0:0:0:0:0:1", "2001:db8::1"));

    assertThat(result.success()).isTrue();
    assertThat(result.message()).isEqualTo("dns AAAA v6.example.org" + at() + ": 2 answers");
    assertThat(data(result).get("answers")).isEqualTo(List.of("::1", "2001:db8::1"));
    assertThat(data(result).get("ttl")).isEqualTo(90L);
  }

  @Test
  void aaaaMissingValueIsShownInItsShortForm() throws Exception {
    CheckResult result =
        run(dns(DnsCheck.RecordType.AAAA, "v6.example.org", "2001:DB8:0:0:0:0:0:2"));

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_ANSWER);
    assertThat(result.message())
        .isEqualTo("dns AAAA v6.example.org" + at() + ": 2 answers, missing expected 2001:db8::2");
  }

  @Test
  void cnameIsComparedWithoutCaseOrTrailingDot() throws Exception {
    CheckResult result =
        run(dns(DnsCheck.RecordType.CNAME, "www.example.org", "shop.example.org."));

    assertThat(result.success()).isTrue();
    assertThat(result.message()).isEqualTo("dns CNAME www.example.org" + at() + ": 1 answer");
    // As sent: the server's name compression points "Example.Org" at the question's labels.
    assertThat(data(result).get("answers")).isEqualTo(List.of("Shop.example.org"));
    assertThat(data(result).get("cnames")).isEqualTo(List.of());
    assertThat(records(result))
        .containsExactly(
            Map.of("value", "Shop.example.org", "ttl", 3600L, "target", "Shop.example.org"));
  }

  @Test
  void cnameQueryAnswersOnlyTheFirstHop() throws Exception {
    CheckResult result =
        run(dns(DnsCheck.RecordType.CNAME, "alias.example.org", "www.example.org"));

    assertThat(result.success()).isTrue();
    assertThat(data(result).get("answers")).isEqualTo(List.of("www.example.org"));
  }

  @Test
  void aQueryThroughACnameChainAnswersTheARecords() throws Exception {
    CheckResult result = run(dns(DnsCheck.RecordType.A, "alias.example.org", "10.0.0.8"));

    assertThat(result.success()).isTrue();
    assertThat(result.message()).isEqualTo("dns A alias.example.org" + at() + ": 2 answers");
    assertThat(data(result).get("answers")).isEqualTo(List.of("10.0.0.7", "10.0.0.8"));
    assertThat(data(result).get("cnames"))
        .isEqualTo(List.of("www.example.org", "Shop.example.org"));
    assertThat(data(result).get("ttl")).isEqualTo(60L);
  }

  @Test
  void cnameToNothingIsNoAnswer() throws Exception {
    server.add("dangling.example.org. 30 IN CNAME gone.example.org.");

    CheckResult result = run(dns(DnsCheck.RecordType.A, "dangling.example.org"));

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_ANSWER);
    assertThat(data(result).get("cnames")).isEqualTo(List.of("gone.example.org"));
    assertThat(data(result)).doesNotContainKey("ttl");
  }

  @Test
  void cnameLoopEnds() throws Exception {
    server.add(
        "loop1.example.org. 30 IN CNAME loop2.example.org.",
        "loop2.example.org. 30 IN CNAME loop1.example.org.");

    CheckResult result = run(dns(DnsCheck.RecordType.A, "loop1.example.org"));

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_ANSWER);
    assertThat(data(result).get("cnames")).isEqualTo(List.of("loop2.example.org"));
  }

  @Test
  void mxRecordsWithPreferenceAndHost() throws Exception {
    CheckResult result =
        run(
            dns(
                DnsCheck.RecordType.MX,
                "example.org",
                "10 MAIL.example.org",
                "20  backup.example.org."));

    assertThat(result.success()).isTrue();
    assertThat(data(result).get("answers"))
        .isEqualTo(List.of("10 mail.example.org", "20 backup.example.org"));
    assertThat(records(result).get(0))
        .isEqualTo(
            Map.of(
                "value",
                "10 mail.example.org",
                "ttl",
                600L,
                "preference",
                10L,
                "host",
                "mail.example.org"));
  }

  @Test
  void mxWithAnotherPreferenceIsMissing() throws Exception {
    CheckResult result = run(dns(DnsCheck.RecordType.MX, "example.org", "20 mail.example.org"));

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_ANSWER);
    assertThat(result.message()).endsWith(": 2 answers, missing expected 20 mail.example.org");
  }

  @Test
  void srvRecordsWithAllFields() throws Exception {
    CheckResult result =
        run(dns(DnsCheck.RecordType.SRV, "_pg._tcp.example.org", "0 5 5432 db.example.org"));

    assertThat(result.success()).isTrue();
    assertThat(result.message()).isEqualTo("dns SRV _pg._tcp.example.org" + at() + ": 2 answers");
    assertThat(data(result).get("answers"))
        .isEqualTo(List.of("0 5 5432 db.example.org", "1 0 5433 db2.example.org"));
    assertThat(records(result).get(1))
        .isEqualTo(
            Map.of(
                "value", "1 0 5433 db2.example.org",
                "ttl", 45L,
                "priority", 1L,
                "weight", 0L,
                "port", 5433L,
                "target", "db2.example.org"));
  }

  @Test
  void srvWithAnotherPortIsMissing() throws Exception {
    CheckResult result =
        run(dns(DnsCheck.RecordType.SRV, "_pg._tcp.example.org", "0 5 6432 db.example.org"));

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_ANSWER);
    assertThat(result.message()).endsWith(": 2 answers, missing expected 0 5 6432 db.example.org");
  }

  @Test
  void txtIsComparedExactly() throws Exception {
    assertThat(run(dns(DnsCheck.RecordType.TXT, NAME, "v=spf1 -all")).success()).isTrue();

    CheckResult result = run(dns(DnsCheck.RecordType.TXT, NAME, "V=SPF1 -ALL"));

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_ANSWER);
    assertThat(result.message())
        .isEqualTo(
            "dns TXT shop.example.org" + at() + ": 1 answer, missing expected \"V=SPF1 -ALL\"");
  }

  @Test
  void txtStringsAreJoined() throws Exception {
    CheckResult result =
        run(dns(DnsCheck.RecordType.TXT, "dkim.example.org", "v=DKIM1; k=rsa; p=MIGfMA0"));

    assertThat(result.success()).isTrue();
    assertThat(data(result).get("answers")).isEqualTo(List.of("v=DKIM1; k=rsa; p=MIGfMA0"));
    assertThat(records(result).get(0).get("strings"))
        .isEqualTo(List.of("v=DKIM1; k=rsa; ", "p=MIGfMA0"));
  }

  @Test
  void longMissingTxtValueIsCut() throws Exception {
    String longValue = "x".repeat(100);

    CheckResult result = run(dns(DnsCheck.RecordType.TXT, NAME, longValue));

    assertThat(result.message())
        .endsWith(": 1 answer, missing expected \"" + "x".repeat(64) + "...\"");
  }

  // ---- expect ----

  @Test
  void expectedAddressPresent() throws Exception {
    CheckResult result = run(dns(DnsCheck.RecordType.A, NAME, " 10.0.0.8 "));

    assertThat(result.success()).isTrue();
  }

  @Test
  void expectedAddressMissingNamesItAndCountsAnswers() throws Exception {
    CheckResult result = run(dns(DnsCheck.RecordType.A, NAME, "10.0.0.7", "10.0.0.9"));

    assertThat(result.success()).isFalse();
    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_ANSWER);
    assertThat(result.message())
        .isEqualTo("dns A shop.example.org" + at() + ": 2 answers, missing expected 10.0.0.9");
    assertThat(data(result).get("answers")).isEqualTo(List.of("10.0.0.7", "10.0.0.8"));
  }

  @Test
  void manyMissingValuesAreCounted() throws Exception {
    CheckResult result =
        run(
            dns(
                DnsCheck.RecordType.A,
                NAME,
                "10.0.1.1",
                "10.0.1.2",
                "10.0.1.3",
                "10.0.1.4",
                "10.0.1.5"));

    assertThat(result.message())
        .endsWith(": 2 answers, missing expected 10.0.1.1, 10.0.1.2, 10.0.1.3 and 2 more");
  }

  // ---- unhealthy answers ----

  @Test
  void nxDomain() throws Exception {
    CheckResult result = run(dns(DnsCheck.RecordType.A, "nope.example.org"));

    assertThat(result.success()).isFalse();
    assertThat(result.reason()).isEqualTo(Reasons.NX_DOMAIN);
    assertThat(result.message())
        .isEqualTo("dns A nope.example.org" + at() + ": no such name (NXDOMAIN)");
    assertThat(data(result).get("rcode")).isEqualTo("NXDOMAIN");
    assertThat(data(result).get("answers")).isEqualTo(List.of());
    assertThat(data(result)).doesNotContainKey("ttl");
  }

  @Test
  void nxDomainWhateverTheTable() throws Exception {
    server.mode(Mode.NXDOMAIN);

    CheckResult result = run(dns(DnsCheck.RecordType.A, NAME));

    assertThat(result.reason()).isEqualTo(Reasons.NX_DOMAIN);
  }

  @Test
  void servFailIsDnsFailure() throws Exception {
    server.mode(Mode.SERVFAIL);

    CheckResult result = run(dns(DnsCheck.RecordType.A, NAME));

    assertThat(result.reason()).isEqualTo(Reasons.DNS_FAILURE);
    assertThat(result.message())
        .isEqualTo("dns A shop.example.org" + at() + ": the server answered SERVFAIL");
    assertThat(data(result).get("rcode")).isEqualTo("SERVFAIL");
  }

  @Test
  void refusedIsDnsFailure() throws Exception {
    server.mode(Mode.REFUSED);

    CheckResult result = run(dns(DnsCheck.RecordType.MX, "example.org"));

    assertThat(result.reason()).isEqualTo(Reasons.DNS_FAILURE);
    assertThat(result.message())
        .isEqualTo("dns MX example.org" + at() + ": the server answered REFUSED");
  }

  @Test
  void emptyAnswerIsUnexpected() throws Exception {
    server.mode(Mode.EMPTY);

    CheckResult result = run(dns(DnsCheck.RecordType.A, NAME, "10.0.0.7"));

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_ANSWER);
    assertThat(result.message())
        .isEqualTo("dns A shop.example.org" + at() + ": no A record in the answer (NOERROR)");
    assertThat(data(result).get("rcode")).isEqualTo("NOERROR");
    assertThat(data(result).get("answers")).isEqualTo(List.of());
  }

  @Test
  void answerOfOtherTypesOnlyIsUnexpected() throws Exception {
    CheckResult result = run(dns(DnsCheck.RecordType.SRV, "only-txt.example.org"));

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_ANSWER);
    assertThat(result.message()).endsWith(": no SRV record in the answer (NOERROR)");
  }

  @Test
  void garbageIsDnsFailure() throws Exception {
    server.mode(Mode.GARBAGE);

    CheckResult result = run(dns(DnsCheck.RecordType.A, NAME));

    assertThat(result.reason()).isEqualTo(Reasons.DNS_FAILURE);
    assertThat(result.message())
        .isEqualTo(
            "dns A shop.example.org" + at() + ": the answer is malformed or not for this query");
    assertThat(result.data()).isEmpty();
  }

  @Test
  void silentServerTimesOutOnTime() throws Exception {
    server.mode(Mode.SILENT);
    Duration timeout = Duration.ofMillis(500);
    long start = System.nanoTime();

    CheckResult result = run(dns(DnsCheck.RecordType.A, NAME), timeout);

    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
    assertThat(result.message())
        .isEqualTo("dns A shop.example.org" + at() + ": no answer within 500ms");
    assertThat(took).isBetween(450L, 2500L);
    assertThat(result.latencyMs()).isGreaterThanOrEqualTo(450L);
    assertThat(server.udpQueries()).isEqualTo(1);
  }

  @Test
  void silentServerOverTcpTimesOut() throws Exception {
    server.mode(Mode.SILENT);
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.transport = DnsCheck.Transport.tcp;

    CheckResult result = run(spec, Duration.ofMillis(500));

    assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
    assertThat(server.tcpQueries()).isEqualTo(1);
  }

  // ---- transports ----

  @Test
  void tcpTransport() throws Exception {
    DnsCheck spec =
        dns(DnsCheck.RecordType.SRV, "_pg._tcp.example.org", "1 0 5433 db2.example.org");
    spec.transport = DnsCheck.Transport.tcp;

    CheckResult result = run(spec);

    assertThat(result.success()).isTrue();
    assertThat(server.tcpQueries()).isEqualTo(1);
    assertThat(server.udpQueries()).isZero();
  }

  @Test
  void everyTcpQueryHasAConnectionOfItsOwn() throws Exception {
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.transport = DnsCheck.Transport.tcp;
    Check check = DnsProbeCheck.create(spec, Runnable::run, Runnable::run);

    assertThat(run(check).success()).isTrue();
    assertThat(run(check).success()).isTrue();
    // Not dnsjava's pool, which kept one connection per server for good (DnsTcpClient).
    assertThat(server.tcpConnections()).isEqualTo(2);
    assertThat(server.tcpQueries()).isEqualTo(2);

    // A server that closes its connections changes nothing.
    server.closeConnections();
    assertThat(run(check).success()).isTrue();
    assertThat(server.tcpConnections()).isEqualTo(3);
  }

  @Test
  void truncatedUdpAnswerIsAskedAgainOverTcp() throws Exception {
    server.mode(Mode.TRUNCATE_UDP);

    CheckResult result = run(dns(DnsCheck.RecordType.A, NAME, "10.0.0.7"));

    assertThat(result.success()).isTrue();
    assertThat(data(result).get("answers")).isEqualTo(List.of("10.0.0.7", "10.0.0.8"));
    assertThat(server.udpQueries()).isEqualTo(1);
    assertThat(server.tcpQueries()).isEqualTo(1);
  }

  @Test
  void tcpToAClosedPortIsConnectionRefused() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.port = closed;
    spec.transport = DnsCheck.Transport.tcp;

    CheckResult result = run(spec);

    assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
    assertThat(result.message())
        .isEqualTo("dns A shop.example.org @127.0.0.1:" + closed + ": connection refused");
  }

  @Test
  void udpToAClosedPortFailsFast() throws Exception {
    int closed;
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.port = closed;

    CheckResult result = run(spec, Duration.ofSeconds(3));

    // Linux reports the ICMP port unreachable to a connected datagram socket.
    assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
    assertThat(result.message())
        .isEqualTo(
            "dns A shop.example.org @127.0.0.1:" + closed + ": port unreachable (nothing listens)");
    assertThat(result.latencyMs()).isLessThan(2000);
  }

  @Test
  void ipv6ServerIsShownInBrackets() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.server = "[::1]";
    spec.port = closed;
    spec.transport = DnsCheck.Transport.tcp;

    CheckResult result = run(spec);

    assertThat(result.success()).isFalse();
    assertThat(result.message()).startsWith("dns A shop.example.org @[::1]:" + closed + ": ");
  }

  @Test
  void ipv6Server() throws Exception {
    LoopbackDnsServer v6;
    try {
      v6 = LoopbackDnsServer.start(InetAddress.getByName("::1"));
    } catch (java.io.IOException e) {
      org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here");
      return;
    }
    try (v6) {
      v6.add("shop.example.org. 300 IN A 10.0.0.7");
      DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
      spec.server = "0:0:0:0:0:0:0:1";
      spec.port = v6.port();

      CheckResult result = run(spec);

      assertThat(result.success()).isTrue();
      assertThat(result.message())
          .isEqualTo("dns A shop.example.org @[0:0:0:0:0:0:0:1]:" + v6.port() + ": 1 answer");
      assertThat(data(result).get("server")).isEqualTo("[::1]:" + v6.port());
    }
  }

  // ---- where the query goes ----

  @Test
  void serverGivenByHostName() throws Exception {
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME, "10.0.0.7");
    spec.server = "localhost";

    CheckResult result = run(spec);

    assertThat(result.success()).isTrue();
    assertThat(result.message())
        .isEqualTo("dns A shop.example.org @localhost:" + server.port() + ": 2 answers");
    assertThat(data(result).get("server")).isEqualTo("127.0.0.1:" + server.port());
  }

  @Test
  void serverHostNameIsResolvedOnThePoolAndItsResolverReused() throws Exception {
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.server = "localhost";
    List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    Executor pool =
        task ->
            new Thread(
                    () -> {
                      threads.add(Thread.currentThread().getName());
                      task.run();
                    },
                    "test-pool")
                .start();
    Check check = DnsProbeCheck.create(spec, pool, Runnable::run);

    assertThat(run(check).success()).isTrue();
    assertThat(run(check).success()).isTrue();

    assertThat(threads).containsExactly("test-pool", "test-pool");
    assertThat(server.queries()).isEqualTo(2);
  }

  @Test
  void unknownServerHostNameIsDnsFailure() throws Exception {
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.server = "no-such-host.invalid";

    CheckResult result = run(spec);

    assertThat(result.reason()).isEqualTo(Reasons.DNS_FAILURE);
    assertThat(result.message())
        .isEqualTo(
            "dns A shop.example.org @no-such-host.invalid:"
                + server.port()
                + ": the server's host name did not resolve");
  }

  @Test
  void closedPoolFailsTheRunWithoutThrowing() throws Exception {
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.server = "localhost";
    Executor closed =
        task -> {
          throw new RejectedExecutionException("shut down");
        };
    Check check = DnsProbeCheck.create(spec, closed, Runnable::run);

    CheckResult result = run(check);

    assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
    assertThat(result.message()).endsWith(": the check engine is shut down");
  }

  @Test
  void podResolversWhenNoServerIsGiven() throws Exception {
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.server = null;
    spec.port = null;
    Check check =
        DnsProbeCheck.create(spec, Runnable::run, Runnable::run, List.of(address(server.port())));

    CheckResult result = run(check);

    assertThat(result.success()).isTrue();
    assertThat(result.message()).isEqualTo("dns A shop.example.org: 2 answers");
    assertThat(data(result).get("server")).isEqualTo("127.0.0.1:" + server.port());
  }

  @Test
  void podResolversAreAskedInTurnWhenOneIsSilent() throws Exception {
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.server = null;
    spec.port = null;
    spec.transport = DnsCheck.Transport.tcp;
    try (LoopbackDnsServer silent = LoopbackDnsServer.start()) {
      silent.mode(Mode.SILENT);
      Check check =
          DnsProbeCheck.create(
              spec,
              Runnable::run,
              Runnable::run,
              List.of(address(silent.port()), address(server.port())));

      CheckResult result = check.run(Duration.ofSeconds(4)).get(10, TimeUnit.SECONDS);

      assertThat(result.success()).isTrue();
      assertThat(silent.tcpQueries()).isEqualTo(1);
      assertThat(server.tcpQueries()).isEqualTo(1);
      assertThat(data(result).get("server")).isEqualTo("127.0.0.1:" + server.port());
    }
  }

  @Test
  void silentPodResolversTimeOut() throws Exception {
    server.mode(Mode.SILENT);
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.server = null;
    spec.port = null;
    Check check =
        DnsProbeCheck.create(spec, Runnable::run, Runnable::run, List.of(address(server.port())));

    CheckResult result = check.run(Duration.ofMillis(600)).get(5, TimeUnit.SECONDS);

    assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
    assertThat(result.message()).isEqualTo("dns A shop.example.org: no answer within 600ms");
  }

  @Test
  void podResolversFromResolvConfThroughTheFactory() {
    DnsCheck spec = new DnsCheck();
    spec.name = NAME;
    HealthProbeSpec probe = new HealthProbeSpec();
    probe.dns = spec;

    Check check = factory.create("test", probe, ref -> null);

    assertThat(check).isInstanceOf(DnsProbeCheck.class);
    check.close();
  }

  @Test
  void noPodResolverFallsBackToLoopback() throws Exception {
    DnsCheck spec = dns(DnsCheck.RecordType.A, NAME);
    spec.server = null;
    spec.port = null;
    spec.transport = DnsCheck.Transport.tcp;
    Check check = DnsProbeCheck.create(spec, Runnable::run, Runnable::run, List.of());

    CheckResult result = check.run(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);

    // Nothing listens on 127.0.0.1:53 here (or something does): either way, no exception.
    assertThat(result.message()).startsWith("dns A shop.example.org: ");
  }

  static InetSocketAddress address(int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port);
  }

  // ---- runs ----

  @Test
  void eachRunSendsOneQueryAndTheCheckIsReusable() throws Exception {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.dns = dns(DnsCheck.RecordType.A, NAME);
    Check check = factory.create("test", spec, ref -> null);

    List<CompletableFuture<CheckResult>> runs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      runs.add(check.run(TIMEOUT));
    }
    for (CompletableFuture<CheckResult> run : runs) {
      assertThat(run.get(10, TimeUnit.SECONDS).success()).isTrue();
    }

    assertThat(server.queries()).isEqualTo(20);
    check.close();
  }

  @Test
  void manyConcurrentChecksWaitOnNoThreadOfTheirOwn() throws Exception {
    assertThat(run(dns(DnsCheck.RecordType.A, NAME)).success()).isTrue(); // dnsjava's selector up
    List<Check> checks = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      checks.add(
          DnsProbeCheck.create(dns(DnsCheck.RecordType.A, NAME), Runnable::run, Runnable::run));
    }
    int threadsBefore = Thread.activeCount();

    List<CompletableFuture<CheckResult>> runs = new ArrayList<>();
    checks.forEach(check -> runs.add(check.run(TIMEOUT)));
    int threadsDuring = Thread.activeCount();
    for (CompletableFuture<CheckResult> run : runs) {
      assertThat(run.get(10, TimeUnit.SECONDS).success()).isTrue();
    }

    assertThat(threadsDuring - threadsBefore).isLessThanOrEqualTo(2);
    assertThat(server.udpQueries()).isEqualTo(501);
  }

  @Test
  void timeoutChangesBetweenRunsAreApplied() throws Exception {
    server.mode(Mode.SILENT);
    Check check =
        DnsProbeCheck.create(dns(DnsCheck.RecordType.A, NAME), Runnable::run, Runnable::run);

    assertThat(check.run(Duration.ofMillis(300)).get(5, TimeUnit.SECONDS).message())
        .endsWith(": no answer within 300ms");
    assertThat(check.run(Duration.ofMillis(400)).get(5, TimeUnit.SECONDS).message())
        .endsWith(": no answer within 400ms");
  }

  @Test
  void nonPositiveTimeoutIsInvalid() throws Exception {
    Check check =
        DnsProbeCheck.create(dns(DnsCheck.RecordType.A, NAME), Runnable::run, Runnable::run);

    assertThat(check.run(Duration.ZERO).get().reason()).isEqualTo(Reasons.INVALID_SPEC);
    assertThat(check.run(null).get().message()).isEqualTo("the timeout must be positive");
    assertThat(server.queries()).isZero();
  }

  @Test
  void defaultsAreTypeAUdpPort53() {
    DnsCheck spec = new DnsCheck();
    spec.name = NAME;
    spec.recordType = null;
    spec.transport = null;
    spec.port = null;
    spec.expect = null;
    spec.server = "127.0.0.1";

    Check check = DnsProbeCheck.create(spec, Runnable::run, Runnable::run);

    assertThat(check).isNotNull();
  }

  // ---- misconfigured specs ----

  static final String CANARY = "c4n4ry";

  String refused(DnsCheck.RecordType type, Consumer<DnsCheck> change) {
    DnsCheck spec = dns(type, NAME);
    change.accept(spec);
    HealthProbeSpec probe = new HealthProbeSpec();
    probe.dns = spec;
    try {
      factory.create("test", probe, ref -> null).close();
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).doesNotContain(CANARY);
      return e.getMessage();
    }
    throw new AssertionError("the spec was accepted");
  }

  @Test
  void invalidNames() {
    assertThat(refused(DnsCheck.RecordType.A, s -> s.name = null))
        .isEqualTo("spec.dns.name: required");
    assertThat(refused(DnsCheck.RecordType.A, s -> s.name = " "))
        .isEqualTo("spec.dns.name: required");
    assertThat(refused(DnsCheck.RecordType.A, s -> s.name = CANARY + "..example.org"))
        .isEqualTo("spec.dns.name: has an empty label (two dots in a row, or a leading dot)");
    assertThat(refused(DnsCheck.RecordType.A, s -> s.name = CANARY + "x".repeat(60) + ".org"))
        .isEqualTo("spec.dns.name: has a label longer than 63 characters");
    assertThat(refused(DnsCheck.RecordType.A, s -> s.name = (CANARY + "abcdefgh.").repeat(20)))
        .isEqualTo("spec.dns.name: is longer than 253 characters");
    assertThat(refused(DnsCheck.RecordType.A, s -> s.name = CANARY + " .org"))
        .isEqualTo("spec.dns.name: may hold only letters, digits, '-', '_' and dots");
  }

  @Test
  void invalidServerAndPort() {
    assertThat(refused(DnsCheck.RecordType.A, s -> s.port = 0))
        .isEqualTo("spec.dns.port: must be 1 to 65535");
    assertThat(refused(DnsCheck.RecordType.A, s -> s.port = 65536))
        .isEqualTo("spec.dns.port: must be 1 to 65535");
    assertThat(refused(DnsCheck.RecordType.A, s -> s.server = "10.0.0.1:53"))
        .isEqualTo(
            "spec.dns.server: not an IP address or a host name (the port goes in spec.dns.port)");
    assertThat(refused(DnsCheck.RecordType.A, s -> s.server = CANARY + "/dns"))
        .isEqualTo("spec.dns.server: not an IP address or a host name");
    assertThat(
            refused(
                DnsCheck.RecordType.A,
                s -> {
                  s.server = null;
                  s.port = 5353;
                }))
        .isEqualTo(
            "spec.dns.port: applies only with spec.dns.server (the pod's resolvers are asked on"
                + " their own port)");
  }

  @Test
  void expectValuesThatCanNeverMatchTheirType() {
    assertThat(refused(DnsCheck.RecordType.A, s -> s.expect = List.of("10.0.0.1", "not-an-ip")))
        .isEqualTo("spec.dns.expect[1]: not an IPv4 address");
    assertThat(refused(DnsCheck.RecordType.A, s -> s.expect = List.of("::1")))
        .isEqualTo("spec.dns.expect[0]: not an IPv4 address");
    assertThat(refused(DnsCheck.RecordType.AAAA, s -> s.expect = List.of("10.0.0.1")))
        .isEqualTo("spec.dns.expect[0]: not an IPv6 address");
    assertThat(refused(DnsCheck.RecordType.CNAME, s -> s.expect = List.of(CANARY + "..org")))
        .isEqualTo("spec.dns.expect[0]: not a host name");
    assertThat(refused(DnsCheck.RecordType.MX, s -> s.expect = List.of("mail." + CANARY)))
        .isEqualTo("spec.dns.expect[0]: not \"preference host\", e.g. 10 mail.example.org");
    assertThat(refused(DnsCheck.RecordType.MX, s -> s.expect = List.of("70000 mail." + CANARY)))
        .isEqualTo("spec.dns.expect[0]: not \"preference host\", e.g. 10 mail.example.org");
    assertThat(refused(DnsCheck.RecordType.MX, s -> s.expect = List.of("ten mail." + CANARY)))
        .startsWith("spec.dns.expect[0]: not \"preference host\"");
    assertThat(refused(DnsCheck.RecordType.SRV, s -> s.expect = List.of("0 5 db." + CANARY)))
        .isEqualTo(
            "spec.dns.expect[0]: not \"priority weight port target\", e.g. 0 5 5432"
                + " db.example.org");
    assertThat(
            refused(DnsCheck.RecordType.SRV, s -> s.expect = List.of("0 5 5432 " + CANARY + "!")))
        .startsWith("spec.dns.expect[0]: not \"priority weight port target\"");
    assertThat(
            refused(
                DnsCheck.RecordType.TXT, s -> s.expect = java.util.Arrays.asList((String) null)))
        .isEqualTo("spec.dns.expect[0]: required");
  }

  @Test
  void anyTextIsAValidTxtExpectation() {
    DnsCheck spec = dns(DnsCheck.RecordType.TXT, NAME, "", "  spaced  ", "ünïcødé");

    assertThat(DnsProbeCheck.create(spec, Runnable::run, Runnable::run)).isNotNull();
  }

  @Test
  void expectingTheEmptyTxtText() throws Exception {
    server.add("empty.example.org. 60 IN TXT \"\"");

    assertThat(run(dns(DnsCheck.RecordType.TXT, "empty.example.org", "")).success()).isTrue();
  }

  @Test
  void utf8TxtText() throws Exception {
    server.add(
        new org.xbill.DNS.TXTRecord(
            LoopbackDnsServer.name("utf8.example.org"), org.xbill.DNS.DClass.IN, 60, "ünïcødé"));

    CheckResult result = run(dns(DnsCheck.RecordType.TXT, "utf8.example.org", "ünïcødé"));

    assertThat(data(result).get("answers")).isEqualTo(List.of("ünïcødé"));
  }

  // ---- text forms ----

  @Test
  void ipv6TextForm() {
    assertThat(DnsProbeCheck.ipv6(v6("0:0:0:0:0:0:0:1"))).isEqualTo("::1");
    assertThat(DnsProbeCheck.ipv6(v6("0:0:0:0:0:0:0:0"))).isEqualTo("::");
    assertThat(DnsProbeCheck.ipv6(v6("1:0:0:0:0:0:0:0"))).isEqualTo("1::");
    assertThat(DnsProbeCheck.ipv6(v6("2001:DB8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
    assertThat(DnsProbeCheck.ipv6(v6("1:0:0:2:0:0:0:3"))).isEqualTo("1:0:0:2::3");
    assertThat(DnsProbeCheck.ipv6(v6("1:0:2:3:4:5:6:7"))).isEqualTo("1:0:2:3:4:5:6:7");
    assertThat(DnsProbeCheck.ipv6(v6("fe80:0:0:0:0:0:0:abcd"))).isEqualTo("fe80::abcd");
    assertThat(DnsProbeCheck.ipv6(v6("::ffff:192.0.2.1"))).isEqualTo("::ffff:192.0.2.1");
  }

  static byte[] v6(String text) {
    return Address.toByteArray(text, Address.IPv6);
  }
}
