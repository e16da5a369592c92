package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UrlUserInfoRuleTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "postgres://orders:hunter2@db.shop.svc:5432/app | postgres://[REDACTED]@db.shop.svc:5432/app",
        "https://user:pass@host | https://[REDACTED]@host",
        "https://ghp_token@github.com/org/repo.git | https://[REDACTED]@github.com/org/repo.git",
        "redis://:s3cret@redis:6379/0 | redis://[REDACTED]@redis:6379/0",
        "amqp://bob:p@ss@rabbit:5672 failed | amqp://[REDACTED]@rabbit:5672 failed",
        "mongodb+srv://u:p@cluster0.example.net/?retryWrites=true"
            + " | mongodb+srv://[REDACTED]@cluster0.example.net/?retryWrites=true",
        "see \"https://u:p@h/x\" and 'ftp://a:b@c' | see \"https://[REDACTED]@h/x\" and"
            + " 'ftp://[REDACTED]@c'",
        "GET https://u:p@a/ then https://v:q@b/ | GET https://[REDACTED]@a/ then"
            + " https://[REDACTED]@b/",
        "https://u:p@[::1]:8080/x | https://[REDACTED]@[::1]:8080/x",
      })
  void masksTheUserInformationOfUrls(String text, String expected) {
    assertThat(Redactor.standard().redact(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET http://orders.shop.svc:8080/healthz answered 503",
        "https://orders.shop.svc/contact?email=bob@clinic.org",
        "https://orders.shop.svc/users/bob@clinic.org",
        "https://orders.shop.svc#bob@clinic.org",
        "mail bob@clinic.org about https://orders.shop.svc",
        "git@github.com:org/repo.git",
        "://@ and x://@host",
        "no scheme ://user:pw@host",
      })
  void leavesUrlsWithoutUserInformationAlone(String text) {
    assertThat(Redactor.standard().redact(text)).isEqualTo(text);
  }
}
