package io.dihya.vigie.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A real HTTP target on 127.0.0.1 for tests: answers every request with a status and a body,
 * records the request headers, and can be stopped and restarted on the same port.
 */
public final class LoopbackHttpServer implements AutoCloseable {

  private int port;
  private volatile int status = 200;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<Long> requestNanos = new CopyOnWriteArrayList<>();
  private HttpServer server;

  private LoopbackHttpServer() {}

  /** Starts a server on a free port. */
  public static LoopbackHttpServer start() throws IOException {
    LoopbackHttpServer target = new LoopbackHttpServer();
    target.server = target.bind(0);
    target.port = target.server.getAddress().getPort();
    return target;
  }

  private HttpServer bind(int onPort) throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
    http.createContext(
        "/",
        exchange -> {
          StringBuilder request =
              new StringBuilder(exchange.getRequestMethod() + " " + exchange.getRequestURI());
          exchange
              .getRequestHeaders()
              .forEach(
                  (name, values) -> request.append('\n').append(name).append(": ").append(values));
          requests.add(request.toString());
          requestNanos.add(System.nanoTime());
          byte[] body = ("status " + status).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    http.setExecutor(Executors.newFixedThreadPool(4));
    http.start();
    return http;
  }

  public int port() {
    return port;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  public void answer(int status) {
    this.status = status;
  }

  /** Each request seen: the request line, then one "Name: [values]" line per header. */
  public List<String> requests() {
    return requests;
  }

  /** When each request came, as {@link System#nanoTime()}. */
  public List<Long> requestNanos() {
    return requestNanos;
  }

  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  public synchronized void restart() throws IOException {
    stop();
    server = bind(port);
  }

  @Override
  public void close() {
    stop();
  }
}
