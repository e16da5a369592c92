package io.dihya.vigie.redact;

/**
 * Masks the user information of URLs with a scheme: {@code postgres://user:password@db:5432/app}
 * becomes {@code postgres://[REDACTED]@db:5432/app}, and {@code https://token@host} becomes {@code
 * https://[REDACTED]@host}.
 *
 * <p>The authority is read up to the first {@code / ? #}, white space or quote, and the user
 * information up to its <em>last</em> {@code @}, so that an unencoded {@code @} in a password is
 * hidden too. Without a scheme ({@code user:password@host}) nothing tells a URL from an e-mail
 * address, so that form is left to the other rules.
 */
final class UrlUserInfoRule implements Rule {

  @Override
  public Spans find(String text, Spans found) {
    if (text.indexOf('@') < 0) {
      return found;
    }
    for (int i = text.indexOf("://"); i >= 0; i = text.indexOf("://", i + 3)) {
      if (i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1))) {
        continue; // no scheme
      }
      int start = i + 3;
      int lastAt = -1;
      for (int j = start; j < text.length() && !endsAuthority(text.charAt(j)); j++) {
        if (text.charAt(j) == '@') {
          lastAt = j;
        }
      }
      if (lastAt > start) {
        found = Spans.orNew(found).mask(start, lastAt);
      }
    }
    return found;
  }

  /** Whether {@code c} ends the authority of a URL, or the URL itself. */
  static boolean endsAuthority(char c) {
    return c == '/'
        || c == '?'
        || c == '#'
        || c == '"'
        || c == '\''
        || c == '<'
        || c == '>'
        || c == '\\'
        || Character.isWhitespace(c);
  }
}
