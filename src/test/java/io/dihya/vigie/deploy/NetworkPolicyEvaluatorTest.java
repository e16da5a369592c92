package io.dihya.vigie.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dihya.vigie.deploy.NetworkPolicyEvaluator.Destination;
import io.dihya.vigie.deploy.NetworkPolicyEvaluator.External;
import io.dihya.vigie.deploy.NetworkPolicyEvaluator.Pod;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The evaluator against the semantics of NetworkPolicy ingress as the Kubernetes documentation
 * gives them (concepts/services-networking/network-policies and the NetworkPolicy API reference),
 * with the documentation's own examples where it has one.
 */
class NetworkPolicyEvaluatorTest {

  /** The pod the connections go to: a database in the namespace "shop". */
  private static final Destination DB =
      new Destination("shop", Map.of("app", "db"), List.of(port("postgres", 5432, "TCP")));

  private static final Pod API = Pod.in("shop", Map.of("app", "api"));
  private static final Pod WEB = Pod.in("shop", Map.of("app", "web"));
  private static final Pod SHOP_PROMETHEUS = Pod.in("shop", Map.of("app", "prometheus"));
  private static final Pod SCHOOL_PROMETHEUS = Pod.in("school", Map.of("app", "prometheus"));
  private static final Pod OPS_PROMETHEUS =
      new Pod("ops", Map.of("team", "ops"), Map.of("app", "prometheus"));
  private static final Pod OPS_GRAFANA =
      new Pod("ops", Map.of("team", "ops"), Map.of("app", "grafana"));
  private static final External OUTSIDE = new External("203.0.113.7");

  /** A NetworkPolicy "test" of {@code namespace}, parsed from the YAML of its spec. */
  private static NetworkPolicy policy(String namespace, String spec) {
    return (NetworkPolicy)
        VigieChart.objects(
                """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: test
                  namespace: %s
                spec:
                %s"""
                    .formatted(namespace, spec.indent(2)))
            .get(0);
  }

  private static NetworkPolicyEvaluator cluster(NetworkPolicy... policies) {
    return new NetworkPolicyEvaluator(Arrays.asList(policies));
  }

  /** Policies of "shop" selecting the database pod. */
  private static NetworkPolicyEvaluator dbPolicies(String... specs) {
    return cluster(
        Arrays.stream(specs)
            .map(spec -> policy("shop", "podSelector: {matchLabels: {app: db}}\n" + spec))
            .toArray(NetworkPolicy[]::new));
  }

  private static ContainerPort port(String name, int number, String protocol) {
    return new ContainerPortBuilder()
        .withName(name)
        .withContainerPort(number)
        .withProtocol(protocol)
        .build();
  }

  @Test
  void aPodNoIngressPolicySelectsAcceptsEverything() {
    assertThat(cluster().allows(API, DB, 5432)).isTrue();
    assertThat(cluster().allows(OUTSIDE, DB, 1, "UDP")).isTrue();

    NetworkPolicyEvaluator webOnly =
        cluster(policy("shop", "podSelector: {matchLabels: {app: web}}\ningress: []"));
    assertThat(webOnly.allows(API, DB, 5432)).as("the policy selects web, not db").isTrue();
    assertThat(webOnly.allows(API, new Destination("shop", Map.of("app", "web"), List.of()), 80))
        .isFalse();

    NetworkPolicyEvaluator egressOnly =
        dbPolicies("policyTypes: [Egress]\negress: []\ningress: []");
    assertThat(egressOnly.allows(API, DB, 5432)).as("an Egress-only policy").isTrue();
  }

  @Test
  void policiesSelectOnlyPodsOfTheirOwnNamespace() {
    NetworkPolicyEvaluator denySchool =
        cluster(policy("school", "podSelector: {}\npolicyTypes: [Ingress]"));
    assertThat(denySchool.allows(API, DB, 5432)).isTrue();
    Destination schoolDb = new Destination("school", DB.labels(), DB.ports());
    assertThat(denySchool.allows(API, schoolDb, 5432)).isFalse();
  }

