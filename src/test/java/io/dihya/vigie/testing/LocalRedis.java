package io.dihya.vigie.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis server on 127.0.0.1 for a test class, from Debian's {@code redis-server} package: no
 * persistence, a temporary directory, the configuration lines the test gives (requirepass, ACL
 * users...), optionally TLS only. It can be stopped and started again on the same port.
 *
 * <p>Without the binary the calling test class is skipped, unless the environment variable CI is
 * {@code true}: there it fails, naming the package.
 */
public final class LocalRedis implements AutoCloseable {

  private static final String PACKAGE = "redis-server";
  private static final List<Path> BINARIES =
      List.of(Path.of("/usr/bin/redis-server"), Path.of("/usr/local/bin/redis-server"));

  private final Path binary;
  private final Path dir;
  private final int port;
  private final Thread shutdownHook;
  private Process process;

  private LocalRedis(Path binary, Path dir, int port) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.shutdownHook = new Thread(this::stop, "local-redis-stop");
  }

  /** A plaintext server with these redis.conf lines (e.g. "requirepass s3cret"). */
  public static LocalRedis launch(String... configLines) {
    return launch(null, null, null, configLines);
  }

  /**
   * A TLS-only server presenting {@code certificatePem} (leaf first) with {@code keyPem} (PKCS#8).
   * With {@code clientCaPem}, clients must present a certificate signed by it; without, none is
   * asked for.
   */
  public static LocalRedis launchWithTls(
      String certificatePem, String keyPem, String clientCaPem, String... configLines) {
    return launch(certificatePem, keyPem, clientCaPem, configLines);
  }

  private static LocalRedis launch(
      String certificatePem, String keyPem, String clientCaPem, String... configLines) {
    Path binary = BINARIES.stream().filter(Files::isExecutable).findFirst().orElse(null);
    if (binary == null) {
      LocalPostgres.missing(
          "Redis is not installed (no /usr/bin/redis-server): install the Debian package with"
              + " apt-get install "
              + PACKAGE);
    }
    try {
      Path dir = Files.createTempDirectory("vigie-redis");
      LocalRedis server = new LocalRedis(binary, dir, LocalPostgres.freePort());
      List<String> conf = new ArrayList<>();
      conf.add("bind 127.0.0.1");
      conf.add("dir " + dir);
      conf.add("save \"\"");
      conf.add("appendonly no");
      conf.add("daemonize no");
      conf.add("logfile \"\"");
      if (certificatePem == null) {
        conf.add("port " + server.port);
      } else {
        conf.add("port 0");
        conf.add("tls-port " + server.port);
        conf.add("tls-cert-file " + server.write("server.crt", certificatePem));
        conf.add("tls-key-file " + server.write("server.key", keyPem));
        if (clientCaPem == null) {
          conf.add("tls-auth-clients no");
        } else {
          conf.add("tls-auth-clients yes");
          conf.add("tls-ca-cert-file " + server.write("client-ca.crt", clientCaPem));
        }
      }
      conf.addAll(List.of(configLines));
      server.write("redis.conf", String.join("\n", conf) + "\n");
      Runtime.getRuntime().addShutdownHook(server.shutdownHook);
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Redis", e);
    }
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** Starts the server (again) on its port and waits until it accepts connections. */
  public synchronized void start() {
    if (process != null) {
      return;
    }
    try {
      process =
          new ProcessBuilder(binary.toString(), dir.resolve("redis.conf").toString())
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        process = null;
        throw new IllegalStateException("redis-server exited:\n" + log());
      }
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return;
      } catch (IOException e) {
        sleep();
      }
    }
    stop();
    throw new IllegalStateException("redis-server did not listen within 20s:\n" + log());
  }

  private static void sleep() {
    ServerProcesses.pause(20);
  }

  /** Stops the server: new connections are then refused. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    ServerProcesses.stop(process);
    process = null;
  }

  /** The server's output, for failure messages. */
  public String log() {
    return ServerProcesses.log(dir.resolve("server.log"));
  }

  /** Stops the server and deletes its directory. */
  @Override
  public synchronized void close() {
    stop();
    ServerProcesses.cleanUp(shutdownHook, dir);
  }
}
