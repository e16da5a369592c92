package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link Redactor#withPatterns}: route-level patterns such as patient or student numbers. */
class PatternRuleTest {

  @Test
  void masksEveryMatchOfEveryPattern() {
    Redactor redactor =
        Redactor.standard()
            .withPatterns(List.of(Pattern.compile("PAT-[0-9]{8}")))
            .withPatterns(List.of(Pattern.compile("(?i)student\\s+#\\d+")));
    assertThat(redactor.redact("PAT-12345678 and PAT-87654321 seen by Student #42 (PAT-1234)"))
        .isEqualTo("[REDACTED] and [REDACTED] seen by [REDACTED] (PAT-1234)");
  }

  @Test
  void ignoresNullPatternsAndEmptyMatches() {
    Redactor redactor =
        Redactor.standard().withPatterns(Arrays.asList(null, Pattern.compile("x*")));
    assertThat(redactor.redact("a x b")).isEqualTo("a [REDACTED] b");
    assertThat(redactor.redact("nothing here")).isEqualTo("nothing here");
  }

  @Test
  void theSamePatternTwiceIsKeptOnce() {
    Pattern pattern = Pattern.compile("PAT-[0-9]{8}");
    Redactor once = Redactor.standard().withPatterns(List.of(pattern));
    assertThat(once.withPatterns(List.of(pattern))).isSameAs(once);
  }

  @Test
  void masksOnTheOriginalTextNotOnOtherMasks() {
    // A pattern matching capitals must not eat into the [REDACTED] of another rule.
    Redactor redactor = Redactor.standard().withPatterns(List.of(Pattern.compile("[A-Z]{3,}")));
    assertThat(redactor.redact("password=x and ABC"))
        .isEqualTo("password=[REDACTED] and [REDACTED]");
  }

  @Test
  void aCatastrophicPatternHidesTheTextInsteadOfStallingTheThread() {
    // Polynomial backtracking of degree 15, which the JDK's regex engine does not memoize: hours.
    Redactor redactor = Redactor.standard().withPatterns(List.of(Pattern.compile("(.*a){15}x")));
    String text = "a".repeat(40) + "!";

    long start = System.nanoTime();
    String redacted = redactor.redact(text);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(redacted).isEqualTo(Redactor.MASK);
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    // The same pattern still works on the texts it can handle.
    assertThat(redactor.redact("aaaaaaaaaaaaaaax")).isEqualTo("[REDACTED]");
  }

  @Test
  void theTimeoutCarriesNoStackTraceNorText() {
    DeadlineCharSequence.DeadlineExceeded timeout = new DeadlineCharSequence.DeadlineExceeded();
    assertThat(timeout.getStackTrace()).isEmpty();
    assertThat(timeout.getMessage()).doesNotContain("aaa");
  }
}
