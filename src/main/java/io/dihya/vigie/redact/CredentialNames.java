package io.dihya.vigie.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a name (of a query parameter, form field, JSON key, header or XML element) says
 * that its value is a credential.
 *
 * <p>Long, unambiguous roots match anywhere in the name ({@code mytoken}, {@code access-token},
 * {@code db.password}). Short roots that are also parts of ordinary words only match as a whole
 * segment of the name, split at punctuation and camel case: {@code api_key}, {@code apiKey} and
 * {@code X-Api-Key} are credentials, {@code keycloak}, {@code author} and {@code signal} are not.
 * Names whose last segment says the value only points at or describes a credential ({@code
 * secretRef}, {@code tokenUrl}, {@code passwordFile}, {@code token_type}) are not, nor are
 * exception class names ({@code InvalidKeyException}), so that ordinary error messages stay
 * readable.
 */
final class CredentialNames {

  /** Lower-case roots that make a name a credential wherever they appear in it. */
  private static final String[] ANYWHERE = {
    "token",
    "secret",
    "passw",
    "passphrase",
    "pwd",
    "apikey",
    "accesskey",
    "privatekey",
    "credential",
    "signature",
    "authoriz",
    "sessionid",
    "sessid",
    "jwt",
    "cookie"
  };

  /** Lower-case roots that make a name a credential when they are one of its segments. */
  private static final Set<String> SEGMENTS =
      Set.of("key", "keys", "pass", "sig", "auth", "session", "bearer");

  /** Last segments naming something about a credential rather than the credential itself. */
  private static final Set<String> NOT_A_VALUE =
      Set.of(
          "ref",
          "refs",
          "name",
          "names",
          "file",
          "path",
          "type",
          "url",
          "uri",
          "endpoint",
          "expiry",
          "expires",
          "expiration",
          "ttl",
          "length",
          "size",
          "count",
          "exception",
          "error");

  /**
   * Every keyword that {@link #isCredential} needs to see somewhere in a text before it can be true
   * for a name in it.
   */
  static final KeywordSet KEYWORDS =
      new KeywordSet(
          true,
          "token",
          "secret",
          "pass",
          "pwd",
          "key",
          "credential",
          "sig",
          "auth",
          "sess",
          "jwt",
          "cookie",
          "bearer",
          "code");

  private CredentialNames() {}

  /**
   * Whether {@code name} names a credential. {@code code} (the OAuth authorization code) is left to
   * the callers, because it is only a credential in a query string.
   */
  static boolean isCredential(String name) {
    List<String> segments = segments(name);
    if (segments.isEmpty() || NOT_A_VALUE.contains(segments.get(segments.size() - 1))) {
      return false;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    for (String root : ANYWHERE) {
      if (lower.contains(root)) {
        return true;
      }
    }
    if (lower.endsWith("key")) {
      return true; // routingkey, masterkey, AccountKey...
    }
    for (String segment : segments) {
      if (SEGMENTS.contains(segment)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The lower-case segments of a name, split at anything not a letter or digit and at camel case
   * boundaries: {@code X-ApiKey_v2} gives {@code x, api, key, v2}; {@code HTTPHeader} gives {@code
   * http, header}.
   */
  static List<String> segments(String name) {
    List<String> segments = new ArrayList<>(4);
    int start = -1;
    for (int i = 0, n = name.length(); i <= n; i++) {
      char c = i < n ? name.charAt(i) : '.';
      if (!Character.isLetterOrDigit(c)) {
        if (start >= 0) {
          segments.add(name.substring(start, i).toLowerCase(Locale.ROOT));
          start = -1;
        }
        continue;
      }
      if (start >= 0 && startsCamelSegment(name, i)) {
        segments.add(name.substring(start, i).toLowerCase(Locale.ROOT));
        start = i;
      } else if (start < 0) {
        start = i;
      }
    }
    return segments;
  }

  /** An upper-case letter after a lower-case one or a digit, or the last capital of an acronym. */
  private static boolean startsCamelSegment(String name, int i) {
    char c = name.charAt(i);
    if (!Character.isUpperCase(c)) {
      return false;
    }
    char previous = name.charAt(i - 1);
    if (Character.isLowerCase(previous) || Character.isDigit(previous)) {
      return true;
    }
    return Character.isUpperCase(previous)
        && i + 1 < name.length()
        && Character.isLowerCase(name.charAt(i + 1));
  }
}