  @Test
  void aSelectedPodWithNoIngressRuleAcceptsNothing() {
    // The documentation's "default deny all ingress traffic".
    for (NetworkPolicyEvaluator denyAll :
        List.of(
            cluster(policy("shop", "podSelector: {}\npolicyTypes: [Ingress]\ningress: []")),
            // Without policyTypes the API server sets Ingress, even on a policy of egress rules.
            cluster(policy("shop", "podSelector: {}")),
            cluster(policy("shop", "podSelector: {}\negress: [{}]")))) {
      assertThat(denyAll.allows(API, DB, 5432)).as("same namespace").isFalse();
      assertThat(denyAll.allows(OPS_PROMETHEUS, DB, 5432)).as("other namespace").isFalse();
      assertThat(denyAll.allows(OUTSIDE, DB, 5432)).as("outside").isFalse();
      assertThat(denyAll.allows(API, DB, 53, "UDP")).as("UDP").isFalse();
    }
  }

  @Test
  void aRuleWithoutFromAdmitsEverySourceAndWithoutPortsEveryPort() {
    // The documentation's "allow all ingress traffic".
    NetworkPolicyEvaluator allowAll = dbPolicies("ingress: [{}]");
    assertThat(allowAll.allows(SCHOOL_PROMETHEUS, DB, 5432)).isTrue();
    assertThat(allowAll.allows(OUTSIDE, DB, 1, "SCTP")).isTrue();

    NetworkPolicyEvaluator anyoneTo5432 = dbPolicies("ingress: [{ports: [{port: 5432}]}]");
    assertThat(anyoneTo5432.allows(OUTSIDE, DB, 5432)).isTrue();
    assertThat(anyoneTo5432.allows(OPS_GRAFANA, DB, 5432)).isTrue();
    assertThat(anyoneTo5432.allows(API, DB, 5433)).isFalse();

    NetworkPolicyEvaluator apiToAnyPort =
        dbPolicies("ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]");
    assertThat(apiToAnyPort.allows(API, DB, 5432)).isTrue();
    assertThat(apiToAnyPort.allows(API, DB, 9999, "UDP")).isTrue();
    assertThat(apiToAnyPort.allows(WEB, DB, 5432)).isFalse();
  }

  @Test
  void rulesAndPoliciesAddUpButEachRulePairsItsSourcesWithItsPorts() {
    NetworkPolicyEvaluator denyAllThenApi =
        cluster(
            policy("shop", "podSelector: {}\npolicyTypes: [Ingress]"),
            policy(
                "shop",
                """
                podSelector: {matchLabels: {app: db}}
                ingress:
                  - from: [{podSelector: {matchLabels: {app: api}}}]
                """));
    assertThat(denyAllThenApi.allows(API, DB, 5432)).as("another policy admits it").isTrue();
    assertThat(denyAllThenApi.allows(WEB, DB, 5432)).isFalse();

    NetworkPolicyEvaluator twoRules =
        dbPolicies(
            """
            ingress:
              - from: [{podSelector: {matchLabels: {app: api}}}]
                ports: [{port: 5432}]
              - from: [{podSelector: {matchLabels: {app: prometheus}}}]
                ports: [{port: 9187}]
            """);
    assertThat(twoRules.allows(API, DB, 5432)).isTrue();
    assertThat(twoRules.allows(SHOP_PROMETHEUS, DB, 9187)).isTrue();
    assertThat(twoRules.allows(API, DB, 9187)).as("the other rule's port").isFalse();
    assertThat(twoRules.allows(SHOP_PROMETHEUS, DB, 5432)).as("the other rule's port").isFalse();
  }

