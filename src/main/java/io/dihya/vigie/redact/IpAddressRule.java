package io.dihya.vigie.redact;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces IPv4 and IPv6 addresses by stable pseudonyms ({@link Pseudonyms#ip}), leaving ports and
 * brackets in place: {@code dial tcp 10.0.0.7:5432} becomes {@code dial tcp ip-1f2e3d4c:5432}.
 *
 * <p>Candidates are found by shape and then checked (octets up to 255; IPv6 group count and {@code
 * ::} rules), so times ({@code 12:30:45}), MAC addresses and version numbers with more than four
 * parts stay. A four-part version number ({@code 1.2.3.4}) cannot be told from an address.
 */
final class IpAddressRule implements Rule {

  private static final Pattern IPV4 =
      Pattern.compile("(?<![\\w.])\\d{1,3}+(?:\\.\\d{1,3}+){3}+(?![\\w]|\\.\\d)");

  private static final boolean[] IPV6_CHARS = new boolean[128];

  static {
    for (char c : "0123456789abcdefABCDEF:.".toCharArray()) {
      IPV6_CHARS[c] = true;
    }
  }

  @Override
  public Spans find(String text, Spans found) {
    if (hasDigitDotDigit(text)) {
      Matcher m = IPV4.matcher(text);
      while (m.find()) {
        if (isIpv4(text, m.start(), m.end())) {
          found = Spans.orNew(found).replace(m.start(), m.end(), Pseudonyms.ip(m.group()));
        }
      }
    }
    int colon = text.indexOf(':');
    if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) {
      found = findIpv6(text, found);
    }
    return found;
  }

  /**
   * Checks every maximal run of hex digits, colons and dots that holds two colons and stands alone
   * (not glued to a word), with an optional zone ({@code %eth0}); a full stop ending it is a
   * sentence's.
   */
  private static Spans findIpv6(String text, Spans found) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (!isIpv6Char(text.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      int colons = 0;
      while (i < n && isIpv6Char(text.charAt(i))) {
        colons += text.charAt(i) == ':' ? 1 : 0;
        i++;
      }
      int addressEnd = i;
      while (addressEnd > start && text.charAt(addressEnd - 1) == '.') {
        addressEnd--;
      }
      int end = addressEnd;
      if (addressEnd == i && i + 1 < n && text.charAt(i) == '%' && isWordChar(text.charAt(i + 1))) {
        end = i + 1;
        while (end < n && (isWordChar(text.charAt(end)) || text.charAt(end) == '.')) {
          end++;
        }
        i = end;
      }
      boolean alone =
          (start == 0 || !isWordChar(text.charAt(start - 1)))
              && (end == n || !isWordChar(text.charAt(end)));
      if (colons >= 2 && alone && isIpv6(text.substring(start, addressEnd))) {
        found = Spans.orNew(found).replace(start, end, Pseudonyms.ip(text.substring(start, end)));
      }
    }
    return found;
  }

  private static boolean isIpv6Char(char c) {
    return c < 128 && IPV6_CHARS[c];
  }

  private static boolean isWordChar(char c) {
    return c < 128 && (Character.isLetterOrDigit(c) || c == '_');
  }

  private static boolean hasDigitDotDigit(String text) {
    for (int i = text.indexOf('.'); i > 0 && i + 1 < text.length(); i = text.indexOf('.', i + 1)) {
      if (Character.isDigit(text.charAt(i - 1)) && Character.isDigit(text.charAt(i + 1))) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code text[start, end)}, four dotted groups of 1-3 digits, has octets up to 255. */
  static boolean isIpv4(CharSequence text, int start, int end) {
    int octet = 0;
    for (int i = start; i <= end; i++) {
      if (i == end || text.charAt(i) == '.') {
        if (octet > 255) {
          return false;
        }
        octet = 0;
      } else {
        octet = octet * 10 + (text.charAt(i) - '0');
      }
    }
    return true;
  }

  /** Whether {@code s} is an IPv6 address in RFC 4291 text form (without zone). */
  static boolean isIpv6(String s) {
    int doubleColon = s.indexOf("::");
    if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
      return false;
    }
    int groups;
    if (doubleColon < 0) {
      groups = countGroups(s);
      return groups == 8;
    }
    String left = s.substring(0, doubleColon);
    String right = s.substring(doubleColon + 2);
    int leftGroups = left.isEmpty() ? 0 : countGroups(left);
    int rightGroups = right.isEmpty() ? 0 : countGroups(right);
    if (leftGroups < 0 || rightGroups < 0 || (leftGroups == 0 && rightGroups == 0)) {
      return false;
    }
    if (left.indexOf('.') >= 0) {
      return false; // an IPv4 tail can only end the address
    }
    return leftGroups + rightGroups <= 7;
  }

  /**
   * The number of 16-bit groups in colon-separated hex groups, an IPv4 tail counting two, or -1 if
   * malformed.
   */
  private static int countGroups(String s) {
    String[] parts = s.split(":", -1);
    int groups = 0;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (i == parts.length - 1 && part.indexOf('.') >= 0) {
        if (!part.matches("\\d{1,3}(?:\\.\\d{1,3}){3}") || !isIpv4(part, 0, part.length())) {
          return -1;
        }
        groups += 2;
      } else if (part.isEmpty() || part.length() > 4 || !isHex(part)) {
        return -1;
      } else {
        groups++;
      }
    }
    return groups;
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
