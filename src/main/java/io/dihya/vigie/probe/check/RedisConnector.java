package io.dihya.vigie.probe.check;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The socket of one Redis check run, for Jedis: connects (to an address the {@link TargetPolicy}
 * allowed), makes the TLS handshake (host name verified unless insecureSkipVerify, SNI and
 * verification against serverName when set) and hands Jedis a socket whose reads end by the run's
 * deadline ({@link DeadlineSocket}) and whose bytes pass {@link RedisReplyGuard}.
 */
final class RedisConnector implements JedisSocketFactory {

  private final String host;
  private final int port;
  private final TargetPolicy policy;
  private final SSLSocketFactory tls;
  private final String serverName;
  private final boolean verifyHostName;
  private final long deadlineNanos;
  private volatile SSLSession session;

  /**
   * @param policy where the connection may go
   * @param tls null for plaintext
   * @param serverName the name to send as SNI and to verify, null for the host
   * @param deadlineNanos {@link System#nanoTime()} after which connect and reads stop waiting
   */
  RedisConnector(
      String host,
      int port,
      TargetPolicy policy,
      SSLSocketFactory tls,
      String serverName,
      boolean verifyHostName,
      long deadlineNanos) {
    this.host = host;
    this.port = port;
    this.policy = policy;
    this.tls = tls;
    this.serverName = serverName;
    this.verifyHostName = verifyHostName;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public Socket createSocket() {
    DeadlineSocket plain = new DeadlineSocket(deadlineNanos);
    try {
      plain.setTcpNoDelay(true);
      // The address the policy judged: never looked up again.
      plain.connect(new InetSocketAddress(policy.resolve(host, port).get(0), port));
      Socket socket = plain;
      if (tls != null) {
        String peer = serverName == null ? host : serverName;
        SSLSocket ssl = (SSLSocket) tls.createSocket(plain, peer, port, true);
        SSLParameters parameters = ssl.getSSLParameters();
        if (verifyHostName) {
          parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (serverName != null) {
          parameters.setServerNames(List.of(new SNIHostName(serverName)));
        }
        ssl.setSSLParameters(parameters);
        ssl.startHandshake();
        session = ssl.getSession();
        socket = ssl;
      }
      return new GuardedSocket(socket);
    } catch (IOException | RuntimeException e) {
      try {
        plain.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw new JedisConnectionException(e);
    }
  }

  /** The TLS session of the connection, null without TLS. */
  SSLSession session() {
    return session;
  }

  /**
   * What Jedis sees: the connected (TLS or plain) socket, its input through {@link
   * RedisReplyGuard}. Jedis uses only the streams, the timeout, the state queries and close.
   */
  static final class GuardedSocket extends Socket {
    private final Socket socket;
    private final InputStream input;

    GuardedSocket(Socket socket) throws IOException {
      this.socket = socket;
      this.input = new RedisReplyGuard(socket.getInputStream());
    }

    @Override
    public InputStream getInputStream() {
      return input;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      return socket.getOutputStream();
    }

    @Override
    public int getSoTimeout() throws SocketException {
      return socket.getSoTimeout();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
      socket.setSoTimeout(timeout);
    }

    @Override
    public boolean isConnected() {
      return socket.isConnected();
    }

    @Override
    public boolean isBound() {
      return socket.isBound();
    }

    @Override
    public boolean isClosed() {
      return socket.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
      return socket.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
      return socket.isOutputShutdown();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
