package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.redact.DeadlineCharSequence;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** What an HTTP body must contain and match; the regex is compiled once, at create time. */
final class BodyExpectation {

  private final String contains;
  private final Pattern regex;

  private BodyExpectation(String contains, Pattern regex) {
    this.contains = contains;
    this.regex = regex;
  }

  /** Null when the spec expects nothing of the body (no block, or an empty one). */
  static BodyExpectation of(HttpCheck.ExpectBody spec, String field) {
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
      }
    }
    return contains == null && regex == null ? null : new BodyExpectation(contains, regex);
  }

  /**
   * Null when the body meets the expectation, else the fixed text that says what is missing.
   *
   * @throws DeadlineCharSequence.DeadlineExceeded when the regex runs past the deadline
   */
  String mismatch(BoundedBodySubscriber.Body body, long deadlineNanos) {
    // Bodies are read as UTF-8; a character cut by the read limit becomes U+FFFD.
    String text = new String(body.bytes(), StandardCharsets.UTF_8);
    String within = body.truncated() ? " in its first " + body.bytes().length + " bytes" : "";
    if (contains != null && !text.contains(contains)) {
      return "the body does not contain the expected text" + within;
    }
    if (regex != null) {
      try {
        if (!regex.matcher(new DeadlineCharSequence(text, deadlineNanos)).find()) {
          return "the body does not match the expected regular expression" + within;
        }
      } catch (StackOverflowError e) {
        // java.util.regex recurses once per repetition of some groups, e.g. (a|b)+ on long text.
        return "the body could not be matched: the regular expression recurses too deeply";
      }
    }
    return null;
  }
}
