package io.dihya.vigie.probe.check;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import javax.net.SocketFactory;

/**
 * The plain sockets of a postgres check run: pgjdbc builds this factory by class name for each
 * connection (its {@code socketFactory} property, with the run's id as {@code socketFactoryArg}).
 * Its sockets connect and read only until the run's hard deadline, whatever timeouts pgjdbc sets
 * (pgjdbc counts them in whole seconds and restarts them at every read), so that the check's thread
 * is always freed soon after its timeout, even against a server that answers a byte at a time; they
 * read no more than the run's limit, and the run closes them when it ends ({@link
 * PostgresAttempt}). The cancel request pgjdbc sends on a query timeout goes through the same
 * factory.
 *
 * <p>It is also where the {@link TargetPolicy} is enforced: pgjdbc resolves the host itself and
 * hands the address to {@code connect}, which judges it before connecting there (an unresolved
 * address, as pgjdbc passes when a SOCKS proxy is configured, is resolved through the policy).
 *
 * <p>Public only because pgjdbc instantiates it by reflection; it is not an API.
 */
public final class PostgresSocketFactory extends SocketFactory {

  private final PostgresAttempt attempt;

  /** Called by pgjdbc with the run's id. */
  public PostgresSocketFactory(String attemptId) {
    this.attempt = PostgresAttempt.lookup(attemptId);
  }

  @Override
  public Socket createSocket() {
    attempt.newConnection();
    AttemptSocket socket = new AttemptSocket(attempt);
    attempt.socket(socket);
    return socket;
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws SocketException {
    throw new SocketException("binding a local address is not supported");
  }

  @Override
  public Socket createSocket(InetAddress host, int port, InetAddress localHost, int localPort)
      throws SocketException {
    throw new SocketException("binding a local address is not supported");
  }

  private Socket connected(InetSocketAddress address) throws IOException {
    Socket socket = createSocket();
    try {
      socket.connect(address);
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * A socket whose connect and reads end by the run's hard deadline, and whose reads count against
   * the run's read limit.
   */
  static final class AttemptSocket extends Socket {
    private final PostgresAttempt attempt;
    private volatile int requestedTimeout;
    private InputStream input;

    AttemptSocket(PostgresAttempt attempt) {
      this.attempt = attempt;
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      super.connect(allowed(endpoint), attempt.timeoutMillis(timeout));
    }

    /** The endpoint, once the policy allows it: the address connected to is the one judged. */
    private SocketAddress allowed(SocketAddress endpoint) throws IOException {
      if (!(endpoint instanceof InetSocketAddress address)) {
        throw new SocketException("only IP endpoints are supported");
      }
      String host = address.getHostString();
      if (address.isUnresolved()) {
        InetAddress resolved = attempt.policy().resolve(host, address.getPort()).get(0);
        return new InetSocketAddress(resolved, address.getPort());
      }
      attempt.policy().check(host, address.getAddress(), address.getPort());
      return address;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
      requestedTimeout = timeout;
      super.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() {
      return requestedTimeout;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      if (input == null) {
        input = new DeadlineInput(super.getInputStream());
      }
      return input;
    }

    /** Before each read, the socket's timeout is cut to what is left until the deadline. */
    private final class DeadlineInput extends FilterInputStream {
      DeadlineInput(InputStream in) {
        super(in);
      }

      private void bound() throws IOException {
        AttemptSocket.super.setSoTimeout(attempt.timeoutMillis(requestedTimeout));
      }

      @Override
      public int read() throws IOException {
        bound();
        int b = super.read();
        attempt.read(b < 0 ? 0 : 1);
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        bound();
        int count = super.read(b, off, len);
        attempt.read(count);
        return count;
      }
    }
  }
}
