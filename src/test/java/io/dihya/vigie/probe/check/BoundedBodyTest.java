package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The read limit of bodies. */
class BoundedBodyTest {

  static byte[] chunk(int size, char fill) {
    byte[] bytes = new byte[size + 6];
    Arrays.fill(bytes, (byte) fill);
    return bytes;
  }

  @Test
  void keepsAtMostTheLimitAndSaysWhenToStop() {
    int limit = 1024 * 1024;
    BoundedBody body = new BoundedBody(limit, true);
    int sent = 0;
    boolean stop = false;
    while (!stop && sent < 5 * limit) {
      // Chunks at an offset, as a pooled buffer hands them over.
      stop = body.add(chunk(64 * 1024 + 7, sent == 0 ? 'M' : 'x'), 3, 64 * 1024 + 7);
      sent += 64 * 1024 + 7;
    }

    assertThat(stop).isTrue();
    assertThat(sent).isLessThan(limit + 2 * 64 * 1024);
    BoundedBody.Body read = body.body();
    assertThat(read.truncated()).isTrue();
    assertThat(read.bytes()).hasSize(limit);
    assertThat(read.bytes()[0]).isEqualTo((byte) 'M');
    assertThat(read.bytes()[limit - 1]).isEqualTo((byte) 'x');
  }

  @Test
  void discardsWhenNotKeepingButStillStopsAtTheLimit() {
    BoundedBody body = new BoundedBody(100, false);
    assertThat(body.add(chunk(60, 'x'), 0, 60)).isFalse();
    assertThat(body.add(null, 0, 60)).as("counted only: the bytes are not read").isTrue();

    assertThat(body.body().bytes()).isEmpty();
    assertThat(body.body().truncated()).isTrue();
  }

  @Test
  void aBodyOfExactlyTheLimitIsComplete() {
    BoundedBody body = new BoundedBody(10, true);
    byte[] digits = "0123456789".getBytes(StandardCharsets.US_ASCII);
    assertThat(body.add(digits, 0, 4)).isFalse();
    assertThat(body.add(digits, 4, 6)).isFalse();

    assertThat(body.body().truncated()).isFalse();
    assertThat(new String(body.body().bytes(), StandardCharsets.US_ASCII)).isEqualTo("0123456789");
  }

  @Test
  void anEmptyBodyIsEmptyAndComplete() {
    BoundedBody.Body read = new BoundedBody(10, true).body();
    assertThat(read.bytes()).isEmpty();
    assertThat(read.truncated()).isFalse();
  }
}
