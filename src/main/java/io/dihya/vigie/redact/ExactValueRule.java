package io.dihya.vigie.redact;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Masks every occurrence of known secret values (and their encoded forms, see {@link
 * SecretVariants}), found with {@link String#indexOf}, which the JDK vectorises.
 *
 * <p>The variants are also looked for in the text without its line breaks (base64 wrapped at 76
 * characters, a token cut by a log formatter), and the values themselves in the text
 * percent-decoded and JSON-unescaped ({@link DecodedText}), since encoders differ in what they
 * leave alone.
 */
final class ExactValueRule implements Rule {

  private final String[] literals;

  /** The values as given, and without their trailing white space: what decoded texts may hold. */
  private final String[] values;

  /** Whether a value holds a space, which form encoding may write as {@code +}. */
  private final boolean spaces;

  private ExactValueRule(Set<String> literals, Set<String> values) {
    // Longest first: harmless with merged spans, and the order the reader expects.
    this.literals =
        literals.stream()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toArray(String[]::new);
    this.values = values.toArray(String[]::new);
    this.spaces = values.stream().anyMatch(v -> v.indexOf(' ') >= 0);
  }

  /** A rule for the secrets of {@code previous} (null for none) and {@code values}. */
  static ExactValueRule of(ExactValueRule previous, Collection<String> values) {
    Set<String> literals = new LinkedHashSet<>();
    Set<String> plain = new LinkedHashSet<>();
    if (previous != null) {
      literals.addAll(List.of(previous.literals));
      plain.addAll(List.of(previous.values));
    }
    for (String value : values) {
      Set<String> variants = SecretVariants.of(value);
      literals.addAll(variants);
      if (!variants.isEmpty()) {
        plain.add(value);
        String stripped = value.strip();
        if (stripped.length() >= SecretVariants.MIN_LENGTH) {
          plain.add(stripped);
        }
      }
    }
    int before = previous == null ? 0 : previous.literals.length;
    return literals.size() == before ? previous : new ExactValueRule(literals, plain);
  }

  @Override
  public Spans find(String text, Spans found) {
    for (String literal : literals) {
      for (int i = text.indexOf(literal); i >= 0; i = text.indexOf(literal, i + 1)) {
        found = Spans.orNew(found).mask(i, i + literal.length());
      }
    }
    found = find(DecodedText.withoutLineBreaks(text), literals, found);
    found = find(DecodedText.percentDecoded(text, false), values, found);
    if (spaces) {
      found = find(DecodedText.percentDecoded(text, true), values, found);
    }
    return find(DecodedText.jsonUnescaped(text), values, found);
  }

  private static Spans find(DecodedText decoded, String[] wanted, Spans found) {
    if (decoded == null) {
      return found;
    }
    String text = decoded.text();
    for (String literal : wanted) {
      for (int i = text.indexOf(literal); i >= 0; i = text.indexOf(literal, i + 1)) {
        found = Spans.orNew(found).mask(decoded.start(i), decoded.end(i + literal.length()));
      }
    }
    return found;
  }
}
