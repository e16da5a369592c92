package io.dihya.vigie.redact;

/** One way of finding what to hide in a text. Implementations are immutable and thread-safe. */
interface Rule {

  /**
   * Adds the spans of {@code text} this rule hides to {@code found}.
   *
   * @param found the spans found so far, or null when none were, so that a text nothing matches
   *     allocates nothing
   * @return {@code found}, or a new {@link Spans} holding this rule's spans when {@code found} was
   *     null and something matched
   */
  Spans find(String text, Spans found);
}
