package io.dihya.vigie.redact;

/**
 * A text decoded one way (line breaks taken out, percent-decoded, JSON-unescaped), and for each of
 * its characters the span of the original text it was decoded from, so that what is found in the
 * decoded text can be masked in the original.
 *
 * <p>Encoders disagree on what they leave alone ({@code encodeURIComponent} keeps {@code !'()*},
 * Go's {@code QueryEscape} keeps {@code ~}, Spring keeps {@code :@/} in a query; Python's {@code
 * json.dumps} escapes every non-ASCII character) and base64 tools wrap their lines: listing every
 * variant of a secret cannot keep up with them, decoding the text can.
 */
final class DecodedText {

  private final StringBuilder text;

  /** Where in the original each decoded character starts, and where it ends (exclusive). */
  private final int[] starts;

  private final int[] ends;

  private DecodedText(int capacity) {
    text = new StringBuilder(capacity);
    starts = new int[capacity];
    ends = new int[capacity];
  }

  /** The decoded text. */
  String text() {
    return text.toString();
  }

  /** Where decoded character {@code i} starts in the original. */
  int start(int i) {
    return starts[i];
  }

  /** Where the decoded characters before {@code end} end in the original. */
  int end(int end) {
    return ends[end - 1];
  }

  /** The text without its CR and LF characters, or null if it has none. */
  static DecodedText withoutLineBreaks(String original) {
    if (original.indexOf('\n') < 0 && original.indexOf('\r') < 0) {
      return null;
    }
    DecodedText out = new DecodedText(original.length());
    for (int i = 0; i < original.length(); i++) {
      char c = original.charAt(i);
      if (c != '\n' && c != '\r') {
        out.append(c, i, i + 1);
      }
    }
    return out;
  }

  /**
   * The text with {@code %XX} sequences (UTF-8) decoded, and {@code +} as a space if {@code
   * plusIsSpace}; null if there is nothing to decode. Malformed sequences stay as they are.
   */
  static DecodedText percentDecoded(String original, boolean plusIsSpace) {
    if (original.indexOf('%') < 0 && !(plusIsSpace && original.indexOf('+') >= 0)) {
      return null;
    }
    DecodedText out = new DecodedText(original.length());
    int i = 0;
    while (i < original.length()) {
      char c = original.charAt(i);
      if (c == '+' && plusIsSpace) {
        out.append(' ', i, i + 1);
        i++;
        continue;
      }
      int lead = c == '%' ? hexByte(original, i) : -1;
      int length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
      int codePoint = lead < 0x80 ? lead : lead & (0x3F >> (length - 1));
      for (int k = 1; k < length && codePoint >= 0; k++) {
        int next = hexByte(original, i + 3 * k);
        codePoint = next >= 0x80 && next < 0xC0 ? (codePoint << 6) | (next & 0x3F) : -1;
      }
      if (lead < 0 || length == 0 || codePoint < 0 || codePoint > Character.MAX_CODE_POINT) {
        out.append(c, i, i + 1); // not an escape: as is
        i++;
        continue;
      }
      int end = i + 3 * length;
      for (char d : Character.toChars(codePoint)) {
        out.append(d, i, end);
      }
      i = end;
    }
    return out;
  }

  /**
   * The text with JSON's backslash escapes (quote, backslash, slash, b, f, n, r, t, and u with four
   * hex digits) decoded, or null if it has no backslash. Other backslashes stay.
   */
  static DecodedText jsonUnescaped(String original) {
    if (original.indexOf('\\') < 0) {
      return null;
    }
    DecodedText out = new DecodedText(original.length());
    int i = 0;
    while (i < original.length()) {
      char c = original.charAt(i);
      char next = i + 1 < original.length() ? original.charAt(i + 1) : 0;
      int escaped =
          c != '\\'
              ? -1
              : switch (next) {
                case '"', '\\', '/' -> next;
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'u' -> unicodeEscape(original, i + 2);
                default -> -1;
              };
      if (escaped < 0) {
        out.append(c, i, i + 1);
        i++;
      } else {
        int end = i + (next == 'u' ? 6 : 2);
        out.append((char) escaped, i, end);
        i = end;
      }
    }
    return out;
  }

  /** Decoding never makes a text longer, so the arrays sized for the original always suffice. */
  private void append(char c, int start, int end) {
    int n = text.length();
    text.append(c);
    starts[n] = start;
    ends[n] = end;
  }

  /** The byte of {@code %XX} at {@code i}, or -1. */
  private static int hexByte(String s, int i) {
    if (i + 2 >= s.length() || s.charAt(i) != '%') {
      return -1;
    }
    int high = Character.digit(s.charAt(i + 1), 16);
    int low = Character.digit(s.charAt(i + 2), 16);
    return high < 0 || low < 0 ? -1 : high * 16 + low;
  }

  /** The character of the 4 hex digits at {@code i}, or -1. */
  private static int unicodeEscape(String s, int i) {
    if (i + 4 > s.length()) {
      return -1;
    }
    int value = 0;
    for (int k = i; k < i + 4; k++) {
      int digit = Character.digit(s.charAt(k), 16);
      if (digit < 0) {
        return -1;
      }
      value = value * 16 + digit;
    }
    return value;
  }
}