  @Test
  void theSelectorsOfOnePeerMustBothMatchWhileAnyPeerOfTheListWill() {
    // The documentation's "only one from element, with both selectors".
    NetworkPolicyEvaluator prometheusOfOps =
        dbPolicies(
            """
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: ops}}
                    podSelector: {matchLabels: {app: prometheus}}
            """);
    assertThat(prometheusOfOps.allows(OPS_PROMETHEUS, DB, 5432)).isTrue();
    assertThat(prometheusOfOps.allows(OPS_GRAFANA, DB, 5432)).as("not prometheus").isFalse();
    assertThat(prometheusOfOps.allows(SHOP_PROMETHEUS, DB, 5432)).as("not ops").isFalse();
    assertThat(prometheusOfOps.allows(API, DB, 5432)).isFalse();

    // "two elements in the from array": pods of ops, or prometheus pods of the policy's namespace.
    NetworkPolicyEvaluator opsOrPrometheus =
        dbPolicies(
            """
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {team: ops}}
                  - podSelector: {matchLabels: {app: prometheus}}
            """);
    assertThat(opsOrPrometheus.allows(OPS_GRAFANA, DB, 5432)).isTrue();
    assertThat(opsOrPrometheus.allows(SHOP_PROMETHEUS, DB, 5432)).isTrue();
    assertThat(opsOrPrometheus.allows(SCHOOL_PROMETHEUS, DB, 5432))
        .as("a podSelector alone is the policy's namespace")
        .isFalse();
    assertThat(opsOrPrometheus.allows(API, DB, 5432)).isFalse();
  }

  @Test
  void emptySelectorsMatchEveryPodOrEveryNamespace() {
    NetworkPolicyEvaluator podsOfShop = dbPolicies("ingress: [{from: [{podSelector: {}}]}]");
    assertThat(podsOfShop.allows(API, DB, 5432)).isTrue();
    assertThat(podsOfShop.allows(SCHOOL_PROMETHEUS, DB, 5432)).isFalse();
    assertThat(podsOfShop.allows(OUTSIDE, DB, 5432)).as("selectors pick pods only").isFalse();

    NetworkPolicyEvaluator everyPod = dbPolicies("ingress: [{from: [{namespaceSelector: {}}]}]");
    assertThat(everyPod.allows(API, DB, 5432)).isTrue();
    assertThat(everyPod.allows(SCHOOL_PROMETHEUS, DB, 5432)).isTrue();
    assertThat(everyPod.allows(OUTSIDE, DB, 5432)).isFalse();

    NetworkPolicyEvaluator prometheusAnywhere =
        dbPolicies(
            "ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app:"
                + " prometheus}}}]}]");
    assertThat(prometheusAnywhere.allows(SCHOOL_PROMETHEUS, DB, 5432)).isTrue();
    assertThat(prometheusAnywhere.allows(OPS_PROMETHEUS, DB, 5432)).isTrue();
    assertThat(prometheusAnywhere.allows(OPS_GRAFANA, DB, 5432)).isFalse();
  }

  @Test
  void everyNamespaceCarriesItsNameAsALabelThatCannotBeForged() {
    NetworkPolicyEvaluator fromMonitoring =
        dbPolicies(
            """
            ingress:
              - from:
                  - namespaceSelector:
                      matchLabels: {kubernetes.io/metadata.name: monitoring}
            """);
    assertThat(fromMonitoring.allows(Pod.in("monitoring", Map.of()), DB, 5432)).isTrue();
    assertThat(fromMonitoring.allows(Pod.in("monitoring-2", Map.of()), DB, 5432)).isFalse();
    Pod forger =
        new Pod("evil", Map.of("kubernetes.io/metadata.name", "monitoring"), Map.of("a", "b"));
    assertThat(forger.namespaceLabels()).containsEntry("kubernetes.io/metadata.name", "evil");
    assertThat(fromMonitoring.allows(forger, DB, 5432)).isFalse();
  }

  /** Whether a peer of this podSelector admits a pod of "shop" with these labels. */
  private static boolean podSelectorAdmits(String selector, Map<String, String> labels) {
    return dbPolicies("ingress: [{from: [{podSelector: " + selector + "}]}]")
        .allows(Pod.in("shop", labels), DB, 5432);
  }

