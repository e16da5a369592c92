package io.dihya.vigie.deploy;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, as Kubernetes documents NetworkPolicy ingress, whether a connection may reach a pod: for
 * checking what a chart's policies admit on a machine without a network plugin to enforce them.
 *
 * <p>A pod that no policy of its namespace selects for Ingress accepts everything. A selected pod
 * accepts a connection only if some ingress rule of some selecting policy admits both its source
 * (any peer of {@code from}, or every source when {@code from} is empty) and its port (any entry of
 * {@code ports}, or every port when empty). A policy the API server's validation would refuse (in
 * its ingress part) is refused here, so that nothing a cluster could not hold gets evaluated.
 *
 * <p>Left out: traffic from the pod's own node (kubelet probes, host-network pods), which the
 * documentation says is always admitted; ipBlock peers matching pod IPs, which it leaves to each
 * implementation (here an ipBlock admits only {@link External} sources, selectors only {@link Pod}
 * sources); IPv4-mapped IPv6 addresses (refused); and egress, which this project does not restrict.
 */
final class NetworkPolicyEvaluator {

  /** The label the API server puts on every namespace, whose value is the namespace's name. */
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");

  /** The pod a connection goes to, with its containers' ports (what named ports resolve to). */
  record Destination(String namespace, Map<String, String> labels, List<ContainerPort> ports) {

    /** A pod of a workload's template (a Deployment's, say), in the workload's namespace. */
    static Destination of(String namespace, PodTemplateSpec template) {
      return new Destination(
          namespace,
          template.getMetadata().getLabels(),
          template.getSpec().getContainers().stream()
              .flatMap(c -> list(c.getPorts()).stream())
              .toList());
    }

    /** The container port of this name, as a Service's named targetPort finds it. */
    ContainerPort port(String name) {
      return ports.stream()
          .filter(p -> name.equals(p.getName()))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no container port named " + name));
    }
  }

  /** Where a connection comes from. */
  sealed interface Source permits Pod, External {}

  /**
   * A pod of the cluster. {@value NetworkPolicyEvaluator#NAMESPACE_NAME_LABEL} is added to the
   * namespace's labels, as the API server does.
   */
  record Pod(String namespace, Map<String, String> namespaceLabels, Map<String, String> labels)
      implements Source {

    Pod {
      labels = Map.copyOf(labels);
      Map<String, String> withName = new HashMap<>(namespaceLabels);
      withName.put(NAMESPACE_NAME_LABEL, namespace);
      namespaceLabels = Map.copyOf(withName);
    }

    static Pod in(String namespace, Map<String, String> labels) {
      return new Pod(namespace, Map.of(), labels);
    }
  }

  /** An address outside the cluster, IPv4 or IPv6. */
  record External(String ip) implements Source {}

  private final List<NetworkPolicy> policies;

  /**
   * @param policies every NetworkPolicy of the cluster (those of other namespaces select nothing
   *     here)
   * @throws IllegalArgumentException for a policy the API server would refuse
   */
  NetworkPolicyEvaluator(List<NetworkPolicy> policies) {
    policies.forEach(NetworkPolicyEvaluator::validate);
    this.policies = List.copyOf(policies);
  }

  /**
   * Whether a connection from {@code source} to {@code port}/{@code protocol} of the pod {@code
   * destination} is admitted.
   *
   * @param protocol TCP, UDP or SCTP
   */
  boolean allows(Source source, Destination destination, int port, String protocol) {
    List<NetworkPolicy> selecting =
        policies.stream().filter(p -> selectsForIngress(p, destination)).toList();
    if (selecting.isEmpty()) {
      return true;
    }
    for (NetworkPolicy policy : selecting) {
      for (NetworkPolicyIngressRule rule : list(policy.getSpec().getIngress())) {
        if (admitsSource(policy, rule, source) && admitsPort(rule, destination, port, protocol)) {
          return true;
        }
      }
    }
    return false;
  }

  /** TCP. */
  boolean allows(Source source, Destination destination, int port) {
    return allows(source, destination, port, "TCP");
  }

  private static boolean selectsForIngress(NetworkPolicy policy, Destination pod) {
    return policy.getMetadata().getNamespace().equals(pod.namespace())
        && matches(orEmpty(policy.getSpec().getPodSelector()), pod.labels())
        && affectsIngress(policy);
  }

