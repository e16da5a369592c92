package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dihya.vigie.redact.DeadlineCharSequence;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** The TLS pieces the HTTPS tests cannot reach one by one. */
class SslContextsTest {

  static SSLContext serverNameContext() throws Exception {
    SSLContext base = SSLContext.getInstance("TLS");
    base.init(null, null, null);
    return new ServerNameSslContext(base, "orders.shop.svc");
  }

  @Test
  void enginesTalkToTheServerNameWhateverHostTheyAreMadeFor() throws Exception {
    SSLContext context = serverNameContext();

    SSLEngine engine = context.createSSLEngine("10.0.0.7", 8443);
    assertThat(engine.getPeerHost()).isEqualTo("orders.shop.svc");
    assertThat(engine.getPeerPort()).isEqualTo(8443);
    assertThat(engine.getSSLParameters().getServerNames())
        .containsExactly(new SNIHostName("orders.shop.svc"));

    // What the JDK HTTP client does with each new engine: SNI from the URL's host.
    SSLParameters fromClient = engine.getSSLParameters();
    fromClient.setServerNames(List.of(new SNIHostName("ingress.example")));
    fromClient.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(fromClient);
    assertThat(engine.getSSLParameters().getServerNames())
        .containsExactly(new SNIHostName("orders.shop.svc"));
    assertThat(engine.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");

    assertThat(context.createSSLEngine().getPeerHost()).isEqualTo("orders.shop.svc");
  }

  @Test
  void theContextIsForEnginesOnly() throws Exception {
    SSLContext context = serverNameContext();

    assertThatThrownBy(() -> context.init(null, null, null))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(context::getSocketFactory).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(context::getServerSocketFactory)
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(context.getClientSessionContext()).isNotNull();
    assertThat(context.getServerSessionContext()).isNotNull();
    assertThat(context.getDefaultSSLParameters().getProtocols()).isNotEmpty();
    assertThat(context.getSupportedSSLParameters().getProtocols()).isNotEmpty();
  }

  @Test
  void theEngineWrapperPassesEverythingElseThrough() throws Exception {
    SSLEngine engine = serverNameContext().createSSLEngine("h", 443);

    engine.setUseClientMode(true);
    assertThat(engine.getUseClientMode()).isTrue();
    engine.setEnabledProtocols(new String[] {"TLSv1.3"});
    assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.3");
    assertThat(engine.getSupportedProtocols()).contains("TLSv1.3");
    String suite = "TLS_AES_128_GCM_SHA256";
    engine.setEnabledCipherSuites(new String[] {suite});
    assertThat(engine.getEnabledCipherSuites()).containsExactly(suite);
    assertThat(engine.getSupportedCipherSuites()).contains(suite);
    engine.setWantClientAuth(true);
    assertThat(engine.getWantClientAuth()).isTrue();
    engine.setNeedClientAuth(true);
    assertThat(engine.getNeedClientAuth()).isTrue();
    engine.setEnableSessionCreation(false);
    assertThat(engine.getEnableSessionCreation()).isFalse();
    engine.setEnableSessionCreation(true);
    BiFunction<SSLEngine, List<String>, String> selector = (e, protocols) -> null;
    engine.setHandshakeApplicationProtocolSelector(selector);
    assertThat(engine.getHandshakeApplicationProtocolSelector()).isSameAs(selector);
    assertThat(engine.getApplicationProtocol()).isNull();
    assertThat(engine.getHandshakeApplicationProtocol()).isNull();
    assertThat(engine.getSession()).isNotNull();
    assertThat(engine.getHandshakeSession()).isNull();

    engine.beginHandshake();
    assertThat(engine.getHandshakeStatus()).isEqualTo(SSLEngineResult.HandshakeStatus.NEED_WRAP);
    ByteBuffer clientHello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    SSLEngineResult wrapped = engine.wrap(ByteBuffer.allocate(0), clientHello);
    assertThat(wrapped.bytesProduced()).isPositive();
    Runnable task = engine.getDelegatedTask();
    if (task != null) {
      task.run();
    }
    engine.closeOutbound();
    assertThat(engine.isOutboundDone()).isFalse(); // close_notify still to be wrapped
    assertThat(engine.isInboundDone()).isFalse();
    assertThatThrownBy(engine::closeInbound).isInstanceOf(javax.net.ssl.SSLException.class);
    assertThat(engine.isInboundDone()).isTrue();

    SSLEngine fresh = serverNameContext().createSSLEngine("h", 443);
    fresh.closeInbound();
    assertThat(fresh.isInboundDone()).isTrue();
  }

  @Test
  void rsaClientKeysAreCheckedAgainstTheirCertificate() throws Exception {
    TestPki.Identity ca = TestPki.authority("ca");
    TestPki.Identity rsa = TestPki.rsaLeaf(ca, "client", Instant.now().plusSeconds(60));
    TestPki.Identity otherRsa = TestPki.rsaLeaf(ca, "other", Instant.now().plusSeconds(60));

    assertThat(
            SslContexts.build(
                new ClientTlsSettings(null, rsa.certificatePem(), rsa.keyPem(), null, false),
                "spec.http.tls"))
        .isNotNull();
    assertThatThrownBy(
            () ->
                SslContexts.build(
                    new ClientTlsSettings(
                        null, rsa.certificatePem(), otherRsa.keyPem(), null, false),
                    "spec.http.tls"))
        .hasMessage("spec.http.tls.keySecretRef: the key does not belong to certSecretRef");
  }

  @Test
  void theDeadlineTravelsWithSubSequences() {
    DeadlineCharSequence past = new DeadlineCharSequence("x".repeat(10_000), System.nanoTime() - 1);
    CharSequence part = past.subSequence(1, 9_000);

    assertThat(part.length()).isEqualTo(8_999);
    assertThat(part.toString()).isEqualTo("x".repeat(8_999));
    assertThatThrownBy(
            () -> {
              for (int i = 0; i < part.length(); i++) {
                part.charAt(i);
              }
            })
        .isInstanceOf(DeadlineCharSequence.DeadlineExceeded.class);
  }

  @Test
  void trustAllAcceptsAnything() {
    SslContexts.TrustAllTrustManager trustAll = new SslContexts.TrustAllTrustManager();
    X509Certificate[] none = new X509Certificate[0];

    trustAll.checkServerTrusted(none, "EC");
    trustAll.checkServerTrusted(none, "EC", (java.net.Socket) null);
    trustAll.checkServerTrusted(none, "EC", (SSLEngine) null);
    trustAll.checkClientTrusted(none, "EC");
    trustAll.checkClientTrusted(none, "EC", (java.net.Socket) null);
    trustAll.checkClientTrusted(none, "EC", (SSLEngine) null);
    assertThat(trustAll.getAcceptedIssuers()).isEmpty();
  }

  @Test
  void theClientIdentityIsOfferedForItsKeyTypeWhateverTheIssuers() throws Exception {
    TestPki.Identity ca = TestPki.authority("ca");
    TestPki.Identity client = TestPki.leaf(ca, "client", Instant.now().plusSeconds(60), "c");
    SslContexts.SingleIdentityKeyManager keys =
        new SslContexts.SingleIdentityKeyManager(client.key(), client.chain());

    assertThat(keys.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null))
        .isEqualTo("client");
    assertThat(keys.chooseClientAlias(new String[] {"RSA"}, null, null)).isNull();
    assertThat(keys.chooseClientAlias(null, null, null)).isEqualTo("client");
    assertThat(keys.getClientAliases("EC", null)).containsExactly("client");
    assertThat(keys.getClientAliases("RSA", null)).isNull();
    assertThat(keys.getCertificateChain("client")).containsExactlyElementsOf(client.chain());
    assertThat(keys.getCertificateChain("other")).isNull();
    assertThat(keys.getPrivateKey("client")).isSameAs(client.key());
    assertThat(keys.getPrivateKey("other")).isNull();
    assertThat(keys.getServerAliases("EC", null)).isNull();
    assertThat(keys.chooseServerAlias("EC", null, null)).isNull();
  }

  @Test
  void settingsNeverShowTheirMaterial() {
    ClientTlsSettings settings =
        new ClientTlsSettings("CA-PEM", "CERT-PEM", "KEY-PEM-SECRET", "orders", false);

    assertThat(settings.toString())
        .isEqualTo(
            "ClientTlsSettings[ca=true, clientCertificate=true, serverName=orders,"
                + " insecureSkipVerify=false]")
        .doesNotContain("SECRET");
    assertThat(settings.digest())
        .hasSize(64)
        .isNotEqualTo(new ClientTlsSettings("CA-PEM", "CERT-PEM", "KEY", "orders", false).digest())
        .isNotEqualTo(new ClientTlsSettings(null, "CA-PEM", "CERT-PEM", "KEY", false).digest());
  }
}
