package io.dihya.vigie.probe.check;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which addresses checks may connect to: the operator's {@code vigie.targets} settings. Whoever may
 * create a HealthProbe may make the operator connect somewhere, and the operator's pod can reach
 * what its tenants cannot (the cloud's metadata service, the API server), so checks only connect
 * where this policy allows.
 *
 * <ul>
 *   <li>Among the networks of {@code allow} and {@code deny} that hold the address, the most
 *       specific (longest prefix) decides, and deny wins a tie. An address in none of them is
 *       forbidden; the default allow list ({@code 0.0.0.0/0}, {@code ::/0}) holds every address,
 *       the default deny list the link-local networks of the cloud metadata services ({@code
 *       169.254.0.0/16}, {@code fd00:ec2::/64}).
 *   <li>The API server's own endpoints (address <em>and</em> port: the operator's API server URL
 *       and {@code KUBERNETES_SERVICE_HOST}:{@code KUBERNETES_SERVICE_PORT}) are forbidden whatever
 *       allow says, unless the policy is made without them ({@code deny-api-server=false}). The
 *       port is part of it so that an API server on a node's or a test's loopback does not forbid
 *       every other service there.
 *   <li>The unspecified addresses (0.0.0.0, ::) are always forbidden: a connection to them reaches
 *       the operator's own host.
 *   <li>IPv6 addresses that embed an IPv4 address (IPv4-mapped {@code ::ffff:a.b.c.d},
 *       IPv4-compatible {@code ::a.b.c.d}) are judged as that IPv4 address, and so are networks
 *       written that way. Other spellings (decimal {@code 2852039166}, {@code 169.254.43518}) are
 *       parsed by the JDK's resolver into the address that is then judged and connected to.
 * </ul>
 *
 * <p>It is enforced where the checks connect, on the resolved address: {@link #resolve} looks the
 * host up once, judges every address and hands back those very addresses, which the check connects
 * to without a second look-up; a client library that resolves by itself (pgjdbc) has the address it
 * resolved judged in its socket factory, just before the connect. A DNS answer that changes between
 * the check and the connection (rebinding) therefore cannot get past it. A name whose addresses are
 * not all allowed is forbidden as a whole, so the verdict does not depend on their order.
 *
 * <p>Immutable and thread-safe.
 */
public final class TargetPolicy {

  /** Every address. */
  public static final List<String> DEFAULT_ALLOW = List.of("0.0.0.0/0", "::/0");

  /** The cloud metadata services: link-local IPv4, and AWS's IPv6 endpoint. */
  public static final List<String> DEFAULT_DENY = List.of("169.254.0.0/16", "fd00:ec2::/64");

  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";

  /** Four decimal parts of 0 to 255, without leading zeros (which some read as octal). */
  private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");

  /**
   * A hex digit or a colon first, then hex digits, colons and dots (an embedded IPv4 address), a
   * colon somewhere, and an optional zone: what the JDK parses as IPv6 without a look-up.
   */
  private static final Pattern IPV6 =
      Pattern.compile("(?=[^%]*:)[0-9A-Fa-f:][0-9A-Fa-f:.]*(%[\\w.-]+)?");

  private static final TargetPolicy DEFAULTS =
      of(DEFAULT_ALLOW, DEFAULT_DENY, List.of(), InetAddress::getAllByName);

  /** Looks a host name up: the JDK's resolver, or a fixed table in tests. */
  @FunctionalInterface
  public interface Resolver {
    /**
     * @throws UnknownHostException when the name does not resolve
     */
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** A network of a setting, as written there (for messages) and as bytes (for matching). */
  private record Network(byte[] prefix, int bits, String text) {

    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != prefix[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (prefix[whole] & mask);
    }
  }

  /** An API server endpoint: a normalized address and a port. */
  private record Endpoint(String address, int port) {}

  private final List<Network> allow;
  private final List<Network> deny;
  private final Set<Endpoint> apiServer;
  private final Resolver resolver;

  private TargetPolicy(
      List<Network> allow, List<Network> deny, Set<Endpoint> apiServer, Resolver resolver) {
    this.allow = allow;
    this.deny = deny;
    this.apiServer = apiServer;
    this.resolver = resolver;
  }

  /** The defaults: every address but the metadata services; no API server endpoint known. */
  public static TargetPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * A policy from the operator's settings.
   *
   * @param allow networks in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}, or one address);
   *     the single value {@code none} for no network
   * @param deny the same
   * @param apiServer the API server's endpoints (resolved addresses and ports); empty for none
   * @throws IllegalArgumentException naming the setting and the value, for a value that is not a
   *     network
   */
  public static TargetPolicy of(
      List<String> allow, List<String> deny, Collection<InetSocketAddress> apiServer) {
    return of(allow, deny, apiServer, InetAddress::getAllByName);
  }

  private static TargetPolicy of(
      List<String> allow,
      List<String> deny,
      Collection<InetSocketAddress> apiServer,
      Resolver resolver) {
    Set<Endpoint> endpoints = new LinkedHashSet<>();
    for (InetSocketAddress endpoint : apiServer) {
      if (endpoint.getAddress() != null) {
        endpoints.add(endpoint(endpoint.getAddress(), endpoint.getPort()));
      }
    }
    return new TargetPolicy(
        networks(allow, "vigie.targets.allow"),
        networks(deny, "vigie.targets.deny"),
        Set.copyOf(endpoints),
        resolver);
  }

  /** This policy, looking host names up with {@code resolver} (tests). */
  public TargetPolicy withResolver(Resolver resolver) {
    return new TargetPolicy(allow, deny, apiServer, Objects.requireNonNull(resolver));
  }

  private static List<Network> networks(List<String> values, String setting) {
    List<Network> networks = new ArrayList<>();
    if (values == null
        || (values.size() == 1 && values.get(0).trim().toLowerCase(Locale.ROOT).equals("none"))) {
      return List.of();
    }
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        networks.add(network(value.trim(), setting));
      }
    }
    return List.copyOf(networks);
  }

  private static Network network(String text, String setting) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    InetAddress parsed = literal(address);
    if (parsed == null) {
      throw new IllegalArgumentException(
          setting + ": " + text + " is not a network such as 10.0.0.0/8 or fd00::/8");
    }
    byte[] bytes = normalized(parsed);
    int max = (address.contains(":") ? 16 : 4) * 8;
    int bits;
    try {
      bits = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      bits = -1;
    }
    // An IPv4 network written in IPv6 form (::ffff:169.254.0.0/112) counts its prefix over 128.
    int embedded = max - bytes.length * 8;
    if (bits < embedded || bits > max) {
      throw new IllegalArgumentException(
          setting
              + ": "
              + text
              + " has no valid prefix length (0 to "
              + max
              + (embedded > 0 ? ", at least " + embedded + " for an embedded IPv4 network" : "")
              + ")");
    }
    bits -= embedded;
    // Host bits are dropped, as Go's ParseCIDR does: 10.1.2.3/8 is 10.0.0.0/8.
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      bytes[i] &= (byte) ((0xff << (8 - keep)) & 0xff);
    }
    return new Network(bytes, bits, text);
  }

  /**
   * The address of an IP literal (IPv4 as a.b.c.d, IPv6 with or without brackets), or null for
   * anything else, without any look-up.
   */
  static InetAddress literal(String host) {
    if (host == null || host.isEmpty()) {
      return null;
    }
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!IPV4.matcher(bare).matches() && !IPV6.matcher(bare).matches()) {
      return null;
    }
    try {
      // Four decimal parts, or hex digits with a colon: the JDK parses these, never looks them up.
      return InetAddress.getByName(bare);
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  /**
   * The addresses of {@code host}, all allowed: an IP literal as it is, a name as the resolver
   * answers (this blocks). Connect to these, never to another look-up's answer.
   *
   * @param host a host name or IP literal (IPv6 with or without brackets)
   * @param port the port the check connects to (the API server is forbidden on its own port)
   * @throws UnknownHostException when the name does not resolve
   * @throws TargetForbiddenException when any of its addresses is forbidden
   */
  public List<InetAddress> resolve(String host, int port)
      throws UnknownHostException, TargetForbiddenException {
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    InetAddress literal = literal(bare);
    InetAddress[] addresses =
        literal != null ? new InetAddress[] {literal} : resolver.resolve(bare);
    if (addresses == null || addresses.length == 0) {
      throw new UnknownHostException("no address");
    }
    for (InetAddress address : addresses) {
      check(bare, address, port);
    }
    return List.of(addresses);
  }

  /**
   * Judges an address a client library resolved by itself, just before it connects there.
   *
   * @param host the host as the spec names it, for the message
   * @throws TargetForbiddenException when the address is forbidden on this port
   */
  public void check(String host, InetAddress address, int port) throws TargetForbiddenException {
    String rule = forbiddenBy(address, port);
    if (rule != null) {
      String shown = address.getHostAddress();
      InetAddress named = literal(host);
      String text =
          named != null && Arrays.equals(normalized(named), normalized(address))
              ? shown + " is forbidden by the operator's target policy"
              : host + " resolves to " + shown + ", which the operator's target policy forbids";
      throw new TargetForbiddenException(text + " (" + rule + ")");
    }
  }

  /** Whether a check may connect to this address and port. */
  public boolean allows(InetAddress address, int port) {
    return forbiddenBy(address, port) == null;
  }

  /** The rule that forbids the address on this port, in words; null when it is allowed. */
  String forbiddenBy(InetAddress address, int port) {
    byte[] bytes = normalized(address);
    if (allZero(bytes)) {
      return "an unspecified address reaches the operator's own host";
    }
    if (!apiServer.isEmpty() && apiServer.contains(endpoint(address, port))) {
      return "the API server's own endpoint, port " + port + ": vigie.targets.deny-api-server";
    }
    Network best = null;
    boolean denied = false;
    for (Network network : deny) {
      if (network.contains(bytes) && (best == null || network.bits() > best.bits())) {
        best = network;
        denied = true;
      }
    }
    for (Network network : allow) {
      // Strictly more specific: deny wins a tie.
      if (network.contains(bytes) && (best == null || network.bits() > best.bits())) {
        best = network;
        denied = false;
      }
    }
    if (best == null) {
      return "not in vigie.targets.allow";
    }
    return denied ? "vigie.targets.deny: " + best.text() : null;
  }

  /**
   * The address's bytes, an embedded IPv4 address (IPv4-mapped or IPv4-compatible, except :: and
   * ::1) as its 4 bytes.
   */
  static byte[] normalized(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (!(address instanceof Inet6Address) || bytes.length != 16) {
      return bytes;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return bytes;
      }
    }
    boolean mapped = bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    boolean compatible = bytes[10] == 0 && bytes[11] == 0;
    byte[] v4 = Arrays.copyOfRange(bytes, 12, 16);
    if (mapped || (compatible && !allZero(v4) && !Arrays.equals(v4, new byte[] {0, 0, 0, 1}))) {
      return v4;
    }
    return bytes;
  }

  private static boolean allZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static Endpoint endpoint(InetAddress address, int port) {
    try {
      return new Endpoint(InetAddress.getByAddress(normalized(address)).getHostAddress(), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of 4 or 16 bytes", e);
    }
  }

  /**
   * The endpoints of the operator's API server: the host of its URL (every address it resolves to)
   * with the URL's port, and {@code serviceHost}:{@code servicePort} (the {@code
   * KUBERNETES_SERVICE_*} variables of a pod; port 443 when not given). A host that does not
   * resolve is left out.
   *
   * @param masterUrl the operator's API server URL, null if none
   * @param serviceHost KUBERNETES_SERVICE_HOST, null if not set
   * @param servicePort KUBERNETES_SERVICE_PORT, null if not set
   */
  public static List<InetSocketAddress> apiServerEndpoints(
      String masterUrl, String serviceHost, String servicePort, Resolver resolver) {
    Set<InetSocketAddress> endpoints = new LinkedHashSet<>();
    if (masterUrl != null && !masterUrl.isBlank()) {
      try {
        URI uri = URI.create(masterUrl.trim());
        int port =
            uri.getPort() != -1
                ? uri.getPort()
                : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
        addAll(endpoints, uri.getHost(), port, resolver);
      } catch (IllegalArgumentException e) {
        // Not a URL: the client could not use it either.
      }
    }
    if (serviceHost != null && !serviceHost.isBlank()) {
      int port = 443;
      try {
        port = servicePort == null || servicePort.isBlank() ? 443 : Integer.parseInt(servicePort);
      } catch (NumberFormatException e) {
        // As Kubernetes sets it, a number; anything else: the HTTPS port.
      }
      addAll(endpoints, serviceHost.trim(), port, resolver);
    }
    return List.copyOf(endpoints);
  }

  private static void addAll(
      Set<InetSocketAddress> endpoints, String host, int port, Resolver resolver) {
    if (host == null || host.isEmpty()) {
      return;
    }
    InetAddress literal = literal(host);
    try {
      InetAddress[] addresses =
          literal != null
              ? new InetAddress[] {literal}
              : resolver.resolve(
                  host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
      for (InetAddress address : addresses) {
        endpoints.add(new InetSocketAddress(address, port));
      }
    } catch (UnknownHostException e) {
      // Left out: it would not be reachable by a check either, as long as it does not resolve.
    }
  }

  /** The JDK's resolver, for {@link #apiServerEndpoints}. */
  public static Resolver jdkResolver() {
    return InetAddress::getAllByName;
  }

  /** The settings in effect, for the operator's startup log. */
  @Override
  public String toString() {
    return "allow "
        + allow.stream().map(Network::text).toList()
        + ", deny "
        + deny.stream().map(Network::text).toList()
        + ", API server endpoints "
        + apiServer.stream()
            .map(
                e ->
                    (e.address().contains(":") ? "[" + e.address() + "]" : e.address())
                        + ":"
                        + e.port())
            .sorted()
            .toList();
  }
}
