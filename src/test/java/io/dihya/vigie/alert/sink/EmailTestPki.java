package io.dihya.vigie.alert.sink;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for the sink tests (e-mail, Alertmanager and IPFS over TLS), made in process: EC
 * P-256 keys signed with BouncyCastle's builder (on the test classpath through the mock API
 * server). probe/check's TestPki does the same for the checks but is package-private there.
 */
final class EmailTestPki {

  /** A key and its certificate, with the authority that signed it (itself for an authority). */
  record Identity(PrivateKey key, X509Certificate certificate, X509Certificate issuer) {

    String certificatePem() {
      return pem(certificate);
    }

    String keyPem() {
      return "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
    }

    /** A server (or client) context presenting this identity, trusting {@code trusted} peers. */
    SSLContext context(X509Certificate... trusted) throws Exception {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      X509Certificate[] chain =
          certificate.equals(issuer)
              ? new X509Certificate[] {certificate}
              : new X509Certificate[] {certificate, issuer};
      keys.setKeyEntry("me", key, "pw".toCharArray(), chain);
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

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private EmailTestPki() {}

  static Identity authority(String cn) throws Exception {
    KeyPair pair = keyPair();
    X509Certificate cert = sign(cn, cn, pair, pair.getPrivate(), true, List.of());
    return new Identity(pair.getPrivate(), cert, cert);
  }

  /** A leaf for these names (host names or IP literals), signed by {@code issuer}. */
  static Identity leaf(Identity issuer, String cn, String... names) throws Exception {
    KeyPair pair = keyPair();
    String issuerName = issuer.certificate().getSubjectX500Principal().getName();
    X509Certificate cert =
        sign(issuerName.substring(3), cn, pair, issuer.key(), false, List.of(names));
    return new Identity(pair.getPrivate(), cert, issuer.certificate());
  }

  static String pem(X509Certificate certificate) {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(
      String issuerCn,
      String cn,
      KeyPair pair,
      PrivateKey issuerKey,
      boolean authority,
      List<String> names)
      throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=" + issuerCn),
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(now.minusSeconds(3600)),
            Date.from(now.plusSeconds(86400)),
            new X500Name("CN=" + cn),
            pair.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
    if (!names.isEmpty()) {
      List<GeneralName> alternatives = new ArrayList<>();
      for (String name : names) {
        boolean ip = Character.isDigit(name.charAt(0)) || name.contains(":");
        alternatives.add(
            ip
                ? new GeneralName(
                    GeneralName.iPAddress, InetAddress.getByName(name).getHostAddress())
                : new GeneralName(GeneralName.dNSName, name));
      }
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(alternatives.toArray(new GeneralName[0])));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
  }
}
