package io.dihya.vigie.api.v1alpha1;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * The duration strings of the vigie API: Kubernetes (Go) style, such as {@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 1h30m} or {@code 14d}. The schema pattern and the parser share one grammar.
 */
public final class DurationFormat {

  /** The longest duration text; the schema says so too ({@code maxLength}). */
  public static final int MAX_LENGTH = Limits.DURATION;

  /** The schema pattern of every duration field. */
  public static final String PATTERN = "^([0-9]{1,9}(ms|s|m|h|d))+$";

  private static final java.util.regex.Pattern COMPILED = java.util.regex.Pattern.compile(PATTERN);
  private static final java.util.regex.Pattern PART =
      java.util.regex.Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

  private DurationFormat() {}

  /**
   * Parses a duration string; empty when it does not follow {@link #PATTERN} or is longer than
   * {@link #MAX_LENGTH} characters (so that no sum of its parts can overflow).
   */
  public static Optional<Duration> parse(String text) {
    if (text == null || text.length() > MAX_LENGTH || !COMPILED.matcher(text).matches()) {
      return Optional.empty();
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      long amount = Long.parseLong(part.group(1));
      total =
          total.plus(
              switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
              });
    }
    return Optional.of(total);
  }
}
