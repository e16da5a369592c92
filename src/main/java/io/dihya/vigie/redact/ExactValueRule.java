package io.dihya.vigie.redact;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Masks every occurrence of known secret values (and their encoded forms, see {@link
 * SecretVariants}), found with {@link String#indexOf}, which the JDK vectorises.
 */
final class ExactValueRule implements Rule {

  private final String[] literals;

  private ExactValueRule(Set<String> literals) {
    // Longest first: harmless with merged spans, and the order the reader expects.
    this.literals =
        literals.stream()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toArray(String[]::new);
  }

  /** A rule for the secrets of {@code previous} (null for none) and {@code values}. */
  static ExactValueRule of(ExactValueRule previous, Collection<String> values) {
    Set<String> literals = new LinkedHashSet<>();
    if (previous != null) {
      literals.addAll(List.of(previous.literals));
    }
    for (String value : values) {
      literals.addAll(SecretVariants.of(value));
    }
    int before = previous == null ? 0 : previous.literals.length;
    return literals.size() == before ? previous : new ExactValueRule(literals);
  }

  @Override
  public Spans find(String text, Spans found) {
    for (String literal : literals) {
      for (int i = text.indexOf(literal); i >= 0; i = text.indexOf(literal, i + 1)) {
        found = Spans.orNew(found).mask(i, i + literal.length());
      }
    }
    return found;
  }
}
