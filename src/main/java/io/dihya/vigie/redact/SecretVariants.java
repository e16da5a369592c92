package io.dihya.vigie.redact;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The forms a known secret value can take in a text: as is, without the trailing newline files
 * usually end with, URL-encoded (form and RFC 3986 style, upper- and lower-case hex), JSON-escaped,
 * and base64-encoded (standard and URL-safe alphabets, with and without padding).
 *
 * <p>Base64 of a longer text that contains the secret (a {@code Basic} credential {@code
 * base64(user:secret)}, a base64-encoded config file) does not contain base64 of the secret, since
 * it depends on where the secret falls in the 3-byte groups. So, as GitHub Actions does for its
 * masks, the variants also include, for each of the three alignments, the characters that only the
 * secret's bytes determine.
 */
final class SecretVariants {

  /**
   * Shorter values and variants are not masked: masking "a" or "ab1" everywhere would destroy
   * messages.
   */
  static final int MIN_LENGTH = 4;

  private static final Base64.Encoder STANDARD = Base64.getEncoder();
  private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder();

  private SecretVariants() {}

  /** Every variant of {@code value} at least {@link #MIN_LENGTH} long; empty for short values. */
  static Set<String> of(String value) {
    Set<String> variants = new LinkedHashSet<>();
    if (value == null || value.isBlank() || value.length() < MIN_LENGTH) {
      return variants;
    }
    addForms(value, variants);
    String stripped = value.strip();
    if (!stripped.equals(value) && stripped.length() >= MIN_LENGTH) {
      addForms(stripped, variants);
    }
    variants.removeIf(v -> v.length() < MIN_LENGTH);
    return variants;
  }

  private static void addForms(String value, Set<String> variants) {
    variants.add(value);
    String form = URLEncoder.encode(value, StandardCharsets.UTF_8);
    variants.add(form);
    String percent = form.replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    variants.add(percent);
    variants.add(lowerCaseHex(percent));
    variants.add(lowerCaseHex(form));
    String json = jsonEscaped(value);
    variants.add(json);
    variants.add(json.replace("/", "\\/")); // PHP and some Java encoders escape slashes
    variants.add(
        json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")); // Go
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    for (Base64.Encoder encoder : new Base64.Encoder[] {STANDARD, URL_SAFE}) {
      String padded = encoder.encodeToString(bytes);
      variants.add(padded);
      variants.add(stripPadding(padded));
      for (int offset = 0; offset < 3; offset++) {
        variants.add(alignedCore(encoder, bytes, offset));
      }
    }
  }

  /**
   * The base64 characters determined by {@code bytes} alone when they follow {@code offset} other
   * bytes: character {@code j} covers bits {@code [6j, 6j+6)}, the secret bits {@code [8 offset, 8
   * (offset + n))}.
   */
  static String alignedCore(Base64.Encoder encoder, byte[] bytes, int offset) {
    byte[] shifted = new byte[offset + bytes.length];
    System.arraycopy(bytes, 0, shifted, offset, bytes.length);
    String encoded = encoder.encodeToString(shifted);
    int first = (8 * offset + 5) / 6;
    int end = 8 * (offset + bytes.length) / 6;
    return encoded.substring(first, end);
  }

  private static String stripPadding(String base64) {
    int end = base64.length();
    while (end > 0 && base64.charAt(end - 1) == '=') {
      end--;
    }
    return base64.substring(0, end);
  }

  private static String lowerCaseHex(String percentEncoded) {
    StringBuilder out = new StringBuilder(percentEncoded.length());
    for (int i = 0; i < percentEncoded.length(); i++) {
      char c = percentEncoded.charAt(i);
      out.append(c);
      if (c == '%' && i + 2 < percentEncoded.length()) {
        out.append(percentEncoded.substring(i + 1, i + 3).toLowerCase(Locale.ROOT));
        i += 2;
      }
    }
    return out.toString();
  }

  private static String jsonEscaped(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
