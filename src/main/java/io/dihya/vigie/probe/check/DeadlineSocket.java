package io.dihya.vigie.probe.check;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * A plain socket whose connect and reads end by a deadline, for the checks that run a blocking
 * client (a TLS handshake, Jedis). Before each read its timeout is cut to what is left until the
 * deadline, so that a server that answers a byte at a time cannot hold the check's thread beyond
 * it: a socket timeout alone restarts at every byte. Layered sockets (TLS) read through it.
 */
class DeadlineSocket extends Socket {
  private final long deadlineNanos;
  private InputStream input;

  /**
   * @param deadlineNanos {@link System#nanoTime()} after which connect and reads stop waiting
   */
  DeadlineSocket(long deadlineNanos) {
    this.deadlineNanos = deadlineNanos;
  }

  /**
   * Milliseconds left until the deadline.
   *
   * @throws SocketTimeoutException once the deadline has passed
   */
  int millisLeft() throws SocketTimeoutException {
    long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    if (left <= 0) {
      throw new SocketTimeoutException("the check's deadline has passed");
    }
    return (int) Math.min(Integer.MAX_VALUE, left);
  }

  /** Connects within what is left until the deadline ({@code timeout} is not used). */
  @Override
  public void connect(SocketAddress endpoint, int timeout) throws IOException {
    super.connect(endpoint, millisLeft());
  }

  @Override
  public synchronized InputStream getInputStream() throws IOException {
    if (input == null) {
      input =
          new FilterInputStream(super.getInputStream()) {
            @Override
            public int read() throws IOException {
              setSoTimeout(millisLeft());
              return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              setSoTimeout(millisLeft());
              return super.read(b, off, len);
            }
          };
    }
    return input;
  }
}
