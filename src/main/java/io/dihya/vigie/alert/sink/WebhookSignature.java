package io.dihya.vigie.alert.sink;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook requests the Standard Webhooks 1.0 way: headers {@code webhook-id}, {@code
 * webhook-timestamp} (Unix seconds) and {@code webhook-signature: v1,<base64 of HMAC-SHA256 over
 * "id.timestamp.body">}.
 *
 * <p>The key is read as the Standard Webhooks libraries read it: a value starting with {@code
 * whsec_} is the base64 of the key bytes after that prefix (what those libraries generate and what
 * most receivers are configured with); any other value is used as its raw UTF-8 bytes. {@link
 * #toString()} shows no key.
 */
final class WebhookSignature {

  static final String PREFIX = "whsec_";
  static final String ID = "webhook-id";
  static final String TIMESTAMP = "webhook-timestamp";
  static final String SIGNATURE = "webhook-signature";

  private final SecretKeySpec key;

  private WebhookSignature(byte[] key) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  /**
   * The signer of a key as stored in the Secret.
   *
   * @throws IllegalArgumentException naming {@code field}, never echoing the key
   */
  static WebhookSignature of(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(field + ": the signing key is empty");
    }
    byte[] bytes;
    if (value.startsWith(PREFIX)) {
      try {
        bytes = Base64.getDecoder().decode(value.substring(PREFIX.length()).strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            field + ": a key starting with whsec_ must continue in base64");
      }
      if (bytes.length == 0) {
        throw new IllegalArgumentException(field + ": the signing key is empty");
      }
    } else {
      bytes = value.getBytes(StandardCharsets.UTF_8);
    }
    return new WebhookSignature(bytes);
  }

  /** The three headers for one request. */
  List<String[]> headers(String id, long unixSeconds, byte[] body) {
    String timestamp = Long.toString(unixSeconds);
    return List.of(
        new String[] {ID, id},
        new String[] {TIMESTAMP, timestamp},
        new String[] {SIGNATURE, "v1," + sign(id, timestamp, body)});
  }

  /** The base64 HMAC-SHA256 of "id.timestamp.body". */
  String sign(String id, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from the JDK", e);
    }
  }

  @Override
  public String toString() {
    return "WebhookSignature[HmacSHA256]";
  }
}
