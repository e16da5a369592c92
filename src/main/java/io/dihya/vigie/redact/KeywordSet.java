package io.dihya.vigie.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds a few ASCII keywords in a text in one pass without allocating, optionally ignoring case.
 * Rules use it to skip their regular expressions on the texts (most of them) that cannot match.
 *
 * <p>A bit set of the keywords' first two characters rejects almost every position with one array
 * read, so a 200-character text costs a few hundred nanoseconds whatever the number of keywords.
 */
final class KeywordSet {

  private static final int ASCII = 128;

  private final boolean ignoreCase;
  private final String[] keywords;
  private final long[] bigrams = new long[ASCII * ASCII / 64];

  /** Indexes into {@link #keywords}, by first two characters. */
  private final int[][] byBigram = new int[ASCII * ASCII][];

  /**
   * @param ignoreCase whether to ignore ASCII case (the keywords are then taken as lower-case)
   * @param keywords ASCII keywords of at least two characters
   */
  KeywordSet(boolean ignoreCase, String... keywords) {
    this.ignoreCase = ignoreCase;
    this.keywords = new String[keywords.length];
    List<List<Integer>> buckets = new ArrayList<>();
    for (int i = 0; i < ASCII * ASCII; i++) {
      buckets.add(null);
    }
    for (int k = 0; k < keywords.length; k++) {
      String keyword = ignoreCase ? keywords[k].toLowerCase(Locale.ROOT) : keywords[k];
      if (keyword.length() < 2 || !keyword.chars().allMatch(c -> c < ASCII)) {
        throw new IllegalArgumentException(
            "not an ASCII keyword of 2 characters or more: " + keyword);
      }
      this.keywords[k] = keyword;
      int bigram = keyword.charAt(0) * ASCII + keyword.charAt(1);
      bigrams[bigram >>> 6] |= 1L << bigram;
      if (buckets.get(bigram) == null) {
        buckets.set(bigram, new ArrayList<>());
      }
      buckets.get(bigram).add(k);
    }
    for (int i = 0; i < ASCII * ASCII; i++) {
      if (buckets.get(i) != null) {
        byBigram[i] = buckets.get(i).stream().mapToInt(Integer::intValue).toArray();
      }
    }
  }

  /** Whether {@code text} contains one of the keywords. */
  boolean foundIn(String text) {
    return indexIn(text, 0, text.length()) >= 0;
  }

  /** Where the first keyword found wholly within {@code text[from, to)} starts, or -1. */
  int indexIn(String text, int from, int to) {
    if (to - from < 2) {
      return -1;
    }
    int previous = fold(text.charAt(from));
    for (int i = from + 1; i < to; i++) {
      int c = fold(text.charAt(i));
      if ((previous | c) < ASCII) {
        int bigram = previous * ASCII + c;
        if ((bigrams[bigram >>> 6] & (1L << bigram)) != 0
            && keywordAt(text, i - 1, to, bigram) >= 0) {
          return i - 1;
        }
      }
      previous = c;
    }
    return -1;
  }

  /** The index (in the constructor's order) of a keyword starting at {@code i}, or -1. */
  int keywordAt(String text, int i) {
    if (i + 1 >= text.length()) {
      return -1;
    }
    int c0 = fold(text.charAt(i));
    int c1 = fold(text.charAt(i + 1));
    return (c0 | c1) >= ASCII ? -1 : keywordAt(text, i, text.length(), c0 * ASCII + c1);
  }

  private int keywordAt(String text, int i, int to, int bigram) {
    if (byBigram[bigram] == null) {
      return -1;
    }
    for (int k : byBigram[bigram]) {
      String keyword = keywords[k];
      int length = keyword.length();
      if (i + length <= to && matches(text, i, keyword, length)) {
        return k;
      }
    }
    return -1;
  }

  private boolean matches(String text, int i, String keyword, int length) {
    for (int j = 2; j < length; j++) {
      if (fold(text.charAt(i + j)) != keyword.charAt(j)) {
        return false;
      }
    }
    return true;
  }

  private int fold(char c) {
    return ignoreCase && c - 'A' <= 'Z' - 'A' && c >= 'A' ? c | 0x20 : c;
  }
}
