package io.dihya.vigie.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.PostgresCheck;
import io.dihya.vigie.api.v1alpha1.ProbeAlert;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import io.dihya.vigie.api.v1alpha1.TlsCheck;
import io.dihya.vigie.kube.SpecProblems;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Specs written to hurt the operator: each is refused with a problem naming the field, in little
 * time, and never with the offending text in the message.
 */
class HostileHealthProbeSpecTest {

  private static final String MEGABYTE = "a".repeat(1 << 20);

  @Test
  void tenThousandAssertionsAreRefusedWithoutLookingAtThem() {
    HealthProbeSpec spec = http("http://a.svc/");
    spec.assertions = Collections.nCopies(10_000, "result.latencyMs < 300");
    assertThat(problems(spec)).containsExactly("spec.assertions: at most 16 items (found 10000)");
  }

  @Test
  void anAssertionPastItsLengthIsRefused() {
    HealthProbeSpec spec = http("http://a.svc/");
    spec.assertions = List.of("result.latencyMs < 300", "true && ".repeat(200) + "true");
    assertThat(problems(spec))
        .containsExactly("spec.assertions[1]: at most 1024 characters (found 1604)");
  }

  @Test
  void aHugeHeaderValueOrTooManyHeadersAreRefused() {
    HealthProbeSpec spec = http("http://a.svc/");
    spec.http.headers = List.of(header("X-Big", MEGABYTE));
    assertThat(problems(spec))
        .containsExactly("spec.http.headers[0].value: at most 8192 characters (found 1048576)");

    spec.http.headers = Collections.nCopies(33, header("X-A", "b"));
    assertThat(problems(spec)).containsExactly("spec.http.headers: at most 32 items (found 33)");
  }

  @Test
  void headerInjectionThroughTheNameOrTheValueIsRefused() {
    HealthProbeSpec spec = http("http://a.svc/");
    spec.http.headers =
        List.of(
            header("X-A\r\nX-Injected", "1"),
            header("X-B", "ok\r\nX-Injected: 1"),
            header("X-C", "nul\0byte"),
            header("X-D", "caf\u00e9"),
            header("X-E", "tab\tand spaces are fine"));
    assertThat(problems(spec))
        .containsExactly(
            "spec.http.headers[0].name: not a header name: letters, digits and !#$%&'*+-.^_`|~"
                + " only, no spaces or line breaks",
            "spec.http.headers[1].value: contains a control character (U+000D) at index 2: header"
                + " values are printable ASCII, spaces and tabs",
            "spec.http.headers[2].value: contains a control character (U+0000) at index 3: header"
                + " values are printable ASCII, spaces and tabs",
            "spec.http.headers[3].value: contains a character outside printable ASCII (U+00E9) at"
                + " index 3: header values are printable ASCII, spaces and tabs");
  }

  @Test
  void invalidAndHugeRegularExpressionsAreRefused() {
    HealthProbeSpec spec = http("http://a.svc/");
    spec.http.expectBody = new HttpCheck.ExpectBody();
    spec.http.expectBody.regex = "(?<name>a";
    assertThat(problems(spec))
        .containsExactly(
            "spec.http.expectBody.regex: not a valid regular expression: Unclosed group");

    spec.http.expectBody.regex = "(".repeat(600) + ")".repeat(600);
    assertThat(problems(spec))
        .containsExactly("spec.http.expectBody.regex: at most 1024 characters (found 1200)");
  }

  @Test
  void aCatastrophicRegexIsAcceptedHere() {
    // It is valid: the time its matching may take is bounded when the check runs.
    HealthProbeSpec spec = http("http://a.svc/");
    spec.http.expectBody = new HttpCheck.ExpectBody();
    spec.http.expectBody.regex = "^(a+)+$";
    assertThat(problems(spec)).isEmpty();
  }

  @Test
  void durationsOutOfRangeOrUnparsableAreRefused() {
    HealthProbeSpec spec = http("http://a.svc/");
    spec.interval = "999999999d";
    spec.timeout = "1s";
    assertThat(problems(spec)).containsExactly("spec.interval: must be at most 24h");

    spec.interval = "25h";
    assertThat(problems(spec)).containsExactly("spec.interval: must be at most 24h");

    spec.interval = "24h";
    spec.timeout = "999999999d999999999d999999999d";
    assertThat(problems(spec)).containsExactly("spec.timeout: must be less than spec.interval");

    // Ten billion days, had it parsed, would overflow a Duration's nanoseconds and more.
    spec.timeout = "999999999d".repeat(10_000);
    assertThat(problems(spec))
        .containsExactly("spec.timeout: at most 32 characters (found 100000)");

    spec.timeout = "1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s";
    assertThat(problems(spec)).containsExactly("spec.timeout: at most 32 characters (found 34)");

    spec.timeout = "-1s";
    assertThat(problems(spec))
        .containsExactly("spec.timeout: not a duration; write it like 30s, 5m, 1h30m or 14d");

    HealthProbeSpec tls = new HealthProbeSpec();
    tls.tls = new TlsCheck();
    tls.tls.host = "portal";
    tls.tls.minValidFor = "3651d";
    assertThat(problems(tls)).containsExactly("spec.tls.minValidFor: must be at most 3650d");
  }

