package io.dihya.vigie.alert.sink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The sockets of one SMTP attempt, handed to Jakarta Mail as its socket factories so that the
 * attempt can be cut off at its deadline: {@link #abort()} closes every socket, which ends a read
 * or write blocked in Jakarta Mail (its own timeouts apply per read, not to the whole exchange).
 *
 * <p>The TLS factory also applies the tls block's serverName: the socket is layered for that name,
 * so the JDK sends it as SNI and Jakarta Mail's server identity check verifies the certificate
 * against it instead of the host connected to.
 */
final class EmailSockets {

  private final SSLSocketFactory tls;
  private final String serverName;
  private final List<Socket> open = new ArrayList<>();
  private boolean aborted;

  /**
   * @param tls the factory of the tls block (or the JVM's), null when TLS is never used
   * @param serverName the name to send and verify, null for the host connected to
   */
  EmailSockets(SSLSocketFactory tls, String serverName) {
    this.tls = tls;
    this.serverName = serverName;
  }

  /** For mail.smtp.socketFactory: Jakarta Mail asks it for unconnected sockets only. */
  SocketFactory plain() {
    return new Plain();
  }

  /** For mail.smtp.ssl.socketFactory: Jakarta Mail layers TLS over its connected socket. */
  SSLSocketFactory tls() {
    return new Layered();
  }

  /** Closes every socket of the attempt, now and any it opens later. */
  void abort() {
    List<Socket> sockets;
    synchronized (this) {
      aborted = true;
      sockets = new ArrayList<>(open);
      open.clear();
    }
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException e) {
        // Closing is all that is left to do.
      }
    }
  }

  private <T extends Socket> T track(T socket) throws IOException {
    synchronized (this) {
      if (!aborted) {
        open.add(socket);
        return socket;
      }
    }
    socket.close();
    throw new SocketException("the attempt has reached its deadline");
  }

  private final class Plain extends SocketFactory {
    @Override
    public Socket createSocket() throws IOException {
      return track(new Socket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      throw new SocketException("unconnected sockets only");
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort)
        throws IOException {
      throw new SocketException("unconnected sockets only");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      throw new SocketException("unconnected sockets only");
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
        throws IOException {
      throw new SocketException("unconnected sockets only");
    }
  }

  private final class Layered extends SSLSocketFactory {
    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose)
        throws IOException {
      track(socket);
      String peer = serverName == null ? host : serverName;
      SSLSocket ssl = (SSLSocket) tls.createSocket(socket, peer, port, autoClose);
      if (serverName != null) {
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        ssl.setSSLParameters(parameters);
      }
      return track(ssl);
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return tls.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return tls.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      throw new SocketException("layered sockets only");
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort)
        throws IOException {
      throw new SocketException("layered sockets only");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      throw new SocketException("layered sockets only");
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
        throws IOException {
      throw new SocketException("layered sockets only");
    }
  }
}
