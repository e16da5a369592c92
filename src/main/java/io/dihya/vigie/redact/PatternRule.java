package io.dihya.vigie.redact;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks every match of patterns given by users (e.g. {@code PAT-[0-9]{8}} for patient numbers).
 *
 * <p>These patterns come from custom resources, so one of them may backtrack catastrophically
 * ({@code (a+)+$}). They all share a time budget per text; past it {@link
 * DeadlineCharSequence.DeadlineExceeded} ends the redaction, which then hides the whole text rather
 * than stall the thread or let it through.
 */
final class PatternRule implements Rule {

  /** Time all user patterns together may spend on one text. */
  static final long BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final List<Pattern> patterns;
  private final long budgetNanos;

  private PatternRule(List<Pattern> patterns, long budgetNanos) {
    this.patterns = List.copyOf(patterns);
    this.budgetNanos = budgetNanos;
  }

  /** A rule for the patterns of {@code previous} (null for none) and {@code added}. */
  static PatternRule of(PatternRule previous, Collection<Pattern> added, long budgetNanos) {
    List<Pattern> all = new ArrayList<>();
    if (previous != null) {
      all.addAll(previous.patterns);
    }
    for (Pattern pattern : added) {
      if (pattern != null && !all.contains(pattern)) {
        all.add(pattern);
      }
    }
    int before = previous == null ? 0 : previous.patterns.size();
    return all.size() == before ? previous : new PatternRule(all, budgetNanos);
  }

  @Override
  public Spans find(String text, Spans found) {
    CharSequence input = new DeadlineCharSequence(text, System.nanoTime() + budgetNanos);
    for (Pattern pattern : patterns) {
      Matcher m = pattern.matcher(input);
      while (m.find()) {
        found = m.end() > m.start() ? Spans.orNew(found).mask(m.start(), m.end()) : found;
      }
    }
    return found;
  }
}
