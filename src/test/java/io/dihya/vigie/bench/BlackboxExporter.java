package io.dihya.vigie.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus' blackbox_exporter (Debian's package) and a driver that asks it to probe N targets at
 * the same interval as vigie's probes, as Prometheus would scrape {@code /probe}: each probe is a
 * new HTTP connection to the target, made by blackbox, and a metrics page rendered for the scraper.
 * Only blackbox_exporter's own CPU is counted, not the driver's.
 */
final class BlackboxExporter implements AutoCloseable {

  private final Process process;
  private final int port;
  private final HttpClient http;
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private ScheduledExecutorService driver;

  private BlackboxExporter(Process process, int port) {
    this.process = process;
    this.port = port;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(2))
            .build();
  }

  static BlackboxExporter start(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path config = dir.resolve("blackbox.yml");
    Files.writeString(
        config,
        """
        modules:
          http_2xx:
            prober: http
            timeout: 2s
            http:
              method: GET
              preferred_ip_protocol: ip4
        """);
    Process process =
        new ProcessBuilder(
                "prometheus-blackbox-exporter",
                "--config.file=" + config,
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("blackbox.log").toFile())
            .start();
    for (int i = 0; i < 100; i++) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        return new BlackboxExporter(process, port);
      } catch (IOException e) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "blackbox_exporter exited: " + Files.readString(dir.resolve("blackbox.log")));
        }
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("blackbox_exporter did not listen on " + port);
  }

  long pid() {
    return process.pid();
  }

  /**
   * Probes {@code targets} URLs ({@code urlPrefix + i}), each once per interval, spread evenly over
   * it, with at most {@code maxInFlight} scrapes at once (Prometheus' scrapes run in parallel).
   */
  void drive(String urlPrefix, int targets, Duration interval, int maxInFlight) {
    driver = Executors.newSingleThreadScheduledExecutor();
    Semaphore inFlight = new Semaphore(maxInFlight);
    long periodMicros = interval.toNanos() / 1000;
    for (int i = 0; i < targets; i++) {
      URI probe =
          URI.create("http://127.0.0.1:" + port + "/probe?module=http_2xx&target=" + urlPrefix + i);
      HttpRequest request = HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(5)).build();
      driver.scheduleAtFixedRate(
          () -> {
            if (!inFlight.tryAcquire()) {
              failed.incrementAndGet(); // the scraper could not keep up: counted as missed
              return;
            }
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .whenComplete(
                    (response, error) -> {
                      inFlight.release();
                      if (response != null
                          && response.statusCode() == 200
                          && response.body().contains("probe_success 1")) {
                        succeeded.incrementAndGet();
                      } else {
                        failed.incrementAndGet();
                      }
                    });
          },
          periodMicros * i / targets,
          periodMicros,
          TimeUnit.MICROSECONDS);
    }
  }

  long succeeded() {
    return succeeded.get();
  }

  long failed() {
    return failed.get();
  }

  void stopDriving() throws InterruptedException {
    if (driver != null) {
      driver.shutdownNow();
      driver.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopDriving();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
