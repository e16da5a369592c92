package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.redact.DeadlineCharSequence;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** How the exceptions of the JDK's I/O stacks become a reason and a fixed text. */
class FailuresTest {

  static final Duration TWO_SECONDS = Duration.ofSeconds(2);

  static Failures.Failure classify(Throwable t) {
    return Failures.classify(t, TWO_SECONDS);
  }

  static <T extends Throwable> T causedBy(T outer, Throwable cause) {
    outer.initCause(cause);
    return outer;
  }

  @Test
  void dnsFailuresWinOverTheConnectExceptionThatWrapsThem() {
    Failures.Failure f =
        classify(
            new CompletionException(
                causedBy(new ConnectException("x"), new UnresolvedAddressException())));
    assertThat(f).isEqualTo(new Failures.Failure(Reasons.DNS_FAILURE, "host name not found"));
    assertThat(classify(new UnknownHostException("h")).reason()).isEqualTo(Reasons.DNS_FAILURE);
  }

  @Test
  void timeouts() {
    for (Throwable t :
        new Throwable[] {
          new HttpConnectTimeoutException("x"),
          new TimeoutException(),
          new InterruptedByTimeoutException(),
          new SocketTimeoutException(),
          new CompletionException(new DeadlineCharSequence.DeadlineExceeded())
        }) {
      assertThat(classify(t))
          .isEqualTo(new Failures.Failure(Reasons.TIMEOUT, "no answer within 2s"));
    }
    HttpConnectTimeoutException handshake =
        new HttpConnectTimeoutException("HTTP connect timed out");
    handshake.initCause(new ConnectException("HTTP connect timed out"));
    assertThat(classify(handshake))
        .as("not a refusal, whatever the JDK's cause says")
        .isEqualTo(new Failures.Failure(Reasons.TIMEOUT, "no answer within 2s"));
    assertThat(Failures.classify(new TimeoutException(), Duration.ofMillis(1500)).text())
        .isEqualTo("no answer within 1500ms");
  }

  @Test
  void connectionFailures() {
    assertThat(classify(new ConnectException("Connection refused")))
        .isEqualTo(new Failures.Failure(Reasons.CONNECTION_REFUSED, "connection refused"));
    assertThat(classify(causedBy(new ConnectException("x"), new NoRouteToHostException())))
        .isEqualTo(new Failures.Failure(Reasons.CONNECTION_FAILED, "no route to host"));
    assertThat(classify(new ConnectException("Network is unreachable")).text())
        .isEqualTo("network unreachable");
    assertThat(classify(new ConnectException("finishConnect(..) failed: Connection reset by peer")))
        .isEqualTo(new Failures.Failure(Reasons.CONNECTION_FAILED, "connection reset"));
    assertThat(classify(new ProtocolException("Header size too big: 393217 > 393216")))
        .isEqualTo(
            new Failures.Failure(
                Reasons.UNEXPECTED_RESPONSE,
                "the response headers are larger than the client accepts"));
    assertThat(classify(new ProtocolException("Invalid status line")).text())
        .isEqualTo("the answer is not valid HTTP");
    assertThat(classify(new IOException("Connection reset by peer")).text())
        .isEqualTo("connection reset");
    assertThat(classify(new IOException("Too many retries")).text())
        .isEqualTo("too many redirects");
    assertThat(classify(new IOException("HTTP/1.1 header parser received no bytes")).text())
        .isEqualTo("connection closed before a complete answer");
    assertThat(classify(new EOFException()).text())
        .isEqualTo("connection closed before a complete answer");
    assertThat(classify(new IOException("something new")))
        .isEqualTo(
            new Failures.Failure(Reasons.CONNECTION_FAILED, "connection failed (IOException)"));
    assertThat(classify(new IOException()).reason()).isEqualTo(Reasons.CONNECTION_FAILED);
    assertThat(classify(new CompletionException(new IllegalStateException("bug"))))
        .isEqualTo(
            new Failures.Failure(
                Reasons.CONNECTION_FAILED, "check failed unexpectedly (IllegalStateException)"));
    assertThat(classify(new RejectedExecutionException()).text())
        .isEqualTo("the check engine is shut down");
    assertThat(classify(new ShutdownChannelGroupException()).text())
        .isEqualTo("the check engine is shut down");
  }

