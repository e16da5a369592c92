package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.redact.DeadlineCharSequence;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What an HTTP body must contain and match; the regex is compiled once, at create time.
 *
 * <p>Both are bounded whatever the body and the spec: the text is searched in linear time (a
 * 4,096-character text against a 1 MiB body is billions of steps for {@link String#contains} when
 * both are made of the same letter), and a regular expression may run for {@link #MATCH_BUDGET} at
 * most, and never past the check's deadline, however it backtracks.
 */
final class BodyExpectation {

  /** The longest one match of the body's regular expression may take. */
  static final Duration MATCH_BUDGET = Duration.ofSeconds(1);

  private final TextSearch containsSearch;
  private final Pattern regex;
  private final String regexField;
  private final long budgetNanos;

  private BodyExpectation(String contains, Pattern regex, String regexField, long budgetNanos) {
    this.containsSearch = contains == null ? null : new TextSearch(contains);
    this.regex = regex;
    this.regexField = regexField;
    this.budgetNanos = budgetNanos;
  }

  /** Null when the spec expects nothing of the body (no block, or an empty one). */
  static BodyExpectation of(HttpCheck.ExpectBody spec, String field) {
    return of(spec, field, MATCH_BUDGET);
  }

  /** As {@link #of(HttpCheck.ExpectBody, String)}, with another budget for a match (tests). */
  static BodyExpectation of(HttpCheck.ExpectBody spec, String field, Duration matchBudget) {
    if (spec == null) {
      return null;
    }
    String contains = spec.contains == null || spec.contains.isEmpty() ? null : spec.contains;
    Pattern regex = null;
    if (spec.regex != null && !spec.regex.isEmpty()) {
      try {
        regex = Pattern.compile(spec.regex);
      } catch (PatternSyntaxException e) {
        // The description is fixed JDK text ("Unclosed group"); the regex itself is not echoed.
        throw new IllegalArgumentException(
            field
                + ".regex: not a valid regular expression ("
                + e.getDescription()
                + " near index "
                + e.getIndex()
                + ")");
      } catch (StackOverflowError e) {
        throw new IllegalArgumentException(
            field + ".regex: not a valid regular expression (nested too deeply)");
      }
    }
    return contains == null && regex == null
        ? null
        : new BodyExpectation(contains, regex, field + ".regex", matchBudget.toNanos());
  }

  /**
   * Null when the body meets the expectation, else the fixed text that says what is missing.
   *
   * @throws DeadlineCharSequence.DeadlineExceeded when the check's deadline comes before the
   *     regex's own budget runs out: the check then timed out like any other
   */
  String mismatch(BoundedBody.Body body, long deadlineNanos) {
    // Bodies are read as UTF-8; a character cut by the read limit becomes U+FFFD.
    String text = new String(body.bytes(), StandardCharsets.UTF_8);
    String within = body.truncated() ? " in its first " + body.bytes().length + " bytes" : "";
    if (containsSearch != null && containsSearch.in(text) < 0) {
      return "the body does not contain the expected text" + within;
    }
    if (regex != null) {
      long budgetEnd = System.nanoTime() + budgetNanos;
      boolean budgetFirst = budgetEnd - deadlineNanos < 0;
      try {
        CharSequence input =
            new DeadlineCharSequence(text, budgetFirst ? budgetEnd : deadlineNanos);
        if (!regex.matcher(input).find()) {
          return "the body does not match the expected regular expression" + within;
        }
      } catch (DeadlineCharSequence.DeadlineExceeded e) {
        if (!budgetFirst) {
          throw e;
        }
        return "the expected regular expression did not finish within "
            + Duration.ofNanos(budgetNanos).toMillis()
            + "ms on the body"
            + within
            + ": it backtracks too much (nested quantifiers such as (x*)* do); simplify "
            + regexField;
      } catch (StackOverflowError e) {
        // java.util.regex recurses once per repetition of some groups, e.g. (a|b)+ on long text.
        return "the body could not be matched: the regular expression recurses too deeply";
      }
    }
    return null;
  }
}
