package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** CEL assertions: compiled once, evaluated over a check's result, bounded, never leaking data. */
class AssertionsTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static CheckResult http(int status, String json) throws Exception {
    return CheckResult.success(42, "GET http://api/health answered " + status)
        .withData(
            "http",
            ResultData.create()
                .put("status", status)
                .put("headers", Map.of("content-type", "application/json"))
                .put("json", JSON.readTree(json))
                .build());
  }

  static CheckResult apply(CheckResult result, String... expressions) {
    return Assertions.compile(List.of(expressions)).apply(result, "http");
  }

  @Test
  void trueAssertionsKeepTheResult() throws Exception {
    CheckResult result =
        http(200, "{\"status\":\"UP\",\"checks\":[{\"name\":\"db\",\"up\":true}]}");
    assertThat(
            apply(
                result,
                "result.latencyMs < 300",
                "result.http.status == 200",
                "result.http.json.status == \"UP\"",
                "result.http.json.checks.exists(c, c.name == 'db' && c.up)",
                "result.http.headers['content-type'].startsWith('application/json')",
                "result.success && result.reason == 'Succeeded' && result.type == 'http'"))
        .isSameAs(result);
  }

  @Test
  void aFalseAssertionFailsTheCheckNamingTheExpression() throws Exception {
    CheckResult failed =
        apply(
            http(200, "{\"status\":\"DOWN\"}"),
            "result.http.status == 200",
            "result.http.json.status == \"UP\"");
    assertThat(failed.success()).isFalse();
    assertThat(failed.reason()).isEqualTo(Reasons.ASSERTION_FAILED);
    assertThat(failed.message())
        .isEqualTo(
            "GET http://api/health answered 200; assertion spec.assertions[1] is false:"
                + " result.http.json.status == \"UP\"");
    assertThat(failed.latencyMs()).isEqualTo(42);
    assertThat(failed.message()).doesNotContain("DOWN");
  }

  @Test
  void anExpressionThatCannotBeEvaluatedFailsWithItsErrorCodeNotTheData() throws Exception {
    CheckResult missing =
        apply(http(200, "{\"secret\":\"s3cr3t\"}"), "result.http.json.status == 'UP'");
    assertThat(missing.reason()).isEqualTo(Reasons.ASSERTION_FAILED);
    assertThat(missing.message())
        .endsWith(
            "assertion spec.assertions[0] could not be evaluated (attribute not found):"
                + " result.http.json.status == 'UP'");
    CheckResult overload =
        apply(http(200, "{\"secret\":\"s3cr3t\"}"), "result.http.json.secret > 3");
    assertThat(overload.message()).contains("could not be evaluated (").doesNotContain("s3cr3t");
  }

  @Test
  void aDynamicValueThatIsNotABooleanFails() throws Exception {
    CheckResult result = apply(http(200, "{\"flag\":\"yes\"}"), "result.http.json.flag");
    assertThat(result.reason()).isEqualTo(Reasons.ASSERTION_FAILED);
    assertThat(result.message()).contains("is not true or false");
  }

  @Test
  void jsonNumbersCompareAcrossIntAndDoubleAndNullIsNull() throws Exception {
    CheckResult result =
        http(200, "{\"ratio\":3.5,\"count\":7,\"big\":123456789012,\"gone\":null}");
    assertThat(
            apply(
                result,
                "result.http.json.ratio > 3",
                "result.http.json.count == 7",
                "result.http.json.count < 7.5",
                "result.http.json.big > 100000000000",
                "result.http.json.gone == null"))
        .isSameAs(result);
  }

  @Test
  void failedChecksAreNotAsserted() {
    CheckResult refused = CheckResult.failure(Reasons.CONNECTION_REFUSED, "refused", 3);
    assertThat(apply(refused, "result.success")).isSameAs(refused);
  }

  @Test
  void dnsAnswersAndTlsDaysCanBeAsserted() {
    CheckResult result =
        CheckResult.success(5, "dns")
            .withData(
                "dns", ResultData.create().put("answers", List.of("10.0.0.7", "10.0.0.8")).build())
            .withData(
                "tls",
                ResultData.create()
                    .put(
                        "daysLeft",
                        TlsFacts.daysLeft(
                            Instant.now().plusSeconds(20 * 86_400 + 60), Instant.now()))
                    .build());
    assertThat(
            Assertions.compile(
                    List.of(
                        "result.dns.answers.exists(a, a == \"10.0.0.7\")",
                        "result.tls.daysLeft > 14"))
                .apply(result, "dns"))
        .isSameAs(result);
    assertThat(
            Assertions.compile(List.of("result.dns.answers.all(a, a.startsWith('10.1.'))"))
                .apply(result, "dns")
                .reason())
        .isEqualTo(Reasons.ASSERTION_FAILED);
  }

  @Test
  void comprehensionsAreBoundedByAnIterationBudget() throws Exception {
    List<Integer> items = IntStream.range(0, 20_000).boxed().toList();
    CheckResult result =
        CheckResult.success(1, "ok")
            .withData(
                "http",
                ResultData.create().put("json", JSON.valueToTree(Map.of("items", items))).build());
    CheckResult over = apply(result, "result.http.json.items.all(i, i >= 0)");
    assertThat(over.reason()).isEqualTo(Reasons.ASSERTION_FAILED);
    assertThat(over.message()).contains("could not be evaluated (iteration budget exceeded)");
    assertThat(apply(result, "size(result.http.json.items) == 20000")).isSameAs(result);
  }

  @Test
  void compileErrorsNameTheAssertionAndThePosition() {
    assertThatThrownBy(() -> Assertions.compile(List.of("result.success", "result.latencyMs <")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spec.assertions[1]: 1:19: mismatched input '<EOF>'");
    assertThatThrownBy(() -> Assertions.compile(List.of("unknown.field == 1")))
        .hasMessageStartingWith("spec.assertions[0]: 1:1: undeclared reference to 'unknown'");
    assertThatThrownBy(() -> Assertions.compile(List.of("1 + 2")))
        .hasMessageStartingWith("spec.assertions[0]: ")
        .hasMessageContaining("bool");
    assertThatThrownBy(() -> Assertions.compile(List.of(" ")))
        .hasMessage("spec.assertions[0]: must not be empty");
    assertThatThrownBy(
            () -> Assertions.compile(List.of("true || " + "true || ".repeat(200) + "true")))
        .hasMessage("spec.assertions[0]: longer than 1024 characters");
  }

  @Test
  void noAssertionsIsNone() {
    assertThat(Assertions.compile(null)).isSameAs(Assertions.NONE);
    assertThat(Assertions.compile(new ArrayList<>()).isEmpty()).isTrue();
    CheckResult ok = CheckResult.success(1, "ok");
    assertThat(Assertions.NONE.apply(ok, "tcp")).isSameAs(ok);
  }

  @Test
  void resultDataConvertsJavaValuesToCelTypes() {
    Map<String, Object> data =
        ResultData.create()
            .put("int", 3)
            .put("short", (short) 2)
            .put("float", 1.5f)
            .put("bigint", new java.math.BigInteger("123"))
            .put("huge", new java.math.BigInteger("123456789012345678901234567890"))
            .put("decimal", new java.math.BigDecimal("2.25"))
            .put("char", 'x')
            .put("array", new Object[] {1, "a"})
            .put("nested", Map.of(1, List.of(2)))
            .put("absent", null)
            .put("other", Instant.EPOCH)
            .build();
    assertThat(data)
        .containsEntry("int", 3L)
        .containsEntry("short", 2L)
        .containsEntry("float", 1.5d)
        .containsEntry("bigint", 123L)
        .containsEntry("decimal", 2.25d)
        .containsEntry("char", "x")
        .containsEntry("array", List.of(1L, "a"))
        .containsEntry("nested", Map.of("1", List.of(2L)))
        .containsEntry("other", "1970-01-01T00:00:00Z")
        .doesNotContainKey("absent");
    assertThat(data.get("huge")).isInstanceOf(Double.class);
  }
}
