package io.dihya.vigie.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator as users run it: the built fast-jar in its own JVM, against the local API server,
 * its log in target/e2e/.
 */
public final class OperatorProcess implements AutoCloseable {

  private final Process process;
  private final Path log;
  private final int port;

  private OperatorProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts the operator and waits until its readiness endpoint answers UP. */
  public static OperatorProcess start(LocalCluster cluster, String name) throws IOException {
    return start(name, cluster.kubeconfig(), Map.of());
  }

  /** Starts the operator with extra environment variables (VIGIE_*, QUARKUS_*). */
  public static OperatorProcess start(LocalCluster cluster, String name, Map<String, String> env)
      throws IOException {
    return start(name, cluster.kubeconfig(), env);
  }

  /**
   * Starts the operator with other credentials than the admin's (e.g. a ServiceAccount's token) and
   * extra environment variables (e.g. those of the chart's Deployment), and waits until its
   * readiness endpoint answers UP.
   */
  public static OperatorProcess start(String name, Path kubeconfig, Map<String, String> env)
      throws IOException {
    Path jar = Project.buildDir().resolve("quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run ./mvnw package first");
    }
    Path logDir = Files.createDirectories(Project.buildDir().resolve("e2e"));
    Path log = logDir.resolve(name + ".log");
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dquarkus.management.port=" + port);
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(Project.dir().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    OperatorProcess operator = new OperatorProcess(builder.start(), log, port);
    operator.awaitReady(Duration.ofSeconds(60));
    return operator;
  }

  private void awaitReady(Duration limit) throws IOException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the operator exited:\n" + tail());
      }
      try {
        HttpResponse<String> response = http.send(ready, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(250);
    }
    close();
    throw new IllegalStateException("the operator was not ready within " + limit + ":\n" + tail());
  }

  /** Whether the process still runs (it has not exited or been killed). */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The process id of the operator's JVM. */
  public long pid() {
    return process.pid();
  }

  /** The operator's metrics port, its only one (Quarkus' management interface: health, metrics). */
  public int port() {
    return port;
  }

  /** Whether the readiness endpoint answers UP now. */
  public boolean ready() {
    return up("/q/health/ready");
  }

  /** Whether the liveness endpoint answers UP now (the kubelet restarts a pod when it does not). */
  public boolean live() {
    return up("/q/health/live");
  }

  private boolean up(String path) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The operator's log so far. */
  public String log() throws IOException {
    return Files.readString(log);
  }

  private String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /**
   * Stops the operator as the kubelet does (SIGTERM) and says how long it took to exit, or empty
   * when it did not exit within 20 s (it is then killed).
   */
  public java.util.Optional<Duration> stop() {
    long start = System.nanoTime();
    process.destroy();
    try {
      if (process.waitFor(20, TimeUnit.SECONDS)) {
        return java.util.Optional.of(Duration.ofNanos(System.nanoTime() - start));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
    return java.util.Optional.empty();
  }

  /** Kills the operator without warning (SIGKILL), as a node failure or the OOM killer would. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
