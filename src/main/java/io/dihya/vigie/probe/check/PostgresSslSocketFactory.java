package io.dihya.vigie.probe.check;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The TLS layer of a postgres check run, built by pgjdbc by class name for each connection (its
 * {@code sslfactory} property, with the run's id as {@code sslfactoryarg}). It wraps the plain
 * socket with the check's SSLContext, built once from the PEM material of its Secrets, so that
 * pgjdbc never reads certificate files (its default factory reads ~/.postgresql). With sslMode
 * verify-full it switches on the JDK's host name verification, so that a mismatch fails the
 * handshake with a telling exception (pgjdbc checks the name again afterwards). It keeps the socket
 * for the check's {@code result.tls} variables.
 *
 * <p>Public only because pgjdbc instantiates it by reflection; it is not an API.
 */
public final class PostgresSslSocketFactory extends SSLSocketFactory {

  private final PostgresAttempt attempt;

  /** Called by pgjdbc with the run's id. */
  public PostgresSslSocketFactory(String attemptId) {
    this.attempt = PostgresAttempt.lookup(attemptId);
    if (attempt.tls() == null) {
      throw new IllegalStateException("this postgres check run has no TLS settings");
    }
  }

  @Override
  public Socket createSocket(Socket plain, String host, int port, boolean autoClose)
      throws IOException {
    SSLSocket socket = (SSLSocket) attempt.tls().createSocket(plain, host, port, autoClose);
    if (attempt.verifyHostName()) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
    }
    attempt.tlsSocket(socket);
    return socket;
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return attempt.tls().getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return attempt.tls().getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket(String host, int port) throws SocketException {
    throw layeredOnly();
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws SocketException {
    throw layeredOnly();
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws SocketException {
    throw layeredOnly();
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws SocketException {
    throw layeredOnly();
  }

  private static SocketException layeredOnly() {
    return new SocketException("only layering TLS over a connected socket is supported");
  }
}
