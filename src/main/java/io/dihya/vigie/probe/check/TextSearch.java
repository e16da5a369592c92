package io.dihya.vigie.probe.check;

/**
 * Looks for a text in another in linear time (Knuth-Morris-Pratt). {@link String#contains} compares
 * the text again from every position: a 4,096-character text made of one letter and a mebibyte of
 * that letter take it seconds, this milliseconds.
 */
final class TextSearch {

  private final String needle;
  private final int[] borders;

  /** A search for {@code needle}, which must not be empty. */
  TextSearch(String needle) {
    this.needle = needle;
    this.borders = borders(needle);
  }

  /** Where the text first occurs in {@code text}, or -1. */
  int in(CharSequence text) {
    int matched = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      while (matched > 0 && needle.charAt(matched) != c) {
        matched = borders[matched - 1];
      }
      if (needle.charAt(matched) == c && ++matched == needle.length()) {
        return i - needle.length() + 1;
      }
    }
    return -1;
  }

  /** Where {@code needle} first occurs in {@code text}, or -1; 0 for an empty needle. */
  static int indexOf(CharSequence text, String needle) {
    return needle.isEmpty() ? 0 : new TextSearch(needle).in(text);
  }

  /** For each prefix of {@code needle}, the length of its longest proper border. */
  private static int[] borders(String needle) {
    int[] borders = new int[needle.length()];
    int border = 0;
    for (int i = 1; i < needle.length(); i++) {
      while (border > 0 && needle.charAt(i) != needle.charAt(border)) {
        border = borders[border - 1];
      }
      if (needle.charAt(i) == needle.charAt(border)) {
        border++;
      }
      borders[i] = border;
    }
    return borders;
  }
}
