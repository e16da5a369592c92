package io.dihya.vigie.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's target: Debian's nginx on loopback, with an access log of every request (time
 * with milliseconds, path, status). {@code /p/*} and {@code /bb/*} answer 200; {@code /down/*}
 * answers 503 while {@link #fail(boolean)} says so (a flag file nginx tests on every request).
 */
final class Nginx implements AutoCloseable {

  /** One logged request. */
  record Hit(long atMillis, String path, int status) {}

  private final Process process;
  private final Path dir;
  private final int port;

  private Nginx(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  static Nginx start(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(
        conf,
        """
        worker_processes 1;
        daemon off;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 16384; }
        http {
          default_type text/plain;
          log_format bench '$msec $uri $status';
          access_log %1$s/access.log bench buffer=256k flush=1s;
          keepalive_requests 1000000;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          server {
            listen 127.0.0.1:%2$d backlog=8192;
            location /p/ { return 200 "ok\\n"; }
            location /bb/ { return 200 "ok\\n"; }
            location /down/ {
              if (-f %1$s/down) { return 503 "down\\n"; }
              return 200 "ok\\n";
            }
          }
        }
        """
            .formatted(dir, port));
    Files.deleteIfExists(dir.resolve("down"));
    Files.deleteIfExists(dir.resolve("access.log"));
    Process process =
        new ProcessBuilder("nginx", "-c", conf.toString(), "-p", dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nginx.out").toFile())
            .start();
    Nginx nginx = new Nginx(process, dir, port);
    for (int i = 0; i < 100; i++) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        return nginx;
      } catch (IOException e) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "nginx exited: " + Files.readString(dir.resolve("nginx.out")));
        }
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("nginx did not listen on " + port);
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  long pid() {
    return process.pid();
  }

  /** Every child process (the worker) too: nginx' CPU is its master's and worker's. */
  List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    pids.add(process.pid());
    process.descendants().forEach(p -> pids.add(p.pid()));
    return pids;
  }

  void fail(boolean down) throws IOException {
    if (down) {
      Files.writeString(dir.resolve("down"), "");
    } else {
      Files.deleteIfExists(dir.resolve("down"));
    }
  }

  /** The requests logged so far (the log is flushed every second). */
  List<Hit> hits() throws IOException {
    List<Hit> hits = new ArrayList<>();
    Path log = dir.resolve("access.log");
    if (!Files.exists(log)) {
      return hits;
    }
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      if (f.length == 3) {
        long at = Math.round(Double.parseDouble(f[0]) * 1000);
        hits.add(new Hit(at, f[1], Integer.parseInt(f[2])));
      }
    }
    return hits;
  }

  /**
   * The latency of a plain request on a new connection, as a client with no framework would see it
   * (connect, write, read to the end): the floor vigie's check latency is compared with.
   */
  long[] rawLatencyMicros(int requests) throws IOException {
    long[] micros = new long[requests];
    byte[] request =
        ("GET /p/raw HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < requests; i++) {
      long start = System.nanoTime();
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.getOutputStream().write(request);
        socket.getInputStream().readAllBytes();
      }
      micros[i] = (System.nanoTime() - start) / 1000;
    }
    java.util.Arrays.sort(micros);
    return micros;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
