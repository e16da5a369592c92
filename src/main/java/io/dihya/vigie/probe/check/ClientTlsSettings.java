package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.ClientTls;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The resolved TLS settings of a client connection: PEM material from Secrets, the server name and
 * whether to verify at all. Its {@link #digest()} keys the pooled HTTP clients without keeping the
 * key material in the pool; {@link #toString()} shows no material.
 */
public record ClientTlsSettings(
    String caPem, String certPem, String keyPem, String serverName, boolean insecureSkipVerify) {

  public static final ClientTlsSettings DEFAULT =
      new ClientTlsSettings(null, null, null, null, false);

  /** Resolves a spec's tls block; a null block is the JVM's defaults. */
  public static ClientTlsSettings resolve(ClientTls tls, SecretValues secrets, String field) {
    if (tls == null) {
      return DEFAULT;
    }
    if ((tls.certSecretRef == null) != (tls.keySecretRef == null)) {
      throw new IllegalArgumentException(
          field + ": certSecretRef and keySecretRef must be set together");
    }
    String serverName = tls.serverName == null || tls.serverName.isBlank() ? null : tls.serverName;
    return new ClientTlsSettings(
        tls.caSecretRef == null ? null : secrets.get(tls.caSecretRef),
        tls.certSecretRef == null ? null : secrets.get(tls.certSecretRef),
        tls.keySecretRef == null ? null : secrets.get(tls.keySecretRef),
        serverName,
        Boolean.TRUE.equals(tls.insecureSkipVerify));
  }

  /** These settings with another server name (null: the connection's host). */
  public ClientTlsSettings withServerName(String name) {
    return new ClientTlsSettings(caPem, certPem, keyPem, name, insecureSkipVerify);
  }

  boolean isDefault() {
    return equals(DEFAULT);
  }

  /** SHA-256 over every setting, length-prefixed so that no two settings collide. */
  String digest() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {caPem, certPem, keyPem, serverName}) {
        byte[] bytes = part == null ? new byte[0] : part.getBytes(StandardCharsets.UTF_8);
        sha.update((part == null ? "-1:" : bytes.length + ":").getBytes(StandardCharsets.UTF_8));
        sha.update(bytes);
      }
      sha.update((byte) (insecureSkipVerify ? 1 : 0));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  @Override
  public String toString() {
    return "ClientTlsSettings[ca="
        + (caPem != null)
        + ", clientCertificate="
        + (certPem != null)
        + ", serverName="
        + serverName
        + ", insecureSkipVerify="
        + insecureSkipVerify
        + "]";
  }
}
