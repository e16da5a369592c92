package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Redactor#withSecrets}: known values, whatever their encoding. */
class ExactValueRuleTest {

  private static final String SECRET = "s3cr3t/p@ss+wörd~é";

  private static final Redactor REDACTOR = Redactor.standard().withSecrets(List.of(SECRET));

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String base64Url(String text) {
    return Base64.getUrlEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void masksTheValueWhereverItAppears() {
    assertThat(REDACTOR.redact("connect with " + SECRET + " failed; again " + SECRET + "!"))
        .isEqualTo("connect with [REDACTED] failed; again [REDACTED]!");
    assertThat(REDACTOR.redact(SECRET)).isEqualTo("[REDACTED]");
  }

  @Test
  void masksItUrlEncoded() {
    String form = URLEncoder.encode(SECRET, StandardCharsets.UTF_8);
    assertThat(form).contains("%2F", "%40", "%2B", "%C3%B6");
    assertThat(REDACTOR.redact("q=" + form + "&x=1")).isEqualTo("q=[REDACTED]&x=1");
    String lowerHex =
        Pattern.compile("%[0-9A-F]{2}").matcher(form).replaceAll(h -> h.group().toLowerCase());
    assertThat(lowerHex).isNotEqualTo(form);
    assertThat(REDACTOR.redact("q=" + lowerHex)).isEqualTo("q=[REDACTED]");
    String withSpace = "two words here";
    Redactor spaces = Redactor.standard().withSecrets(List.of(withSpace));
    assertThat(spaces.redact("q=two+words+here and q=two%20words%20here"))
        .isEqualTo("q=[REDACTED] and q=[REDACTED]");
  }

  @Test
  void masksItJsonEscaped() {
    Redactor quotes = Redactor.standard().withSecrets(List.of("pa\"ss\\w/o<rd>&\n\u0001"));
    assertThat(quotes.redact("{\"v\":\"pa\\\"ss\\\\w/o<rd>&\\n\\u0001\"}"))
        .isEqualTo("{\"v\":\"[REDACTED]\"}");
    Redactor controls = Redactor.standard().withSecrets(List.of("a\tb\rc\nd"));
    assertThat(controls.redact("{\"v\":\"a\\tb\\rc\\nd\"}")).isEqualTo("{\"v\":\"[REDACTED]\"}");
    assertThat(quotes.redact("{\"v\":\"pa\\\"ss\\\\w\\/o<rd>&\\n\\u0001\"}"))
        .isEqualTo("{\"v\":\"[REDACTED]\"}");
    assertThat(quotes.redact("{\"v\":\"pa\\\"ss\\\\w/o\\u003crd\\u003e\\u0026\\n\\u0001\"}"))
        .isEqualTo("{\"v\":\"[REDACTED]\"}");
  }

  @Test
  void masksItBase64EncodedInEveryAlphabet() {
    String padded = base64(SECRET);
    String urlSafe = base64Url(SECRET);
    assertThat(padded).isNotEqualTo(urlSafe);
    for (String encoded :
        List.of(padded, padded.replace("=", ""), urlSafe, urlSafe.replace("=", ""))) {
      assertThat(REDACTOR.redact("data: " + encoded + " end")).isEqualTo("data: [REDACTED] end");
    }
  }

  /** base64(prefix + secret) holds the secret's bytes at any of the three alignments. */
  @ParameterizedTest
  @ValueSource(strings = {"", "u:", "us:", "user:", "a-much-longer-prefix\n"})
  void masksItInsideLongerBase64(String prefix) {
    for (String suffix : List.of("", "\n", "@host")) {
      String encoded = base64(prefix + SECRET + suffix);
      String encodedUrl = base64Url(prefix + SECRET + suffix);
      String redacted = REDACTOR.redact("Basic " + encoded + " or " + encodedUrl);
      // At most one character before and one after the secret's span can stay: they mix its bits
      // with the neighbours'.
      assertThat(redacted).contains("[REDACTED]").doesNotContain(encoded, encodedUrl);
      int secretMiddle =
          (prefix.length() + SECRET.getBytes(StandardCharsets.UTF_8).length / 2) * 4 / 3;
      String middle = encoded.substring(secretMiddle - 2, secretMiddle + 2);
      assertThat(redacted).doesNotContain(middle);
    }
  }

  /**
   * Found by RedactorPropertiesTest: encoders differ in what they leave alone, and the variants
   * only knew URLEncoder's choice.
   */
  @Test
  void masksItWhateverTheUrlEncoderLeavesAlone() {
    Redactor redactor = Redactor.standard().withSecrets(List.of("p@ss w!rd~(x)*:/"));
    // JavaScript's encodeURIComponent, Go's QueryEscape, Spring's query encoding.
    assertThat(redactor.redact("q=p%40ss%20w!rd~(x)*%3A%2F")).isEqualTo("q=[REDACTED]");
    assertThat(redactor.redact("q=p%40ss+w%21rd~%28x%29%2A%3A%2F")).isEqualTo("q=[REDACTED]");
    assertThat(redactor.redact("q=p@ss%20w!rd~(x)*:/&x=1")).isEqualTo("q=[REDACTED]&x=1");
  }

  /** Found by RedactorPropertiesTest: Python's json.dumps escapes every non-ASCII character. */
  @Test
  void masksItJsonEscapedAsUnicode() {
    Redactor redactor = Redactor.standard().withSecrets(List.of("AA\u65e5\u672c-p\u00e4ss"));
    assertThat(redactor.redact("{\"v\": \"AA\\u65e5\\u672c-p\\u00e4ss\"}"))
        .isEqualTo("{\"v\": \"[REDACTED]\"}");
    assertThat(redactor.redact("{\"v\": \"AA\\u65E5\\u672C-p\\u00E4ss\"}"))
        .isEqualTo("{\"v\": \"[REDACTED]\"}");
  }

  /** Found by RedactorPropertiesTest: base64 tools wrap lines at 76 (MIME) or 64 (PEM). */
  @Test
  void masksItAcrossLineBreaks() {
    String secret = "a-secret-long-enough-for-base64-tools-to-wrap-it-over-two-lines";
    String mime =
        Base64.getMimeEncoder().encodeToString(("u:" + secret).getBytes(StandardCharsets.UTF_8));
    assertThat(mime).contains("\r\n");
    assertThat(REDACTOR.withSecrets(List.of(secret)).redact("data:\n" + mime + "\nend"))
        .isEqualTo("data:\ndTp[REDACTED]M=\nend"); // "dTp" is base64 of "u:"
    assertThat(REDACTOR.withSecrets(List.of("hunter2-secret")).redact("pw hunter2-\nsecret."))
        .isEqualTo("pw [REDACTED].");
  }

  @Test
  void alsoMasksTheValueWithoutItsTrailingNewline() {
    Redactor fromFile = Redactor.standard().withSecrets(List.of("hunter2-secret\n"));
    assertThat(fromFile.redact("login with hunter2-secret failed"))
        .isEqualTo("login with [REDACTED] failed");
    assertThat(fromFile.redact(base64("hunter2-secret"))).isEqualTo("[REDACTED]");
    assertThat(fromFile.redact(base64("hunter2-secret\n"))).isEqualTo("[REDACTED]");
  }

  @Test
  void ignoresNullBlankAndShortValues() {
    Redactor redactor =
        Redactor.standard().withSecrets(Arrays.asList(null, "", "   ", "\n", "a", "ab", "abc"));
    assertThat(redactor).isSameAs(Redactor.standard());
    String text = "a b ab abc YWJj\n";
    assertThat(Redactor.standard().withSecrets(List.of("abc", "abcd")).redact(text))
        .isEqualTo(text);
    assertThat(Redactor.standard().withSecrets(List.of("abcd")).redact("x abcd y"))
        .isEqualTo("x [REDACTED] y");
    assertThat(Redactor.standard().withSecrets(List.of("ab \n")).redact("ab \n"))
        .isEqualTo("[REDACTED]");
    assertThat(Redactor.standard().withSecrets(List.of("ab \n")).redact("ab here"))
        .isEqualTo("ab here");
  }

  @Test
  void addingKnownSecretsAgainChangesNothing() {
    Redactor once = Redactor.standard().withSecrets(List.of("hunter2-secret"));
    assertThat(once.withSecrets(List.of("hunter2-secret", "abc"))).isSameAs(once);
  }

  @Test
  void overlappingAndRepeatedSecretsAreMaskedWhole() {
    Redactor redactor =
        Redactor.standard()
            .withSecrets(List.of("secret-value"))
            .withSecrets(List.of("value-and-more", "secret-value"));
    assertThat(redactor.redact("x secret-value-and-more y secret-valuesecret-value"))
        .isEqualTo("x [REDACTED] y [REDACTED]");
    assertThat(Redactor.standard().withSecrets(List.of("abab")).redact("ababab."))
        .isEqualTo("[REDACTED].");
  }

  @Test
  void variantsAreAtLeastFourCharacters() {
    assertThat(SecretVariants.of("abcd"))
        .contains("abcd", "YWJjZA==", "YWJjZA", "YWJjZ")
        .allSatisfy(v -> assertThat(v).hasSizeGreaterThanOrEqualTo(4));
    assertThat(SecretVariants.of(null)).isEmpty();
    assertThat(SecretVariants.of("abc")).isEmpty();
  }

  @Test
  void alignedCoresAreExactlyTheCharactersTheSecretDetermines() {
    byte[] secret = "hunter2".getBytes(StandardCharsets.UTF_8);
    for (int offset = 0; offset < 3; offset++) {
      String core = SecretVariants.alignedCore(Base64.getEncoder(), secret, offset);
      for (String prefix : List.of("", "x", "xy", "xyz")) {
        if (prefix.length() % 3 == offset) {
          assertThat(base64(prefix + "hunter2" + "!")).contains(core);
          assertThat(base64(prefix + "hunter2" + "?!")).contains(core);
        }
      }
    }
  }
}
