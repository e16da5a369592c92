package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.redact.DeadlineCharSequence;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BodyExpectationTest {

  private static final String FIELD = "spec.http.expectBody";
  private static final long FAR = TimeUnit.MINUTES.toNanos(5);

  @Test
  void aCatastrophicRegexFailsTheCheckWhenItsBudgetRunsOut() {
    // Polynomial of a high degree: this would run for hours on 64 KiB of x's.
    BodyExpectation expectation = expectation(null, "(x*)*(x*)*(x*)*y", Duration.ofMillis(200));
    long start = System.nanoTime();
    String mismatch = expectation.mismatch(body("x".repeat(65536)), System.nanoTime() + FAR);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(mismatch)
        .isEqualTo(
            "the expected regular expression did not finish within 200ms on the body: it"
                + " backtracks too much (nested quantifiers such as (x*)* do); simplify"
                + " spec.http.expectBody.regex");
    assertThat(took)
        .as("generous: other builds share the machine")
        .isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void theCheckDeadlineWinsOverALongerBudget() {
    BodyExpectation expectation = expectation(null, "(x*)*(x*)*(x*)*y", Duration.ofSeconds(30));
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                expectation.mismatch(
                    body("x".repeat(200)), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200)))
        .isInstanceOf(DeadlineCharSequence.DeadlineExceeded.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void theDefaultBudgetIsOneSecond() {
    assertThat(BodyExpectation.MATCH_BUDGET).isEqualTo(Duration.ofSeconds(1));
    BodyExpectation expectation = expectation(null, "(x*)*(x*)*(x*)*y", null);
    long start = System.nanoTime();
    assertThat(expectation.mismatch(body("x".repeat(1000)), System.nanoTime() + FAR))
        .contains("did not finish within 1000ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void aFriendlyRegexStillMatchesAMebibyte() {
    BodyExpectation expectation =
        expectation(null, "\"fhirVersion\"\\s*:\\s*\"4\\.0\\.[0-9]+\"", null);
    String body = " ".repeat(1 << 20) + "{\"fhirVersion\": \"4.0.1\"}";
    assertThat(expectation.mismatch(body(body), System.nanoTime() + FAR)).isNull();
    assertThat(expectation.mismatch(body(" ".repeat(1 << 20)), System.nanoTime() + FAR))
        .isEqualTo("the body does not match the expected regular expression");
  }

  @Test
  void anAdversarialContainsIsSearchedInLinearTime() {
    // String.contains takes seconds here: 4,096 x 1 MiB comparisons.
    String needle = "a".repeat(4095) + "b";
    BodyExpectation expectation = expectation(needle, null, null);
    long start = System.nanoTime();
    assertThat(expectation.mismatch(body("a".repeat(1 << 20)), System.nanoTime() + FAR))
        .isEqualTo("the body does not contain the expected text");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    assertThat(expectation.mismatch(body("a".repeat(1 << 20) + needle), System.nanoTime() + FAR))
        .isNull();
  }

  @Test
  void anInvalidOrTooDeepRegexIsInvalidSpecNamingTheField() {
    assertThatThrownBy(() -> expectation(null, "CANARY(", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "spec.http.expectBody.regex: not a valid regular expression (Unclosed group near index"
                + " 7)")
        .message()
        .doesNotContain("CANARY");
  }

  private static BodyExpectation expectation(String contains, String regex, Duration budget) {
    HttpCheck.ExpectBody spec = new HttpCheck.ExpectBody();
    spec.contains = contains;
    spec.regex = regex;
    return budget == null
        ? BodyExpectation.of(spec, FIELD)
        : BodyExpectation.of(spec, FIELD, budget);
  }

  private static BoundedBody.Body body(String text) {
    return new BoundedBody.Body(text.getBytes(StandardCharsets.UTF_8), false);
  }
}
