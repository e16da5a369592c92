package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.DnsCheck;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;
import org.xbill.DNS.io.IoClientFactory;

/**
 * A DNS check: one query with dnsjava's asynchronous resolver, which multiplexes every query of the
 * process on its one NIO selector thread, so no thread waits for an answer. A UDP answer with the
 * TC bit is asked again over TCP (by dnsjava).
 *
 * <p>The name is absolute: a missing trailing dot is added and no search list or ndots rule of
 * resolv.conf is applied, so {@code db.shop.svc.cluster.local} is asked as it is written, and
 * {@code db} is the top-level name {@code db.}.
 *
 * <p>Without {@code server} the check asks the resolvers of the operator's pod (resolv.conf, read
 * once by dnsjava's ResolverConfig), one after the other within the timeout. A server given as a
 * host name is resolved by the JDK (which caches) on the factory's pool at each run, since the JDK
 * resolver blocks; its first address is asked. A server of the spec, name or address, must be
 * allowed by the {@link TargetPolicy} (TargetForbidden otherwise); the pod's resolvers are not
 * judged, since the spec does not choose them.
 *
 * <p>The resolver is built once, in {@link #create} (for a server given as a host name: once per
 * address the name resolves to), and only its timeout is set at run time, to the run's timeout, so
 * that dnsjava forgets an unanswered query when the check gives up on it. There is nothing to
 * close: dnsjava opens a UDP socket per query, and a TCP query has a connection of its own ({@link
 * DnsTcpClient}, not dnsjava's pool), closed once answered or out of time.
 *
 * <p>Reasons: Succeeded; NxDomain; DnsFailure for any other rcode than NOERROR, an answer dnsjava
 * cannot parse (or that is not for the query) and a server host name that does not resolve;
 * UnexpectedAnswer when NOERROR holds no record of the type or lacks an expected value; Timeout;
 * ConnectionRefused (TCP refused, or UDP port unreachable) and ConnectionFailed from {@link
 * Failures}.
 */
final class DnsProbeCheck implements Check {

  private static final String FIELD = "spec.dns";

  /** CNAME hops followed in an answer before giving up on the chain. */
  private static final int MAX_CNAME_HOPS = 16;

  /** Missing expected values listed in a message, and the characters shown of each. */
  private static final int MAX_LISTED = 3;

  private static final int MAX_SHOWN_CHARS = 64;

  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Pattern FIELDS = Pattern.compile("\\s+");

  private final Name name;
  private final DnsCheck.RecordType recordType;
  private final int type;
  private final String target;
  private final List<Expected> expected;
  private final Resolvers resolvers;
  private final Executor callbacks;

  private DnsProbeCheck(
      Name name,
      DnsCheck.RecordType recordType,
      String target,
      List<Expected> expected,
      Resolvers resolvers,
      Executor callbacks) {
    this.name = name;
    this.recordType = recordType;
    this.type = Type.value(recordType.name());
    this.target = target;
    this.expected = expected;
    this.resolvers = resolvers;
    this.callbacks = callbacks;
  }

  /**
   * Builds the check of a spec's dns block.
   *
   * @param executor the factory's pool, to resolve a server given as a host name
   * @param callbacks where the check's future completes
   * @throws IllegalArgumentException with a field-naming message for anything it cannot build
   */
  static Check create(DnsCheck spec, Executor executor, Executor callbacks) {
    return create(
        spec, TargetPolicy.defaults(), executor, callbacks, (List<InetSocketAddress>) null);
  }

  /** As {@link #create(DnsCheck, Executor, Executor)}, the server judged by {@code policy}. */
  static Check create(DnsCheck spec, TargetPolicy policy, Executor executor, Executor callbacks) {
    return create(spec, policy, executor, callbacks, (List<InetSocketAddress>) null);
  }

  /**
   * As {@link #create(DnsCheck, TargetPolicy, Executor, Executor)}, its TCP queries on channels of
   * {@code tcpGroup} (the factory's).
   */
  static Check create(
      DnsCheck spec,
      TargetPolicy policy,
      Executor executor,
      Executor callbacks,
      AsynchronousChannelGroup tcpGroup) {
    return create(spec, policy, executor, callbacks, null, new DnsTcpClient(tcpGroup).factory());
  }

