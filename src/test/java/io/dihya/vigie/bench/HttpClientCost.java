package io.dihya.vigie.bench;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.probe.check.Check;
import io.dihya.vigie.probe.check.CheckFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one HTTP request with a new connection costs in CPU, by client, at a fixed rate against a
 * local nginx: vigie's http check as the engine runs it, the bare JDK HTTP client (with and without
 * an executor of its own), and Vert.x's client (Netty, already in the operator). One client per
 * JVM, so that the JIT's work for one is not billed to another: {@code bench/http-clients.sh} runs
 * them one after the other and prints a line each.
 *
 * <p>Usage: {@code HttpClientCost CLIENT RATE SECONDS} with CLIENT one of vigie, jdk, jdk-executor,
 * vertx; it warms up for SECONDS at RATE requests a second, then measures as long.
 */
public final class HttpClientCost {

  private HttpClientCost() {}

  /** Sends one request; calls back with whether it was answered 200. */
  interface Client {
    void send(java.util.function.Consumer<Boolean> done);
  }

  public static void main(String[] args) throws Exception {
    String which = args[0];
    int rate = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection"); // for "jdk"
    Path dir = Files.createTempDirectory("vigie-http-cost");
    try (Nginx nginx = Nginx.start(dir)) {
      Client client = client(which, URI.create(nginx.url("/p/cost")));
      measure(client, rate, seconds); // warm-up: the JIT, the pools
      Result result = measure(client, rate, seconds);
      System.out.printf(
          "%-13s %5d req/s: %6d answered 200, %4d failed, %.3f CPU-seconds per 1,000 requests%n",
          which, rate, result.ok, result.failed, result.cpuSeconds / result.total() * 1000);
    }
    System.exit(0);
  }

  record Result(int ok, int failed, double cpuSeconds) {
    int total() {
      return ok + failed;
    }
  }

  static Result measure(Client client, int rate, int seconds) throws InterruptedException {
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    int planned = rate * seconds;
    AtomicInteger sent = new AtomicInteger();
    double before = cpuSeconds();
    ScheduledFuture<?> sender =
        timer.scheduleAtFixedRate(
            () -> {
              if (sent.incrementAndGet() <= planned) {
                client.send(success -> (success ? ok : failed).incrementAndGet());
              }
            },
            0,
            1_000_000_000L / rate,
            TimeUnit.NANOSECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 30L);
    while (ok.get() + failed.get() < planned && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    sender.cancel(false);
    timer.shutdownNow();
    return new Result(ok.get(), failed.get(), cpuSeconds() - before);
  }

  static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }

  static Client client(String which, URI uri) {
    switch (which) {
      case "vigie":
        {
          CheckFactory factory = new CheckFactory();
          HealthProbeSpec spec = new HealthProbeSpec();
          spec.http = new HttpCheck();
          spec.http.url = uri.toString();
          Check check = factory.create("bench", spec, ref -> null);
          return done ->
              check.run(Duration.ofSeconds(5)).whenComplete((r, e) -> done.accept(r.success()));
        }
      case "jdk":
      case "jdk-executor":
        {
          HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
          if (which.equals("jdk-executor")) {
            builder.executor(Executors.newCachedThreadPool());
          }
          HttpClient http = builder.build();
          HttpRequest request =
              HttpRequest.newBuilder(uri)
                  .timeout(Duration.ofSeconds(5))
                  .header("Connection", "close")
                  .build();
          return done ->
              http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                  .whenComplete((r, e) -> done.accept(e == null && r.statusCode() == 200));
        }
      case "vertx":
        {
          Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
          io.vertx.core.http.HttpClient http =
              vertx.createHttpClient(
                  new HttpClientOptions().setKeepAlive(false).setConnectTimeout(5000),
                  new PoolOptions().setHttp1MaxSize(10_000));
          RequestOptions request =
              new RequestOptions()
                  .setHost(uri.getHost())
                  .setPort(uri.getPort())
                  .setURI(uri.getRawPath())
                  .setMethod(HttpMethod.GET)
                  .setIdleTimeout(5000);
          return done ->
              http.request(request)
                  .compose(r -> r.send())
                  .compose(r -> r.body().map(b -> r.statusCode()))
                  .onComplete(r -> done.accept(r.succeeded() && r.result() == 200));
        }
      default:
        throw new IllegalArgumentException(
            "unknown client " + which + " (vigie, jdk, jdk-executor, vertx)");
    }
  }
}
