package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {

  /** Error messages as checks produce them: nothing in them is secret, all must stay readable. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET http://orders.shop.svc:8080/healthz answered 503, expected 200-399",
        "GET https://orders.shop.svc.cluster.local/healthz timed out after 5s (timeout 5s)",
        "dial tcp 10.96.12.4:5432: connect: connection refused",
        "connection reset by peer after 120ms",
        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
        "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while"
            + " dialing: dial tcp 10.0.0.1:50051: connect: connection refused\"",
        "grpc health: status NOT_SERVING for service orders.v1.Orders",
        "TLS certificate of orders.shop.svc expires in 6d (2025-01-01T00:00:00Z), minimum 14d",
        "javax.net.ssl.SSLHandshakeException: PKIX path building failed",
        "java.security.InvalidKeyException: Illegal key size",
        "java.net.UnknownHostException: orders.shop.svc: Name or service not known",
        "FATAL: password authentication failed for user \"orders\"",
        "redis: NOAUTH Authentication required.",
        "WRONGPASS invalid username-password pair or user is disabled.",
        "Secret shop/db-credentials has no key \"password\"",
        "HealthProbe shop/orders-api: 3 consecutive failures, last: HTTP 500 in 120ms",
        "kube: Deployment shop/orders has 2/3 ready replicas",
        "pod orders-7d9f8b6c4-x2x9z is not ready: readiness probe failed",
        "DNS lookup of orders.shop.svc.cluster.local returned NXDOMAIN",
        "expected body to contain \"ok\", got 512 bytes: {\"status\":\"DOWN\",\"checks\":[]}",
        "basic checks passed; Bearer token expired",
        "keycloak: GET /realms/shop answered 404",
        "author: alice; design=v2; signal=SIGTERM; status_code=503; bypass=true",
        "Failure executing: GET at: https://10.96.0.1/api/v1/namespaces/shop/secrets/db."
            + " Message: secrets \"db\" is forbidden: User"
            + " \"system:serviceaccount:vigie:vigie\" cannot get resource \"secrets\"",
        "spec.http.headers[0].valueFrom.secretKeyRef: key must not be empty",
        "started at 12:30:45, retried 3 times (backoff 2s, 4s, 8s)",
        "upstream connect error or disconnect/reset before headers. reset reason: connection"
            + " failure"
      })
  void leavesOrdinaryCheckMessagesAlone(String message) {
    assertThat(Redactor.standard().redact(message)).isSameAs(message);
    Redactor everythingButAnonymization =
        Redactor.standard()
            .withSecrets(List.of("hunter2-secret"))
            .withPatterns(List.of(Pattern.compile("PAT-[0-9]{8}")));
    assertThat(everythingButAnonymization.redact(message)).isEqualTo(message);
  }

  @Test
  void nullAndEmptyComeBackAsTheyWent() {
    Redactor all =
        Redactor.standard()
            .withSecrets(List.of("hunter2-secret"))
            .withPatterns(List.of(Pattern.compile("x")))
            .withAnonymization(true, true);
    assertThat(Redactor.standard().redact(null)).isNull();
    assertThat(all.redact(null)).isNull();
    assertThat(Redactor.standard().redact("")).isEmpty();
    assertThat(all.redact("")).isEmpty();
  }

  @Test
  void standardIsOneSharedInstance() {
    assertThat(Redactor.standard()).isSameAs(Redactor.standard());
    assertThat(Redactor.MASK).isEqualTo("[REDACTED]");
  }

  @Test
  void withMethodsLeaveTheOriginalUnchanged() {
    Redactor standard = Redactor.standard();
    Redactor withSecret = standard.withSecrets(List.of("hunter2-secret"));
    Redactor withPattern = withSecret.withPatterns(List.of(Pattern.compile("PAT-[0-9]{8}")));
    Redactor anonymizing = withPattern.withAnonymization(true, true);
    String text = "hunter2-secret PAT-12345678 bob@clinic.org 10.1.2.3";

    assertThat(standard.redact(text)).isEqualTo(text);
    assertThat(withSecret.redact(text))
        .isEqualTo("[REDACTED] PAT-12345678 bob@clinic.org 10.1.2.3");
    assertThat(withPattern.redact(text)).isEqualTo("[REDACTED] [REDACTED] bob@clinic.org 10.1.2.3");
    assertThat(anonymizing.redact(text))
        .matches("\\[REDACTED] \\[REDACTED] email-[0-9a-f]{8}@redacted\\.invalid ip-[0-9a-f]{8}");
  }

  @Test
  void withMethodsThatAddNothingReturnTheSameRedactor() {
    Redactor standard = Redactor.standard();
    assertThat(standard.withSecrets(null)).isSameAs(standard);
    assertThat(standard.withSecrets(List.of())).isSameAs(standard);
    assertThat(standard.withSecrets(java.util.Arrays.asList(null, "", "  ", "abc")))
        .isSameAs(standard);
    assertThat(standard.withPatterns(null)).isSameAs(standard);
    assertThat(standard.withPatterns(List.of())).isSameAs(standard);
    assertThat(standard.withPatterns(java.util.Arrays.asList((Pattern) null))).isSameAs(standard);
    assertThat(standard.withAnonymization(false, false)).isSameAs(standard);
    Redactor emails = standard.withAnonymization(true, false);
    assertThat(emails.withAnonymization(true, false)).isSameAs(emails);
    assertThat(emails.withAnonymization(false, false)).isSameAs(emails);
  }

  /** Every form a leaked token takes in real messages, with nothing telling the redactor. */
  @Test
  void canaryInEveryStructuralFormNeverShows() {
    String canary = "c4n4ryT0ken9f8e7d6c5b4a3";
    String basic =
        Base64.getEncoder().encodeToString(("svc:" + canary).getBytes(StandardCharsets.UTF_8));
    String text =
        String.join(
            "\n",
            "GET https://svc:" + canary + "@orders.shop.svc/healthz answered 401",
            "GET https://" + canary + "@orders.shop.svc/healthz answered 401",
            "GET https://orders.shop.svc/healthz?access_token=" + canary + "&page=2",
            "POST /oauth/token body grant_type=client_credentials&client_secret=" + canary,
            "Authorization: Bearer " + canary,
            "Authorization: Basic " + basic,
            "curl -H 'X-Api-Key: " + canary + "' https://orders.shop.svc",
            "Cookie: session=" + canary + "; theme=dark",
            "Set-Cookie: JSESSIONID=" + canary + "; Path=/; HttpOnly",
            "upstream said Bearer " + canary + " is not valid",
            "{\"password\":\"" + canary + "\",\"user\":\"bob\"}",
            "{\\\"apiKey\\\":\\\"" + canary + "\\\"}",
            "config {user=bob, password=" + canary + ", host=db}",
            "token: " + canary,
            "--db-password=" + canary + " --verbose",
            "<Password>" + canary + "</Password>",
            "routing_key=" + canary,
            "X-Amz-Signature=" + canary + "&X-Amz-Date=20240101T000000Z");

    String redacted = Redactor.standard().redact(text);

    assertThat(redacted).doesNotContain(canary).doesNotContain(basic);
    assertThat(redacted).contains("orders.shop.svc/healthz answered 401", "user\":\"bob\"");
  }

  /** The canary is a known secret here: it must not show even where no rule could spot it. */
  @Test
  void knownCanaryNeverShowsNorItsEncodings() {
    String canary = "C4n4ry!S3cr3t/p@ss w0rd";
    byte[] bytes = canary.getBytes(StandardCharsets.UTF_8);
    String base64 = Base64.getEncoder().encodeToString(bytes);
    String base64Url = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    String urlEncoded = URLEncoder.encode(canary, StandardCharsets.UTF_8);
    String basic =
        Base64.getEncoder().encodeToString(("bob:" + canary).getBytes(StandardCharsets.UTF_8));
    String text =
        String.join(
            " | ",
            "plain " + canary + " in prose",
            "postgres://bob:" + urlEncoded + "@db:5432/app",
            "GET /login?u=bob&p=" + urlEncoded,
            "GET /login?u=bob&p=" + urlEncoded.replace("+", "%20"),
            "Authorization: Basic " + basic,
            "sent Basic " + basic + " to orders",
            "secret data " + base64 + " from the Secret",
            "env " + base64Url,
            "{\"value\": \"" + canary.replace("/", "\\/") + "\"}",
            "header X-Custom: " + canary);

    String redacted = Redactor.standard().withSecrets(List.of(canary)).redact(text);

    assertThat(redacted)
        .doesNotContain(canary)
        .doesNotContain(base64)
        .doesNotContain(base64.replace("=", ""))
        .doesNotContain(base64Url)
        .doesNotContain(urlEncoded)
        .doesNotContain(basic)
        .doesNotContain(canary.substring(0, 12));
    assertThat(redacted).contains("plain [REDACTED] in prose", "@db:5432/app");
  }

  /**
   * Found by RedactorPropertiesTest: messages are redacted again on their way (a check's message in
   * status, then in an alert), and each pass wrapped the mask once more: {@code
   * token=[[REDACTED]]}.
   */
  @Test
  void redactingARedactedTextChangesNothing() {
    Redactor redactor = Redactor.standard();
    assertThat(redactor.redact("GET https://orders?token=[REDACTED]"))
        .isEqualTo("GET https://orders?token=[REDACTED]");
    assertThat(redactor.redact("Authorization: [REDACTED]\n{\"apiKeys\": [[REDACTED]]}"))
        .isEqualTo("Authorization: [REDACTED]\n{\"apiKeys\": [[REDACTED]]}");
    for (String text :
        List.of(
            "Authorization: Bearer abc",
            "{\"apiKeys\": [\"k1\", \"k2\"]}",
            "password=\"cut short",
            "token: {\"a\": 1")) {
      String once = redactor.redact(text);
      assertThat(redactor.redact(once)).as(text).isEqualTo(once);
    }
    // The mask un-glues the address from the credential: it is anonymized in the same call.
    Redactor anonymizing = redactor.withAnonymization(true, true);
    String once = anonymizing.redact("Basic dXNlcjpwfe80::1%eth0");
    assertThat(once).matches("Basic \\[REDACTED]ip-[0-9a-f]{8}");
    assertThat(anonymizing.redact(once)).isEqualTo(once);
  }

  /** A user pattern matching across the edge of a mask eats on at each pass: passes are few. */
  @Test
  void aPatternMatchingAcrossAMaskStopsAfterAFewPasses() {
    Redactor redactor = Redactor.standard().withPatterns(List.of(Pattern.compile("\\].")));
    assertThat(redactor.redact("token=abc xyz")).isEqualTo("token=[REDACTED]yz");
  }

  @Test
  void oneInstanceServesManyThreads() throws Exception {
    Redactor redactor =
        Redactor.standard()
            .withSecrets(List.of("hunter2-secret"))
            .withPatterns(List.of(Pattern.compile("PAT-[0-9]{8}")))
            .withAnonymization(true, true);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      texts.add(
          "probe "
              + i
              + " GET https://u:hunter2-secret@h"
              + i
              + ".svc/?token=t"
              + i
              + " for PAT-"
              + (10_000_000 + i)
              + " from 10.0.0."
              + i
              + " user"
              + i
              + "@clinic.org");
    }
    List<String> expected = texts.stream().map(redactor::redact).toList();

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(
            pool.submit(
                () -> {
                  for (int round = 0; round < 50; round++) {
                    for (int i = 0; i < texts.size(); i++) {
                      if (!redactor.redact(texts.get(i)).equals(expected.get(i))) {
                        return false;
                      }
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(expected.get(7))
        .doesNotContain("hunter2-secret", "t7", "PAT-10000007", "10.0.0.7", "user7@")
        .startsWith("probe 7 GET https://[REDACTED]@h7.svc/?token=[REDACTED] for [REDACTED]");
  }

  @Test
  void aFailingRuleHidesTheWholeText() {
    // Java's regex engine recurses once per repetition of an alternation: on a long text this
    // overflows the stack. The text must not come through then.
    Redactor redactor = Redactor.standard().withPatterns(List.of(Pattern.compile("(a|b)*c")));
    String text = "token leaked " + "ab".repeat(200_000);

    assertThat(redactor.redact(text)).isEqualTo(Redactor.MASK);
  }

  /** Texts built to make a careless scanner quadratic: each must take milliseconds, not hours. */
  @Test
  void costStaysLinearOnHostileTexts() {
    Redactor redactor = Redactor.standard().withAnonymization(true, true);
    List<String> texts =
        List.of(
            "X-Token: a ".repeat(50_000),
            "password=\"a ".repeat(50_000),
            "bob@clinic.org,".repeat(30_000),
            "a".repeat(500_000) + "=x",
            "-----BEGIN PRIVATE KEY-----".repeat(20_000),
            "https://".repeat(60_000) + "@",
            "eyJ".repeat(100_000),
            "SG." + "a".repeat(300_000),
            "token: \\\"".repeat(50_000),
            "-H 'Authorization: x ".repeat(50_000),
            "x@" + "a1.".repeat(100_000));
    for (String text : texts) {
      long start = System.nanoTime();
      String redacted = redactor.redact(text);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).as(text.substring(0, 20)).isLessThan(Duration.ofSeconds(3));
      assertThat(redacted).isNotNull();
    }
  }

  /**
   * Not a benchmark harness, only figures to watch: the cost of redact() on a typical 200-character
   * check message, with and without something to hide.
   */
  @Test
  void costOfATypicalMessage() {
    String clean =
        "GET http://orders.shop.svc.cluster.local:8080/healthz answered 503 Service Unavailable,"
            + " expected 200-399; body: upstream connect error or disconnect/reset before headers."
            + " reset reason: connection failure";
    String dirty =
        "GET https://api.shop.example/v1/orders?access_token=abc123def456&page=2 answered 401,"
            + " expected 200-399; body: {\"error\":\"invalid\",\"password\":\"x\"} Authorization:"
            + " Bearer abc";
    Redactor everything =
        Redactor.standard()
            .withSecrets(List.of("hunter2-secret", "another-secret-value"))
            .withPatterns(List.of(Pattern.compile("PAT-[0-9]{8}")))
            .withAnonymization(true, true);

    for (String[] run :
        new String[][] {{"standard, clean", clean}, {"standard, 3 secrets", dirty}}) {
      System.out.printf(
          "Redactor %-30s %,6d ns/op (%d chars)%n",
          run[0], nanosPerOp(Redactor.standard(), run[1]), run[1].length());
    }
    for (String[] run :
        new String[][] {{"all options, clean", clean}, {"all options, dirty", dirty}}) {
      System.out.printf(
          "Redactor %-30s %,6d ns/op (%d chars)%n",
          run[0], nanosPerOp(everything, run[1]), run[1].length());
    }
    assertThat(Redactor.standard().redact(clean)).isSameAs(clean);
    assertThat(Redactor.standard().redact(dirty))
        .isEqualTo(
            "GET https://api.shop.example/v1/orders?access_token=[REDACTED]&page=2 answered 401,"
                + " expected 200-399; body: {\"error\":\"invalid\",\"password\":\"[REDACTED]\"}"
                + " Authorization: [REDACTED]");
  }

  private static long nanosPerOp(Redactor redactor, String text) {
    long sink = 0;
    for (int i = 0; i < 50_000; i++) {
      sink += redactor.redact(text).length();
    }
    int operations = 100_000;
    long start = System.nanoTime();
    for (int i = 0; i < operations; i++) {
      sink += redactor.redact(text).length();
    }
    long nanos = (System.nanoTime() - start) / operations;
    assertThat(sink).isPositive();
    assertThat(Duration.ofNanos(nanos)).isLessThan(Duration.ofMillis(1));
    return nanos;
  }
}