  /**
   * As {@link #create(DnsCheck, Executor, Executor)}, with the pod's resolvers given (for tests);
   * null reads them from resolv.conf through dnsjava's ResolverConfig.
   */
  static Check create(
      DnsCheck spec, Executor executor, Executor callbacks, List<InetSocketAddress> podResolvers) {
    return create(spec, TargetPolicy.defaults(), executor, callbacks, podResolvers);
  }

  /** As below, TCP queries on channels of the JVM's default group. */
  static Check create(
      DnsCheck spec,
      TargetPolicy policy,
      Executor executor,
      Executor callbacks,
      List<InetSocketAddress> podResolvers) {
    return create(spec, policy, executor, callbacks, podResolvers, DefaultTcp.CLIENTS);
  }

  /** Built on first use: the JVM's default channel group starts threads of its own. */
  private static final class DefaultTcp {
    static final IoClientFactory CLIENTS = new DnsTcpClient(null).factory();
  }

  /**
   * The check; a {@code server} of the spec is judged by {@code policy} at every run (the pod's own
   * resolvers are not: the spec does not choose them). Its queries go through {@code ioClients}.
   */
  static Check create(
      DnsCheck spec,
      TargetPolicy policy,
      Executor executor,
      Executor callbacks,
      List<InetSocketAddress> podResolvers,
      IoClientFactory ioClients) {
    Name name = absoluteName(spec.name, FIELD + ".name");
    DnsCheck.RecordType recordType =
        spec.recordType == null ? DnsCheck.RecordType.A : spec.recordType;
    int port = spec.port == null ? SimpleResolver.DEFAULT_PORT : spec.port;
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(FIELD + ".port: must be 1 to 65535");
    }
    boolean tcp = spec.transport == DnsCheck.Transport.tcp;
    List<Expected> expected = expectations(spec.expect, recordType);
    String server = spec.server == null ? "" : spec.server.trim();
    String shownName = name.toString(true);
    Resolvers resolvers;
    String target = "dns " + recordType + " " + shownName;
    if (server.isEmpty()) {
      if (port != SimpleResolver.DEFAULT_PORT) {
        throw new IllegalArgumentException(
            FIELD
                + ".port: applies only with "
                + FIELD
                + ".server (the pod's resolvers are asked on their own port)");
      }
      List<InetSocketAddress> servers =
          podResolvers != null ? podResolvers : ResolverConfig.getCurrentConfig().servers();
      resolvers = Resolvers.pod(servers, tcp, ioClients);
    } else {
      String host =
          server.startsWith("[") && server.endsWith("]")
              ? server.substring(1, server.length() - 1)
              : server;
      InetAddress literal = literal(host);
      if (literal != null) {
        resolvers =
            Resolvers.fixed(
                simple(new InetSocketAddress(literal, port), tcp, ioClients), host, policy);
      } else if (hostNameProblem(host) == null) {
        resolvers = Resolvers.byHostName(host, port, tcp, policy, executor, ioClients);
      } else {
        throw new IllegalArgumentException(
            FIELD
                + ".server: not an IP address or a host name"
                + (host.contains(":") ? " (the port goes in " + FIELD + ".port)" : ""));
      }
      target += " @" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
    return new DnsProbeCheck(name, recordType, target, expected, resolvers, callbacks);
  }

  @Override
  public CompletableFuture<CheckResult> run(Duration timeout) {
    long start = System.nanoTime();
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.completedFuture(
          CheckResult.failure(Reasons.INVALID_SPEC, "the timeout must be positive", 0));
    }
    CompletableFuture<Message> answer;
    try {
      Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
      answer =
          resolvers.forRun(timeout).thenCompose(resolver -> resolver.sendAsync(query, callbacks));
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handleAsync(
            (response, error) -> {
              try {
                return error == null ? evaluate(response, start) : failure(error, timeout, start);
              } catch (RuntimeException e) {
                return failure(e, timeout, start);
              }
            },
            callbacks);
  }

