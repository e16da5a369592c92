package io.dihya.vigie.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

/** The socket factories handed to Jakarta Mail: what it never asks for is refused, not guessed. */
class EmailSocketsTest {

  private final SSLSocketFactory jvm = (SSLSocketFactory) SSLSocketFactory.getDefault();

  @Test
  void onlyTheCallsJakartaMailMakesAreServed() throws Exception {
    EmailSockets sockets = new EmailSockets(jvm, null);
    SocketFactory plain = sockets.plain();
    SSLSocketFactory tls = sockets.tls();
    InetAddress loopback = InetAddress.getLoopbackAddress();

    assertThatThrownBy(() -> plain.createSocket("localhost", 25))
        .isInstanceOf(SocketException.class);
    assertThatThrownBy(() -> plain.createSocket("localhost", 25, loopback, 0))
        .isInstanceOf(SocketException.class);
    assertThatThrownBy(() -> plain.createSocket(loopback, 25)).isInstanceOf(SocketException.class);
    assertThatThrownBy(() -> plain.createSocket(loopback, 25, loopback, 0))
        .isInstanceOf(SocketException.class);
    assertThatThrownBy(() -> tls.createSocket("localhost", 465))
        .isInstanceOf(SocketException.class);
    assertThatThrownBy(() -> tls.createSocket("localhost", 465, loopback, 0))
        .isInstanceOf(SocketException.class);
    assertThatThrownBy(() -> tls.createSocket(loopback, 465)).isInstanceOf(SocketException.class);
    assertThatThrownBy(() -> tls.createSocket(loopback, 465, loopback, 0))
        .isInstanceOf(SocketException.class);
    assertThat(tls.getDefaultCipherSuites()).isEqualTo(jvm.getDefaultCipherSuites());
    assertThat(tls.getSupportedCipherSuites()).isEqualTo(jvm.getSupportedCipherSuites());
  }

  @Test
  void afterTheDeadlineEverySocketIsClosedAndNoneIsOpened() throws Exception {
    EmailSockets sockets = new EmailSockets(jvm, null);
    Socket first = sockets.plain().createSocket();

    sockets.abort();

    assertThat(first.isClosed()).isTrue();
    assertThatThrownBy(() -> sockets.plain().createSocket())
        .isInstanceOf(SocketException.class)
        .hasMessage("the attempt has reached its deadline");
  }
}