  @Test
  void numbersOutOfTheSchemasRangeAreRefused() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.tcp = new TcpCheck();
    spec.tcp.host = "db";
    spec.tcp.port = 70000;
    spec.failureThreshold = 0;
    spec.successThreshold = 1000;
    assertThat(problems(spec))
        .containsExactly(
            "spec.failureThreshold: must be at least 1",
            "spec.successThreshold: must be at most 100",
            "spec.tcp.port: must be at most 65535");
  }

  @Test
  void unicodeTricksAreRefusedWhereTheyHide() {
    HealthProbeSpec spec = http("http://a.svc/\u202eexe.txt");
    spec.assertions =
        List.of(
            "result.http.json.status == \"UP\" /*\u202e } \u2066*/",
            "result.http.json.status == \"UP\u200b\"");
    spec.alert = new ProbeAlert();
    spec.alert.labels = new LinkedHashMap<>(Map.of("team", "pay\u200dments"));
    spec.alert.annotations =
        new LinkedHashMap<>(
            Map.of(
                "summary", "Le service de paiement ne répond plus\n👩‍⚕️ \u200f",
                "description", "see \u202ethe runbook"));
    assertThat(problems(spec))
        .containsExactly(
            "spec.alert.labels[team]: contains an invisible character (U+200D) at index 3: remove"
                + " it",
            "spec.alert.annotations[description]: contains a bidirectional control character"
                + " (U+202E) at index 4: remove it",
            "spec.assertions[0]: contains a bidirectional control character (U+202E) at index 34:"
                + " write it as an escape sequence if it is meant",
            "spec.assertions[1]: contains an invisible character (U+200B) at index 30: write it as"
                + " an escape sequence if it is meant",
            "spec.http.url: contains a bidirectional control character (U+202E) at index 13:"
                + " remove it");
  }

  @Test
  void controlCharactersInNamesAndHostsAreRefused() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.postgres = new PostgresCheck();
    spec.postgres.host = "db\0.evil";
    spec.postgres.database = "records\n";
    spec.postgres.query = "SELECT 1\n  -- a comment on a second line is fine\n";
    spec.postgres.usernameSecretRef = new io.dihya.vigie.api.v1alpha1.SecretKeyRef("db", "user");
    assertThat(problems(spec))
        .containsExactly(
            "spec.postgres.host: contains a control character (U+0000) at index 2: remove it",
            "spec.postgres.database: contains a control character (U+000A) at index 7: remove it");
  }

  @Test
  void hugeDependsOnNamesAreRefusedBeforeAnyPatternRunsOnThem() {
    // Matched against the name grammar, this would overflow the stack of java.util.regex.
    HealthProbeSpec spec = http("http://a.svc/");
    spec.dependsOn = List.of("a.".repeat(1 << 19) + "_");
    assertThat(problems(spec))
        .containsExactly("spec.dependsOn[0]: at most 253 characters (found 1048577)");
  }

  @Test
  void manyLabelsOrLongKeysAreRefused() {
    HealthProbeSpec spec = http("http://a.svc/");
    spec.alert = new ProbeAlert();
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < 33; i++) {
      labels.put("l" + i, "v");
    }
    spec.alert.labels = labels;
    assertThat(problems(spec)).containsExactly("spec.alert.labels: at most 32 entries (found 33)");

    spec.alert.labels = Map.of(MEGABYTE, "v");
    assertThat(problems(spec))
        .containsExactly("spec.alert.labels: the key of entry 0 is longer than 253 characters");
  }

  @Test
  void theWorstOfThemAllIsValidatedQuickly() {
    HealthProbeSpec spec = http("http://a.svc/" + MEGABYTE);
    spec.http.body = MEGABYTE;
    spec.http.headers = Collections.nCopies(100_000, header("X-A", MEGABYTE));
    spec.assertions = Collections.nCopies(100_000, MEGABYTE);
    spec.dependsOn = Collections.nCopies(100_000, MEGABYTE);
    spec.interval = MEGABYTE;
    long start = System.nanoTime();
    List<String> found = problems(spec);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(found)
        .containsExactly(
            "spec.interval: at most 32 characters (found 1048576)",
            "spec.dependsOn: at most 32 items (found 100000)",
            "spec.assertions: at most 16 items (found 100000)",
            "spec.http.url: at most 2048 characters (found 1048589)",
            "spec.http.headers: at most 32 items (found 100000)",
            "spec.http.body: at most 65536 characters (found 1048576)");
  }

  private static List<String> problems(HealthProbeSpec spec) {
    SpecProblems problems = HealthProbeValidator.validate("p", spec);
    assertThat(problems.message()).doesNotContain("aaaaaaaa");
    return problems.list();
  }

  private static HttpHeader header(String name, String value) {
    HttpHeader header = new HttpHeader();
    header.name = name;
    header.value = value;
    return header;
  }

  private static HealthProbeSpec http(String url) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.http = new HttpCheck();
    spec.http.url = url;
    return spec;
  }
}