  /** The verdict on an answer, with the {@code result.dns} variables. */
  private CheckResult evaluate(Message response, long start) {
    int rcode = response.getRcode();
    List<Record> section = response.getSection(Section.ANSWER);
    List<Name> cnames = type == Type.CNAME ? List.of() : cnameChain(section);
    Set<Name> owners = new HashSet<>(cnames);
    owners.add(name);
    List<Record> found = new ArrayList<>();
    for (Record r : section) {
      if (r.getType() == type && owners.contains(r.getName())) {
        found.add(r);
      }
    }
    CheckResult result;
    if (rcode == Rcode.NXDOMAIN) {
      result = fail(Reasons.NX_DOMAIN, "no such name (NXDOMAIN)", start);
    } else if (rcode != Rcode.NOERROR) {
      result = fail(Reasons.DNS_FAILURE, "the server answered " + Rcode.string(rcode), start);
    } else if (found.isEmpty()) {
      result =
          fail(
              Reasons.UNEXPECTED_ANSWER,
              "no " + recordType + " record in the answer (NOERROR)",
              start);
    } else {
      List<String> missing = new ArrayList<>();
      for (Expected e : expected) {
        if (found.stream().noneMatch(e.matches())) {
          missing.add(e.shown());
        }
      }
      String counted = count(found.size());
      result =
          missing.isEmpty()
              ? CheckResult.success(millisSince(start), target + ": " + counted)
              : fail(
                  Reasons.UNEXPECTED_ANSWER,
                  counted + ", missing expected " + listed(missing),
                  start);
    }
    return result.withData("dns", data(response, rcode, found, cnames));
  }

  /**
   * The {@code result.dns} variables: rcode ("NOERROR", "NXDOMAIN", "SERVFAIL"...), answers (the
   * records of the asked type, in the text form of {@code expect}), ttl (the smallest TTL of those,
   * absent without answers), records (one map per answer: value, ttl and the type's fields), cnames
   * (the CNAME targets followed to reach them), authoritative (the AA flag) and server (the address
   * and port that answered).
   */
  private Map<String, Object> data(
      Message response, int rcode, List<Record> found, List<Name> cnames) {
    List<String> answers = new ArrayList<>(found.size());
    List<Map<String, Object>> records = new ArrayList<>(found.size());
    Long ttl = null;
    for (Record r : found) {
      answers.add(text(r));
      records.add(fields(r));
      ttl = ttl == null ? r.getTTL() : Math.min(ttl, r.getTTL());
    }
    ResultData data =
        ResultData.create()
            .put("rcode", Rcode.string(rcode))
            .put("answers", answers)
            .put("ttl", ttl)
            .put("records", records)
            .put("cnames", cnames.stream().map(n -> n.toString(true)).toList())
            .put("authoritative", response.getHeader().getFlag(Flags.AA));
    response
        .getResolver()
        .filter(SimpleResolver.class::isInstance)
        .map(r -> ((SimpleResolver) r).getAddress())
        .ifPresent(address -> data.put("server", endpoint(address)));
    return data.build();
  }

  /** The CNAME targets from the asked name on, as far as the answer section follows them. */
  private List<Name> cnameChain(List<Record> section) {
    List<Name> chain = new ArrayList<>();
    Name current = name;
    for (int hop = 0; hop < MAX_CNAME_HOPS; hop++) {
      Name next = null;
      for (Record r : section) {
        if (r instanceof CNAMERecord c && c.getName().equals(current)) {
          next = c.getTarget();
          break;
        }
      }
      if (next == null || next.equals(name) || chain.contains(next)) {
        break;
      }
      chain.add(next);
      current = next;
    }
    return chain;
  }

  private CheckResult fail(String reason, String text, long start) {
    return CheckResult.failure(reason, target + ": " + text, millisSince(start));
  }

