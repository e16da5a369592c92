package io.dihya.vigie.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A webhook receiver on 127.0.0.1 that misbehaves on demand: down (connection refused, its port
 * kept), slow (answers after a delay), answering a status (429 with or without Retry-After, 500),
 * or healthy (200). Records every request it read, with the behaviour it got, so a test can tell
 * which attempts reached the receiver and which one it accepted.
 */
public final class FlakyReceiver implements AutoCloseable {

  /** How the receiver treats the next requests. */
  public record Behaviour(int status, String retryAfter, Duration delay) {
    public static final Behaviour HEALTHY = new Behaviour(200, null, Duration.ZERO);

    public static Behaviour status(int status, String retryAfter) {
      return new Behaviour(status, retryAfter, Duration.ZERO);
    }

    public static Behaviour slow(Duration delay) {
      return new Behaviour(200, null, delay);
    }
  }

  /**
   * One request the receiver read.
   *
   * @param at when it arrived, on the receiver's clock
   * @param webhookId the webhook-id header, or null
   * @param body the request body, UTF-8
   * @param behaviour how it was answered
   */
  public record Request(Instant at, String webhookId, String body, Behaviour behaviour) {
    /** Answered 2xx without delay: the sender saw it accepted. */
    public boolean accepted() {
      return behaviour.status() / 100 == 2 && behaviour.delay().isZero();
    }
  }

  static {
    // Without it the JDK server's replies wait on delayed ACKs: 40 ms a request.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final Clock clock;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "flaky-receiver");
            t.setDaemon(true);
            return t;
          });
  private volatile Behaviour behaviour = Behaviour.HEALTHY;
  private int port;
  private HttpServer server;

  private FlakyReceiver(Clock clock) {
    this.clock = clock;
  }

  /** A healthy receiver on a free port, stamping requests with {@code clock}. */
  public static FlakyReceiver start(Clock clock) throws IOException {
    FlakyReceiver receiver = new FlakyReceiver(clock);
    receiver.server = receiver.bind(0);
    receiver.port = receiver.server.getAddress().getPort();
    return receiver;
  }

  private HttpServer bind(int onPort) throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 100);
    http.createContext("/", this::answer);
    http.setExecutor(threads);
    http.start();
    return http;
  }

  private void answer(HttpExchange exchange) throws IOException {
    Behaviour now = behaviour;
    byte[] body = exchange.getRequestBody().readAllBytes();
    requests.add(
        new Request(
            clock.instant(),
            exchange.getRequestHeaders().getFirst("webhook-id"),
            new String(body, StandardCharsets.UTF_8),
            now));
    try {
      if (!now.delay().isZero()) {
        Thread.sleep(now.delay().toMillis());
      }
      if (now.retryAfter() != null) {
        exchange.getResponseHeaders().add("Retry-After", now.retryAfter());
      }
      byte[] answer = ("status " + now.status()).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(now.status(), answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException gone) {
      // The sender gave up waiting (a slow answer): what it sent was still read.
    } finally {
      exchange.close();
    }
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  public void behave(Behaviour next) {
    this.behaviour = next;
  }

  /** Stops listening: connections are refused until {@link #up()}. */
  public synchronized void down() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  /** Listens again, on the same port. */
  public synchronized void up() {
    if (server == null) {
      try {
        server = bind(port);
      } catch (IOException e) {
        throw new IllegalStateException("port " + port + " could not be bound again", e);
      }
    }
  }

  /** Every request read, in arrival order. */
  public List<Request> requests() {
    return requests;
  }

  @Override
  public void close() {
    down();
    threads.shutdownNow();
  }
}
