package io.dihya.vigie.probe.check;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and PKCS#8 keys from Secret values. Text around the blocks (openssl's "Bag
 * Attributes", comments) is ignored. Errors name the field, never the content.
 */
final class Pem {

  private static final Pattern CERTIFICATE =
      Pattern.compile("-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----");
  private static final Pattern PRIVATE_KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([^-]*)-----END PRIVATE KEY-----");

  private Pem() {}

  static List<X509Certificate> certificates(String pem, String field) {
    List<X509Certificate> certificates = new ArrayList<>();
    Matcher m = CERTIFICATE.matcher(pem == null ? "" : pem);
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      while (m.find()) {
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        certificates.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      }
    } catch (CertificateException | IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": not a PEM certificate");
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(field + ": not a PEM certificate");
    }
    return certificates;
  }

  /** A PKCS#8 key of the certificate's algorithm (RSA, EC, EdDSA). */
  static PrivateKey privateKey(String pem, String algorithm, String field) {
    String text = pem == null ? "" : pem;
    Matcher m = PRIVATE_KEY.matcher(text);
    if (!m.find()) {
      String hint =
          text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
              ? "encrypted keys are not supported"
              : text.contains(" PRIVATE KEY-----")
                  ? "convert it with openssl pkcs8 -topk8 -nocrypt"
                  : "expected -----BEGIN PRIVATE KEY-----";
      throw new IllegalArgumentException(field + ": not a PKCS#8 private key (" + hint + ")");
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(m.group(1));
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          field + ": not a PKCS#8 " + algorithm + " private key for the certificate");
    }
  }
}
