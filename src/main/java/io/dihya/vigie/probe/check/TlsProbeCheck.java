package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.DurationFormat;
import io.dihya.vigie.api.v1alpha1.TlsCheck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A TLS check: a handshake with host:port (a blocking SSLSocket on the factory's pool, through
 * {@link Blocking}; the address judged by the {@link TargetPolicy}; connect and reads ending by the
 * deadline, see {@link DeadlineSocket}), then the dates of the chain the server sent.
 *
 * <ul>
 *   <li>The chain is captured by the trust manager before it is verified: an expired certificate is
 *       then reported as CertificateExpired with its date, not as the handshake failure it causes,
 *       and certificateNotAfter and {@code result.tls} are set whenever the server showed a chain,
 *       trusted or not.
 *   <li>Expiry is always checked, insecureSkipVerify or not: that flag skips only who signed the
 *       chain and the host name. A certificate that is not valid yet is a TlsError ("not valid
 *       before"): it is a clock or deployment problem, not an expiry.
 *   <li>Every run makes a fresh SSLContext (a few microseconds) over the trust manager built once
 *       in create(): a shared context would resume sessions, and a resumed handshake carries no
 *       certificate, so a renewed (or expired) certificate would go unseen until the session ends.
 * </ul>
 */
final class TlsProbeCheck implements Check {

  private static final String FIELD = "spec.tls";
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  private final String host;
  private final int port;
  private final String peerName;
  private final SNIHostName sni;
  private final Duration minValidFor;
  private final String minValidForText;
  private final X509ExtendedTrustManager verifier;
  private final String target;
  private final TargetPolicy policy;
  private final Executor executor;
  private final Executor callbacks;

  private TlsProbeCheck(
      TlsCheck spec,
      String serverName,
      Duration minValidFor,
      String minValidForText,
      X509ExtendedTrustManager verifier,
      TargetPolicy policy,
      Executor executor,
      Executor callbacks) {
    this.host = spec.host;
    this.port = spec.port;
    this.peerName = verifiedName(serverName == null ? spec.host : serverName);
    this.sni = isIpLiteral(peerName) ? null : new SNIHostName(peerName);
    this.minValidFor = minValidFor;
    this.minValidForText = minValidForText;
    this.verifier = verifier;
    this.target =
        "tls "
            + (host.contains(":") ? "[" + host + "]" : host)
            + ":"
            + port
            + (serverName == null || serverName.equalsIgnoreCase(host)
                ? ""
                : " (server name " + serverName + ")");
    this.policy = policy;
    this.executor = executor;
    this.callbacks = callbacks;
  }

  /**
   * Builds the check of a spec's tls block.
   *
   * @throws IllegalArgumentException with a field-naming message for anything it cannot build
   */
  static Check create(
      TlsCheck spec,
      SecretValues secrets,
      TargetPolicy policy,
      Executor executor,
      Executor callbacks) {
    if (spec.host == null || spec.host.isBlank()) {
      throw new IllegalArgumentException(FIELD + ".host: required");
    }
    if (spec.port == null || spec.port < 1 || spec.port > 65535) {
      throw new IllegalArgumentException(FIELD + ".port: must be 1 to 65535");
    }
    String serverName =
        spec.serverName == null || spec.serverName.isBlank() ? null : spec.serverName;
    String name = verifiedName(serverName == null ? spec.host : serverName);
    if (!isIpLiteral(name)) {
      try {
        new SNIHostName(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            FIELD + (serverName == null ? ".host" : ".serverName") + ": not a valid host name");
      }
    }
    String validFor = spec.minValidFor == null ? "14d" : spec.minValidFor;
    Duration minValidFor =
        DurationFormat.parse(validFor)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        FIELD + ".minValidFor: not a duration such as 14d, 36h or 1h30m"));
    boolean insecure = Boolean.TRUE.equals(spec.insecureSkipVerify);
    X509ExtendedTrustManager verifier = null;
    if (!insecure) {
      verifier =
          spec.caSecretRef == null
              ? jvmDefaultTrust()
              : trustManager(
                  Pem.certificates(secrets.get(spec.caSecretRef), FIELD + ".caSecretRef"));
    }
    return new TlsProbeCheck(
        spec, serverName, minValidFor, validFor, verifier, policy, executor, callbacks);
  }

  /**
   * The name sent as SNI and verified: a fully qualified name's final dot (orders.shop.svc., to
   * skip the resolver's search domains) is in no certificate and no SNI.
   */
  private static String verifiedName(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  /** SNI carries host names only; an IP literal is verified against the certificate's IP SANs. */
  private static boolean isIpLiteral(String name) {
    return name.contains(":") || IPV4.matcher(name).matches();
  }

  /**
   * A trust manager that trusts exactly these authorities: the JDK's own (PKIX), which also
   * verifies the host name when the socket or engine asks for endpoint identification.
   */
  static X509ExtendedTrustManager trustManager(List<X509Certificate> authorities) {
    KeyStore store;
    try {
      store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < authorities.size(); i++) {
        store.setCertificateEntry("ca-" + i, authorities.get(i));
      }
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("the JDK cannot build a trust store", e);
    }
    return pkix(store);
  }

  /**
   * The JVM's default trust manager (its cacerts), built once: each instance holds every authority,
   * a few hundred kilobytes that thousands of checks must not each keep a copy of.
   */
  static X509ExtendedTrustManager jvmDefaultTrust() {
    return DefaultTrust.INSTANCE;
  }

  private static final class DefaultTrust {
    static final X509ExtendedTrustManager INSTANCE = pkix(null);
  }

  /** The JDK's PKIX trust manager over the store (null: the JVM's default one). */
  private static X509ExtendedTrustManager pkix(KeyStore store) {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      // The JDK's PKIX factory makes exactly one manager, an X509ExtendedTrustManager.
      return (X509ExtendedTrustManager) factory.getTrustManagers()[0];
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot build a trust manager", e);
    }
  }

  @Override
  public CompletableFuture<CheckResult> run(Duration timeout) {
    return Blocking.run(executor, callbacks, timeout, target, this::handshake);
  }

  private CheckResult handshake(long start, long deadline) throws Exception {
    ChainCapture capture = new ChainCapture(verifier);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {capture}, null);
    // Its reads end by the deadline: a socket timeout alone restarts at every byte, and a server
    // that sends its handshake a byte at a time would hold this thread for as long as it likes.
    try (Socket plain = new DeadlineSocket(deadline)) {
      // The handshake is small writes in turn: Nagle's delays would be measured as latency.
      plain.setTcpNoDelay(true);
      // The address the policy judged: never looked up again.
      InetAddress address = policy.resolve(host, port).get(0);
      plain.connect(new InetSocketAddress(address, port));
      // Layered with peerName as the peer host: the JDK verifies the host name against it.
      try (SSLSocket socket =
          (SSLSocket) context.getSocketFactory().createSocket(plain, peerName, port, true)) {
        SSLParameters parameters = socket.getSSLParameters();
        if (sni != null) {
          parameters.setServerNames(List.of(sni));
        }
        if (verifier != null) {
          parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        socket.setSSLParameters(parameters);
        try {
          socket.startHandshake();
        } catch (IOException e) {
          if (capture.chain == null) {
            throw e;
          }
          // The server showed its chain, then the handshake failed (most likely on it).
          Failures.Failure failure = Failures.classify(e, Duration.ofNanos(deadline - start));
          return verdict(capture.chain, failure, start)
              .withData("tls", capture.facts(Instant.now()));
        }
        SSLSession session = socket.getSession();
        java.security.cert.Certificate[] peer = TlsFacts.peerChain(session);
        // JSSE speaks X.509 only.
        X509Certificate[] chain = Arrays.copyOf(peer, peer.length, X509Certificate[].class);
        return verdict(chain, null, start).withData("tls", TlsFacts.of(session, Instant.now()));
      }
    }
  }

  /**
   * The result for a chain the server sent (never empty: JSSE refuses an empty one, and no
   * anonymous cipher suite is enabled): expired first, whatever else failed, then not yet valid,
   * then the handshake's own failure, then expiring within minValidFor.
   */
  private CheckResult verdict(X509Certificate[] chain, Failures.Failure failure, long start) {
    Instant now = Instant.now();
    Instant earliest = TlsFacts.earliestNotAfter(chain);
    long latency = Blocking.millisSince(start);
    CheckResult result;
    int expired = firstExpired(chain, now);
    int early = firstNotYetValid(chain, now);
    int expiring = earliestIndex(chain);
    if (expired >= 0) {
      Instant notAfter = chain[expired].getNotAfter().toInstant();
      result =
          CheckResult.failure(
              Reasons.CERTIFICATE_EXPIRED,
              target
                  + ": "
                  + which(chain, expired)
                  + " expired on "
                  + date(notAfter)
                  + " ("
                  + ago(Duration.between(notAfter, now).toDays())
                  + ")",
              latency);
    } else if (early >= 0) {
      result =
          CheckResult.failure(
              Reasons.TLS_ERROR,
              target
                  + ": "
                  + which(chain, early)
                  + " is not valid before "
                  + date(chain[early].getNotBefore().toInstant()),
              latency);
    } else if (failure != null) {
      result = CheckResult.failure(failure.reason(), target + ": " + failure.text(), latency);
    } else if (earliest.isBefore(now.plus(minValidFor))) {
      result =
          CheckResult.failure(
              Reasons.CERTIFICATE_EXPIRING,
              target
                  + ": "
                  + which(chain, expiring)
                  + " expires on "
                  + date(earliest)
                  + ", "
                  + in(TlsFacts.daysLeft(earliest, now))
                  + " (minValidFor "
                  + minValidForText
                  + ")",
              latency);
    } else {
      result =
          CheckResult.success(
              latency,
              target
                  + ": valid until "
                  + date(earliest)
                  + " ("
                  + days(TlsFacts.daysLeft(earliest, now))
                  + " left)");
    }
    return result.withCertificateNotAfter(earliest);
  }

  private static int firstExpired(X509Certificate[] chain, Instant now) {
    for (int i = 0; i < chain.length; i++) {
      if (chain[i].getNotAfter().toInstant().isBefore(now)) {
        return i;
      }
    }
    return -1;
  }

  private static int firstNotYetValid(X509Certificate[] chain, Instant now) {
    for (int i = 0; i < chain.length; i++) {
      if (chain[i].getNotBefore().toInstant().isAfter(now)) {
        return i;
      }
    }
    return -1;
  }

  private static int earliestIndex(X509Certificate[] chain) {
    int earliest = -1;
    for (int i = 0; i < chain.length; i++) {
      if (earliest < 0 || chain[i].getNotAfter().before(chain[earliest].getNotAfter())) {
        earliest = i;
      }
    }
    return earliest;
  }

  /** The leaf is "the server certificate"; the others are named by subject (not a secret). */
  private static String which(X509Certificate[] chain, int index) {
    return index == 0
        ? "the server certificate"
        : "the chain certificate \"" + chain[index].getSubjectX500Principal().getName() + "\"";
  }

  private static String date(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String in(long days) {
    return days < 1 ? "in less than a day" : "in " + days(days);
  }

  private static String ago(long days) {
    return days < 1 ? "less than a day ago" : days(days) + " ago";
  }

  private static String days(long days) {
    return days == 1 ? "1 day" : days + " days";
  }

  /**
   * Keeps the chain the server sent (and the handshake's protocol and cipher suite) before the
   * verifier, if any, judges it. One per run: it is this run's record of the handshake.
   */
  static final class ChainCapture extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager verifier;
    volatile X509Certificate[] chain;
    private volatile String protocol;
    private volatile String cipherSuite;

    /**
     * @param verifier judges the chain and the host name; null accepts any (insecureSkipVerify)
     */
    ChainCapture(X509ExtendedTrustManager verifier) {
      this.verifier = verifier;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      capture(chain, socket instanceof SSLSocket s ? s.getHandshakeSession() : null);
      if (verifier != null) {
        verifier.checkServerTrusted(chain, authType, socket);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      capture(chain, engine == null ? null : engine.getHandshakeSession());
      if (verifier != null) {
        verifier.checkServerTrusted(chain, authType, engine);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      capture(chain, null);
      if (verifier != null) {
        verifier.checkServerTrusted(chain, authType);
      }
    }

    private void capture(X509Certificate[] chain, SSLSession handshake) {
      this.chain = chain.clone();
      if (handshake != null) {
        protocol = handshake.getProtocol();
        cipherSuite = handshake.getCipherSuite();
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("a probe trusts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("a probe trusts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a probe trusts no clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return verifier == null ? new X509Certificate[0] : verifier.getAcceptedIssuers();
    }

    /**
     * The {@code result.tls} variables of {@link TlsFacts#of} for a handshake that failed after the
     * server sent its (non-empty) chain: there is no session then, only what was captured.
     */
    Map<String, Object> facts(Instant now) {
      return TlsFacts.of(chain, protocol, cipherSuite, now);
    }
  }
}
