package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthSchemeRuleTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "upstream said Bearer abc.def-ghi_jkl~mno+pqr/stu== is invalid"
            + " | upstream said Bearer [REDACTED] is invalid",
        "sent bearer abc | sent bearer [REDACTED]",
        "sent BEARER\tabc | sent BEARER\t[REDACTED]",
        "(Bearer abc) | (Bearer [REDACTED])",
        "sent Basic dXNlcjpwYXNz to h | sent Basic [REDACTED] to h",
        "sent basic dXNlcjpwYXNzd29yZA | sent basic [REDACTED]",
        "sent Basic dXNlcjpwYXNzd29yZA== | sent Basic [REDACTED]",
        "cut short: Basic dXNlcjpwYXNzd29y | cut short: Basic [REDACTED]",
        "url-safe: Basic dXNlcjpw-_8 | url-safe: Basic [REDACTED]",
      })
  void masksTheCredentialsOfBothSchemes(String text, String expected) {
    assertThat(Redactor.standard().redact(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Bearer token expired",
        "the bearer token is missing",
        "Bearer authentication failed",
        "WWW-Authenticate: Bearer realm=\"shop\"",
        "WWW-Authenticate: Bearer realm=shop, error=\"invalid_token\"",
        "basic checks passed",
        "Basic Health check failed",
        "Basic Auth is not enabled",
        "Basic dGVzdA== has no colon",
        "Basic abc.def",
        "Basic x",
        "Bearer",
        "Bearer ",
        "nonbearer abc, x-basic dXNlcjpwYXNz",
        "bearer=",
        "BBBB bbbb",
      })
  void leavesProseAlone(String text) {
    assertThat(Redactor.standard().redact(text)).isEqualTo(text);
  }

  @Test
  void basicCredentialsAreBase64WithAColon() {
    assertThat(AuthSchemeRule.isBasicCredential("dXNlcjpwYXNz")).isTrue();
    assertThat(AuthSchemeRule.isBasicCredential("dGVzdA==")).isFalse();
    assertThat(AuthSchemeRule.isBasicCredential("abc")).isFalse();
    assertThat(AuthSchemeRule.isBasicCredential("a~bc")).isFalse();
  }
}
