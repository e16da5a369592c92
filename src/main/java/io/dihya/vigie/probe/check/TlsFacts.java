package io.dihya.vigie.probe.check;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What a TLS handshake showed, shared by every check that makes one: the earliest expiry of the
 * peer's chain, and the {@code result.tls} variables of the assertions.
 */
final class TlsFacts {

  private TlsFacts() {}

  /** The earliest notAfter among the X.509 certificates, null if there are none. */
  static Instant earliestNotAfter(Certificate[] chain) {
    Instant earliest = null;
    if (chain != null) {
      for (Certificate c : chain) {
        if (c instanceof X509Certificate x) {
          Instant notAfter = x.getNotAfter().toInstant();
          earliest = earliest == null || notAfter.isBefore(earliest) ? notAfter : earliest;
        }
      }
    }
    return earliest;
  }

  /** The session's peer chain, or an empty one when the peer was not verified. */
  static Certificate[] peerChain(SSLSession session) {
    try {
      return session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return new Certificate[0];
    }
  }

  /**
   * The {@code result.tls} variables: protocol, cipherSuite, notAfter (RFC 3339, the chain's
   * earliest), daysLeft (whole days until then, negative once expired), and of the leaf certificate
   * subject, issuer and dnsNames.
   */
  static Map<String, Object> of(SSLSession session, Instant now) {
    return of(peerChain(session), session.getProtocol(), session.getCipherSuite(), now);
  }

  /**
   * The same variables from a chain seen without a session (a handshake that failed after the
   * server sent it); protocol and cipherSuite may be null, and are then absent.
   */
  static Map<String, Object> of(
      Certificate[] chain, String protocol, String cipherSuite, Instant now) {
    ResultData data = ResultData.create().put("protocol", protocol).put("cipherSuite", cipherSuite);
    Instant notAfter = earliestNotAfter(chain);
    if (notAfter != null) {
      data.put("notAfter", notAfter.toString()).put("daysLeft", daysLeft(notAfter, now));
    }
    if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
      data.put("subject", leaf.getSubjectX500Principal().getName())
          .put("issuer", leaf.getIssuerX500Principal().getName())
          .put("dnsNames", dnsNames(leaf));
    }
    return data.build();
  }

  /** Whole days from now until notAfter, rounded down (negative once expired). */
  static long daysLeft(Instant notAfter, Instant now) {
    return Math.floorDiv(Duration.between(now, notAfter).toSeconds(), 86_400L);
  }

  private static List<String> dnsNames(X509Certificate leaf) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = leaf.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> entry : alternatives) {
          if (entry.size() >= 2 && Integer.valueOf(2).equals(entry.get(0))) {
            names.add(String.valueOf(entry.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // No readable names: the list stays empty.
    }
    return names;
  }
}
