package io.dihya.vigie.kube;

/**
 * The characters a text of a spec may hold. A spec is read by people ({@code kubectl get -o yaml},
 * a review) and run by the operator: a character that is invisible, or that reorders what is
 * displayed (the "Trojan Source" bidirectional controls), makes the two differ, and a line break in
 * a header or a label forges what follows it. Problems name the offending code point and its index,
 * never the text around it.
 */
public enum SpecText {

  /** A name, URL, host, label or address: one line, every character visible. */
  LINE,

  /** An HTTP header value: printable ASCII, spaces and tabs (RFC 9110 without obs-text). */
  HEADER_VALUE,

  /** A CEL expression, a regular expression, a query: may span lines, every character visible. */
  CODE,

  /**
   * Prose for people (an annotation, a template, a comment): may span lines and hold joiners and
   * direction marks (emoji sequences, right-to-left scripts), not bidirectional embeddings,
   * overrides or isolates.
   */
  PROSE,

  /** Sent or compared as it is (a request body, a line sent over TCP): anything goes. */
  ANY;

  /** What is wrong with {@code text}, e.g. "contains a control character (U+000D) at index 4". */
  public String problem(String text) {
    if (text == null || this == ANY) {
      return null;
    }
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      String refused = refused(codePoint, text, i);
      if (refused != null) {
        return "contains " + refused + " (" + codePoint(codePoint) + ") at index " + i + hint();
      }
      i += Character.charCount(codePoint);
    }
    return null;
  }

  private String refused(int c, String text, int index) {
    if (Character.isSurrogate(text.charAt(index)) && Character.charCount(c) == 1) {
      return "an unpaired surrogate, which is not valid Unicode";
    }
    if (this == HEADER_VALUE) {
      if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
        return null;
      }
      String kind = character(c);
      return kind != null ? kind : "a character outside printable ASCII";
    }
    boolean multiline = this == CODE || this == PROSE;
    if (multiline && (c == '\t' || c == '\n' || c == '\r')) {
      return null;
    }
    if (isBidiControl(c)) {
      return "a bidirectional control character";
    }
    if (this == PROSE) {
      return Character.getType(c) == Character.CONTROL ? "a control character" : null;
    }
    return character(c);
  }

  private static String character(int c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL -> "a control character";
      case Character.FORMAT -> isBidiMark(c) ? "a bidirectional mark" : "an invisible character";
      case Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> "a line separator";
      default -> null;
    };
  }

  private String hint() {
    return switch (this) {
      case HEADER_VALUE -> ": header values are printable ASCII, spaces and tabs";
      case CODE -> ": write it as an escape sequence if it is meant";
      default -> ": remove it";
    };
  }

  /** Embeddings, overrides and isolates: they reorder how the text around them is displayed. */
  static boolean isBidiControl(int c) {
    return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
  }

  private static boolean isBidiMark(int c) {
    return c == 0x200e || c == 0x200f || c == 0x061c;
  }

  private static String codePoint(int c) {
    return String.format("U+%04X", c);
  }
}