  /**
   * Without policyTypes, the API server sets Ingress on every policy, and Egress on those with
   * egress rules: a policy of egress rules alone still isolates its pods for ingress.
   */
  private static boolean affectsIngress(NetworkPolicy policy) {
    List<String> types = list(policy.getSpec().getPolicyTypes());
    return types.isEmpty() || types.contains("Ingress");
  }

  private static boolean admitsSource(
      NetworkPolicy policy, NetworkPolicyIngressRule rule, Source source) {
    List<NetworkPolicyPeer> from = list(rule.getFrom());
    return from.isEmpty() || from.stream().anyMatch(peer -> admitsSource(policy, peer, source));
  }

  private static boolean admitsSource(NetworkPolicy policy, NetworkPolicyPeer peer, Source source) {
    if (peer.getIpBlock() != null) {
      return source instanceof External external && contains(peer.getIpBlock(), external.ip());
    }
    if (!(source instanceof Pod pod)) {
      return false;
    }
    // Both selectors of one peer must match; a peer without namespaceSelector is the policy's own
    // namespace.
    boolean namespace =
        peer.getNamespaceSelector() == null
            ? pod.namespace().equals(policy.getMetadata().getNamespace())
            : matches(peer.getNamespaceSelector(), pod.namespaceLabels());
    return namespace
        && (peer.getPodSelector() == null || matches(peer.getPodSelector(), pod.labels()));
  }

  private static boolean admitsPort(
      NetworkPolicyIngressRule rule, Destination destination, int port, String protocol) {
    List<NetworkPolicyPort> ports = list(rule.getPorts());
    return ports.isEmpty()
        || ports.stream().anyMatch(p -> admitsPort(p, destination, port, protocol));
  }

  private static boolean admitsPort(
      NetworkPolicyPort entry, Destination destination, int port, String protocol) {
    String entryProtocol = protocol(entry.getProtocol());
    if (!entryProtocol.equals(protocol)) {
      return false;
    }
    IntOrString value = entry.getPort();
    if (value == null) {
      return true;
    }
    if (value.getStrVal() != null) {
      // A named port is whatever the destination pod's container port of that name and protocol
      // is.
      return destination.ports().stream()
          .anyMatch(
              c ->
                  value.getStrVal().equals(c.getName())
                      && protocol(c.getProtocol()).equals(entryProtocol)
                      && c.getContainerPort() == port);
    }
    int first = value.getIntVal();
    int last = entry.getEndPort() == null ? first : entry.getEndPort();
    return first <= port && port <= last;
  }

  private static String protocol(String protocol) {
    return protocol == null ? "TCP" : protocol;
  }

