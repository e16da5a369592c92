package io.dihya.vigie.probe.check;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** Builds the SSLContext of a set of {@link ClientTlsSettings}. */
public final class SslContexts {

  private SslContexts() {}

  /**
   * The context for these settings, or null for the JVM's default one.
   *
   * <ul>
   *   <li>caPem: only these authorities are trusted (the JVM's trust store is then not used).
   *   <li>certPem + keyPem: the client certificate, always offered when the server asks for one,
   *       whatever authorities it names.
   *   <li>serverName: see {@link ServerNameSslContext}.
   *   <li>insecureSkipVerify: see {@link TrustAllTrustManager}; caPem is then ignored.
   * </ul>
   *
   * @throws IllegalArgumentException naming the field, for PEM that cannot be used
   */
  public static SSLContext build(ClientTlsSettings settings, String field) {
    if (settings.isDefault()) {
      return null;
    }
    requireServerName(settings.serverName(), field);
    TrustManager[] trust = null;
    if (settings.insecureSkipVerify()) {
      trust = new TrustManager[] {new TrustAllTrustManager()};
    } else if (settings.caPem() != null) {
      trust = trustOnly(Pem.certificates(settings.caPem(), field + ".caSecretRef"));
    }
    KeyManager[] keys = null;
    if (settings.certPem() != null) {
      List<X509Certificate> chain = Pem.certificates(settings.certPem(), field + ".certSecretRef");
      String algorithm = chain.get(0).getPublicKey().getAlgorithm();
      PrivateKey key = Pem.privateKey(settings.keyPem(), algorithm, field + ".keySecretRef");
      requireMatch(key, chain.get(0), field + ".keySecretRef");
      keys = new KeyManager[] {new SingleIdentityKeyManager(key, chain)};
    }
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return settings.serverName() == null
          ? context
          : new ServerNameSslContext(context, settings.serverName());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot build a TLS context", e);
    }
  }

  /**
   * @throws IllegalArgumentException naming {@code field}.serverName when the name (if any) is not
   *     one SNI can carry
   */
  static void requireServerName(String serverName, String field) {
    if (serverName != null) {
      try {
        new SNIHostName(serverName);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + ".serverName: not a valid host name");
      }
    }
  }

  private static TrustManager[] trustOnly(List<X509Certificate> authorities) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < authorities.size(); i++) {
        store.setCertificateEntry("ca-" + i, authorities.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("the JDK cannot build a trust manager", e);
    }
  }

  /** A key that does not belong to the certificate fails here, not as a vague handshake error. */
  private static void requireMatch(PrivateKey key, X509Certificate certificate, String field) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> "EdDSA";
        };
    try {
      byte[] probe = "vigie".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // Falls through: a key the JDK cannot sign with does not go with this certificate.
    }
    throw new IllegalArgumentException(field + ": the key does not belong to certSecretRef");
  }

  /**
   * Trusts every server certificate and skips host name verification, for this client only.
   *
   * <p>The JDK HTTP client verifies host names through the engine's endpoint identification, which
   * the JDK's own trust manager performs; a trust manager that is an {@link
   * X509ExtendedTrustManager} is called as is, so accepting everything here skips both the chain
   * and the host name check. The alternative, {@code
   * -Djdk.internal.httpclient.disableHostnameVerification}, is global to the JVM and would weaken
   * every other probe and sink.
   */
  static final class TrustAllTrustManager extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /**
   * One client certificate, offered whenever the server asks for one of its key type. The JDK's key
   * manager would offer it only when the server names its issuer; many servers name none or others,
   * and a probe has exactly one certificate anyway.
   */
  static final class SingleIdentityKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "client";
    private final PrivateKey key;
    private final X509Certificate[] chain;

    SingleIdentityKeyManager(PrivateKey key, List<X509Certificate> chain) {
      this.key = key;
      this.chain = chain.toArray(new X509Certificate[0]);
    }

    private String alias(String[] keyTypes) {
      if (keyTypes == null) {
        return ALIAS;
      }
      for (String type : keyTypes) {
        if (key.getAlgorithm().equalsIgnoreCase(type)) {
          return ALIAS;
        }
      }
      return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine e) {
      return alias(keyTypes);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return alias(keyTypes);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return alias(new String[] {keyType}) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }
  }
}