  @Test
  void tlsFailuresSayWhatIsWrongWithFixedText() {
    assertThat(
            classify(
                causedBy(
                    new SSLHandshakeException("PKIX path validation failed"),
                    new CertPathValidatorException(
                        "validity check failed", new CertificateNotYetValidException()))))
        .isEqualTo(
            new Failures.Failure(
                Reasons.TLS_ERROR,
                "TLS handshake failed: server certificate expired or not yet valid"));
    assertThat(
            classify(
                    causedBy(
                        new SSLHandshakeException("x"), new CertPathBuilderException("no path")))
                .text())
        .isEqualTo("TLS handshake failed: server certificate not trusted");
    assertThat(
            classify(
                    causedBy(
                        new SSLHandshakeException("x"),
                        new CertificateException("No name matching orders.svc found")))
                .text())
        .isEqualTo("TLS handshake failed: server certificate does not match the host name");
    assertThat(
            classify(causedBy(new SSLHandshakeException("x"), new CertificateException("other")))
                .text())
        .isEqualTo("TLS handshake failed");
    assertThat(classify(new SSLHandshakeException("Received fatal alert: certificate_required")))
        .isEqualTo(
            new Failures.Failure(
                Reasons.TLS_ERROR,
                "TLS handshake failed: the server sent alert certificate_required"));
    assertThat(classify(new SSLException("Unsupported or unrecognized SSL message")).text())
        .isEqualTo("TLS handshake failed: the server does not speak TLS");
    assertThat(classify(new SSLException((String) null)).text()).isEqualTo("TLS handshake failed");
  }

  @Test
  void theVertxAndNettyExceptionsOfTheHttpCheck() {
    SSLHandshakeException vertx = new SSLHandshakeException("Failed to create SSL connection");
    assertThat(
            classify(
                causedBy(
                    vertx,
                    new io.netty.handler.ssl.NotSslRecordException(
                        "not an SSL/TLS record: 485454502f312e31"))))
        .isEqualTo(
            new Failures.Failure(
                Reasons.TLS_ERROR, "TLS handshake failed: the server does not speak TLS"));
    assertThat(
            classify(
                    causedBy(
                        new SSLHandshakeException("Failed to create SSL connection"),
                        new SSLHandshakeException("Received fatal alert: bad_certificate")))
                .text())
        .isEqualTo("TLS handshake failed: the server sent alert bad_certificate");
    assertThat(
            classify(
                new io.netty.handler.codec.http.TooLongHttpHeaderException(
                    "HTTP header is larger than 65536 bytes.")))
        .isEqualTo(
            new Failures.Failure(
                Reasons.UNEXPECTED_RESPONSE,
                "the response headers are larger than the client accepts"));
    assertThat(classify(new io.vertx.core.http.HttpClosedException("Connection was closed")))
        .isEqualTo(
            new Failures.Failure(
                Reasons.CONNECTION_FAILED, "connection closed before a complete answer"));
  }

  @Test
  void aTimeoutWinsOverTheConnectionClosedBeneathIt() {
    assertThat(
            classify(
                causedBy(
                    new java.net.http.HttpTimeoutException("request timed out"),
                    new java.io.IOException("connection closed locally"))))
        .isEqualTo(new Failures.Failure(Reasons.TIMEOUT, "no answer within 2s"));
  }

  @Test
  void aConnectionClosedDuringTheHandshakeIsATlsError() {
    assertThat(
            classify(
                causedBy(
                    new SSLHandshakeException("Remote host terminated the handshake"),
                    new EOFException())))
        .isEqualTo(new Failures.Failure(Reasons.TLS_ERROR, "TLS handshake failed"));
    assertThat(
            classify(causedBy(new SSLHandshakeException("x"), new SocketTimeoutException()))
                .reason())
        .isEqualTo(Reasons.TIMEOUT);
  }
}
