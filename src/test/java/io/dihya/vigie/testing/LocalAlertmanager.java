package io.dihya.vigie.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real Alertmanager on 127.0.0.1 for a test class, from Debian's {@code prometheus-alertmanager}
 * package: a temporary configuration and storage path, clustering off, a free port, optionally
 * HTTPS. Its one receiver posts to a webhook URL the test gives (or nowhere), grouping every label
 * with a 100 ms group_wait and a 1 s group_interval so that notifications follow the alerts
 * quickly.
 *
 * <p>Without the binary the calling test class is skipped, unless the environment variable CI is
 * {@code true}: there it fails, naming the package.
 */
public final class LocalAlertmanager implements AutoCloseable {

  private static final String PACKAGE = "prometheus-alertmanager";
  private static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

  private final Path dir;
  private final int port;
  private final boolean tls;
  private final Thread shutdownHook;
  private final HttpClient client;
  private Process process;

  private LocalAlertmanager(Path dir, int port, boolean tls) {
    this.dir = dir;
    this.port = port;
    this.tls = tls;
    this.shutdownHook = new Thread(this::stop, "local-alertmanager-stop");
    this.client =
        HttpClient.newBuilder()
            .sslContext(trustAll())
            .connectTimeout(Duration.ofSeconds(2))
            .build();
  }

  /**
   * A plain HTTP Alertmanager notifying {@code webhookUrl} (null: a receiver that sends nothing).
   */
  public static LocalAlertmanager launch(String webhookUrl) {
    return launch(webhookUrl, null, null);
  }

  /** The same over HTTPS, presenting {@code certificatePem} with {@code keyPem} (PKCS#8). */
  public static LocalAlertmanager launchWithTls(
      String webhookUrl, String certificatePem, String keyPem) {
    return launch(webhookUrl, certificatePem, keyPem);
  }

  private static LocalAlertmanager launch(String webhookUrl, String certificatePem, String keyPem) {
    if (!Files.isExecutable(BINARY)) {
      LocalPostgres.missing(
          "Alertmanager is not installed (no "
              + BINARY
              + "): install the Debian package with apt-get install "
              + PACKAGE);
    }
    try {
      Path dir = Files.createTempDirectory("vigie-alertmanager");
      LocalAlertmanager server =
          new LocalAlertmanager(dir, LocalPostgres.freePort(), certificatePem != null);
      StringBuilder config = new StringBuilder();
      config.append("route:\n");
      config.append("  receiver: test\n");
      config.append("  group_by: ['...']\n");
      config.append("  group_wait: 100ms\n");
      config.append("  group_interval: 1s\n");
      config.append("  repeat_interval: 1h\n");
      config.append("receivers:\n");
      config.append("  - name: test\n");
      if (webhookUrl != null) {
        config.append("    webhook_configs:\n");
        config.append("      - url: '").append(webhookUrl).append("'\n");
        config.append("        send_resolved: true\n");
      }
      Files.writeString(dir.resolve("alertmanager.yml"), config, StandardCharsets.UTF_8);
      if (certificatePem != null) {
        Files.writeString(dir.resolve("server.crt"), certificatePem, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("server.key"), keyPem, StandardCharsets.UTF_8);
        Files.writeString(
            dir.resolve("web.yml"),
            "tls_server_config:\n"
                + "  cert_file: "
                + dir.resolve("server.crt")
                + "\n  key_file: "
                + dir.resolve("server.key")
                + "\n",
            StandardCharsets.UTF_8);
      }
      Runtime.getRuntime().addShutdownHook(server.shutdownHook);
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Alertmanager", e);
    }
  }

  /** The base URL, e.g. http://127.0.0.1:40123. */
  public String url() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** GET /api/v2/alerts: the JSON array of the alerts that are not resolved. */
  public String alerts() {
    return get("/api/v2/alerts");
  }

  /** GET of a path of the API, the body as text; fails on a status other than 200. */
  public String get(String path) {
    try {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create(url() + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Starts Alertmanager (again) on its port and waits until /-/ready answers 200. */
  public synchronized void start() {
    if (process != null) {
      return;
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                BINARY.toString(),
                "--config.file=" + dir.resolve("alertmanager.yml"),
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=",
                "--log.level=info")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()));
    if (tls) {
      builder.command().add("--web.config.file=" + dir.resolve("web.yml"));
    }
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        process = null;
        throw new IllegalStateException("alertmanager exited:\n" + log());
      }
      try {
        get("/-/ready");
        return;
      } catch (RuntimeException e) {
        sleep();
      }
    }
    stop();
    throw new IllegalStateException("alertmanager was not ready within 20s:\n" + log());
  }

  private static void sleep() {
    ServerProcesses.pause(50);
  }

  /** Stops Alertmanager: new connections are then refused. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    ServerProcesses.stop(process);
    process = null;
  }

  /** Alertmanager's output, for failure messages. */
  public String log() {
    return ServerProcesses.log(dir.resolve("server.log"));
  }

  /** Stops Alertmanager and deletes its directory. */
  @Override
  public synchronized void close() {
    stop();
    ServerProcesses.cleanUp(shutdownHook, dir);
  }

  /** The helper's own reads only: the sink under test verifies certificates its own way. */
  private static SSLContext trustAll() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          null,
          new TrustManager[] {
            new X509TrustManager() {
              @Override
              public void checkClientTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public void checkServerTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
              }
            }
          },
          null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
