package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The read limit of bodies, driven as the JDK client drives it. */
class BoundedBodySubscriberTest {

  /** Records what the subscriber asks of the publisher. */
  static final class Recorder implements Flow.Subscription {
    long requested;
    boolean cancelled;

    @Override
    public void request(long n) {
      requested += n;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  static List<ByteBuffer> chunk(int size, char fill) {
    byte[] bytes = new byte[size];
    java.util.Arrays.fill(bytes, (byte) fill);
    return List.of(
        ByteBuffer.wrap(bytes, 0, size / 2), ByteBuffer.wrap(bytes, size / 2, size - size / 2));
  }

  static BoundedBodySubscriber.Body body(BoundedBodySubscriber s) throws Exception {
    return ((CompletableFuture<BoundedBodySubscriber.Body>) s.getBody()).getNow(null);
  }

  @Test
  void keepsAtMostTheLimitAndCancelsTheRest() throws Exception {
    int limit = 1024 * 1024;
    BoundedBodySubscriber s = new BoundedBodySubscriber(limit, true);
    Recorder subscription = new Recorder();
    s.onSubscribe(subscription);
    assertThat(subscription.requested).isEqualTo(Long.MAX_VALUE);

    int sent = 0;
    while (!subscription.cancelled && sent < 5 * limit) {
      s.onNext(chunk(64 * 1024 + 7, sent == 0 ? 'M' : 'x'));
      sent += 64 * 1024 + 7;
    }

    assertThat(subscription.cancelled).isTrue();
    assertThat(sent).isLessThan(limit + 2 * 64 * 1024);
    BoundedBodySubscriber.Body body = body(s);
    assertThat(body.truncated()).isTrue();
    assertThat(body.bytes()).hasSize(limit);
    assertThat(body.bytes()[0]).isEqualTo((byte) 'M');

    s.onNext(chunk(10, 'y')); // late items and signals are ignored
    s.onComplete();
    s.onError(new IOException("late"));
    assertThat(body(s)).isSameAs(body);
  }

  @Test
  void discardsWhenNotKeepingButStillStopsAtTheLimit() throws Exception {
    BoundedBodySubscriber s = new BoundedBodySubscriber(100, false);
    Recorder subscription = new Recorder();
    s.onSubscribe(subscription);
    s.onNext(chunk(60, 'x'));
    assertThat(subscription.cancelled).isFalse();
    s.onNext(chunk(60, 'x'));

    assertThat(subscription.cancelled).isTrue();
    assertThat(body(s).bytes()).isEmpty();
    assertThat(body(s).truncated()).isTrue();
  }

  @Test
  void aBodyOfExactlyTheLimitIsComplete() throws Exception {
    BoundedBodySubscriber s = new BoundedBodySubscriber(10, true);
    Recorder subscription = new Recorder();
    s.onSubscribe(subscription);
    s.onNext(List.of(ByteBuffer.wrap("0123456789".getBytes(StandardCharsets.US_ASCII))));
    s.onComplete();

    assertThat(subscription.cancelled).isFalse();
    assertThat(body(s).truncated()).isFalse();
    assertThat(new String(body(s).bytes(), StandardCharsets.US_ASCII)).isEqualTo("0123456789");
  }

  @Test
  void errorsFailTheBodyAndASecondSubscriptionIsCancelled() {
    BoundedBodySubscriber s = new BoundedBodySubscriber(10, true);
    Recorder first = new Recorder();
    Recorder second = new Recorder();
    s.onSubscribe(first);
    s.onSubscribe(second);
    assertThat(second.cancelled).isTrue();
    assertThat(first.cancelled).isFalse();

    s.onError(new IOException("reset"));
    assertThatThrownBy(() -> s.getBody().toCompletableFuture().get())
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);
  }
}
