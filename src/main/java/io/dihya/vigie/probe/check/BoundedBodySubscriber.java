package io.dihya.vigie.probe.check;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads at most {@code limit} bytes of a response body, keeping them only when asked to, then
 * cancels the rest: a 5 GB or endless body costs at most {@code limit} bytes of memory and of
 * reading. Bodies that fit are read to their end, so the connection can be reused.
 */
final class BoundedBodySubscriber
    implements HttpResponse.BodySubscriber<BoundedBodySubscriber.Body> {

  /** What was read: the kept bytes (empty unless kept) and whether the body went beyond them. */
  record Body(byte[] bytes, boolean truncated) {}

  private static final byte[] NONE = new byte[0];

  private final int limit;
  private final boolean keep;
  private final CompletableFuture<Body> result = new CompletableFuture<>();
  private Flow.Subscription subscription;
  private byte[] buffer = NONE;
  private int size;
  private long seen;
  private boolean done;

  BoundedBodySubscriber(int limit, boolean keep) {
    this.limit = limit;
    this.keep = keep;
  }

  static HttpResponse.BodyHandler<Body> handler(int limit, boolean keep) {
    return info -> new BoundedBodySubscriber(limit, keep);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    if (subscription != null) {
      s.cancel();
      return;
    }
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (done) {
      return;
    }
    for (ByteBuffer item : items) {
      int n = item.remaining();
      if (keep && size < limit) {
        int take = Math.min(n, limit - size);
        ensureCapacity(size + take);
        item.get(buffer, size, take);
        size += take;
      }
      seen += n;
    }
    if (seen > limit) {
      done = true;
      subscription.cancel();
      result.complete(new Body(bytes(), true));
    }
  }

  private void ensureCapacity(int needed) {
    if (needed > buffer.length) {
      int grown = Math.max(needed, Math.max(8192, buffer.length * 2));
      buffer = Arrays.copyOf(buffer, Math.min(grown, limit));
    }
  }

  private byte[] bytes() {
    return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
  }

  @Override
  public void onError(Throwable error) {
    if (!done) {
      done = true;
      result.completeExceptionally(error);
    }
  }

  @Override
  public void onComplete() {
    if (!done) {
      done = true;
      result.complete(new Body(bytes(), false));
    }
  }

  @Override
  public CompletionStage<Body> getBody() {
    return result;
  }
}
