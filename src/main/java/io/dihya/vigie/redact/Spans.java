package io.dihya.vigie.redact;

import java.util.Arrays;

/**
 * The spans of one text to hide, collected from every rule, then merged and applied in one pass.
 *
 * <p>A span is either masked ({@link Redactor#MASK}) or replaced by a pseudonym. Where spans
 * overlap, the safer outcome wins: overlapping masks merge, a pseudonym that overlaps a mask
 * becomes part of the mask, and a pseudonym nested in another pseudonym disappears into it.
 */
final class Spans {

  private int[] starts = new int[8];
  private int[] ends = new int[8];
  private String[] replacements = new String[8];
  private int size;

  /** {@code spans}, or a new instance when it is null. */
  static Spans orNew(Spans spans) {
    return spans == null ? new Spans() : spans;
  }

  /** Hides {@code [start, end)} behind {@link Redactor#MASK}; empty spans are ignored. */
  Spans mask(int start, int end) {
    return add(start, end, null);
  }

  /** Replaces {@code [start, end)} by {@code pseudonym}; empty spans are ignored. */
  Spans replace(int start, int end, String pseudonym) {
    return add(start, end, pseudonym);
  }

  private Spans add(int start, int end, String replacement) {
    if (end <= start) {
      return this;
    }
    if (size == starts.length) {
      starts = Arrays.copyOf(starts, size * 2);
      ends = Arrays.copyOf(ends, size * 2);
      replacements = Arrays.copyOf(replacements, size * 2);
    }
    starts[size] = start;
    ends[size] = end;
    replacements[size] = replacement;
    size++;
    return this;
  }

  /** Masks every occurrence of {@code literal} in {@code text}. */
  Spans maskAll(String text, String literal) {
    for (int i = text.indexOf(literal); i >= 0; i = text.indexOf(literal, i + literal.length())) {
      mask(i, i + literal.length());
    }
    return this;
  }

  /** How many spans were added. */
  int size() {
    return size;
  }

  /** The end of the span added last. */
  int lastEnd() {
    return ends[size - 1];
  }

  /** The text with every span hidden. */
  String applyTo(String text) {
    if (size == 0) {
      return text;
    }
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    // By start, and the widest first among spans that start together, so that nesting is seen.
    Arrays.sort(
        order, (a, b) -> starts[a] != starts[b] ? starts[a] - starts[b] : ends[b] - ends[a]);

    StringBuilder out = new StringBuilder(text.length() + 16);
    int written = 0;
    int start = starts[order[0]];
    int end = ends[order[0]];
    String replacement = replacements[order[0]];
    for (int k = 1; k < size; k++) {
      int i = order[k];
      boolean overlaps = starts[i] < end;
      boolean adjacentMasks = starts[i] == end && replacement == null && replacements[i] == null;
      if (!overlaps && !adjacentMasks) {
        written = emit(text, out, written, start, end, replacement);
        start = starts[i];
        end = ends[i];
        replacement = replacements[i];
      } else if (replacement != null && replacements[i] != null && ends[i] <= end) {
        continue; // a pseudonym inside a pseudonym, e.g. the IPv4 tail of an IPv6 address
      } else {
        end = Math.max(end, ends[i]);
        replacement = null;
      }
    }
    written = emit(text, out, written, start, end, replacement);
    return out.append(text, written, text.length()).toString();
  }

  private static int emit(
      String text, StringBuilder out, int written, int start, int end, String replacement) {
    out.append(text, written, start).append(replacement == null ? Redactor.MASK : replacement);
    return end;
  }
}
