package io.dihya.vigie.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real IPFS node on 127.0.0.1 for a test class: js-ipfs ({@code jsipfs daemon}, from the npm
 * package {@code ipfs}), which serves the same RPC API as Kubo (/api/v0/add, cat, pin/ls). Offline:
 * no swarm listeners, no bootstrap peers, no discovery, no preload, a temporary repository, the API
 * on a free port.
 *
 * <p>js-ipfs is looked for at {@code $VIGIE_JSIPFS}, else {@code
 * ~/.cache/vigie/ipfs/node_modules/.bin/jsipfs} (where .ci/run installs it with {@code npm install
 * --prefix ~/.cache/vigie/ipfs ipfs@0.66.1}). Without it the calling test class is skipped, unless
 * the environment variable CI is {@code true}: there it fails, naming the package.
 *
 * <p>js-ipfs 0.66 is the last release (the project moved to Helia) and npm resolves some of its
 * dependencies to versions that call {@code Promise.withResolvers}, which Node 22 has and Node 20
 * lacks: the node is started with a four-line polyfill for it.
 */
public final class LocalIpfs implements AutoCloseable {

  static final String INSTALL = "npm install --prefix ~/.cache/vigie/ipfs ipfs@0.66.1";

  private static final String POLYFILL =
      """
      if (typeof Promise.withResolvers !== 'function') {
        Promise.withResolvers = function () {
          let resolve, reject;
          const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
          return { promise, resolve, reject };
        };
      }
      """;

  private final Path binary;
  private final Path dir;
  private final int port;
  private final Thread shutdownHook;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;

  private LocalIpfs(Path binary, Path dir, int port) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.shutdownHook = new Thread(this::stop, "local-ipfs-stop");
  }

  /** Where js-ipfs is, or null. */
  static Path binary() {
    String configured = System.getenv("VIGIE_JSIPFS");
    Path path =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of(
                System.getProperty("user.home"), ".cache/vigie/ipfs/node_modules/.bin/jsipfs");
    return Files.isExecutable(path) ? path : null;
  }

  /** Starts an offline node with a new repository. */
  public static LocalIpfs launch() {
    Path binary = binary();
    if (binary == null) {
      LocalPostgres.missing(
          "js-ipfs is not installed (no ~/.cache/vigie/ipfs/node_modules/.bin/jsipfs): install the"
              + " npm package with "
              + INSTALL);
    }
    try {
      Path dir = Files.createTempDirectory("vigie-ipfs");
      LocalIpfs node = new LocalIpfs(binary, dir, LocalPostgres.freePort());
      Files.writeString(dir.resolve("polyfill.cjs"), POLYFILL, StandardCharsets.UTF_8);
      Files.writeString(
          dir.resolve("init.json"),
          """
          {"Addresses": {"Swarm": [], "Announce": [], "NoAnnounce": [], "Delegates": [],
                         "API": "/ip4/127.0.0.1/tcp/%d", "Gateway": "", "RPC": ""},
           "Bootstrap": [],
           "Discovery": {"MDNS": {"Enabled": false, "Interval": 10},
                         "webRTCStar": {"Enabled": false}},
           "Pubsub": {"Enabled": false},
           "Swarm": {"DisableNatPortMap": true}}
          """
              .formatted(node.port),
          StandardCharsets.UTF_8);
      Runtime.getRuntime().addShutdownHook(node.shutdownHook);
      node.start();
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start js-ipfs", e);
    }
  }

  /** The RPC API's base URL, e.g. http://127.0.0.1:40123. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** The bytes of a CID, read back through POST /api/v0/cat. */
  public byte[] cat(String cid) {
    HttpResponse<byte[]> response = rpc("/api/v0/cat?arg=" + encode(cid));
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "cat " + cid + ": HTTP " + response.statusCode() + " " + text(response));
    }
    return response.body();
  }

  /** Whether the node pins the CID recursively (POST /api/v0/pin/ls). */
  public boolean pinned(String cid) {
    HttpResponse<byte[]> response = rpc("/api/v0/pin/ls?type=recursive&arg=" + encode(cid));
    return response.statusCode() == 200 && text(response).contains("\"" + cid + "\"");
  }

  /** POST of an RPC API path (the RPC API takes POST only), the answer whole. */
  public HttpResponse<byte[]> rpc(String pathAndQuery) {
    try {
      return client.send(
          HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
              .timeout(Duration.ofSeconds(10))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("POST " + pathAndQuery, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /**
   * Starts the daemon (again) on its port and waits until /api/v0/version answers. The first start
   * creates the repository from init.json.
   */
  public synchronized void start() {
    if (process != null) {
      return;
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                binary.toString(),
                "daemon",
                "--init-config",
                dir.resolve("init.json").toString(),
                "--offline",
                "--enable-preload=false")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.log").toFile()));
    builder.environment().put("IPFS_PATH", dir.resolve("repo").toString());
    builder.environment().put("NODE_OPTIONS", "--require " + dir.resolve("polyfill.cjs"));
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        process = null;
        throw new IllegalStateException("jsipfs daemon exited:\n" + log());
      }
      try {
        if (rpc("/api/v0/version").statusCode() == 200) {
          return;
        }
      } catch (RuntimeException e) {
        // Not listening yet.
      }
      sleep();
    }
    stop();
    throw new IllegalStateException("jsipfs daemon did not answer within 60s:\n" + log());
  }

  private static void sleep() {
    ServerProcesses.pause(100);
  }

  /** Stops the daemon: new connections are then refused. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    ServerProcesses.stop(process);
    process = null;
  }

  /** The daemon's output, for failure messages. */
  public String log() {
    return ServerProcesses.log(dir.resolve("daemon.log"));
  }

  /** Stops the daemon and deletes its repository. */
  @Override
  public synchronized void close() {
    stop();
    ServerProcesses.cleanUp(shutdownHook, dir);
  }
}
