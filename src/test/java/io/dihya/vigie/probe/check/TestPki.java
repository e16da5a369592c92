package io.dihya.vigie.probe.check;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for the TLS tests, made in-process with the JDK alone: EC P-256 keys and a minimal
 * DER writer for X.509 v3 (a few milliseconds, where keytool would take seconds).
 */
final class TestPki {

  /** A key and its certificate chain (leaf first). */
  record Identity(PrivateKey key, List<X509Certificate> chain) {
    X509Certificate certificate() {
      return chain.get(0);
    }

    String certificatePem() {
      return pem(certificate());
    }

    String keyPem() {
      return "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
    }

    /** A server or client SSLContext presenting this identity and trusting {@code trusted}. */
    SSLContext context(X509Certificate... trusted) throws Exception {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("me", key, "pw".toCharArray(), chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, "pw".toCharArray());
      TrustManagerFactory tmf = null;
      if (trusted.length > 0) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < trusted.length; i++) {
          trust.setCertificateEntry("ca" + i, trusted[i]);
        }
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return context;
    }
  }

  private static final AtomicLong SERIAL = new AtomicLong(1000);
  private static final byte[] ECDSA_WITH_SHA256 = oid(1, 2, 840, 10045, 4, 3, 2);

  private TestPki() {}

  static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  static Identity authority(String cn) throws Exception {
    KeyPair pair = ecKeyPair();
    X509Certificate cert =
        sign(
            cn,
            cn,
            pair,
            pair.getPrivate(),
            Instant.now().minusSeconds(3600),
            Instant.now().plusSeconds(365 * 86400L),
            true,
            List.of());
    return new Identity(pair.getPrivate(), List.of(cert));
  }

  /** A leaf signed by {@code issuer}, valid for the names (host names or IP literals). */
  static Identity leaf(Identity issuer, String cn, Instant notAfter, String... names)
      throws Exception {
    return leaf(ecKeyPair(), issuer, cn, notAfter, names);
  }

  /** A leaf with an RSA key, signed by the (EC) issuer. */
  static Identity rsaLeaf(Identity issuer, String cn, Instant notAfter) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return leaf(generator.generateKeyPair(), issuer, cn, notAfter, cn);
  }

  private static Identity leaf(
      KeyPair pair, Identity issuer, String cn, Instant notAfter, String... names)
      throws Exception {
    X509Certificate cert =
        sign(
            issuer.certificate().getSubjectX500Principal().getName().substring(3),
            cn,
            pair,
            issuer.key(),
            Instant.now().minusSeconds(7200),
            notAfter,
            false,
            List.of(names));
    return new Identity(pair.getPrivate(), List.of(cert, issuer.certificate()));
  }

  /** A leaf valid from {@code notBefore} to {@code notAfter}, signed by {@code issuer}. */
  static Identity leaf(
      Identity issuer, String cn, Instant notBefore, Instant notAfter, String... names)
      throws Exception {
    KeyPair pair = ecKeyPair();
    X509Certificate cert =
        sign(
            issuer.certificate().getSubjectX500Principal().getName().substring(3),
            cn,
            pair,
            issuer.key(),
            notBefore,
            notAfter,
            false,
            List.of(names));
    return new Identity(pair.getPrivate(), List.of(cert, issuer.certificate()));
  }

  /**
   * An intermediate authority signed by {@code issuer}, valid until {@code notAfter}; its chain is
   * itself then the issuer's chain. A leaf it signs carries it as the second certificate.
   */
  static Identity intermediate(Identity issuer, String cn, Instant notAfter) throws Exception {
    KeyPair pair = ecKeyPair();
    X509Certificate cert =
        sign(
            issuer.certificate().getSubjectX500Principal().getName().substring(3),
            cn,
            pair,
            issuer.key(),
            Instant.now().minusSeconds(3600),
            notAfter,
            true,
            List.of());
    List<X509Certificate> chain = new java.util.ArrayList<>();
    chain.add(cert);
    chain.addAll(issuer.chain());
    return new Identity(pair.getPrivate(), List.copyOf(chain));
  }

  /** A self-signed leaf (not an authority) for the names, valid from notBefore to notAfter. */
  static Identity selfSigned(String cn, Instant notBefore, Instant notAfter, String... names)
      throws Exception {
    KeyPair pair = ecKeyPair();
    X509Certificate cert =
        sign(cn, cn, pair, pair.getPrivate(), notBefore, notAfter, false, List.of(names));
    return new Identity(pair.getPrivate(), List.of(cert));
  }

  /** The PEM of every certificate of the chain, leaf first. */
  static String chainPem(Identity identity) {
    StringBuilder pem = new StringBuilder();
    identity.chain().forEach(c -> pem.append(pem(c)));
    return pem.toString();
  }

  static String pem(X509Certificate certificate) {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(
      String issuerCn,
      String subjectCn,
      KeyPair subject,
      PrivateKey issuerKey,
      Instant notBefore,
      Instant notAfter,
      boolean ca,
      List<String> names)
      throws Exception {
    byte[] algorithm = seq(ECDSA_WITH_SHA256);
    byte[] extensions;
    if (ca) {
      extensions =
          seq(extension(oid(2, 5, 29, 19), true, seq(tlv(0x01, new byte[] {(byte) 0xff}))));
    } else {
      ByteArrayOutputStream san = new ByteArrayOutputStream();
      for (String name : names) {
        if (Character.isDigit(name.charAt(0)) || name.contains(":")) {
          san.writeBytes(tlv(0x87, InetAddress.getByName(name).getAddress()));
        } else {
          san.writeBytes(tlv(0x82, name.getBytes(StandardCharsets.US_ASCII)));
        }
      }
      extensions = seq(extension(oid(2, 5, 29, 17), false, tlv(0x30, san.toByteArray())));
    }
    byte[] tbs =
        seq(
            tlv(0xa0, integer(BigInteger.TWO)),
            integer(BigInteger.valueOf(SERIAL.incrementAndGet())),
            algorithm,
            name(issuerCn),
            seq(time(notBefore), time(notAfter)),
            name(subjectCn),
            subject.getPublic().getEncoded(),
            tlv(0xa3, extensions));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(issuerKey);
    signer.update(tbs);
    byte[] signature = signer.sign();
    byte[] bits = new byte[signature.length + 1];
    System.arraycopy(signature, 0, bits, 1, signature.length);
    byte[] der = seq(tbs, algorithm, tlv(0x03, bits));
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new java.io.ByteArrayInputStream(der));
  }

  private static byte[] extension(byte[] oid, boolean critical, byte[] value) {
    return critical
        ? seq(oid, tlv(0x01, new byte[] {(byte) 0xff}), tlv(0x04, value))
        : seq(oid, tlv(0x04, value));
  }

  private static byte[] name(String cn) {
    return seq(tlv(0x31, seq(oid(2, 5, 4, 3), tlv(0x0c, cn.getBytes(StandardCharsets.UTF_8)))));
  }

  private static byte[] time(Instant instant) {
    String utc =
        DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(instant);
    return tlv(0x17, utc.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] integer(BigInteger value) {
    return tlv(0x02, value.toByteArray());
  }

  private static byte[] oid(int... arcs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(40 * arcs[0] + arcs[1]);
    for (int i = 2; i < arcs.length; i++) {
      int arc = arcs[i];
      byte[] base128 = new byte[5];
      int n = 0;
      do {
        base128[n++] = (byte) (arc & 0x7f);
        arc >>>= 7;
      } while (arc != 0);
      for (int j = n - 1; j >= 0; j--) {
        out.write(base128[j] | (j > 0 ? 0x80 : 0));
      }
    }
    return tlv(0x06, out.toByteArray());
  }

  private static byte[] seq(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return tlv(0x30, out.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = value.length;
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length & 0xff);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }
}
