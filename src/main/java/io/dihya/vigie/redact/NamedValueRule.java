package io.dihya.vigie.redact;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the value of every {@code name=value}, {@code name: value}, {@code "name": "value"} and
 * {@code <name>value</name>} whose name says it is a credential (see {@link CredentialNames}):
 * query strings, form bodies, JSON (pretty-printed, or escaped in a JSON string once or more),
 * YAML, Java's {@code Map.toString()}, command-line flags, HTTP headers, XML.
 *
 * <p>A quoted value is masked between its quotes, a JSON object or array between its brackets. An
 * unquoted value ends at white space, an ampersand, a quote or an angle bracket, or at a comma,
 * semicolon, closing bracket or backslash followed by white space, another delimiter or the end:
 * {@code {password=a,b, user=bob}} hides {@code a,b} and keeps the rest readable. A header ({@code
 * Name: value} where the name is {@code Authorization} or {@code Cookie}, contains a hyphen, starts
 * a line or opens a quote) hides its whole value up to the end of the line, or up to the closing
 * quote when the header is itself quoted ({@code -H 'Authorization: Digest username="bob",
 * response="..."'}), because header values contain spaces.
 *
 * <p>{@code code} is a credential (OAuth's authorization code) only as a query, fragment or form
 * parameter: gRPC's {@code code = Unavailable} and JSON's {@code "code": 503} stay.
 *
 * <p>A name before a colon is a host, not a key, after {@code scheme://}, {@code user@} or {@code
 * namespace/}, or before a port when it is a lower-case DNS name whose last part names no
 * credential ({@code auth-db.shop.svc:5432}, {@code session-cache:6379}); {@code db.password:1234},
 * {@code session_id:1234} and {@code token:0:abc} stay keys.
 *
 * <p>The pairs are parsed by hand from their separators: a regular expression for them runs at
 * every word of every text and costs tens of nanoseconds a character, while most texts have a few
 * separators ({@code http://}, {@code reason:}) and no credential name before any of them.
 */
final class NamedValueRule implements Rule {

  private static final Pattern XML_ELEMENT =
      Pattern.compile("<([A-Za-z_][\\w.\\-:]{0,99})(?:\\s[^<>]*)?>([^<]+)</\\1>");

  /** Headers whose whole value is a credential though their name has no hyphen. */
  private static final Set<String> HEADERS = Set.of("authorization", "cookie");

  @Override
  public Spans find(String text, Spans found) {
    for (int i = nextSeparator(text, 0); i >= 0; i = nextSeparator(text, i + 1)) {
      int spans = found == null ? 0 : found.size();
      found = findPair(text, i, found);
      if (found != null && found.size() > spans) {
        // Skip what was just masked: a header masked to the end of its line must not make every
        // separator after it scan to the end of the line again. But the pair of the last separator
        // in it may have a value that goes on past its end (an array closed by a stray bracket in
        // its value): that one is looked at. The stretches searched backwards never overlap.
        int end = found.lastEnd();
        int last = lastSeparator(text, i + 1, end);
        i = last > i ? last - 1 : Math.max(i, end - 1);
      }
    }
    if (text.indexOf("</") >= 0 && CredentialNames.KEYWORDS.foundIn(text)) {
      found = findXmlElements(text, found);
    }
    return found;
  }

  /** The last separator in {@code text[from, to)}, or -1. */
  private static int lastSeparator(String text, int from, int to) {
    for (int i = to - 1; i >= from; i--) {
      char c = text.charAt(i);
      if (c == '=' || c == ':') {
        return i;
      }
    }
    return -1;
  }

  private static int nextSeparator(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '=' || c == ':') {
        return i;
      }
    }
    return -1;
  }

  /** Masks the value after {@code separator} if the name before it is a credential's. */
  private static Spans findPair(String text, int separator, Spans found) {
    // The name, backwards: blanks, a closing quote (maybe escaped, once or more), name characters.
    int nameEnd = separator;
    while (nameEnd > 0 && isBlank(text.charAt(nameEnd - 1))) {
      nameEnd--;
    }
    boolean closeQuote = nameEnd > 0 && isQuote(text.charAt(nameEnd - 1));
    if (!closeQuote) {
      // Pretty-printed JSON may break the line before the colon, also when it is itself escaped in
      // a string: "password"\n  : "x", \"password\"\\n  : \"x\".
      int i = nameEnd;
      for (int space; i > 0 && (space = jsonSpaceBefore(text, i)) > 0; ) {
        i -= space;
      }
      if (i < nameEnd && i > 0 && text.charAt(i - 1) == '"') {
        nameEnd = i;
        closeQuote = true;
      }
    }
    if (closeQuote) {
      nameEnd--;
      while (nameEnd > 0 && text.charAt(nameEnd - 1) == '\\') {
        nameEnd--;
      }
    }
    int runStart = nameEnd;
    while (runStart > 0 && isNameChar(text.charAt(runStart - 1))) {
      runStart--;
    }
    if (CredentialNames.KEYWORDS.indexIn(text, runStart, nameEnd) < 0) {
      return found; // the cheap exit almost every separator takes
    }
    // A name starts with a letter or '_', at the start of the run or after a hyphen ("--pass=x").
    int nameStart = runStart;
    while (nameStart < nameEnd
        && !(isNameStart(text.charAt(nameStart))
            && (nameStart == runStart || text.charAt(nameStart - 1) == '-'))) {
      nameStart++;
    }
    if (nameStart == nameEnd) {
      return found;
    }
    String open = null;
    if (nameStart == runStart && nameStart > 0 && isQuote(text.charAt(nameStart - 1))) {
      int openStart = nameStart - 1;
      while (openStart > 0 && text.charAt(openStart - 1) == '\\') {
        openStart--;
      }
      open = text.substring(openStart, nameStart);
    }
    int pairStart = nameStart - (open == null ? 0 : open.length());
    String name = text.substring(nameStart, nameEnd);
    char kind = text.charAt(separator);
    boolean oauthCode = name.equalsIgnoreCase("code");
    if (oauthCode ? kind != '=' || open != null : !CredentialNames.isCredential(name)) {
      return found;
    }
    boolean quotedName = open != null && closeQuote;
    if (kind == ':' && !closeQuote && isHost(text, runStart, name, separator)) {
      return found;
    }

    int start = separator + 1;
    while (start < text.length()) {
      if (isBlank(text.charAt(start))) {
        start++;
      } else if (quotedName && isLineBreak(text.charAt(start))) {
        start++;
      } else if (quotedName && escapedSpaceLength(text, start) > 0) {
        start += escapedSpaceLength(text, start);
      } else {
        break;
      }
    }
    int escapes = start;
    while (escapes < text.length() && text.charAt(escapes) == '\\') {
      escapes++;
    }
    int end;
    if (escapes > start && escapes < text.length() && text.charAt(escapes) == '"') {
      // A string of JSON escaped in a JSON string (once or more): \"password\":\"x\"
      int backslashes = escapes - start;
      start = escapes + 1;
      end = closingEscapedQuote(text, start, backslashes);
    } else if (start < text.length() && isQuote(text.charAt(start))) {
      start += 1;
      end = closingQuote(text, start, text.charAt(start - 1));
    } else if (start < text.length() && isOpeningBracket(text.charAt(start))) {
      // A JSON object or array under a credential name ("apiKeys": ["k1", "k2"]): all of it.
      end = closingBracket(text, start, quotedName ? open.length() - 1 : 0);
      start += 1;
    } else {
      end = unquotedEnd(text, start);
      // A header's value is all of its line, even when it starts with what ends a plain value.
      if (kind == ':' && !quotedName && isHeader(text, name, pairStart, open)) {
        // Quoted by a shell (-H "X-Token: a\"b"), or escaped in JSON: the closing quote is the
        // first
        // one escaped no more than the opening one.
        end =
            open == null
                ? lineEnd(text, start, text.length())
                : open.length() == 1
                    ? closingQuote(text, start, open.charAt(0))
                    : closingEscapedQuote(text, start, open.length() - 1);
      }
    }
    if (oauthCode && !isQueryParameter(text, pairStart, end)) {
      return found;
    }
    return end > start ? Spans.orNew(found).mask(start, end) : found;
  }

  /** Whether the pair is a parameter of a query, or of a fragment (OAuth's response_mode). */
  private static boolean isQueryParameter(String text, int pairStart, int valueEnd) {
    if (pairStart > 0) {
      char before = text.charAt(pairStart - 1);
      if (before == '?' || before == '&' || before == '#') {
        return true;
      }
    }
    return valueEnd < text.length() && text.charAt(valueEnd) == '&';
  }

  /**
   * Whether the name before a colon is a host or a Kubernetes name rather than a key: after {@code
   * scheme://}, {@code user@} or {@code namespace/} ({@code http://auth:8080/}, {@code
   * shop/auth-api: 3 failures}), or before a port when it is a lower-case DNS name whose last part
   * is neither a credential's name nor a number ({@code tcp auth-db.shop.svc:5432}, but not {@code
   * db.password:1234}, {@code session_id:1234} or {@code x-hub-signature-256:1234}).
   */
  private static boolean isHost(String text, int runStart, String name, int separator) {
    if (runStart > 0 && (text.charAt(runStart - 1) == '/' || text.charAt(runStart - 1) == '@')) {
      return true;
    }
    if (!isDnsName(name) || !isPort(text, separator + 1)) {
      return false;
    }
    List<String> segments = CredentialNames.segments(name);
    String last = segments.get(segments.size() - 1);
    return !CredentialNames.isCredential(last) && !last.chars().allMatch(c -> isDigit((char) c));
  }

  /** Lower-case letters, digits, hyphens and dots: a host name as Kubernetes writes them. */
  private static boolean isDnsName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || isDigit(c) || c == '-' || c == '.')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a port number (at most 65535) starts at {@code from} and ends a word: the text, white
   * space or a slash follows, or punctuation and then white space or the end ({@code host:5432:
   * refused}, {@code host:5432.}).
   */
  private static boolean isPort(String text, int from) {
    int n = text.length();
    int end = from;
    while (end < n && end - from < 6 && isDigit(text.charAt(end))) {
      end++;
    }
    if (end == from || end - from > 5 || Integer.parseInt(text, from, end, 10) > 65535) {
      return false;
    }
    if (end == n || Character.isWhitespace(text.charAt(end)) || text.charAt(end) == '/') {
      return true;
    }
    return ".,;:)]".indexOf(text.charAt(end)) >= 0
        && (end + 1 == n || Character.isWhitespace(text.charAt(end + 1)));
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isOpeningBracket(char c) {
    return c == '{' || c == '[';
  }

  /**
   * The closing bracket matching the one at {@code open}, skipping strings, or the text's end. Only
   * brackets of the same kind count, so that a stray one of the other kind in a value that is not
   * JSON ({@code headers {X-Token=[a}b]}) does not end it early. In JSON escaped {@code level}
   * times in a string, strings open with a quote escaped as many times.
   */
  private static int closingBracket(String text, int open, int level) {
    char opening = text.charAt(open);
    char closing = opening == '{' ? '}' : ']';
    int depth = 0;
    int backslashes = 0;
    int i = open;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '"' && backslashes == level) {
        if (level == 0) {
          i = closingQuote(text, i + 1, c);
        } else {
          int close = closingEscapedQuote(text, i + 1, level);
          i = close < text.length() && text.charAt(close) == '\\' ? close + level : close;
        }
      } else if (c == opening) {
        depth++;
      } else if (c == closing && --depth == 0) {
        return i;
      }
      backslashes = c == '\\' ? backslashes + 1 : 0;
      i++;
    }
    return text.length();
  }

  /**
   * The end of a string value opened by a quote escaped with {@code backslashes} backslashes (JSON
   * in a JSON string, maybe in another): the next quote escaped as many times, or the end of the
   * line. A quote inside the value is escaped once more, with {@code 2 backslashes + 1}; in general
   * a run of {@code r} backslashes closes the value when {@code r mod (2 backslashes + 2) ==
   * backslashes}.
   */
  private static int closingEscapedQuote(String text, int from, int backslashes) {
    int run = 0;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' && run % (2 * backslashes + 2) == backslashes) {
        return i - backslashes;
      }
      if (c == '\n' || c == '\r') {
        return i;
      }
      run = c == '\\' ? run + 1 : 0;
    }
    return text.length();
  }

  private static boolean isHeader(String text, String name, int pairStart, String open) {
    if (open != null || name.indexOf('-') >= 0 || HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
      return true;
    }
    int i = pairStart - 1;
    while (i >= 0 && isBlank(text.charAt(i))) {
      i--;
    }
    return i < 0 || text.charAt(i) == '\n' || text.charAt(i) == '\r';
  }

  /** The end of a value opened by {@code quote}: its closing quote, or the end of the line. */
  private static int closingQuote(String text, int from, char quote) {
    int i = from;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == quote || c == '\n' || c == '\r') {
        return i;
      }
      i += c == '\\' ? 2 : 1;
    }
    return text.length();
  }

  private static int unquotedEnd(String text, int from) {
    int i = from;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (endsValue(c)) {
        break;
      }
      if (isClosingPunctuation(c)
          && (i + 1 == text.length()
              || endsValue(text.charAt(i + 1))
              || isClosingPunctuation(text.charAt(i + 1)))) {
        break;
      }
      i++;
    }
    return i;
  }

  /** The end of the line, or {@code limit} if that comes first. */
  private static int lineEnd(String text, int from, int limit) {
    int i = from;
    while (i < limit && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
      i++;
    }
    return i;
  }

  private static boolean endsValue(char c) {
    return Character.isWhitespace(c) || c == '&' || c == '"' || c == '\'' || c == '<' || c == '>';
  }

  private static boolean isClosingPunctuation(char c) {
    return c == ',' || c == ';' || c == ')' || c == ']' || c == '}' || c == '\\';
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isLineBreak(char c) {
    return c == '\n' || c == '\r';
  }

  private static boolean isBlankOrLineBreak(char c) {
    return isBlank(c) || isLineBreak(c);
  }

  /**
   * The length of the {@code \n}, {@code \r} or {@code \t} escaped in a JSON string (with one
   * backslash or more, when escaped again) at {@code i}, or 0.
   */
  private static int escapedSpaceLength(String text, int i) {
    int j = i;
    while (j < text.length() && text.charAt(j) == '\\') {
      j++;
    }
    return j > i && j < text.length() && "nrt".indexOf(text.charAt(j)) >= 0 ? j + 1 - i : 0;
  }

  /** The length of the white space, raw or escaped, that ends just before {@code i}, or 0. */
  private static int jsonSpaceBefore(String text, int i) {
    char c = text.charAt(i - 1);
    if (isBlankOrLineBreak(c)) {
      return 1;
    }
    if ("nrt".indexOf(c) < 0) {
      return 0;
    }
    int j = i - 1;
    while (j > 0 && text.charAt(j - 1) == '\\') {
      j--;
    }
    return j < i - 1 ? i - j : 0;
  }

  private static boolean isQuote(char c) {
    return c == '"' || c == '\'';
  }

  private static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isNameChar(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
  }

  private static Spans findXmlElements(String text, Spans found) {
    Matcher m = XML_ELEMENT.matcher(text);
    while (m.find()) {
      String name = m.group(1);
      String localName = name.substring(name.lastIndexOf(':') + 1);
      if (CredentialNames.isCredential(localName)) {
        found = Spans.orNew(found).mask(m.start(2), m.end(2));
      }
    }
    return found;
  }
}
