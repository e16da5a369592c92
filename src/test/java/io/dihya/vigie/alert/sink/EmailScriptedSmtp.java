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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An SMTP server on 127.0.0.1 whose replies the test chooses, for what GreenMail cannot be made to
 * do: refuse with a 4xx or a given 5xx at one step, stay silent, or answer slowly.
 */
final class EmailScriptedSmtp implements AutoCloseable {

  private final ServerSocket server;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "email-scripted-smtp");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, String> replies = new ConcurrentHashMap<>();

  /** Each line received, in order ("." ends a message). */
  final List<String> received = new CopyOnWriteArrayList<>();

  /** Counted down each time a client connection ends. */
  volatile CountDownLatch closed = new CountDownLatch(1);

  /** Never greet: the client waits for its read timeout. */
  volatile boolean silent;

  /** Wait this long before each reply. */
  volatile long delayMillis;

  private EmailScriptedSmtp() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    replies.put("GREETING", "220 scripted.vigie.test ESMTP");
    replies.put("EHLO", "250-scripted.vigie.test\r\n250-AUTH PLAIN\r\n250 8BITMIME");
    replies.put("HELO", "250 scripted.vigie.test");
    replies.put("AUTH", "235 2.7.0 Authentication successful");
    replies.put("DATA", "354 End data with <CR><LF>.<CR><LF>");
    replies.put(".", "250 2.0.0 queued");
    replies.put("QUIT", "221 2.0.0 Bye");
    threads.execute(this::accept);
  }

  static EmailScriptedSmtp start() throws IOException {
    return new EmailScriptedSmtp();
  }

  int port() {
    return server.getLocalPort();
  }

  /** The reply to a command verb (EHLO, MAIL, RCPT, DATA, "." for the end of data, GREETING). */
  EmailScriptedSmtp reply(String verb, String reply) {
    replies.put(verb, reply);
    return this;
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
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      if (silent) {
        while (in.read() != -1) {
          // Read and never answer.
        }
        return;
      }
      send(out, replies.get("GREETING"));
      if (!replies.get("GREETING").startsWith("220")) {
        return;
      }
      String line;
      while ((line = readLine(in)) != null) {
        received.add(line);
        String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
        String reply = replies.getOrDefault(verb, "250 2.0.0 OK");
        send(out, reply);
        if (verb.equals("DATA") && reply.startsWith("354")) {
          while ((line = readLine(in)) != null && !line.equals(".")) {
            received.add(line);
          }
          received.add(".");
          send(out, replies.get("."));
        } else if (verb.equals("QUIT")) {
          return;
        }
      }
    } catch (IOException e) {
      // The client went away.
    } finally {
      closed.countDown();
    }
  }

  private void send(OutputStream out, String reply) throws IOException {
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
