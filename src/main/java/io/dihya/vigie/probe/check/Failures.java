package io.dihya.vigie.probe.check;

import io.dihya.vigie.redact.DeadlineCharSequence;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import io.vertx.core.http.HttpClosedException;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Maps the exceptions of the I/O stacks to a reason and a fixed text. Exception messages are only
 * read to choose between fixed texts, never copied: they can hold URLs with queries. The one
 * exception is {@link TargetForbiddenException}, whose message vigie writes itself from the spec's
 * host and the operator's settings.
 */
public final class Failures {

  /** A reason with the fixed text that explains it. */
  public record Failure(String reason, String text) {}

  private static final Pattern TLS_ALERT = Pattern.compile("fatal alert: ([a-z_]{1,40})");

  private Failures() {}

  /**
   * The reason and text of a failure. The JDK wraps the telling exception (UnknownHost,
   * NoRouteToHost, an expired certificate) in vaguer ones (CompletionException, ConnectException,
   * SSLHandshakeException): the innermost one that says something wins, except that a TLS failure
   * is not reported as the closed or reset connection beneath it.
   */
  public static Failure classify(Throwable error, Duration timeout) {
    Throwable root = error;
    Failure found = null;
    Failure tls = null;
    Failure timedOut = null;
    int depth = 0;
    for (Throwable t = error; t != null && depth < 20; t = t.getCause(), depth++) {
      root = t;
      Failure f = direct(t, timeout);
      if (f != null) {
        found = f;
        tls = f.reason().equals(Reasons.TLS_ERROR) && tls == null ? f : tls;
        timedOut = f.reason().equals(Reasons.TIMEOUT) && timedOut == null ? f : timedOut;
      }
    }
    if (timedOut != null && found.reason().equals(Reasons.CONNECTION_FAILED)) {
      // The JDK closes the connection of a request that timed out, and sometimes reports the
      // close beneath the timeout: the timeout is what happened.
      return timedOut;
    }
    if (tls != null && found.reason().equals(Reasons.CONNECTION_FAILED)) {
      // A connection closed or reset during the handshake: the handshake is what failed.
      return tls;
    }
    if (found != null) {
      return found;
    }
    return new Failure(
        Reasons.CONNECTION_FAILED,
        root instanceof java.io.IOException
            ? "connection failed (" + root.getClass().getSimpleName() + ")"
            : "check failed unexpectedly (" + root.getClass().getSimpleName() + ")");
  }

  private static Failure direct(Throwable t, Duration timeout) {
    if (t instanceof TargetForbiddenException) {
      return new Failure(Reasons.TARGET_FORBIDDEN, t.getMessage());
    }
    if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
      return new Failure(Reasons.DNS_FAILURE, "host name not found");
    }
    if (t instanceof HttpTimeoutException
        || t instanceof TimeoutException
        || t instanceof InterruptedByTimeoutException
        || t instanceof SocketTimeoutException
        || t instanceof DeadlineCharSequence.DeadlineExceeded) {
      return new Failure(Reasons.TIMEOUT, "no answer within " + format(timeout));
    }
    if (t instanceof SSLException) {
      return new Failure(Reasons.TLS_ERROR, tlsText(t));
    }
    if (t instanceof NotSslRecordException) {
      // Netty's: what came back is not a TLS record (a plain HTTP answer, say).
      return new Failure(Reasons.TLS_ERROR, "TLS handshake failed: the server does not speak TLS");
    }
    if (t instanceof TooLongFrameException) {
      // Netty's HTTP decoder: a status line or headers beyond the client's limit.
      return new Failure(
          Reasons.UNEXPECTED_RESPONSE, "the response headers are larger than the client accepts");
    }
    if (t instanceof HttpClosedException) {
      // Vert.x's: the connection ended before the whole answer.
      return new Failure(Reasons.CONNECTION_FAILED, "connection closed before a complete answer");
    }
    if (t instanceof NoRouteToHostException) {
      return new Failure(Reasons.CONNECTION_FAILED, "no route to host");
    }
    if (t instanceof ConnectException) {
      if (lower(t).contains("timed out")) {
        // The JDK HTTP client's request timeout during connect or the TLS handshake: an
        // HttpConnectTimeoutException caused by a ConnectException("HTTP connect timed out").
        return new Failure(Reasons.TIMEOUT, "no answer within " + format(timeout));
      }
      if (lower(t).contains("unreachable")) {
        return new Failure(Reasons.CONNECTION_FAILED, "network unreachable");
      }
      // Netty's native transport reports a connection accepted then reset at once as a
      // ConnectException ("finishConnect(..) failed: Connection reset by peer"): something
      // listens there, it did not refuse.
      return lower(t).contains("reset")
          ? new Failure(Reasons.CONNECTION_FAILED, "connection reset")
          : new Failure(Reasons.CONNECTION_REFUSED, "connection refused");
    }
    if (t instanceof ProtocolException) {
      // The JDK HTTP client's: status line or headers it cannot take (beyond its header size
      // limit, jdk.http.maxHeaderSize), not an I/O failure.
      return new Failure(
          Reasons.UNEXPECTED_RESPONSE,
          lower(t).contains("header size")
              ? "the response headers are larger than the client accepts"
              : "the answer is not valid HTTP");
    }
    if (t instanceof RejectedExecutionException || t instanceof ShutdownChannelGroupException) {
      return new Failure(Reasons.CONNECTION_FAILED, "the check engine is shut down");
    }
    if (t instanceof EOFException) {
      return new Failure(Reasons.CONNECTION_FAILED, "connection closed before a complete answer");
    }
    if (t instanceof java.io.IOException) {
      String m = lower(t);
      if (m.contains("reset")) {
        return new Failure(Reasons.CONNECTION_FAILED, "connection reset");
      }
      if (m.contains("redirect") || m.contains("too many retries")) {
        return new Failure(Reasons.CONNECTION_FAILED, "too many redirects");
      }
      if (m.contains("closed") || m.contains("no bytes")) {
        return new Failure(Reasons.CONNECTION_FAILED, "connection closed before a complete answer");
      }
    }
    return null;
  }

  private static String tlsText(Throwable tls) {
    // The JDK nests the telling cause (expired) under vaguer ones (path validation failed).
    boolean expired = false;
    boolean mismatch = false;
    boolean untrusted = false;
    for (Throwable t = tls; t != null; t = t.getCause()) {
      if (t instanceof CertificateExpiredException
          || t instanceof CertificateNotYetValidException) {
        expired = true;
      } else if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
        untrusted = true;
      } else if (t instanceof CertificateException
          && (lower(t).contains("subject alternative") || lower(t).contains("no name matching"))) {
        mismatch = true;
      }
    }
    if (expired) {
      return "TLS handshake failed: server certificate expired or not yet valid";
    }
    if (mismatch) {
      return "TLS handshake failed: server certificate does not match the host name";
    }
    if (untrusted) {
      return "TLS handshake failed: server certificate not trusted";
    }
    // Vert.x wraps the JDK's exception in one of its own ("Failed to create SSL connection").
    int depth = 0;
    for (Throwable t = tls; t != null && depth < 20; t = t.getCause(), depth++) {
      Matcher alert = TLS_ALERT.matcher(lower(t));
      if (alert.find()) {
        return "TLS handshake failed: the server sent alert " + alert.group(1);
      }
      if (t instanceof NotSslRecordException || lower(t).contains("unrecognized ssl message")) {
        return "TLS handshake failed: the server does not speak TLS";
      }
    }
    return "TLS handshake failed";
  }

  private static String lower(Throwable t) {
    return t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
  }

  /** 2s, 1500ms. */
  static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}
