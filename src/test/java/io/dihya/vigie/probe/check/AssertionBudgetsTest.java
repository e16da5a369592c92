package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Assertions written to hurt the operator: bounded in count, size, compile and run time. */
class AssertionBudgetsTest {

  private static final String MEBIBYTE = "a".repeat(1 << 20);
  private static final String TEN = "[0,1,2,3,4,5,6,7,8,9]";

  private static CheckResult body(String body) {
    return CheckResult.success(3, "ok")
        .withData(
            "http",
            ResultData.create()
                .put("status", 200)
                .put("body", body)
                .put("headers", Map.of("x-re", "(a{100}){10}x"))
                .build());
  }

  @Test
  void anExpressionThatBuildsGigabytesStopsAtTheSizeBudget() {
    // 1,000 copies of a 2 MiB string: the heap of a test JVM, or of the operator, runs out first.
    String bomb =
        TEN
            + ".map(a, "
            + TEN
            + ".map(b, "
            + TEN
            + ".map(c, result.http.body + result.http.body))).size() > 0";
    long start = System.nanoTime();
    CheckResult failed = Assertions.compile(List.of(bomb)).apply(body(MEBIBYTE), "http");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(failed.reason()).isEqualTo(Reasons.ASSERTION_FAILED);
    assertThat(failed.message())
        .contains(
            "assertion spec.assertions[0] could not be evaluated: it builds more than 16777216"
                + " characters or items (the size budget)")
        .doesNotContain("aaaa");
  }

  @Test
  void anAbsorbedBudgetErrorStillFailsTheAssertion() {
    // CEL's || absorbs errors on one side when the other is true: a spent budget is no error.
    String bomb =
        TEN + ".map(a, " + TEN + ".map(b, result.http.body + result.http.body)).size() > 0 || true";
    CheckResult failed = Assertions.compile(List.of(bomb)).apply(body(MEBIBYTE), "http");
    assertThat(failed.reason()).isEqualTo(Reasons.ASSERTION_FAILED);
    assertThat(failed.message()).contains("the size budget");
  }

  @Test
  void aSlowExpressionStopsAtTheTimeBudget() {
    // 10,000 searches of a mebibyte: seconds of work, cut at the budget.
    String slow =
        TEN
            + ".all(a, "
            + TEN
            + ".all(b, "
            + TEN
            + ".all(c, "
            + TEN
            + ".all(d, !result.http.body.contains('b')))))";
    long start = System.nanoTime();
    CheckResult failed =
        Assertions.compile(List.of(slow)).apply(body(MEBIBYTE), "http", Duration.ofMillis(200));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(failed.message())
        .contains("could not be evaluated: it takes longer than 200ms (the time budget)");
  }

  @Test
  void matchesIsLinearAndBoundedByTheTimeBudget() {
    // The NFA's work is the body's length times the program's: ~10 s here, cut at the budget.
    String big = "result.http.body.matches('(a{90}){10}x') == false";
    long start = System.nanoTime();
    CheckResult failed =
        Assertions.compile(List.of(big)).apply(body(MEBIBYTE), "http", Duration.ofMillis(300));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(failed.message()).contains("it takes longer than 300ms (the time budget)");
  }

  @Test
  void aLiteralPatternThatIsTooLargeOrInvalidIsInvalidSpec() {
    assertThatThrownBy(
            () ->
                Assertions.compile(
                    List.of("result.success", "result.http.body.matches('(a{100}){10}x')")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "spec.assertions[1]: the regular expression of matches() is too large (1023 RE2"
                + " instructions, at most 1000)");
    assertThatThrownBy(() -> Assertions.compile(List.of("matches(result.type, 'CANARY(')")))
        .hasMessageStartingWith(
            "spec.assertions[0]: the regular expression of matches() is not valid RE2 syntax (")
        .message()
        .doesNotContain("CANARY");
  }

  @Test
  void aDynamicPatternThatIsTooLargeCannotBeEvaluated() {
    CheckResult failed =
        Assertions.compile(List.of("result.http.body.matches(result.http.headers['x-re'])"))
            .apply(body("abc"), "http");
    assertThat(failed.reason()).isEqualTo(Reasons.ASSERTION_FAILED);
    assertThat(failed.message()).contains("could not be evaluated (invalid argument)");
  }

  @Test
  void containsIsLinearOnAnAdversarialBody() {
    String needle = "a".repeat(900) + "b";
    long start = System.nanoTime();
    CheckResult failed =
        Assertions.compile(List.of("result.http.body.contains('" + needle + "')"))
            .apply(body(MEBIBYTE), "http");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(failed.message()).contains("is false");
  }

  @Test
  void matchesAndContainsAnswerAsCelsOwnDo() throws Exception {
    Cel standard =
        CelFactory.standardCelBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .setOptions(CelOptions.current().build())
            .setResultType(SimpleType.BOOL)
            .build();
    List<String> expressions =
        List.of(
            "'abcd'.matches('a.*d')",
            "'abcd'.matches('b')",
            "'abcd'.matches('^b')",
            "matches('xabcdx', 'abc')",
            "'ⵜⴰⵎⴰⵣⵉⵖⵜ'.matches('^ⵜ.+ⵜ$')",
            "'a\\nb'.matches('a.b')",
            "'UP'.matches('(?i)up')",
            "'abcd'.contains('bc')",
            "'abcd'.contains('')",
            "''.contains('a')",
            "'😀x'.contains('x')");
    for (String expression : expressions) {
      boolean expected =
          (Boolean) standard.createProgram(standard.compile(expression).getAst()).eval();
      CheckResult result = CheckResult.success(1, "ok");
      CheckResult applied = Assertions.compile(List.of(expression)).apply(result, "http");
      assertThat(applied.success()).as(expression).isEqualTo(expected);
    }
  }

  @Test
  void moreThanSixteenExpressionsAreNotCompiled() {
    assertThatThrownBy(() -> Assertions.compile(Collections.nCopies(10_000, "result.success")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spec.assertions: at most 16 items (found 10000)");
  }

  @Test
  void sixteenOfTheHardestExpressionsToCompileCompileQuickly() {
    List<String> hard = new ArrayList<>();
    hard.add("(".repeat(500) + "true" + ")".repeat(500));
    hard.add("[".repeat(500) + "]".repeat(500) + " == []");
    hard.add("true" + " && true".repeat(127));
    hard.add("has(".repeat(200) + "result.a" + ")".repeat(200));
    hard.add("!".repeat(1000) + "true");
    hard.add("-".repeat(1000) + "1 == 1");
    hard.add("{" + "'a': 1, ".repeat(120) + "}.size() > 0");
    hard.add("result" + ".a".repeat(500) + " == 1");
    StringBuilder nested = new StringBuilder("true");
    for (int i = 0; i < 30; i++) {
      nested = new StringBuilder("[1].exists(x" + i + ", " + nested + ")");
    }
    hard.add(nested.toString());
    hard.add("(((((((((((((((((((((((((((((((((" + "+".repeat(900));
    hard.add("a b c d e f g h i j k l m n o p q r s t u v w x y z ".repeat(19));
    while (hard.size() < 16) {
      hard.add("result.http.json.a.b.c.exists(x, x.y.z.all(w, w == 'v' || w.matches('^[a-z]+$')))");
    }
    long start = System.nanoTime();
    for (int i = 0; i < hard.size(); i++) {
      try {
        Assertions.compile(List.of(hard.get(i)));
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).startsWith("spec.assertions[0]: ");
      }
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("generous: other builds share the machine")
        .isLessThan(Duration.ofSeconds(10));
  }
}
