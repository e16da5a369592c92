package io.dihya.vigie.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server on 127.0.0.1 for a test class, from Debian's {@code postgresql} package:
 * a fresh cluster in a temporary directory (initdb), password authentication with scram-sha-256 for
 * every TCP connection, a test user ({@link #USER}, {@link #PASSWORD}) owning a test database
 * ({@link #DATABASE}). It can be stopped and started again on the same port.
 *
 * <p>initdb and postgres refuse to run as root: as root they run as the {@code postgres} OS user
 * (created by the package), in a directory it owns. Without the binaries the calling test class is
 * skipped, unless the environment variable CI is {@code true}: there it fails, naming the package.
 */
public final class LocalPostgres implements AutoCloseable {

  /** The test user, with password login. */
  public static final String USER = "vigie_probe";

  /** The test user's password. Distinctive, so that tests can look for it in any output. */
  public static final String PASSWORD = "pg-Pw-3f9c1e-never-shown";

  /**
   * A user that logs in with a client certificate (CN = this name) on a server started with a
   * client CA ({@link #launchWithTls}); it has no password.
   */
  public static final String CERT_USER = "vigie_cert";

  /** The test database, owned by {@link #USER}. */
  public static final String DATABASE = "vigie_test";

  private static final String SUPERUSER = "postgres";
  private static final String PACKAGE = "postgresql";
  private static final Path DEBIAN_VERSIONS = Path.of("/usr/lib/postgresql");

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final String superPassword = UUID.randomUUID().toString();
  private final Thread shutdownHook;
  private boolean running;

  private LocalPostgres(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.shutdownHook = new Thread(this::stopQuietly, "local-postgres-stop");
  }

  /** A server without TLS. */
  public static LocalPostgres launch() {
    return launch(null, null, null);
  }

  /**
   * A server with {@code ssl = on}, presenting {@code certificatePem} (leaf first, then its
   * issuers) with {@code keyPem} (PKCS#8). With {@code clientCaPem}, it also asks clients for a
   * certificate signed by it (without requiring one: pg_hba's {@code cert} lines do that).
   */
  public static LocalPostgres launchWithTls(
      String certificatePem, String keyPem, String clientCaPem) {
    return launch(certificatePem, keyPem, clientCaPem);
  }

  private static LocalPostgres launch(String certificatePem, String keyPem, String clientCaPem) {
    Path bin = findBinaries();
    LocalPostgres server;
    try {
      Path dir = Files.createTempDirectory("vigie-pg");
      server = new LocalPostgres(bin, dir, freePort());
      Runtime.getRuntime().addShutdownHook(server.shutdownHook);
      server.init(certificatePem, keyPem, clientCaPem);
      server.start();
      server.createUserAndDatabase();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start PostgreSQL", e);
    }
    return server;
  }

  /** The bin directory of the newest installed Debian PostgreSQL, or a skip (a failure on CI). */
  private static Path findBinaries() {
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(DEBIAN_VERSIONS)) {
      try (Stream<Path> versions = Files.list(DEBIAN_VERSIONS)) {
        versions
            .map(v -> v.resolve("bin"))
            .filter(b -> Files.isExecutable(b.resolve("initdb")))
            .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
            .forEach(found::add);
      } catch (IOException e) {
        // Treated as not installed.
      }
    }
    found.sort(
        Comparator.comparingInt(
            b -> {
              String version = b.getParent().getFileName().toString();
              return version.matches("\\d+") ? Integer.parseInt(version) : 0;
            }));
    if (found.isEmpty()) {
      missing(
          "PostgreSQL is not installed (no "
              + DEBIAN_VERSIONS
              + "/*/bin/initdb): install the Debian package with apt-get install "
              + PACKAGE);
    }
    return found.get(found.size() - 1);
  }

  static void missing(String message) {
    if ("true".equals(System.getenv("CI"))) {
      Assertions.fail(message);
    }
    Assumptions.abort(message);
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private void init(String certificatePem, String keyPem, String clientCaPem) throws IOException {
    Path passwordFile = dir.resolve("superuser-password");
    Files.writeString(passwordFile, superPassword + "\n", StandardCharsets.UTF_8);
    if (certificatePem != null) {
      write("server.crt", certificatePem);
      write("server.key", keyPem);
      if (clientCaPem != null) {
        write("client-ca.crt", clientCaPem);
      }
    }
    giveToPostgres(dir);
    run(
        List.of(
            bin.resolve("initdb").toString(),
            "--pgdata=" + data,
            "--username=" + SUPERUSER,
            "--pwfile=" + passwordFile,
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync"));
    Files.delete(passwordFile);
    List<String> conf = new ArrayList<>();
    conf.add("port = " + port);
    conf.add("listen_addresses = '127.0.0.1'");
    conf.add("unix_socket_directories = '" + dir + "'");
    conf.add("fsync = off");
    conf.add("max_connections = 40");
    conf.add("shared_buffers = 16MB");
    if (certificatePem != null) {
      conf.add("ssl = on");
      conf.add("ssl_cert_file = '" + dir.resolve("server.crt") + "'");
      conf.add("ssl_key_file = '" + dir.resolve("server.key") + "'");
      if (clientCaPem != null) {
        conf.add("ssl_ca_file = '" + dir.resolve("client-ca.crt") + "'");
      }
    }
    if (clientCaPem != null) {
      Path hba = data.resolve("pg_hba.conf");
      Files.writeString(
          hba,
          "hostssl all " + CERT_USER + " 127.0.0.1/32 cert\n" + Files.readString(hba),
          StandardCharsets.UTF_8);
    }
    Files.writeString(
        data.resolve("postgresql.conf"),
        String.join("\n", conf) + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
  }

  private void write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  /** As root, the directory and its files go to the postgres user, who runs the server. */
  private static void giveToPostgres(Path directory) throws IOException {
    if (!isRoot()) {
      return;
    }
    UserPrincipalLookupService users = directory.getFileSystem().getUserPrincipalLookupService();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.setOwner(file, users.lookupPrincipalByName(SUPERUSER));
      }
    }
  }

  private void createUserAndDatabase() {
    executeIn(
        "postgres",
        "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'",
        "CREATE ROLE " + CERT_USER + " LOGIN",
        "CREATE DATABASE " + DATABASE + " OWNER " + USER);
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** Runs statements as the superuser in the test database (tables, roles, settings). */
  public void execute(String... statements) {
    executeIn(DATABASE, statements);
  }

  private void executeIn(String database, String... statements) {
    Properties props = new Properties();
    props.setProperty("user", SUPERUSER);
    props.setProperty("password", superPassword);
    props.setProperty("connectTimeout", "10");
    props.setProperty("sslmode", "disable");
    String url = "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    try (Connection connection = new org.postgresql.Driver().connect(url, props);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL on the local PostgreSQL failed: " + e.getMessage(), e);
    }
  }

  /** Starts the server (again) on its port and waits until it accepts connections. */
  public synchronized void start() {
    if (!running) {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "--pgdata=" + data,
              "--log=" + dir.resolve("server.log"),
              "--wait",
              "--timeout=60",
              "start"));
      running = true;
    }
  }

  /** Stops the server at once: new connections are then refused. */
  public synchronized void stop() {
    if (running) {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "--pgdata=" + data,
              "--mode=immediate",
              "--wait",
              "--timeout=60",
              "stop"));
      running = false;
    }
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (RuntimeException e) {
      // Shutting down anyway.
    }
  }

  /** Stops the server and deletes its directory. */
  @Override
  public synchronized void close() {
    stopQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: the hook runs or has run.
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // A temporary directory: left behind at worst.
    }
  }

  /** The server's log, for failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** Runs a PostgreSQL binary, as the postgres user when we are root. */
  private void run(List<String> command) {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
    }
    full.addAll(command);
    Path output = dir.resolve("command.log");
    try {
      Process process =
          new ProcessBuilder(full)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", full) + " did not finish in 90s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", full)
                + " exited with "
                + process.exitValue()
                + ":\n"
                + Files.readString(output)
                + "\n"
                + log());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + full, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + full, e);
    }
  }
}