  @Test
  void matchExpressionsHaveTheFourOperatorsAndAddToMatchLabels() {
    String in = "{matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}";
    assertThat(podSelectorAdmits(in, Map.of("env", "prod"))).isTrue();
    assertThat(podSelectorAdmits(in, Map.of("env", "staging"))).isTrue();
    assertThat(podSelectorAdmits(in, Map.of("env", "dev"))).isFalse();
    assertThat(podSelectorAdmits(in, Map.of())).isFalse();

    String notIn = "{matchExpressions: [{key: env, operator: NotIn, values: [dev]}]}";
    assertThat(podSelectorAdmits(notIn, Map.of("env", "prod"))).isTrue();
    assertThat(podSelectorAdmits(notIn, Map.of())).as("no such label: not in").isTrue();
    assertThat(podSelectorAdmits(notIn, Map.of("env", "dev"))).isFalse();

    String exists = "{matchExpressions: [{key: env, operator: Exists}]}";
    assertThat(podSelectorAdmits(exists, Map.of("env", ""))).isTrue();
    assertThat(podSelectorAdmits(exists, Map.of("app", "env"))).isFalse();

    String doesNotExist = "{matchExpressions: [{key: env, operator: DoesNotExist}]}";
    assertThat(podSelectorAdmits(doesNotExist, Map.of("app", "api"))).isTrue();
    assertThat(podSelectorAdmits(doesNotExist, Map.of("env", "prod"))).isFalse();

    String both =
        "{matchLabels: {app: api}, matchExpressions: [{key: env, operator: In, values: [prod]},"
            + " {key: canary, operator: DoesNotExist}]}";
    assertThat(podSelectorAdmits(both, Map.of("app", "api", "env", "prod"))).isTrue();
    assertThat(podSelectorAdmits(both, Map.of("app", "web", "env", "prod"))).isFalse();
    assertThat(podSelectorAdmits(both, Map.of("app", "api", "env", "dev"))).isFalse();
    assertThat(podSelectorAdmits(both, Map.of("app", "api", "env", "prod", "canary", "y")))
        .isFalse();
  }

  @Test
  void aNamedPortIsTheDestinationPodsContainerPortOfThatNameAndProtocol() {
    NetworkPolicyEvaluator toMetrics = dbPolicies("ingress: [{ports: [{port: metrics}]}]");
    Destination at9000 =
        new Destination("shop", DB.labels(), List.of(port("metrics", 9000, "TCP")));
    assertThat(toMetrics.allows(API, at9000, 9000)).isTrue();
    assertThat(toMetrics.allows(API, at9000, 9001)).isFalse();
    assertThat(toMetrics.allows(API, at9000, 9000, "UDP")).isFalse();

    Destination at9100 = new Destination("shop", DB.labels(), List.of(port("metrics", 9100, null)));
    assertThat(toMetrics.allows(API, at9100, 9100)).as("container port protocol TCP").isTrue();
    assertThat(toMetrics.allows(API, at9100, 9000)).isFalse();

    assertThat(toMetrics.allows(API, DB, 5432)).as("no port named metrics").isFalse();
    Destination udpMetrics =
        new Destination("shop", DB.labels(), List.of(port("metrics", 9000, "UDP")));
    assertThat(toMetrics.allows(API, udpMetrics, 9000)).isFalse();
    assertThat(toMetrics.allows(API, udpMetrics, 9000, "UDP")).isFalse();
  }

  @Test
  void endPortMakesAnInclusiveRange() {
    NetworkPolicyEvaluator range =
        dbPolicies("ingress: [{ports: [{port: 32000, endPort: 32768, protocol: TCP}]}]");
    assertThat(range.allows(API, DB, 31999)).isFalse();
    assertThat(range.allows(API, DB, 32000)).isTrue();
    assertThat(range.allows(API, DB, 32500)).isTrue();
    assertThat(range.allows(API, DB, 32768)).isTrue();
    assertThat(range.allows(API, DB, 32769)).isFalse();
    assertThat(range.allows(API, DB, 32500, "UDP")).isFalse();
  }

  @Test
  void theProtocolIsTcpUnlessSaidAndAPortlessEntryIsEveryPortOfItsProtocol() {
    NetworkPolicyEvaluator dns = dbPolicies("ingress: [{ports: [{port: 53}]}]");
    assertThat(dns.allows(API, DB, 53, "TCP")).isTrue();
    assertThat(dns.allows(API, DB, 53, "UDP")).isFalse();

    NetworkPolicyEvaluator udpDns = dbPolicies("ingress: [{ports: [{port: 53, protocol: UDP}]}]");
    assertThat(udpDns.allows(API, DB, 53, "UDP")).isTrue();
    assertThat(udpDns.allows(API, DB, 53, "TCP")).isFalse();

    NetworkPolicyEvaluator anyUdp = dbPolicies("ingress: [{ports: [{protocol: UDP}]}]");
    assertThat(anyUdp.allows(API, DB, 1, "UDP")).isTrue();
    assertThat(anyUdp.allows(API, DB, 65535, "UDP")).isTrue();
    assertThat(anyUdp.allows(API, DB, 5432, "TCP")).isFalse();
    assertThat(anyUdp.allows(API, DB, 5432, "SCTP")).isFalse();
  }

