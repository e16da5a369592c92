package io.dihya.vigie.redact;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the value of every {@code name=value}, {@code name: value}, {@code "name": "value"} and
 * {@code <name>value</name>} whose name says it is a credential (see {@link CredentialNames}):
 * query strings, form bodies, JSON (also escaped inside a JSON string), YAML, Java's {@code
 * Map.toString()}, command-line flags, HTTP headers, XML.
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
 * <p>{@code code} is a credential (OAuth's authorization code) only as a query or form parameter:
 * gRPC's {@code code = Unavailable} and JSON's {@code "code": 503} stay.
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
        // separator after it scan to the end of the line again.
        i = Math.max(i, found.lastEnd() - 1);
      }
    }
    if (text.indexOf("</") >= 0 && CredentialNames.KEYWORDS.foundIn(text)) {
      found = findXmlElements(text, found);
    }
    return found;
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
    // The name, backwards: blanks, a closing quote (maybe escaped), name characters.
    int nameEnd = separator;
    while (nameEnd > 0 && isBlank(text.charAt(nameEnd - 1))) {
      nameEnd--;
    }
    boolean closeQuote = nameEnd > 0 && isQuote(text.charAt(nameEnd - 1));
    if (closeQuote) {
      nameEnd -= nameEnd > 1 && text.charAt(nameEnd - 2) == '\\' ? 2 : 1;
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
      boolean escaped = nameStart > 1 && text.charAt(nameStart - 2) == '\\';
      open = text.substring(nameStart - (escaped ? 2 : 1), nameStart);
    }
    int pairStart = nameStart - (open == null ? 0 : open.length());
    String name = text.substring(nameStart, nameEnd);
    char kind = text.charAt(separator);
    boolean oauthCode = name.equalsIgnoreCase("code");
    if (oauthCode ? kind != '=' || open != null : !CredentialNames.isCredential(name)) {
      return found;
    }

    int start = separator + 1;
    while (start < text.length() && isBlank(text.charAt(start))) {
      start++;
    }
    int end;
    if (text.startsWith("\\\"", start)) {
      start += 2;
      end = closingOrLineEnd(text, start, "\\\"");
    } else if (start < text.length() && isQuote(text.charAt(start))) {
      start += 1;
      end = closingQuote(text, start, text.charAt(start - 1));
    } else if (start < text.length() && isOpeningBracket(text.charAt(start))) {
      // A JSON object or array under a credential name ("apiKeys": ["k1", "k2"]): all of it.
      end = closingBracket(text, start);
      start += 1;
    } else {
      end = unquotedEnd(text, start);
      if (end > start
          && kind == ':'
          && !(open != null && closeQuote)
          && isHeader(text, name, pairStart, open)) {
        end =
            open == null
                ? lineEnd(text, start, text.length())
                : closingOrLineEnd(text, start, open);
      }
    }
    if (oauthCode && !isQueryParameter(text, pairStart, end)) {
      return found;
    }
    return end > start ? Spans.orNew(found).mask(start, end) : found;
  }

  private static boolean isQueryParameter(String text, int pairStart, int valueEnd) {
    return (pairStart > 0
            && (text.charAt(pairStart - 1) == '?' || text.charAt(pairStart - 1) == '&'))
        || (valueEnd < text.length() && text.charAt(valueEnd) == '&');
  }

  private static boolean isOpeningBracket(char c) {
    return c == '{' || c == '[';
  }

  /** The closing bracket matching the one at {@code open}, skipping strings, or the text's end. */
  private static int closingBracket(String text, int open) {
    int depth = 0;
    int i = open;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '"') {
        i = closingQuote(text, i + 1, c);
      } else if (isOpeningBracket(c)) {
        depth++;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        return i;
      }
      i++;
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

  /**
   * Where the next {@code close} is, or the end of the line if that comes first; never scans past
   * the closing quote, so that many quoted values on one long line cost linear time.
   */
  private static int closingOrLineEnd(String text, int from, String close) {
    int closing = text.indexOf(close, from);
    return lineEnd(text, from, closing < 0 ? text.length() : closing);
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
