package io.dihya.vigie.redact;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces e-mail addresses by stable pseudonyms ({@link Pseudonyms#email}), except the user
 * information of a URL ({@code https://bob@host}), which {@link UrlUserInfoRule} masks, keeping the
 * host readable.
 */
final class EmailRule implements Rule {

  /**
   * The domain's labels are at most 127, as in DNS: Java matches a repeated group by recursion, one
   * level a repetition, and an unbounded one overflowed the stack on 2,000 labels.
   */
  private static final Pattern EMAIL =
      Pattern.compile(
          "(?<![\\w.%+-])[\\w.%+-]{1,64}+@"
              + "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
              + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,125}\\.[A-Za-z]{2,63}\\b");

  private static final int MAX_USER_INFO = 256;

  @Override
  public Spans find(String text, Spans found) {
    if (text.indexOf('@') < 0) {
      return found;
    }
    Matcher m = EMAIL.matcher(text);
    while (m.find()) {
      // A pseudonym is left as it is, so that redacting again gives the same text.
      if (!inUrlAuthority(text, m.start()) && !Pseudonyms.isEmailPseudonym(m.group())) {
        found = Spans.orNew(found).replace(m.start(), m.end(), Pseudonyms.email(m.group()));
      }
    }
    return found;
  }

  /**
   * Whether {@code index} is in the authority of a URL, i.e. just after {@code scheme://}. Looks
   * back at most {@link #MAX_USER_INFO} characters, so that a long run of addresses joined by
   * commas costs linear time.
   */
  private static boolean inUrlAuthority(String text, int index) {
    int i = index - 1;
    int limit = Math.max(-1, index - 1 - MAX_USER_INFO);
    while (i > limit && !UrlUserInfoRule.endsAuthority(text.charAt(i))) {
      i--;
    }
    return i >= 2 && text.startsWith("://", i - 2);
  }
}