  /** matchLabels and matchExpressions, all of them; an empty selector matches everything. */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    Map<String, String> required =
        selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
    return required.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))
        && list(selector.getMatchExpressions()).stream().allMatch(e -> matches(e, labels));
  }

  private static boolean matches(LabelSelectorRequirement expression, Map<String, String> labels) {
    String value = labels.get(expression.getKey());
    List<String> values = list(expression.getValues());
    return switch (expression.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> throw new IllegalArgumentException("operator " + expression.getOperator());
    };
  }

  private static <T> List<T> list(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static LabelSelector orEmpty(LabelSelector selector) {
    return selector == null ? new LabelSelector() : selector;
  }

  private static boolean contains(IPBlock block, String ip) {
    Cidr cidr = Cidr.parse(block.getCidr());
    byte[] address = ipAddress(ip);
    return cidr.contains(address)
        && list(block.getExcept()).stream().noneMatch(e -> Cidr.parse(e).contains(address));
  }

  /** An IPv4 or IPv6 network: its address and the length of its prefix. */
  private record Cidr(byte[] address, int prefix) {

    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      if (slash < 0) {
        throw new IllegalArgumentException("not a CIDR: " + text);
      }
      byte[] address = ipAddress(text.substring(0, slash));
      int prefix = Integer.parseInt(text.substring(slash + 1));
      if (prefix < 0 || prefix > address.length * 8) {
        throw new IllegalArgumentException("not a CIDR: " + text);
      }
      return new Cidr(address, prefix);
    }

    boolean contains(byte[] other) {
      return other.length == address.length && network(other).equals(network(address));
    }

    /** Strictly narrower and inside, as an {@code except} must be. */
    boolean strictlyContains(Cidr other) {
      return other.prefix > prefix && contains(other.address);
    }

    private BigInteger network(byte[] bytes) {
      return new BigInteger(1, bytes).shiftRight(bytes.length * 8 - prefix);
    }
  }

  /** An IP literal, never a host name to look up; an IPv4-mapped IPv6 address is refused. */
  private static byte[] ipAddress(String text) {
    if (text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      byte[] bytes = new byte[4];
      String[] parts = text.split("\\.");
      for (int i = 0; i < 4; i++) {
        int part = Integer.parseInt(parts[i]);
        if (part > 255 || (parts[i].length() > 1 && parts[i].startsWith("0"))) {
          throw new IllegalArgumentException("not an IP address: " + text);
        }
        bytes[i] = (byte) part;
      }
      return bytes;
    }
    // Starting with a hex digit or ':' and holding a ':', InetAddress parses it and never resolves.
    if (text.contains(":") && text.matches("[0-9a-fA-F:][0-9a-fA-F:.]*")) {
      try {
        InetAddress address = InetAddress.getByName(text);
        if (address instanceof Inet6Address) {
          return address.getAddress();
        }
      } catch (UnknownHostException e) {
        // not an IPv6 literal
      }
    }
    throw new IllegalArgumentException("not an IP address: " + text);
  }

  /** What the API server's validation of a NetworkPolicy refuses, in its ingress part. */
  private static void validate(NetworkPolicy policy) {
    String name = policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName();
    if (policy.getMetadata().getNamespace() == null || policy.getSpec() == null) {
      throw new IllegalArgumentException(name + ": no namespace or no spec");
    }
    List<String> types = list(policy.getSpec().getPolicyTypes());
    if (!Set.of("Ingress", "Egress").containsAll(types)) {
      throw new IllegalArgumentException(name + ": policyTypes " + types);
    }
    validate(orEmpty(policy.getSpec().getPodSelector()), name);
    for (NetworkPolicyIngressRule rule : list(policy.getSpec().getIngress())) {
      for (NetworkPolicyPeer peer : list(rule.getFrom())) {
        boolean selectors = peer.getPodSelector() != null || peer.getNamespaceSelector() != null;
        if (selectors == (peer.getIpBlock() != null)) {
          throw new IllegalArgumentException(
              name + ": a peer is selectors or an ipBlock, exactly one: " + peer);
        }
        if (peer.getPodSelector() != null) {
          validate(peer.getPodSelector(), name);
        }
        if (peer.getNamespaceSelector() != null) {
          validate(peer.getNamespaceSelector(), name);
        }
        if (peer.getIpBlock() != null) {
          Cidr cidr = Cidr.parse(peer.getIpBlock().getCidr());
          for (String except : list(peer.getIpBlock().getExcept())) {
            if (!cidr.strictlyContains(Cidr.parse(except))) {
              throw new IllegalArgumentException(
                  name + ": except " + except + " is not inside " + peer.getIpBlock().getCidr());
            }
          }
        }
      }
      for (NetworkPolicyPort port : list(rule.getPorts())) {
        if (!PROTOCOLS.contains(protocol(port.getProtocol()))) {
          throw new IllegalArgumentException(name + ": protocol " + port.getProtocol());
        }
        if (port.getEndPort() != null
            && (port.getPort() == null
                || port.getPort().getIntVal() == null
                || port.getEndPort() < port.getPort().getIntVal())) {
          throw new IllegalArgumentException(
              name + ": endPort needs a numeric port no greater than it: " + port);
        }
      }
    }
  }

  private static void validate(LabelSelector selector, String name) {
    for (LabelSelectorRequirement e : list(selector.getMatchExpressions())) {
      boolean hasValues = !list(e.getValues()).isEmpty();
      boolean valid =
          switch (String.valueOf(e.getOperator())) {
            case "In", "NotIn" -> hasValues;
            case "Exists", "DoesNotExist" -> !hasValues;
            default -> false;
          };
      if (!valid) {
        throw new IllegalArgumentException(name + ": selector expression " + e);
      }
    }
  }
}
