package io.dihya.vigie.alert.sink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;

/**
 * TLS in front of GreenMail's plain SMTP port, on 127.0.0.1: GreenMail speaks SMTPS (implicit TLS)
 * but not STARTTLS. In STARTTLS mode the front greets, answers EHLO with STARTTLS offered, refuses
 * everything else until STARTTLS, makes the handshake and then relays the encrypted session to
 * GreenMail (swallowing GreenMail's own greeting, already given); in IMPLICIT mode it makes the
 * handshake first and relays everything. The SMTP conversation after TLS is GreenMail's.
 */
final class EmailTlsFront implements AutoCloseable {

  enum Mode {
    STARTTLS,
    IMPLICIT
  }

  private final ServerSocket server;
  private final Mode mode;
  private final SSLContext context;
  private final boolean needClientAuth;
  private final int upstreamPort;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "email-tls-front");
            t.setDaemon(true);
            return t;
          });

  /** One line per completed handshake: "sni=NAME client=SUBJECT" ("-" when absent). */
  final List<String> handshakes = new CopyOnWriteArrayList<>();

  /** The SMTP commands the front answered itself, before TLS. */
  final List<String> plainCommands = new CopyOnWriteArrayList<>();

  private EmailTlsFront(Mode mode, SSLContext context, boolean needClientAuth, int upstreamPort)
      throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.mode = mode;
    this.context = context;
    this.needClientAuth = needClientAuth;
    this.upstreamPort = upstreamPort;
    threads.execute(this::accept);
  }

  static EmailTlsFront start(
      Mode mode, SSLContext context, boolean needClientAuth, int upstreamPort) throws IOException {
    return new EmailTlsFront(mode, context, needClientAuth, upstreamPort);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      if (mode == Mode.STARTTLS && !plainDialogue(client)) {
        return;
      }
      SSLSocket tls =
          (SSLSocket) context.getSocketFactory().createSocket(client, (InputStream) null, true);
      tls.setUseClientMode(false);
      tls.setNeedClientAuth(needClientAuth);
      tls.startHandshake();
      handshakes.add("sni=" + sni(tls) + " client=" + clientSubject(tls));
      try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
        InputStream fromUpstream = upstream.getInputStream();
        if (mode == Mode.STARTTLS) {
          readLine(fromUpstream); // GreenMail's greeting: the client had the front's
        }
        threads.execute(() -> pipe(tls, upstream));
        pipe(upstream, tls);
      }
    } catch (IOException e) {
      // The client went away or the handshake failed: the test sees it on the client side.
    }
  }

  /** Answers until STARTTLS; false when the client left. */
  private boolean plainDialogue(Socket client) throws IOException {
    InputStream in = client.getInputStream();
    OutputStream out = client.getOutputStream();
    write(out, "220 front.vigie.test ESMTP\r\n");
    while (true) {
      String line = readLine(in);
      if (line == null) {
        return false;
      }
      plainCommands.add(line);
      String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
      switch (verb) {
        case "EHLO" -> write(out, "250-front.vigie.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n");
        case "HELO" -> write(out, "250 front.vigie.test\r\n");
        case "STARTTLS" -> {
          write(out, "220 2.0.0 Ready to start TLS\r\n");
          return true;
        }
        case "QUIT" -> {
          write(out, "221 2.0.0 Bye\r\n");
          return false;
        }
        default -> write(out, "530 5.7.0 Must issue a STARTTLS command first\r\n");
      }
    }
  }

  private static void pipe(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException e) {
      // One side closed.
    } finally {
      try {
        to.close();
        from.close();
      } catch (IOException e) {
        // Closing.
      }
    }
  }

  /** One line, read byte by byte so that no byte of the TLS handshake is taken. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return null;
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String sni(SSLSocket tls) {
    if (tls.getSession() instanceof ExtendedSSLSession session) {
      for (SNIServerName name : session.getRequestedServerNames()) {
        if (name instanceof SNIHostName host) {
          return host.getAsciiName();
        }
      }
    }
    return "-";
  }

  private static String clientSubject(SSLSocket tls) {
    try {
      return tls.getSession().getPeerPrincipal().getName();
    } catch (SSLPeerUnverifiedException e) {
      return "-";
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
