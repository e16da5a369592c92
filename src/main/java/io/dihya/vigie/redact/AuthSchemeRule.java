package io.dihya.vigie.redact;

import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Masks the credentials of the {@code Bearer} and {@code Basic} HTTP authentication schemes
 * wherever they appear, not only after an {@code Authorization:} header name.
 *
 * <p>Prose must survive, so a {@code Bearer} is followed by a credential unless the next word is
 * one of a few words that talk about tokens ({@code Bearer token expired}), and a {@code Basic}
 * only when the next word decodes as base64 to something holding the {@code user:password} colon
 * ({@code basic checks passed} stays).
 *
 * <p>Written without a regular expression: a case-insensitive one runs at every position of every
 * text, while 'b' is a rare letter that {@link String#indexOf} finds fast.
 */
final class AuthSchemeRule implements Rule {

  private static final String BEARER = "bearer";
  private static final String BASIC = "basic";

  private static final Set<String> PROSE =
      Set.of(
          "token",
          "tokens",
          "auth",
          "authentication",
          "authorization",
          "credential",
          "credentials",
          "scheme",
          "realm",
          "header",
          "error",
          "is",
          "was",
          "required",
          "invalid",
          "missing",
          "expired",
          "and",
          "or",
          "the");

  @Override
  public Spans find(String text, Spans found) {
    int n = text.length();
    for (int i = nextB(text, 0); i >= 0; i = nextB(text, i + 1)) {
      boolean bearer = text.regionMatches(true, i, BEARER, 0, BEARER.length());
      if (!bearer && !text.regionMatches(true, i, BASIC, 0, BASIC.length())) {
        continue;
      }
      if (i > 0 && isWordCharOrHyphen(text.charAt(i - 1))) {
        continue; // part of a longer word: "x-basic", "nonbearer"
      }
      int afterScheme = i + (bearer ? BEARER.length() : BASIC.length());
      int start = afterScheme;
      while (start < n && (text.charAt(start) == ' ' || text.charAt(start) == '\t')) {
        start++;
      }
      int end = start;
      while (end < n && isTokenChar(text.charAt(end))) {
        end++;
      }
      int padding = end;
      while (end < n && text.charAt(end) == '=') {
        end++;
      }
      if (start == afterScheme || padding == start) {
        continue;
      }
      if (end > padding && end < n && (text.charAt(end) == '"' || isTokenChar(text.charAt(end)))) {
        continue; // an auth-param, realm="shop": not a credential (names that are: NamedValueRule)
      }
      String credential = text.substring(start, end);
      if (bearer
          ? !PROSE.contains(credential.toLowerCase(Locale.ROOT))
          : isBasicCredential(credential)) {
        found = Spans.orNew(found).mask(start, end);
      }
    }
    return found;
  }

  private static int nextB(String text, int from) {
    int lower = text.indexOf('b', from);
    int upper = text.indexOf('B', from);
    return lower < 0 ? upper : upper < 0 ? lower : Math.min(lower, upper);
  }

  private static boolean isWordCharOrHyphen(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-';
  }

  /** The characters of RFC 7235's token68, which both schemes' credentials are made of. */
  private static boolean isTokenChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~'
        || c == '+'
        || c == '/';
  }

  /** Whether the text decodes as base64 (maybe cut short) to something holding a colon. */
  static boolean isBasicCredential(String text) {
    String base64 = text.replace('-', '+').replace('_', '/');
    int padding = base64.indexOf('=');
    if (padding >= 0) {
      base64 = base64.substring(0, padding);
    }
    base64 = base64.substring(0, base64.length() - base64.length() % 4);
    if (base64.isEmpty() || base64.indexOf('.') >= 0 || base64.indexOf('~') >= 0) {
      return false;
    }
    byte[] decoded = Base64.getDecoder().decode(base64);
    for (byte b : decoded) {
      if (b == ':') {
        return true;
      }
    }
    return false;
  }
}
