package io.dihya.vigie.redact;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stable, irreversible pseudonyms: the first 8 hex digits of HMAC-SHA256 of the value under a key
 * drawn at random when the class loads. The same address gets the same pseudonym for the life of
 * the operator process, so an alert can still say "the same client again", and a restart changes
 * every pseudonym, so none can be looked up in a table built from another process.
 */
final class Pseudonyms {

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] KEY = new byte[32];

  static {
    new SecureRandom().nextBytes(KEY);
  }

  // Mac instances are not thread-safe, and creating one costs more than a hash.
  private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(Pseudonyms::newMac);

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** The domain of e-mail pseudonyms: {@code .invalid} is reserved, no real address has it. */
  private static final String EMAIL_DOMAIN = "@redacted.invalid";

  private Pseudonyms() {}

  /** {@code email-<8 hex>@redacted.invalid}; addresses differing only in case share it. */
  static String email(String address) {
    return "email-" + hex8(address.toLowerCase(Locale.ROOT)) + EMAIL_DOMAIN;
  }

  /** Whether {@code address} is in the domain of e-mail pseudonyms. */
  static boolean isEmailPseudonym(String address) {
    int start = address.length() - EMAIL_DOMAIN.length();
    return start >= 0 && address.regionMatches(true, start, EMAIL_DOMAIN, 0, EMAIL_DOMAIN.length());
  }

  /** {@code ip-<8 hex>}; IPv6 addresses differing only in case share it. */
  static String ip(String address) {
    return "ip-" + hex8(address.toLowerCase(Locale.ROOT));
  }

  private static String hex8(String value) {
    byte[] digest = MAC.get().doFinal(value.getBytes(StandardCharsets.UTF_8));
    char[] out = new char[8];
    for (int i = 0; i < 4; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[digest[i] & 0xF];
    }
    return new String(out);
  }

  private static Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(KEY, ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      // Every Java platform must provide HmacSHA256 (Mac's Javadoc): this cannot happen.
      throw new IllegalStateException(ALGORITHM + " is not available", e);
    }
  }
}
