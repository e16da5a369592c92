package io.dihya.vigie.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The webhook receiver: records every request by path; answers 204, or 503 on a path told to refuse
 * until some instant.
 */
public final class WebhookReceiver implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request the receiver got, and whether it accepted it (204) or refused it (503). */
  public record Received(
      String path,
      String query,
      Map<String, List<String>> headers,
      byte[] body,
      long at,
      boolean accepted) {

    public JsonNode json() throws IOException {
      return JSON.readTree(body);
    }

    public String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  private final HttpServer server;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Long> refuseUntil = new ConcurrentHashMap<>();

  private WebhookReceiver(HttpServer server) {
    this.server = server;
  }

  public static WebhookReceiver start() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    WebhookReceiver receiver = new WebhookReceiver(server);
    server.createContext(
        "/",
        ex -> {
          byte[] body = ex.getRequestBody().readAllBytes();
          long now = System.nanoTime();
          String path = ex.getRequestURI().getPath();
          Long until = receiver.refuseUntil.get(path);
          boolean accept = until == null || now - until >= 0;
          receiver.received.add(
              new Received(
                  path,
                  ex.getRequestURI().getRawQuery(),
                  Map.copyOf(ex.getRequestHeaders()),
                  body,
                  now,
                  accept));
          ex.sendResponseHeaders(accept ? 204 : 503, -1);
          ex.close();
        });
    server.start();
    return receiver;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public void refuseUntil(String path, long nanoTime) {
    refuseUntil.put(path, nanoTime);
  }

  public List<Received> requests(String path) {
    synchronized (received) {
      return received.stream().filter(r -> r.path().equals(path)).toList();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
