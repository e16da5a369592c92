package io.dihya.vigie.probe.check;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An SSLContext whose engines talk to a given server name whatever address the client connects to:
 * they send it as SNI and verify the server certificate against it (Go's tls.Config.ServerName,
 * curl's --connect-to).
 *
 * <p>Two modes. {@link #ServerNameSslContext(SSLContext, String) With a fixed name} (a JDK HTTP
 * client, which creates each engine with the URL's host as peer host and then sets SNI to that host
 * unless it is an IP literal; neither can be configured per client), every engine is created for
 * that name. {@link #forPeerHost(SSLContext) For the peer host} (the http checks' Vert.x clients,
 * which connect to the address the target policy judged and create the engine with the name to
 * verify as peer host), each engine is created for the host it is asked for and sends it as SNI:
 * also a name without a dot ({@code orders}, a Service in the probe's namespace), for which the JDK
 * sends no SNI of its own. An IP literal, or a name SNI cannot carry, gets no SNI.
 *
 * <p>The engines are created for the name, which the JDK's trust manager verifies against, and
 * {@link ServerNameEngine#setSSLParameters} keeps the SNI whatever parameters the client sets.
 * Nothing else changes: the chain is verified as usual, and the endpoint identification stays on.
 *
 * <p>Engines only: the socket factories are not supported (neither HTTP client uses them).
 */
final class ServerNameSslContext extends SSLContext {

  /** Engines for {@code serverName}, whatever host they are asked for. */
  ServerNameSslContext(SSLContext delegate, String serverName) {
    super(new Spi(delegate, serverName), delegate.getProvider(), delegate.getProtocol());
  }

  /** Engines for the host they are asked for, which they send as SNI when it is a name. */
  static SSLContext forPeerHost(SSLContext delegate) {
    return new ServerNameSslContext(delegate, null);
  }

  /**
   * The SNI name of a peer host: the host without a fully qualified name's final dot (which no
   * certificate and no SNI holds), or null for an IP literal or a name SNI cannot carry.
   */
  static String sniName(String host) {
    if (host == null || host.isEmpty() || TargetPolicy.literal(host) != null) {
      return null;
    }
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    try {
      new SNIHostName(name);
      return name;
    } catch (IllegalArgumentException e) {
      return null; // a label of more than 63 characters, say
    }
  }

  private static final class Spi extends SSLContextSpi {
    private final SSLContext delegate;
    private final String serverName; // null: the peer host's

    Spi(SSLContext delegate, String serverName) {
      this.delegate = delegate;
      this.serverName = serverName;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
      throw new UnsupportedOperationException("already initialized");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw new UnsupportedOperationException("engines only");
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw new UnsupportedOperationException("engines only");
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return serverName == null
          ? delegate.createSSLEngine()
          : engineCreateSSLEngine(serverName, -1);
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      String name = serverName != null ? serverName : sniName(host);
      if (name == null) {
        // An address: verified against the certificate's IP entries, and no SNI.
        return delegate.createSSLEngine(host, port);
      }
      return new ServerNameEngine(delegate.createSSLEngine(name, port), name);
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return delegate.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return delegate.getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return delegate.getDefaultSSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return delegate.getSupportedSSLParameters();
    }
  }

  /** Delegates everything, except that SNI is always the server name. */
  static final class ServerNameEngine extends SSLEngine {
    private final SSLEngine delegate;
    private final List<javax.net.ssl.SNIServerName> sni;

    ServerNameEngine(SSLEngine delegate, String serverName) {
      super(delegate.getPeerHost(), delegate.getPeerPort());
      this.delegate = delegate;
      this.sni = List.of(new SNIHostName(serverName));
      SSLParameters parameters = delegate.getSSLParameters();
      parameters.setServerNames(sni);
      delegate.setSSLParameters(parameters);
    }

    @Override
    public void setSSLParameters(SSLParameters parameters) {
      // The caller's per-connection copy: the JDK HTTP client builds one for each connection.
      parameters.setServerNames(sni);
      delegate.setSSLParameters(parameters);
    }

    @Override
    public SSLParameters getSSLParameters() {
      return delegate.getSSLParameters();
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst)
        throws SSLException {
      return delegate.wrap(srcs, offset, length, dst);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length)
        throws SSLException {
      return delegate.unwrap(src, dsts, offset, length);
    }

    @Override
    public Runnable getDelegatedTask() {
      return delegate.getDelegatedTask();
    }

    @Override
    public void closeInbound() throws SSLException {
      delegate.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
      return delegate.isInboundDone();
    }

    @Override
    public void closeOutbound() {
      delegate.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
      return delegate.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
      return delegate.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
      delegate.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
      return delegate.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
      return delegate.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
      delegate.setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
      return delegate.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
      return delegate.getHandshakeSession();
    }

    @Override
    public void beginHandshake() throws SSLException {
      delegate.beginHandshake();
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
      return delegate.getHandshakeStatus();
    }

    @Override
    public void setUseClientMode(boolean mode) {
      delegate.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
      return delegate.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
      delegate.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
      return delegate.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
      delegate.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
      return delegate.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
      delegate.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
      return delegate.getEnableSessionCreation();
    }

    @Override
    public String getApplicationProtocol() {
      return delegate.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
      return delegate.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(
        BiFunction<SSLEngine, List<String>, String> selector) {
      delegate.setHandshakeApplicationProtocolSelector(selector);
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
      return delegate.getHandshakeApplicationProtocolSelector();
    }
  }
}