  @Test
  void anIpBlockAdmitsItsCidrButNotItsExceptions() {
    // The documentation's example.
    NetworkPolicyEvaluator v4 =
        dbPolicies(
            "ingress: [{from: [{ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}}]}]");
    assertThat(v4.allows(new External("172.17.0.1"), DB, 5432)).isTrue();
    assertThat(v4.allows(new External("172.17.255.255"), DB, 5432)).isTrue();
    assertThat(v4.allows(new External("172.17.1.10"), DB, 5432)).as("except").isFalse();
    assertThat(v4.allows(new External("172.18.0.1"), DB, 5432)).isFalse();
    assertThat(v4.allows(new External("172.16.255.255"), DB, 5432)).isFalse();
    assertThat(v4.allows(new External("2001:db8::1"), DB, 5432)).as("IPv6").isFalse();
    assertThat(v4.allows(API, DB, 5432)).as("pods: see the evaluator's javadoc").isFalse();

    NetworkPolicyEvaluator v6 =
        dbPolicies(
            "ingress: [{from: [{ipBlock: {cidr: \"2001:db8::/32\", except:"
                + " [\"2001:db8:bad::/48\"]}}]}]");
    assertThat(v6.allows(new External("2001:db8::1"), DB, 5432)).isTrue();
    assertThat(v6.allows(new External("2001:db8:ffff:1::5"), DB, 5432)).isTrue();
    assertThat(v6.allows(new External("2001:db8:bad:1::1"), DB, 5432)).as("except").isFalse();
    assertThat(v6.allows(new External("2001:db9::1"), DB, 5432)).isFalse();
    assertThat(v6.allows(new External("172.17.0.1"), DB, 5432)).as("IPv4").isFalse();

    NetworkPolicyEvaluator anyV4 = dbPolicies("ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]");
    assertThat(anyV4.allows(OUTSIDE, DB, 5432)).isTrue();
    assertThat(anyV4.allows(new External("::1"), DB, 5432)).isFalse();
    NetworkPolicyEvaluator oneHost =
        dbPolicies("ingress: [{from: [{ipBlock: {cidr: 203.0.113.7/32}}]}]");
    assertThat(oneHost.allows(OUTSIDE, DB, 5432)).isTrue();
    assertThat(oneHost.allows(new External("203.0.113.6"), DB, 5432)).isFalse();
  }

  @Test
  void aPolicyTheApiServerWouldRefuseIsRefused() {
    List<String> invalid =
        List.of(
            "ingress: [{from: [{}]}]",
            "ingress: [{from: [{podSelector: {}, ipBlock: {cidr: 10.0.0.0/8}}]}]",
            "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]}]",
            "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]}]",
            "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]",
            "ingress: [{from: [{ipBlock: {cidr: 10.0.0.256/32}}]}]",
            "ingress: [{from: [{ipBlock: {cidr: example.com/32}}]}]",
            "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0}}]}]",
            "ingress: [{ports: [{port: metrics, endPort: 9100}]}]",
            "ingress: [{ports: [{port: 9100, endPort: 9000}]}]",
            "ingress: [{ports: [{endPort: 9000}]}]",
            "ingress: [{ports: [{port: 80, protocol: HTTP}]}]",
            "ingress: [{from: [{podSelector: {matchExpressions: [{key: a, operator: In}]}}]}]",
            "ingress: [{from: [{podSelector: {matchExpressions: [{key: a, operator: Exists,"
                + " values: [b]}]}}]}]",
            "ingress: [{from: [{podSelector: {matchExpressions: [{key: a, operator: Gt, values:"
                + " [\"1\"]}]}}]}]",
            "policyTypes: [Ingres]");
    for (String spec : invalid) {
      assertThatThrownBy(() -> dbPolicies(spec))
          .as(spec)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
