package io.dihya.vigie.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * Hostile targets on 127.0.0.1 for fault-injection tests: servers that accept and never answer,
 * answer a byte at a time forever, send a gigabyte, or close or reset at once. They speak no
 * protocol: each endpoint sends a fixed script (a prelude, then a filler repeated), which is enough
 * to look like the start of an HTTP response, a TLS record or a RESP line.
 *
 * <p>Every plain TCP and UDP endpoint is served by one NIO thread ("hostile-servers"), so that ten
 * thousand connections cost no thread; the bytes come from the script, never from a buffer of the
 * size announced. TLS endpoints ({@link #listenTls}) need a handshake first and use a thread per
 * connection ("hostile-tls-N"), ended when the client goes.
 *
 * <p>Each endpoint counts its connections and the bytes it sent on each, so that a test can show
 * that a client stopped reading a flood (and closed the connection) rather than downloading it.
 */
public final class HostileServers implements AutoCloseable {

  /** The pause between two bytes of a trickle. */
  public static final long TRICKLE_MILLIS = 60;

  /** What a flood sends after its prelude before it gives up: 1 GiB. */
  public static final long FLOOD_BYTES = 1L << 30;

  /** The most bytes of one write. */
  private static final int BLOCK = 64 * 1024;

  /** What an endpoint does with each connection (or datagram). */
  public enum Behaviour {
    /**
     * Accepts and never writes a byte. It reads what the client sends and drops it, only to notice
     * when the client closes (its socket is then closed too).
     */
    SILENT,
    /**
     * Sends the prelude at once, then the filler one byte every {@link #TRICKLE_MILLIS}, forever.
     */
    TRICKLE,
    /**
     * Sends the prelude, then the filler as fast as the client takes it, {@link #FLOOD_BYTES} in
     * all, then closes. UDP: answers each datagram with the prelude and the filler, 60,000 bytes.
     */
    FLOOD,
    /** Accepts and closes at once (FIN). */
    CLOSE,
    /** Accepts and resets at once (RST, SO_LINGER 0). */
    RESET
  }

  /** A listening endpoint: its port and what it saw. */
  public static final class Endpoint {
    private final Behaviour behaviour;
    private final byte[] prelude;
    private final byte[] filler;
    private final boolean afterRequest;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong maxSent = new AtomicLong();
    private final AtomicLong totalSent = new AtomicLong();
    private volatile int port;

    /** The filler repeated, a block longer than a write by one filler at least. */
    private final byte[] tiled;

    private Endpoint(Behaviour behaviour, byte[] prelude, byte[] filler, boolean afterRequest) {
      if (filler.length == 0 && (behaviour == Behaviour.TRICKLE || behaviour == Behaviour.FLOOD)) {
        throw new IllegalArgumentException("a trickle or a flood needs a filler");
      }
      this.behaviour = behaviour;
      this.afterRequest = afterRequest;
      this.prelude = prelude.clone();
      this.filler = filler.clone();
      this.tiled = new byte[filler.length == 0 ? 0 : BLOCK + filler.length];
      for (int i = 0; i < tiled.length; i++) {
        tiled[i] = filler[i % filler.length];
      }
    }

    public int port() {
      return port;
    }

    public Behaviour behaviour() {
      return behaviour;
    }

    /** Connections (or datagrams) received. */
    public int accepted() {
      return accepted.get();
    }

    /** Connections still open on the server's side. */
    public int open() {
      return open.get();
    }

    /** The most bytes sent on one connection that has ended. */
    public long maxBytesSent() {
      return maxSent.get();
    }

    /** Bytes sent on every connection, ended or not. */
    public long bytesSent() {
      return totalSent.get();
    }

    /** The script byte at {@code position}: the prelude, then the filler repeated. */
    private byte at(long position) {
      return position < prelude.length
          ? prelude[(int) position]
          : filler[(int) ((position - prelude.length) % filler.length)];
    }

    /** Fills {@code into} (at most {@link #BLOCK} bytes) with the script from {@code position}. */
    private void fill(ByteBuffer into, long position, long end) {
      into.clear();
      int size = (int) Math.min(end - position, Math.min(into.capacity(), BLOCK));
      int fromPrelude = (int) Math.max(0, Math.min(size, prelude.length - position));
      if (fromPrelude > 0) {
        into.put(prelude, (int) position, fromPrelude);
      }
      if (size > fromPrelude) {
        long inFiller = position + fromPrelude - prelude.length;
        into.put(tiled, (int) (inFiller % filler.length), size - fromPrelude);
      }
      into.flip();
    }

    private void ended(long sent) {
      open.decrementAndGet();
      maxSent.accumulateAndGet(sent, Math::max);
    }
  }

  /** One accepted connection of a plain endpoint: where it is in its script. */
  private static final class Connection {
    final SocketChannel channel;
    final Endpoint endpoint;
    long position;
    boolean ended;
    boolean waiting;

    Connection(SocketChannel channel, Endpoint endpoint) {
      this.channel = channel;
      this.endpoint = endpoint;
    }
  }

  private static final AtomicInteger TLS_THREADS = new AtomicInteger();

  private final Selector selector;
  private final Thread loop;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final List<Connection> trickling = new ArrayList<>();
  private final List<AutoCloseable> listeners = new CopyOnWriteArrayList<>();
  private final ByteBuffer out = ByteBuffer.allocateDirect(BLOCK);
  private final ByteBuffer discard = ByteBuffer.allocateDirect(BLOCK);
  private volatile boolean closed;

  private HostileServers() throws IOException {
    selector = Selector.open();
    loop = new Thread(this::serve, "hostile-servers");
    loop.setDaemon(true);
  }

  /** Starts the servers' thread; endpoints are added with {@link #listen} and the like. */
  public static HostileServers start() throws IOException {
    HostileServers servers = new HostileServers();
    servers.loop.start();
    return servers;
  }

  /** A TCP endpoint on 127.0.0.1 with no script (for SILENT, CLOSE, RESET). */
  public Endpoint listen(Behaviour behaviour) throws IOException {
    return listen(behaviour, new byte[0], new byte[0]);
  }

  /** A TCP endpoint on 127.0.0.1 that sends {@code prelude} then {@code filler}, as it behaves. */
  public Endpoint listen(Behaviour behaviour, byte[] prelude, byte[] filler) throws IOException {
    return listen(behaviour, prelude, filler, false);
  }

  /**
   * As {@link #listen(Behaviour, byte[], byte[])}, but a TRICKLE or FLOOD starts only once the
   * client sent something (its request), as an HTTP server answers: an HTTP client may take an
   * answer that comes before its request for a protocol error.
   */
  public Endpoint listenHttp(Behaviour behaviour, byte[] prelude, byte[] filler)
      throws IOException {
    return listen(behaviour, prelude, filler, true);
  }

  private Endpoint listen(Behaviour behaviour, byte[] prelude, byte[] filler, boolean afterRequest)
      throws IOException {
    Endpoint endpoint = new Endpoint(behaviour, prelude, filler, afterRequest);
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
    server.configureBlocking(false);
    endpoint.port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    listeners.add(server);
    register(server, SelectionKey.OP_ACCEPT, endpoint);
    return endpoint;
  }

  /** A UDP endpoint on 127.0.0.1: SILENT (drops every datagram) or FLOOD (answers garbage). */
  public Endpoint listenUdp(Behaviour behaviour, byte[] prelude, byte[] filler) throws IOException {
    if (behaviour != Behaviour.SILENT && behaviour != Behaviour.FLOOD) {
      throw new IllegalArgumentException("UDP has no connection to trickle on, close or reset");
    }
    Endpoint endpoint = new Endpoint(behaviour, prelude, filler, false);
    DatagramChannel udp = DatagramChannel.open();
    udp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    udp.configureBlocking(false);
    endpoint.port = ((InetSocketAddress) udp.getLocalAddress()).getPort();
    listeners.add(udp);
    register(udp, SelectionKey.OP_READ, endpoint);
    return endpoint;
  }

  /**
   * A TLS endpoint on 127.0.0.1: it completes the handshake with {@code context}, then behaves as
   * {@code behaviour} on the decrypted stream (a thread per connection).
   */
  public Endpoint listenTls(SSLContext context, Behaviour behaviour, byte[] prelude, byte[] filler)
      throws IOException {
    return listenTls(context, behaviour, prelude, filler, false);
  }

  /** As {@link #listenTls}, starting its script once the client sent its request (https). */
  public Endpoint listenHttps(
      SSLContext context, Behaviour behaviour, byte[] prelude, byte[] filler) throws IOException {
    return listenTls(context, behaviour, prelude, filler, true);
  }

  private Endpoint listenTls(
      SSLContext context, Behaviour behaviour, byte[] prelude, byte[] filler, boolean afterRequest)
      throws IOException {
    Endpoint endpoint = new Endpoint(behaviour, prelude, filler, afterRequest);
    SSLServerSocket server =
        (SSLServerSocket)
            context
                .getServerSocketFactory()
                .createServerSocket(0, 1024, InetAddress.getLoopbackAddress());
    endpoint.port = server.getLocalPort();
    listeners.add(server);
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  SSLSocket socket = (SSLSocket) server.accept();
                  endpoint.accepted.incrementAndGet();
                  endpoint.open.incrementAndGet();
                  Thread t =
                      new Thread(
                          () -> serveTls(socket, endpoint),
                          "hostile-tls-" + TLS_THREADS.incrementAndGet());
                  t.setDaemon(true);
                  t.start();
                } catch (IOException e) {
                  // closed
                }
              }
            },
            "hostile-tls-acceptor-" + endpoint.port);
    acceptor.setDaemon(true);
    acceptor.start();
    return endpoint;
  }

  private static void serveTls(SSLSocket socket, Endpoint endpoint) {
    long sent = 0;
    try (socket) {
      switch (endpoint.behaviour) {
        case CLOSE -> {
          return;
        }
        case RESET -> {
          socket.setSoLinger(true, 0);
          return;
        }
        default -> {
          socket.startHandshake();
          if (endpoint.afterRequest && socket.getInputStream().read(new byte[4096]) < 0) {
            return;
          }
        }
      }
      OutputStream output = socket.getOutputStream();
      switch (endpoint.behaviour) {
        case SILENT -> drain(socket.getInputStream());
        case TRICKLE -> {
          output.write(endpoint.prelude);
          output.flush();
          sent += endpoint.prelude.length;
          endpoint.totalSent.addAndGet(endpoint.prelude.length);
          for (long p = endpoint.prelude.length; ; p++) {
            Thread.sleep(TRICKLE_MILLIS);
            output.write(endpoint.at(p));
            output.flush();
            sent++;
            endpoint.totalSent.incrementAndGet();
          }
        }
        default -> {
          ByteBuffer block = ByteBuffer.allocate(BLOCK);
          long end = endpoint.prelude.length + FLOOD_BYTES;
          for (long p = 0; p < end; p += block.limit()) {
            endpoint.fill(block, p, end);
            output.write(block.array(), 0, block.limit());
            sent += block.limit();
            endpoint.totalSent.addAndGet(block.limit());
          }
        }
      }
    } catch (IOException e) {
      // The client went: what the test wants to see.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      endpoint.ended(sent);
    }
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[4096];
    while (in.read(buffer) != -1) {
      // dropped
    }
  }

  private void register(java.nio.channels.SelectableChannel channel, int ops, Endpoint endpoint)
      throws IOException {
    CompletableFuture<Void> registered = new CompletableFuture<>();
    tasks.add(
        () -> {
          try {
            channel.register(selector, ops, endpoint);
            registered.complete(null);
          } catch (IOException e) {
            registered.completeExceptionally(e);
          }
        });
    selector.wakeup();
    try {
      registered.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("the hostile servers' thread did not register the endpoint", e);
    }
  }

  private void serve() {
    long nextTick = System.nanoTime();
    try {
      while (!closed) {
        long wait = TimeUnit.NANOSECONDS.toMillis(nextTick - System.nanoTime());
        if (wait > 0) {
          selector.select(wait);
        } else {
          selector.selectNow();
        }
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
          task.run();
        }
        for (SelectionKey key : selector.selectedKeys()) {
          handle(key);
        }
        selector.selectedKeys().clear();
        if (System.nanoTime() - nextTick >= 0) {
          trickle();
          nextTick = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TRICKLE_MILLIS);
        }
      }
    } catch (IOException | ClosedSelectorException e) {
      // closed
    }
  }

  private void handle(SelectionKey key) {
    if (!key.isValid()) {
      return;
    }
    if (key.channel() instanceof ServerSocketChannel server) {
      accept(server, (Endpoint) key.attachment());
      return;
    }
    if (key.channel() instanceof DatagramChannel udp) {
      answer(udp, (Endpoint) key.attachment());
      return;
    }
    Connection connection = (Connection) key.attachment();
    try {
      if (key.isReadable()) {
        discard.clear();
        int read = connection.channel.read(discard);
        if (read < 0) {
          end(connection);
          return;
        }
        if (read > 0 && connection.waiting) {
          connection.waiting = false;
          start(connection, key);
          return;
        }
      }
      if (key.isWritable()) {
        flood(connection);
      }
    } catch (IOException e) {
      end(connection);
    }
  }

  private void accept(ServerSocketChannel server, Endpoint endpoint) {
    try {
      for (SocketChannel channel = server.accept(); channel != null; channel = server.accept()) {
        endpoint.accepted.incrementAndGet();
        switch (endpoint.behaviour) {
          case CLOSE -> channel.close();
          case RESET -> {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            channel.close();
          }
          default -> {
            endpoint.open.incrementAndGet();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Connection connection = new Connection(channel, endpoint);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ, connection);
            if (endpoint.afterRequest) {
              connection.waiting = true;
            } else {
              start(connection, key);
            }
          }
        }
      }
    } catch (IOException e) {
      // a connection gone before it was served, or the server closed
    }
  }

  /** Starts the script of a connection: a flood's writes, or a trickle's prelude. */
  private void start(Connection connection, SelectionKey key) throws IOException {
    Endpoint endpoint = connection.endpoint;
    if (endpoint.behaviour == Behaviour.FLOOD) {
      // Little in flight: what the client reads is what it asked for, not a buffer's worth.
      connection.channel.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
      key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    } else if (endpoint.behaviour == Behaviour.TRICKLE) {
      endpoint.fill(out, 0, endpoint.prelude.length);
      int written = connection.channel.write(out);
      connection.position += written;
      endpoint.totalSent.addAndGet(written);
      trickling.add(connection);
    }
  }

  private void flood(Connection connection) throws IOException {
    long end = connection.endpoint.prelude.length + FLOOD_BYTES;
    if (connection.position >= end) {
      end(connection);
      return;
    }
    connection.endpoint.fill(out, connection.position, end);
    int written = connection.channel.write(out);
    connection.position += written;
    connection.endpoint.totalSent.addAndGet(written);
  }

  private void trickle() {
    for (Connection connection : new ArrayList<>(trickling)) {
      out.clear();
      out.put(connection.endpoint.at(connection.position)).flip();
      try {
        int written = connection.channel.write(out);
        connection.position += written;
        connection.endpoint.totalSent.addAndGet(written);
      } catch (IOException e) {
        end(connection);
      }
    }
  }

  private void answer(DatagramChannel udp, Endpoint endpoint) {
    try {
      discard.clear();
      for (SocketAddress from = udp.receive(discard); from != null; from = udp.receive(discard)) {
        endpoint.accepted.incrementAndGet();
        if (endpoint.behaviour == Behaviour.FLOOD) {
          endpoint.fill(out, 0, 60_000);
          endpoint.totalSent.addAndGet(udp.send(out, from));
        }
        discard.clear();
      }
    } catch (IOException e) {
      // a datagram refused on its way back: the client has gone
    }
  }

  private void end(Connection connection) {
    if (connection.ended) {
      return;
    }
    connection.ended = true;
    trickling.remove(connection);
    try {
      connection.channel.close();
    } catch (IOException e) {
      // closing anyway
    }
    connection.endpoint.ended(connection.position);
  }

  @Override
  public void close() {
    closed = true;
    selector.wakeup();
    try {
      loop.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SelectionKey key : selector.keys()) {
      try {
        key.channel().close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    for (AutoCloseable listener : listeners) {
      try {
        listener.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    try {
      selector.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
