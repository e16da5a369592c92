package io.dihya.vigie.alert.sink;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * An HTTP (or HTTPS) server on 127.0.0.1 that records each request whole (method, path and query,
 * headers, body) and answers with the status, headers and body the test sets, after an optional
 * delay. For the Alertmanager and IPFS sink tests: what a real server cannot be made to answer
 * (400, 503 with Retry-After, silence), the headers a sink sends, and webhook notifications that
 * Alertmanager itself posts.
 */
final class AlertmanagerTestHttpServer implements AutoCloseable {

  /** One request as received. */
  record Request(String method, String uri, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  final List<Request> requests = new CopyOnWriteArrayList<>();
  volatile int status = 200;
  volatile String body = "";
  volatile Map<String, String> answerHeaders = Map.of();
  volatile long delayMillis;

  private AlertmanagerTestHttpServer(SSLContext tls) throws IOException {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls == null) {
      server = HttpServer.create(address, 50);
    } else {
      HttpsServer https = HttpsServer.create(address, 50);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    }
    server.createContext("/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  static AlertmanagerTestHttpServer start() throws IOException {
    return new AlertmanagerTestHttpServer(null);
  }

  static AlertmanagerTestHttpServer startTls(SSLContext context) throws IOException {
    return new AlertmanagerTestHttpServer(context);
  }

  String url(String path) {
    return (server instanceof HttpsServer ? "https" : "http")
        + "://127.0.0.1:"
        + server.getAddress().getPort()
        + path;
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] received = exchange.getRequestBody().readAllBytes();
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().toString(),
            Map.copyOf(exchange.getRequestHeaders()),
            received));
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] answer = body.getBytes(StandardCharsets.UTF_8);
    answerHeaders.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
    exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
