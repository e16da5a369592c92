package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KnownFormatRuleTest {

  private static final String A36 = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";

  private static String redact(String text) {
    return Redactor.standard().redact(text);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.Sfl_KxwRJSMeKKF2QT4 end | jwt [REDACTED] end",
        "unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end | unsigned [REDACTED] end",
        "aws AKIAIOSFODNN7EXAMPLE end | aws [REDACTED] end",
        "sts ASIAY34FZKBOKMUTVV7A end | sts [REDACTED] end",
        "gh ghp_" + A36 + " end | gh [REDACTED] end",
        "gh gho_" + A36 + " ghu_" + A36 + " | gh [REDACTED] [REDACTED]",
        "gh ghs_" + A36 + " ghr_" + A36 + " | gh [REDACTED] [REDACTED]",
        "gh github_pat_11ABCDEFG0123456789_abcdefghijklmnop end | gh [REDACTED] end",
        "gl glpat-abcdefghij0123456789 end | gl [REDACTED] end",
        "slack xoxb-1234567890-abcdefghij end | slack [REDACTED] end",
        "slack xoxp-1234-5678-abcdef and xoxa-2-abcdefghij | slack [REDACTED] and [REDACTED]",
        "slack xoxr-1234567890 xoxs-1234567890 | slack [REDACTED] [REDACTED]",
        "slack xapp-1-A0123-456-abcdef | slack [REDACTED]",
        "google AIzaSyA-1234567890abcdefghijklmnopqrstu end | google [REDACTED] end",
        "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc | stripe [REDACTED]",
        "stripe sk_test_4eC39HqLyjWDarjtT1zdp7dc rk_live_abcdefgh123 | stripe [REDACTED]"
            + " [REDACTED]",
        "webhook whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw end | webhook [REDACTED] end",
        "sendgrid SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz012345 | sendgrid [REDACTED]",
        "npm npm_" + A36 + " | npm [REDACTED]",
        "POST https://hooks.slack.com/services/T000/B000/XXXX answered 404"
            + " | POST https://hooks.slack.com/services/[REDACTED] answered 404",
        "POST https://hooks.slack.com/workflows/T0/A0/1/abc | POST"
            + " https://hooks.slack.com/workflows/[REDACTED]",
        "POST https://shop.webhook.office.com/webhookb2/abc@def/IncomingWebhook/x/y failed"
            + " | POST https://shop.webhook.office.com/webhookb2/[REDACTED] failed",
        "POST https://discord.com/api/webhooks/123/abc-def?wait=true"
            + " | POST https://discord.com/api/webhooks/[REDACTED]?wait=true",
      })
  void masksCredentialsByTheirShape(String text, String expected) {
    assertThat(redact(text)).isEqualTo(expected);
  }

  @Test
  void masksPrivateKeyBlocks() {
    String pem =
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc==\n-----END RSA PRIVATE KEY-----";
    assertThat(redact("key " + pem + " loaded")).isEqualTo("key [REDACTED] loaded");
    assertThat(redact("-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n\""))
        .isEqualTo("[REDACTED]\\n\"");
    assertThat(redact("-----BEGIN EC PRIVATE KEY-----\nMHc")).isEqualTo("[REDACTED]");
    assertThat(
            redact(
                "a -----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY----- b"))
        .isEqualTo("a [REDACTED] b");
    assertThat(
            redact("-----BEGIN ENCRYPTED PRIVATE KEY-----\nx\n-----END ENCRYPTED PRIVATE KEY-----"))
        .isEqualTo("[REDACTED]");
    assertThat(
            redact("-----BEGIN PGP PRIVATE KEY BLOCK-----\nx\n-----END PGP PRIVATE KEY BLOCK-----"))
        .isEqualTo("[REDACTED]");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
        "eyJ alone, eyJhbGciOiJIUzI1NiJ9 without dots",
        "AKIA12345 is too short, AKIAIOSFODNN7EXAMPLEX is too long",
        "ghp_short, gh_" + A36,
        "xoxb-123, xoxz-1234567890",
        "AIzaShort",
        "sk_live_short pk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "whsec_x",
        "npm_short",
        "https://hooks.slack.com/ and https://hooks.slack.com/other/x",
        "https://outlook.office.com/mail/inbox",
        "task_live_12345678 and mask_test_12345678",
      })
  void leavesLookAlikesAlone(String text) {
    assertThat(redact(text)).isEqualTo(text);
  }
}
