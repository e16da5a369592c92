package io.dihya.vigie.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A real DNS server on 127.0.0.1 for tests, on one ephemeral port for both UDP and TCP. It answers
 * from a table of records ({@link #add}), following CNAMEs within the table like a recursive
 * resolver would, and can instead answer NXDOMAIN, SERVFAIL, REFUSED, an empty NOERROR, a truncated
 * UDP answer (TC bit: the client should ask again over TCP), bytes that are not a DNS message, or
 * not at all. It counts the queries it got, per transport.
 */
public final class LoopbackDnsServer implements AutoCloseable {

  /** How the server answers every query. */
  public enum Mode {
    /** From the table: the matching records, NXDOMAIN when the name has none of any type. */
    RECORDS,
    /** NXDOMAIN, whatever the table holds. */
    NXDOMAIN,
    /** SERVFAIL. */
    SERVFAIL,
    /** REFUSED. */
    REFUSED,
    /** NOERROR with an empty answer section (NODATA). */
    EMPTY,
    /** Over UDP: an empty answer with the TC bit; over TCP: from the table. */
    TRUNCATE_UDP,
    /** Reads the query and sends nothing (for timeouts). */
    SILENT,
    /** Answers with three bytes that are not a DNS message. */
    GARBAGE
  }

  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final List<Record> records = new CopyOnWriteArrayList<>();
  private final List<Socket> connections = new CopyOnWriteArrayList<>();
  private final List<String> questions = new CopyOnWriteArrayList<>();
  private final AtomicInteger udpQueries = new AtomicInteger();
  private final AtomicInteger tcpQueries = new AtomicInteger();
  private final AtomicInteger tcpConnections = new AtomicInteger();
  private volatile Mode mode = Mode.RECORDS;
  private volatile boolean authoritative = true;

  private LoopbackDnsServer(DatagramSocket udp, ServerSocket tcp) {
    this.udp = udp;
    this.tcp = tcp;
  }

  /** Starts a server on a port free for both UDP and TCP on 127.0.0.1. */
  public static LoopbackDnsServer start() throws IOException {
    return start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
  }

  /** Starts a server on a port free for both UDP and TCP on {@code loopback} (e.g. ::1). */
  public static LoopbackDnsServer start(InetAddress loopback) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
      // Room for bursts of queries from many checks at once.
      udp.setReceiveBufferSize(4 * 1024 * 1024);
      try {
        ServerSocket tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        try {
          tcp.bind(new InetSocketAddress(loopback, udp.getLocalPort()), 50);
        } catch (IOException e) {
          tcp.close();
          throw e;
        }
        LoopbackDnsServer server = new LoopbackDnsServer(udp, tcp);
        server.startThreads();
        return server;
      } catch (BindException e) {
        // The TCP port of the same number is taken: try another UDP port.
        udp.close();
        last = e;
      }
    }
    throw last;
  }

  private void startThreads() {
    daemon("loopback-dns-udp", this::serveUdp);
    daemon("loopback-dns-tcp", this::acceptTcp);
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  public int port() {
    return udp.getLocalPort();
  }

  /**
   * Adds records in master file syntax with absolute names, e.g. {@code "shop.example.org. 300 IN A
   * 10.0.0.7"}.
   */
  public LoopbackDnsServer add(String... lines) {
    for (String line : lines) {
      try {
        String[] parts = line.trim().split("\\s+", 5);
        Name owner = Name.fromString(parts[0]);
        long ttl = Long.parseLong(parts[1]);
        int type = Type.value(parts[3]);
        records.add(Record.fromString(owner, type, DClass.IN, ttl, parts[4], Name.root));
      } catch (IOException e) {
        throw new IllegalArgumentException("not a record: " + line, e);
      }
    }
    return this;
  }

  /** Adds records built with dnsjava's classes. */
  public LoopbackDnsServer add(Record... more) {
    records.addAll(List.of(more));
    return this;
  }

  public void mode(Mode newMode) {
    this.mode = newMode;
  }

  /** Whether answers carry the AA flag (default true). */
  public void authoritative(boolean flag) {
    this.authoritative = flag;
  }

  public int udpQueries() {
    return udpQueries.get();
  }

  public int tcpQueries() {
    return tcpQueries.get();
  }

  public int queries() {
    return udpQueries() + tcpQueries();
  }

  public int tcpConnections() {
    return tcpConnections.get();
  }

  /** Each question asked, as "name TYPE", in arrival order. */
  public List<String> questions() {
    return questions;
  }

  private void serveUdp() {
    byte[] buffer = new byte[65535];
    while (!udp.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        udp.receive(packet);
        udpQueries.incrementAndGet();
        byte[] answer = answer(packet.getData(), packet.getLength(), false);
        if (answer != null) {
          udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
        }
      } catch (IOException e) {
        // closed, or a datagram we could not read: next one
      }
    }
  }

  private void acceptTcp() {
    while (!tcp.isClosed()) {
      try {
        Socket socket = tcp.accept();
        tcpConnections.incrementAndGet();
        connections.add(socket);
        daemon("loopback-dns-tcp-connection", () -> serveTcp(socket));
      } catch (IOException e) {
        // closed
      }
    }
  }

  /** Answers each length-prefixed query of one connection (clients may send several). */
  private void serveTcp(Socket socket) {
    try (socket;
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream()) {
      DataInputStream data = new DataInputStream(in);
      DataOutputStream replies = new DataOutputStream(out);
      while (true) {
        int length = data.readUnsignedShort();
        byte[] query = new byte[length];
        data.readFully(query);
        tcpQueries.incrementAndGet();
        byte[] answer = answer(query, length, true);
        if (answer != null) {
          replies.writeShort(answer.length);
          replies.write(answer);
          replies.flush();
        }
      }
    } catch (EOFException | SocketException e) {
      // the client closed the connection, or we were closed
    } catch (IOException e) {
      // a broken connection: nothing to answer
    } finally {
      connections.remove(socket);
    }
  }

  private byte[] answer(byte[] wire, int length, boolean overTcp) throws IOException {
    Message query = new Message(java.util.Arrays.copyOf(wire, length));
    Record question = query.getQuestion();
    questions.add(question.getName() + " " + Type.string(question.getType()));
    Mode now = mode;
    if (now == Mode.SILENT) {
      return null;
    }
    if (now == Mode.GARBAGE) {
      return new byte[] {1, 2, 3};
    }
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setFlag(Flags.RA);
    if (query.getHeader().getFlag(Flags.RD)) {
      response.getHeader().setFlag(Flags.RD);
    }
    if (authoritative) {
      response.getHeader().setFlag(Flags.AA);
    }
    response.addRecord(question, Section.QUESTION);
    switch (now) {
      case NXDOMAIN -> response.getHeader().setRcode(Rcode.NXDOMAIN);
      case SERVFAIL -> response.getHeader().setRcode(Rcode.SERVFAIL);
      case REFUSED -> response.getHeader().setRcode(Rcode.REFUSED);
      case EMPTY -> {}
      case TRUNCATE_UDP -> {
        if (overTcp) {
          fromTable(question, response);
        } else {
          response.getHeader().setFlag(Flags.TC);
        }
      }
      default -> fromTable(question, response);
    }
    return response.toWire(overTcp ? 65535 : 65507);
  }

  /** The records of the question's name and type, following CNAMEs of the table. */
  private void fromTable(Record question, Message response) {
    Name name = question.getName();
    int type = question.getType();
    Set<Name> seen = new HashSet<>();
    boolean known = false;
    while (seen.add(name)) {
      List<Record> matching = new ArrayList<>();
      CNAMERecord alias = null;
      for (Record r : records) {
        if (!r.getName().equals(name)) {
          continue;
        }
        known = true;
        if (r.getType() == type) {
          matching.add(r);
        } else if (r instanceof CNAMERecord c) {
          alias = c;
        }
      }
      if (!matching.isEmpty() || alias == null) {
        matching.forEach(r -> response.addRecord(r, Section.ANSWER));
        break;
      }
      response.addRecord(alias, Section.ANSWER);
      name = alias.getTarget();
    }
    if (!known) {
      response.getHeader().setRcode(Rcode.NXDOMAIN);
    }
  }

  /** A name for tests, absolute. */
  public static Name name(String text) {
    try {
      return Name.fromString(text, Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Closes the open TCP connections, as a server does with idle ones. */
  public void closeConnections() {
    for (Socket socket : connections) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing a test server's connection
      }
    }
  }

  @Override
  public void close() {
    udp.close();
    try {
      tcp.close();
    } catch (IOException e) {
      // closing a test server
    }
    closeConnections();
  }
}