  private CheckResult failure(Throwable error, Duration timeout, long start) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof PortUnreachableException) {
        return fail(Reasons.CONNECTION_REFUSED, "port unreachable (nothing listens)", start);
      }
      if (t instanceof WireParseException) {
        return fail(Reasons.DNS_FAILURE, "the answer is malformed or not for this query", start);
      }
      if (t instanceof UnknownHostException) {
        return fail(Reasons.DNS_FAILURE, "the server's host name did not resolve", start);
      }
      if (t instanceof IOException
          && t.getMessage() != null
          && t.getMessage().startsWith("Timed out while trying to resolve")) {
        // dnsjava's ExtendedResolver, out of time for the pod's resolvers.
        return fail(Reasons.TIMEOUT, "no answer within " + Failures.format(timeout), start);
      }
    }
    Failures.Failure f = Failures.classify(error, timeout);
    return fail(f.reason(), f.text(), start);
  }

  private static String count(int answers) {
    return answers == 1 ? "1 answer" : answers + " answers";
  }

  private static String listed(List<String> values) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < values.size() && i < MAX_LISTED; i++) {
      s.append(i == 0 ? "" : ", ").append(values.get(i));
    }
    if (values.size() > MAX_LISTED) {
      s.append(" and ").append(values.size() - MAX_LISTED).append(" more");
    }
    return s.toString();
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  // ---- the text form of records, shared by answers and expect ----

  /** A record in the text form of {@code expect}. */
  static String text(Record r) {
    if (r instanceof ARecord) {
      return Address.toDottedQuad(r.rdataToWireCanonical());
    }
    if (r instanceof AAAARecord) {
      return ipv6(r.rdataToWireCanonical());
    }
    if (r instanceof CNAMERecord c) {
      return c.getTarget().toString(true);
    }
    if (r instanceof MXRecord mx) {
      return mx.getPriority() + " " + mx.getTarget().toString(true);
    }
    if (r instanceof SRVRecord srv) {
      return srv.getPriority()
          + " "
          + srv.getWeight()
          + " "
          + srv.getPort()
          + " "
          + srv.getTarget().toString(true);
    }
    return txtText((TXTRecord) r); // the last of the types a spec can ask
  }

  /** The fields of one answer for {@code result.dns.records}. */
  private static Map<String, Object> fields(Record r) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("value", text(r));
    f.put("ttl", r.getTTL());
    if (r instanceof ARecord || r instanceof AAAARecord) {
      f.put("address", text(r));
    } else if (r instanceof CNAMERecord c) {
      f.put("target", c.getTarget().toString(true));
    } else if (r instanceof MXRecord mx) {
      f.put("preference", mx.getPriority());
      f.put("host", mx.getTarget().toString(true));
    } else if (r instanceof SRVRecord srv) {
      f.put("priority", srv.getPriority());
      f.put("weight", srv.getWeight());
      f.put("port", srv.getPort());
      f.put("target", srv.getTarget().toString(true));
    } else if (r instanceof TXTRecord txt) {
      f.put(
          "strings",
          txt.getStringsAsByteArrays().stream()
              .map(b -> new String(b, StandardCharsets.UTF_8))
              .toList());
    }
    return f;
  }

  /**
   * A TXT record's text: its character-strings joined without separator (a long value, such as a
   * DKIM key, is split into strings of at most 255 bytes), decoded as UTF-8.
   */
  private static String txtText(TXTRecord txt) {
    java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
    txt.getStringsAsByteArrays().forEach(joined::writeBytes);
    return joined.toString(StandardCharsets.UTF_8);
  }

  /**
   * An IPv6 address in the RFC 5952 form: lower case, the longest run of two or more zero groups as
   * "::", an IPv4-mapped address as ::ffff:192.0.2.1.
   */
  static String ipv6(byte[] address) {
    boolean mapped = address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    for (int i = 0; i < 10 && mapped; i++) {
      mapped = address[i] == 0;
    }
    if (mapped) {
      return "::ffff:" + Address.toDottedQuad(Arrays.copyOfRange(address, 12, 16));
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        s.append("::");
        i += bestLength - 1;
        continue;
      }
      if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
        s.append(':');
      }
      s.append(Integer.toHexString(groups[i]));
    }
    return s.toString();
  }

  private static String endpoint(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    String host =
        ip instanceof Inet4Address ? ip.getHostAddress() : "[" + ipv6(ip.getAddress()) + "]";
    return host + ":" + address.getPort();
  }

  // ---- the spec ----

  /** An expected value: how it is shown in a message, and which records hold it. */
  record Expected(String shown, Predicate<Record> matches) {}

  private static List<Expected> expectations(List<String> values, DnsCheck.RecordType type) {
    List<Expected> expected = new ArrayList<>();
    if (values == null) {
      return expected;
    }
    for (int i = 0; i < values.size(); i++) {
      expected.add(expectation(values.get(i), type, FIELD + ".expect[" + i + "]"));
    }
    return List.copyOf(expected);
  }

  private static Expected expectation(String value, DnsCheck.RecordType type, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + ": required");
    }
    if (type == DnsCheck.RecordType.TXT) {
      return new Expected(
          "\"" + shorten(value) + "\"", r -> r instanceof TXTRecord t && txtText(t).equals(value));
    }
    String v = value.trim();
    switch (type) {
      case A, AAAA -> {
        int family = type == DnsCheck.RecordType.A ? Address.IPv4 : Address.IPv6;
        byte[] bytes = Address.toByteArray(v, family);
        if (bytes == null) {
          throw new IllegalArgumentException(
              field + ": not an " + (family == Address.IPv4 ? "IPv4" : "IPv6") + " address");
        }
        String shown = family == Address.IPv4 ? Address.toDottedQuad(bytes) : ipv6(bytes);
        int recordType = Type.value(type.name());
        return new Expected(
            shown,
            r -> r.getType() == recordType && Arrays.equals(r.rdataToWireCanonical(), bytes));
      }
      case CNAME -> {
        Name host = hostName(v, field, "not a host name");
        return new Expected(
            host.toString(true), r -> r instanceof CNAMERecord c && c.getTarget().equals(host));
      }
      case MX -> {
        String format = "not \"preference host\", e.g. 10 mail.example.org";
        String[] parts = FIELDS.split(v);
        if (parts.length != 2) {
          throw new IllegalArgumentException(field + ": " + format);
        }
        int preference = u16(parts[0], field, format);
        Name host = hostName(parts[1], field, format);
        return new Expected(
            preference + " " + host.toString(true),
            r ->
                r instanceof MXRecord mx
                    && mx.getPriority() == preference
                    && mx.getTarget().equals(host));
      }
      default -> {
        String format = "not \"priority weight port target\", e.g. 0 5 5432 db.example.org";
        String[] parts = FIELDS.split(v);
        if (parts.length != 4) {
          throw new IllegalArgumentException(field + ": " + format);
        }
        int priority = u16(parts[0], field, format);
        int weight = u16(parts[1], field, format);
        int port = u16(parts[2], field, format);
        Name host = hostName(parts[3], field, format);
        return new Expected(
            priority + " " + weight + " " + port + " " + host.toString(true),
            r ->
                r instanceof SRVRecord srv
                    && srv.getPriority() == priority
                    && srv.getWeight() == weight
                    && srv.getPort() == port
                    && srv.getTarget().equals(host));
      }
    }
  }

  private static String shorten(String value) {
    return value.length() <= MAX_SHOWN_CHARS ? value : value.substring(0, MAX_SHOWN_CHARS) + "...";
  }

  private static int u16(String text, String field, String problem) {
    if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) > 65535) {
      throw new IllegalArgumentException(field + ": " + problem);
    }
    return Integer.parseInt(text);
  }

  private static Name hostName(String text, String field, String problem) {
    if (hostNameProblem(text) != null) {
      throw new IllegalArgumentException(field + ": " + problem);
    }
    return absolute(text, field);
  }

  /** The spec's name, absolute. */
  private static Name absoluteName(String text, String field) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(field + ": required");
    }
    String problem = hostNameProblem(text.trim());
    if (problem != null) {
      throw new IllegalArgumentException(field + ": " + problem);
    }
    return absolute(text.trim(), field);
  }

  private static Name absolute(String text, String field) {
    try {
      return Name.fromString(text, Name.root);
    } catch (TextParseException e) {
      // Not reached after hostNameProblem; the message would echo the name anyway.
      throw new IllegalArgumentException(field + ": not a valid domain name");
    }
  }

  /**
   * Why a text is not a domain name of letters, digits, '-', '_' and dots (with or without the
   * trailing dot), or null.
   */
  static String hostNameProblem(String text) {
    String bare = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    if (bare.isEmpty() || !HOST_NAME.matcher(bare).matches()) {
      return "may hold only letters, digits, '-', '_' and dots";
    }
    if (bare.length() > 253) {
      return "is longer than 253 characters";
    }
    for (String label : bare.split("\\.", -1)) {
      if (label.isEmpty()) {
        return "has an empty label (two dots in a row, or a leading dot)";
      }
      if (label.length() > 63) {
        return "has a label longer than 63 characters";
      }
    }
    return null;
  }

  /** An IPv4 or IPv6 literal (dnsjava's parser, never a look-up); null if the text is not one. */
  private static InetAddress literal(String text) {
    try {
      return Address.getByAddress(text);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static SimpleResolver simple(
      InetSocketAddress address, boolean tcp, IoClientFactory ioClients) {
    SimpleResolver resolver = new SimpleResolver(address);
    resolver.setTCP(tcp);
    resolver.setIoClientFactory(ioClients);
    return resolver;
  }

  // ---- where queries go ----

  /** The resolver of a run: fixed, the pod's, or found from a host name. */
  private interface Resolvers {

    /** The resolver for one run, its timeout set; may complete exceptionally. */
    CompletableFuture<Resolver> forRun(Duration timeout);

    static Resolvers fixed(SimpleResolver resolver, String host, TargetPolicy policy) {
      return timeout -> {
        InetSocketAddress server = resolver.getAddress();
        try {
          policy.check(host, server.getAddress(), server.getPort());
        } catch (TargetForbiddenException e) {
          return CompletableFuture.failedFuture(e);
        }
        setTimeout(resolver, timeout);
        return CompletableFuture.completedFuture(resolver);
      };
    }

    static Resolvers pod(List<InetSocketAddress> servers, boolean tcp, IoClientFactory ioClients) {
      List<Resolver> each = new ArrayList<>();
      servers.forEach(address -> each.add(simple(address, tcp, ioClients)));
      if (each.isEmpty()) {
        // As dnsjava does when resolv.conf names no server.
        each.add(
            simple(
                new InetSocketAddress(
                    InetAddress.getLoopbackAddress(), SimpleResolver.DEFAULT_PORT),
                tcp,
                ioClients));
      }
      ExtendedResolver resolver = new ExtendedResolver(each);
      resolver.setLoadBalance(false);
      return timeout -> {
        if (!timeout.equals(resolver.getTimeout())) {
          // Each server gets its share, so that a silent first one leaves time for the next.
          Duration share = timeout.dividedBy(each.size());
          each.forEach(r -> r.setTimeout(share));
          resolver.setTimeout(timeout);
        }
        return CompletableFuture.completedFuture(resolver);
      };
    }

    static Resolvers byHostName(
        String host,
        int port,
        boolean tcp,
        TargetPolicy policy,
        Executor executor,
        IoClientFactory ioClients) {
      AtomicReference<SimpleResolver> last = new AtomicReference<>();
      return timeout ->
          CompletableFuture.supplyAsync(
              () -> {
                InetAddress address;
                try {
                  // The address the policy judged: the query goes there, never to another.
                  address = policy.resolve(host, port).get(0);
                } catch (IOException e) {
                  throw new CompletionException(e);
                }
                SimpleResolver current = last.get();
                if (current == null || !current.getAddress().getAddress().equals(address)) {
                  current = simple(new InetSocketAddress(address, port), tcp, ioClients);
                  last.set(current);
                }
                setTimeout(current, timeout);
                return current;
              },
              executor);
    }

    /**
     * Sets dnsjava's timeout if it differs. Checks of one probe share a timeout, so this writes
     * once; a race between two runs with different timeouts only gives one of them the other's
     * (Duration is immutable, the field a plain reference).
     */
    private static void setTimeout(Resolver resolver, Duration timeout) {
      if (!timeout.equals(resolver.getTimeout())) {
        resolver.setTimeout(timeout);
      }
    }
  }
}
