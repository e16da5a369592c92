package io.dihya.vigie.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Standard Webhooks signatures against the specification's published test vector. */
class WebhookSignatureTest {

  static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final long TIMESTAMP = 1614265330L;
  static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

  @Test
  void reproducesTheReferenceSignature() {
    WebhookSignature signature = WebhookSignature.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "f");

    List<String[]> headers = signature.headers(ID, TIMESTAMP, BODY);

    assertThat(headers)
        .containsExactly(
            new String[] {"webhook-id", ID},
            new String[] {"webhook-timestamp", "1614265330"},
            new String[] {"webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="});
  }

  @Test
  void aKeyWithoutThePrefixIsItsRawBytes() {
    // "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" as raw text is another key than its base64 decoding.
    String raw = WebhookSignature.of("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "f").sign(ID, "1", BODY);
    String decoded =
        WebhookSignature.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "f").sign(ID, "1", BODY);
    assertThat(raw).isNotEqualTo(decoded);
  }

  @Test
  void emptyKeysAreRejected() {
    assertThatThrownBy(() -> WebhookSignature.of("whsec_", "webhook.signingKeySecretRef"))
        .hasMessage("webhook.signingKeySecretRef: the signing key is empty");
    assertThatThrownBy(() -> WebhookSignature.of(null, "webhook.signingKeySecretRef"))
        .hasMessage("webhook.signingKeySecretRef: the signing key is empty");
  }

  @Test
  void showsNoKey() {
    assertThat(WebhookSignature.of("CANARY-key", "f").toString())
        .isEqualTo("WebhookSignature[HmacSHA256]");
  }
}
