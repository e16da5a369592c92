package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Redactor#withAnonymization}: stable pseudonyms for e-mail and IP addresses. */
class AnonymizationTest {

  private static final Redactor EMAILS = Redactor.standard().withAnonymization(true, false);
  private static final Redactor IPS = Redactor.standard().withAnonymization(false, true);
  private static final Redactor BOTH = Redactor.standard().withAnonymization(true, true);

  private static final String EMAIL_PSEUDONYM = "email-[0-9a-f]{8}@redacted\\.invalid";
  private static final String IP_PSEUDONYM = "ip-[0-9a-f]{8}";

  @Test
  void replacesEmailAddresses() {
    String redacted =
        EMAILS.redact("sent to bob@clinic.org and alice.m+alerts@school.example.edu.");
    assertThat(redacted)
        .matches("sent to " + EMAIL_PSEUDONYM + " and " + EMAIL_PSEUDONYM + "\\.")
        .doesNotContain("bob", "clinic", "alice", "school");
    assertThat(EMAILS.redact("mailto:bob@clinic.org")).matches("mailto:" + EMAIL_PSEUDONYM);
    assertThat(EMAILS.redact("<bob@clinic.org>")).matches("<" + EMAIL_PSEUDONYM + ">");
  }

  @Test
  void pseudonymsAreStableAndDistinct() {
    String bob = EMAILS.redact("bob@clinic.org");
    assertThat(EMAILS.redact("bob@clinic.org")).isEqualTo(bob);
    assertThat(BOTH.redact("bob@clinic.org")).isEqualTo(bob);
    assertThat(EMAILS.redact("Bob@Clinic.ORG")).isEqualTo(bob);
    assertThat(EMAILS.redact("rob@clinic.org")).isNotEqualTo(bob).matches(EMAIL_PSEUDONYM);

    String ip = IPS.redact("10.0.0.7");
    assertThat(ip).matches(IP_PSEUDONYM);
    assertThat(BOTH.redact("10.0.0.7")).isEqualTo(ip);
    assertThat(IPS.redact("10.0.0.8")).isNotEqualTo(ip).matches(IP_PSEUDONYM);
    assertThat(IPS.redact("FE80::1")).isEqualTo(IPS.redact("fe80::1"));
  }

  /** Found by RedactorPropertiesTest: a second redaction gave a pseudonym of the pseudonym. */
  @Test
  void leavesPseudonymsAsTheyAre() {
    String once = BOTH.redact("postgres orders@orders.shop:5432/app from 10.0.0.7");
    assertThat(once).matches(EMAIL_PSEUDONYM + "|.*" + EMAIL_PSEUDONYM + ".*");
    assertThat(BOTH.redact(once)).isEqualTo(once);
    assertThat(EMAILS.redact("to email-0ed30964@REDACTED.invalid"))
        .isEqualTo("to email-0ed30964@REDACTED.invalid");
  }

  /**
   * Found by RedactorPropertiesTest: a long dotted run after an {@code @} overflowed the stack, and
   * the whole text was hidden.
   */
  @Test
  void aLongDottedRunIsNotAnError() {
    String text = "bob@" + "a.".repeat(5_000) + "org from 10.0.0.7";
    assertThatCode(() -> new EmailRule().find(text, null)).doesNotThrowAnyException();
    assertThat(BOTH.redact(text)).startsWith("bob@a.a.a.").matches("(?s).*from " + IP_PSEUDONYM);
    assertThat(EMAILS.redact("bob@" + "a.".repeat(125) + "org")).matches(EMAIL_PSEUDONYM);
  }

  @Test
  void keepsUrlHostsAndLeavesUserInformationToTheUrlRule() {
    assertThat(BOTH.redact("https://bob@db.shop.svc/x and https://u:p@db.shop.svc/y"))
        .isEqualTo("https://[REDACTED]@db.shop.svc/x and https://[REDACTED]@db.shop.svc/y");
    assertThat(EMAILS.redact("https://shop.example/?email=bob@clinic.org"))
        .matches("https://shop\\.example/\\?email=" + EMAIL_PSEUDONYM);
  }

  @Test
  void replacesIpv4Addresses() {
    assertThat(IPS.redact("dial tcp 10.96.12.4:5432: connect: connection refused"))
        .matches("dial tcp " + IP_PSEUDONYM + ":5432: connect: connection refused");
    assertThat(IPS.redact("GET http://192.168.1.20/healthz from 0.0.0.0 and 255.255.255.255."))
        .matches(
            "GET http://"
                + IP_PSEUDONYM
                + "/healthz from "
                + IP_PSEUDONYM
                + " and "
                + IP_PSEUDONYM
                + "\\.");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "::1",
        "fe80::1",
        "fe80::1%eth0",
        "2001:db8::8a2e:370:7334",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "::ffff:10.1.2.3",
        "64:ff9b::192.0.2.33",
        "1::",
        "1:2:3:4:5:6:7::"
      })
  void replacesIpv6Addresses(String address) {
    assertThat(IPS.redact("peer " + address + " left")).matches("peer " + IP_PSEUDONYM + " left");
    assertThat(IPS.redact("[" + address + "]:443.")).matches("\\[" + IP_PSEUDONYM + "]:443\\.");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "started at 12:30:45 after 1.5s",
        "MAC aa:bb:cc:dd:ee:ff",
        "version 1.2.3.4.5 and v1.2.3.4",
        "256.1.1.1 and 1.2.3",
        "10.0.0.1a",
        "std::string and Foo::bar and ::",
        "1:2:3:4:5:6:7:8:9",
        "1::2::3",
        "12345::1",
        "::1.2.3.999",
        "::1.2.3",
        "deadbeef:cafe:g",
        "ratio 3:4:5",
        "GET http://orders.shop.svc:8080/healthz answered 503"
      })
  void leavesLookAlikesAlone(String text) {
    assertThat(IPS.redact(text)).isEqualTo(text);
  }

  @Test
  void isOffUnlessAskedFor() {
    String text = "bob@clinic.org from 10.0.0.7 and fe80::1";
    assertThat(Redactor.standard().redact(text)).isEqualTo(text);
    assertThat(EMAILS.redact(text)).endsWith(" from 10.0.0.7 and fe80::1");
    assertThat(IPS.redact(text)).startsWith("bob@clinic.org from ip-");
  }

  @Test
  void switchesOnlyAdd() {
    Redactor both = EMAILS.withAnonymization(false, true);
    assertThat(both.redact("bob@clinic.org 10.0.0.7"))
        .matches(EMAIL_PSEUDONYM + " " + IP_PSEUDONYM);
  }

  @Test
  void ipv6Validation() {
    assertThat(IpAddressRule.isIpv6("1:2:3:4:5:6:7:8")).isTrue();
    assertThat(IpAddressRule.isIpv6("1:2:3:4:5:6:1.2.3.4")).isTrue();
    assertThat(IpAddressRule.isIpv6("1:2:3:4:5:6:7")).isFalse();
    assertThat(IpAddressRule.isIpv6("1:2:3:4:5:6:7:8::")).isFalse();
    assertThat(IpAddressRule.isIpv6("::")).isFalse();
    assertThat(IpAddressRule.isIpv6(":1:2:3:4:5:6:7")).isFalse();
    assertThat(IpAddressRule.isIpv6("1.2.3.4::1")).isFalse();
    assertThat(IpAddressRule.isIpv6("zz::1")).isFalse();
    assertThat(IpAddressRule.isIpv4("300.1.1.1", 0, 9)).isFalse();
  }
}
