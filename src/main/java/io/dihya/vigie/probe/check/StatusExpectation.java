package io.dihya.vigie.probe.check;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The accepted HTTP status codes: single codes and inclusive ranges, e.g. 200, 200-299. */
final class StatusExpectation {

  private static final Pattern CODE_OR_RANGE =
      Pattern.compile("([1-5][0-9]{2})(?:-([1-5][0-9]{2}))?");
  private static final List<String> DEFAULT = List.of("200-399");

  private final int[] from;
  private final int[] to;
  private final String text;

  private StatusExpectation(int[] from, int[] to, String text) {
    this.from = from;
    this.to = to;
    this.text = text;
  }

  /** Parses spec.http.expectStatus; null or empty means 200-399. */
  static StatusExpectation parse(List<String> specs, String field) {
    List<String> list = specs == null || specs.isEmpty() ? DEFAULT : specs;
    int[] from = new int[list.size()];
    int[] to = new int[list.size()];
    String[] trimmed = new String[list.size()];
    for (int i = 0; i < list.size(); i++) {
      String s = list.get(i) == null ? "" : list.get(i).trim();
      trimmed[i] = s;
      Matcher m = CODE_OR_RANGE.matcher(s);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            field + "[" + i + "]: not a status code (200) or an inclusive range (200-299)");
      }
      from[i] = Integer.parseInt(m.group(1));
      to[i] = m.group(2) == null ? from[i] : Integer.parseInt(m.group(2));
      if (to[i] < from[i]) {
        throw new IllegalArgumentException(field + "[" + i + "]: the range ends before it starts");
      }
    }
    return new StatusExpectation(from, to, String.join(", ", trimmed));
  }

  boolean accepts(int status) {
    for (int i = 0; i < from.length; i++) {
      if (status >= from[i] && status <= to[i]) {
        return true;
      }
    }
    return false;
  }

  /** The accepted codes as written, e.g. "200, 204-206". */
  @Override
  public String toString() {
    return text;
  }
}
