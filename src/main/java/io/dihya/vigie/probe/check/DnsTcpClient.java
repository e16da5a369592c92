package io.dihya.vigie.probe.check;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.xbill.DNS.Message;
import org.xbill.DNS.io.DefaultIoClientFactory;
import org.xbill.DNS.io.IoClientFactory;
import org.xbill.DNS.io.TcpIoClient;
import org.xbill.DNS.io.UdpIoClient;

/**
 * DNS over TCP for the dns checks: a connection per query, on asynchronous channels, closed as soon
 * as the answer is read or the query's time is up. It reads one length-prefixed message (at most
 * 65,535 bytes, by the format) and nothing more.
 *
 * <p>dnsjava's own client keeps one connection per server for the whole process and reads whatever
 * the server sends on it: a server that never answers kept its connection open for good, and one
 * that sends an endless stream of messages was read (with a logged warning per message) for as long
 * as it sent, on dnsjava's one selector thread that every DNS check shares.
 */
final class DnsTcpClient implements TcpIoClient {

  private final AsynchronousChannelGroup group;

  /**
   * @param group the channels' group; null for the JVM's default one
   */
  DnsTcpClient(AsynchronousChannelGroup group) {
    this.group = group;
  }

  /** dnsjava's clients with this one for TCP (UDP stays dnsjava's: one datagram per query). */
  IoClientFactory factory() {
    UdpIoClient udp = new DefaultIoClientFactory().createOrGetUdpClient();
    return new IoClientFactory() {
      @Override
      public TcpIoClient createOrGetTcpClient() {
        return DnsTcpClient.this;
      }

      @Override
      public UdpIoClient createOrGetUdpClient() {
        return udp;
      }
    };
  }

  @Override
  public CompletableFuture<byte[]> sendAndReceiveTcp(
      InetSocketAddress local,
      InetSocketAddress remote,
      Message query,
      byte[] data,
      Duration timeout) {
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    AsynchronousSocketChannel channel;
    try {
      channel =
          group == null ? AsynchronousSocketChannel.open() : AsynchronousSocketChannel.open(group);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    answer
        .orTimeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
        .whenComplete((bytes, error) -> close(channel));
    try {
      if (local != null) {
        channel.bind(local);
      }
      ByteBuffer request = ByteBuffer.allocate(data.length + 2);
      request.putShort((short) data.length).put(data).flip();
      channel.connect(remote, null, on(answer, ignored -> write(channel, request, answer)));
    } catch (IOException | RuntimeException e) {
      answer.completeExceptionally(e);
    }
    return answer;
  }

  private void write(
      AsynchronousSocketChannel channel, ByteBuffer request, CompletableFuture<byte[]> answer) {
    channel.write(
        request,
        null,
        on(
            answer,
            written -> {
              if (request.hasRemaining()) {
                write(channel, request, answer);
              } else {
                read(channel, ByteBuffer.allocate(2), answer, true);
              }
            }));
  }

  /** Reads the 2-byte length, then the message of that length. */
  private void read(
      AsynchronousSocketChannel channel,
      ByteBuffer into,
      CompletableFuture<byte[]> answer,
      boolean length) {
    channel.read(
        into,
        null,
        on(
            answer,
            count -> {
              if (count < 0) {
                answer.completeExceptionally(new EOFException("closed before a complete answer"));
              } else if (into.hasRemaining()) {
                read(channel, into, answer, length);
              } else if (length) {
                int size = into.flip().getShort() & 0xffff;
                if (size == 0) {
                  answer.complete(new byte[0]); // not a DNS message: the resolver says so
                } else {
                  read(channel, ByteBuffer.allocate(size), answer, false);
                }
              } else {
                answer.complete(into.array());
              }
            }));
  }

  private static void close(AsynchronousSocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing a channel the query no longer needs: nothing to report.
    }
  }

  /** A completion handler that runs {@code next} and turns any failure into the answer's. */
  private static <V> CompletionHandler<V, Void> on(
      CompletableFuture<byte[]> answer, Consumer<V> next) {
    return new CompletionHandler<>() {
      @Override
      public void completed(V value, Void unused) {
        if (answer.isDone()) {
          return; // timed out meanwhile: the channel is closed
        }
        try {
          next.accept(value);
        } catch (RuntimeException e) {
          answer.completeExceptionally(e);
        }
      }

      @Override
      public void failed(Throwable error, Void unused) {
        answer.completeExceptionally(error);
      }
    };
  }
}
