package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.TcpCheck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A TCP check on asynchronous channels of the factory's shared group: resolve (on the shared
 * executor, since the JDK resolver blocks) through the {@link TargetPolicy}, connect to the first
 * address it allowed, send, read until the expected text. The channel is closed when the check
 * completes, timed out or not.
 */
final class TcpProbeCheck implements Check {

  private static final String FIELD = "spec.tcp";

  private final String host;
  private final int port;
  private final byte[] send;
  private final byte[] expect;
  private final int maxBytes;
  private final String target;
  private final TargetPolicy policy;
  private final Executor resolver;
  private final AsynchronousChannelGroup group;
  private final Executor callbacks;

  private TcpProbeCheck(
      TcpCheck spec,
      int maxBytes,
      TargetPolicy policy,
      Executor resolver,
      AsynchronousChannelGroup group,
      Executor callbacks) {
    this.host = spec.host;
    this.port = spec.port;
    this.send = empty(spec.send) ? null : spec.send.getBytes(StandardCharsets.UTF_8);
    this.expect = empty(spec.expect) ? null : spec.expect.getBytes(StandardCharsets.UTF_8);
    this.maxBytes = maxBytes;
    this.target = "tcp " + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    this.policy = policy;
    this.resolver = resolver;
    this.group = group;
    this.callbacks = callbacks;
  }

  /**
   * Builds the check of a spec's tcp block.
   *
   * @throws IllegalArgumentException with a field-naming message for anything it cannot build
   */
  static TcpProbeCheck create(
      TcpCheck spec,
      int maxBytes,
      TargetPolicy policy,
      Executor resolver,
      AsynchronousChannelGroup group,
      Executor callbacks) {
    if (spec.host == null || spec.host.isBlank()) {
      throw new IllegalArgumentException(FIELD + ".host: required");
    }
    if (spec.port == null || spec.port < 1 || spec.port > 65535) {
      throw new IllegalArgumentException(FIELD + ".port: must be 1 to 65535");
    }
    return new TcpProbeCheck(spec, maxBytes, policy, resolver, group, callbacks);
  }

  private static boolean empty(String s) {
    return s == null || s.isEmpty();
  }

  @Override
  public CompletableFuture<CheckResult> run(Duration timeout) {
    long start = System.nanoTime();
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.completedFuture(
          CheckResult.failure(Reasons.INVALID_SPEC, "the timeout must be positive", 0));
    }
    Attempt attempt = new Attempt(start);
    try {
      attempt.start();
    } catch (RuntimeException e) {
      attempt.fail(e);
    }
    return attempt
        .done
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handleAsync(
            (result, error) -> {
              if (error == null) {
                return result;
              }
              Failures.Failure f = Failures.classify(error, timeout);
              return CheckResult.failure(f.reason(), target + ": " + f.text(), millisSince(start));
            },
            callbacks);
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** One run: its channel, its received bytes, its result. */
  private final class Attempt {
    final CompletableFuture<CheckResult> done = new CompletableFuture<>();
    private final long start;
    private volatile AsynchronousSocketChannel channel;
    private ByteBuffer readBuffer;
    private byte[] received;
    private int receivedSize;

    Attempt(long start) {
      this.start = start;
    }

    void start() {
      done.whenComplete((result, error) -> close());
      CompletableFuture.supplyAsync(this::resolve, resolver)
          .whenComplete(
              (address, error) -> {
                if (error != null) {
                  fail(error);
                } else {
                  connect(address);
                }
              });
    }

    /** The address to connect to, judged by the policy: never looked up again. */
    private InetAddress resolve() {
      try {
        return policy.resolve(host, port).get(0);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }

    private void connect(InetAddress address) {
      if (done.isDone()) {
        return;
      }
      try {
        channel = AsynchronousSocketChannel.open(group);
        if (done.isDone()) {
          // Timed out while opening: whenComplete has already run, with no channel to close.
          close();
          return;
        }
        channel.connect(new InetSocketAddress(address, port), null, on(ignored -> afterConnect()));
      } catch (IOException | RuntimeException e) {
        fail(e);
      }
    }

    private void afterConnect() {
      if (send != null) {
        write(ByteBuffer.wrap(send));
      } else {
        afterSend();
      }
    }

    private void write(ByteBuffer buffer) {
      channel.write(
          buffer,
          null,
          on(
              written -> {
                if (buffer.hasRemaining()) {
                  write(buffer);
                } else {
                  afterSend();
                }
              }));
    }

    private void afterSend() {
      if (expect == null) {
        succeed(send == null ? "connected" : "connected and sent " + send.length + " bytes");
      } else {
        readBuffer = ByteBuffer.allocate(Math.min(8192, maxBytes));
        received = new byte[Math.min(8192, maxBytes)];
        read();
      }
    }

    private void read() {
      readBuffer.clear().limit(Math.min(readBuffer.capacity(), maxBytes - receivedSize));
      channel.read(readBuffer, null, on(this::afterRead));
    }

    private void afterRead(Integer count) {
      if (count < 0) {
        unexpected("closed the connection without sending the expected text");
        return;
      }
      int searchFrom = Math.max(0, receivedSize - expect.length + 1);
      if (receivedSize + count > received.length) {
        received =
            Arrays.copyOf(
                received, Math.min(maxBytes, Math.max(received.length * 2, receivedSize + count)));
      }
      readBuffer.flip().get(received, receivedSize, count);
      receivedSize += count;
      if (contains(searchFrom)) {
        succeed("answered with the expected text");
      } else if (receivedSize >= maxBytes) {
        unexpected("did not send the expected text in its first " + maxBytes + " bytes");
      } else {
        read();
      }
    }

    private boolean contains(int from) {
      outer:
      for (int i = from; i + expect.length <= receivedSize; i++) {
        for (int j = 0; j < expect.length; j++) {
          if (received[i + j] != expect[j]) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    }

    private void succeed(String text) {
      ResultData data = ResultData.create().put("connected", true);
      if (received != null) {
        data.put("response", new String(received, 0, receivedSize, StandardCharsets.UTF_8));
      }
      done.complete(
          CheckResult.success(millisSince(start), target + ": " + text)
              .withData("tcp", data.build()));
    }

    private void unexpected(String text) {
      done.complete(
          CheckResult.failure(
              Reasons.UNEXPECTED_RESPONSE, target + ": " + text, millisSince(start)));
    }

    void fail(Throwable error) {
      if (!done.isDone()) {
        done.completeExceptionally(error);
      }
    }

    private void close() {
      AsynchronousSocketChannel c = channel;
      if (c != null) {
        try {
          c.close();
        } catch (IOException e) {
          // Closing a socket we no longer need: nothing to report.
        }
      }
    }

    /** A completion handler that runs {@code next} and turns any failure into the result. */
    private <V> CompletionHandler<V, Void> on(Consumer<V> next) {
      return new CompletionHandler<>() {
        @Override
        public void completed(V value, Void unused) {
          try {
            next.accept(value);
          } catch (RuntimeException e) {
            fail(e);
          }
        }

        @Override
        public void failed(Throwable error, Void unused) {
          fail(error);
        }
      };
    }
  }
}
