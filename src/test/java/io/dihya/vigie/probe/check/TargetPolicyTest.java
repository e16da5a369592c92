package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rules of the target policy, on addresses; the checks' use of it is TargetPolicyChecksTest.
 */
class TargetPolicyTest {

  static InetAddress ip(String literal) {
    InetAddress address = TargetPolicy.literal(literal);
    assertThat(address).as(literal).isNotNull();
    return address;
  }

  /** An IPv6 address object as a resolver may hand it out, even for an IPv4-mapped address. */
  static InetAddress ipv6(int... bytes) throws UnknownHostException {
    byte[] raw = new byte[16];
    for (int i = 0; i < 16; i++) {
      raw[i] = (byte) bytes[i];
    }
    return Inet6Address.getByAddress(null, raw, -1);
  }

  static TargetPolicy policy(List<String> allow, List<String> deny) {
    return TargetPolicy.of(allow, deny, List.of());
  }

  @Test
  void theDefaultsForbidTheMetadataServicesAndNothingElse() throws Exception {
    TargetPolicy defaults = TargetPolicy.defaults();

    assertThat(defaults.forbiddenBy(ip("169.254.169.254"), 80))
        .isEqualTo("vigie.targets.deny: 169.254.0.0/16");
    assertThat(defaults.forbiddenBy(ip("169.254.170.2"), 80)).isNotNull(); // ECS task metadata
    assertThat(defaults.forbiddenBy(ip("fd00:ec2::254"), 80))
        .isEqualTo("vigie.targets.deny: fd00:ec2::/64");
    for (String allowed :
        List.of("127.0.0.1", "10.96.0.1", "192.168.1.1", "8.8.8.8", "::1", "fd00:ec3::1")) {
      assertThat(defaults.allows(ip(allowed), 443)).as(allowed).isTrue();
    }
    assertThat(TargetPolicy.DEFAULT_DENY).containsExactly("169.254.0.0/16", "fd00:ec2::/64");
    assertThat(TargetPolicy.DEFAULT_ALLOW).containsExactly("0.0.0.0/0", "::/0");
    assertThat(defaults)
        .hasToString(
            "allow [0.0.0.0/0, ::/0], deny [169.254.0.0/16, fd00:ec2::/64], API server"
                + " endpoints []");
  }

  @Test
  void ipv6AddressesThatEmbedAnIpv4AddressAreJudgedAsIt() throws Exception {
    TargetPolicy defaults = TargetPolicy.defaults();
    // ::ffff:169.254.169.254 as an Inet6Address (the JDK's parser would make it an Inet4Address).
    InetAddress mapped = ipv6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 169, 254, 169, 254);
    assertThat(mapped).isInstanceOf(Inet6Address.class);
    assertThat(defaults.forbiddenBy(mapped, 80)).isEqualTo("vigie.targets.deny: 169.254.0.0/16");
    assertThat(defaults.allows(ip("::ffff:169.254.169.254"), 80)).isFalse();
    assertThat(defaults.allows(ip("[::ffff:a9fe:a9fe]"), 80)).isFalse();
    // IPv4-compatible (deprecated, never routed to IPv4, but judged as it all the same).
    InetAddress compatible = ip("::169.254.169.254");
    assertThat(compatible).isInstanceOf(Inet6Address.class);
    assertThat(defaults.allows(compatible, 80)).isFalse();
    assertThat(defaults.allows(ip("::1"), 80)).as("::1 is loopback, not 0.0.0.1").isTrue();

    // A network written in IPv6 form counts its prefix over 128 bits.
    TargetPolicy v6Form = policy(TargetPolicy.DEFAULT_ALLOW, List.of("::ffff:10.0.0.0/104"));
    assertThat(v6Form.forbiddenBy(ip("10.1.2.3"), 80))
        .isEqualTo("vigie.targets.deny: ::ffff:10.0.0.0/104");
    assertThat(v6Form.allows(ip("11.0.0.1"), 80)).isTrue();
    assertThat(v6Form.allows(ipv6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 9, 9, 9), 80))
        .isFalse();
  }

  @Test
  void otherSpellingsOfAnAddressResolveToTheAddressThatIsJudged() throws Exception {
    TargetPolicy defaults = TargetPolicy.defaults();
    // The JDK's resolver reads these as IPv4 literals (inet_aton's forms): no look-up.
    for (String spelling : List.of("2852039166", "169.254.43518", "169.16689662")) {
      assertThatThrownBy(() -> defaults.resolve(spelling, 80))
          .as(spelling)
          .isInstanceOf(TargetForbiddenException.class)
          .hasMessage(
              spelling
                  + " resolves to 169.254.169.254, which the operator's target policy forbids"
                  + " (vigie.targets.deny: 169.254.0.0/16)");
    }
    // Leading zeros are ambiguous (octal?): the JDK refuses them rather than guess.
    assertThatThrownBy(() -> defaults.resolve("0251.0376.0251.0376", 80))
        .isInstanceOfAny(UnknownHostException.class, TargetForbiddenException.class);
    assertThatThrownBy(() -> defaults.resolve("[::ffff:169.254.169.254]", 80))
        .isInstanceOf(TargetForbiddenException.class)
        .as("a literal, shown as the address it is")
        .hasMessage(
            "169.254.169.254 is forbidden by the operator's target policy"
                + " (vigie.targets.deny: 169.254.0.0/16)");
  }

  @Test
  void theMostSpecificNetworkDecidesAndDenyWinsATie() {
    TargetPolicy policy =
        policy(List.of("10.0.0.0/8", "10.1.2.0/24", "192.168.0.0/16"), List.of("10.1.0.0/16"));

    assertThat(policy.allows(ip("10.2.0.1"), 80)).isTrue();
    assertThat(policy.forbiddenBy(ip("10.1.3.4"), 80)).isEqualTo("vigie.targets.deny: 10.1.0.0/16");
    assertThat(policy.allows(ip("10.1.2.3"), 80)).as("a /24 allowed inside a /16 denied").isTrue();
    assertThat(policy.forbiddenBy(ip("8.8.8.8"), 80)).isEqualTo("not in vigie.targets.allow");
    assertThat(policy.forbiddenBy(ip("::1"), 80)).isEqualTo("not in vigie.targets.allow");

    TargetPolicy tie = policy(List.of("10.0.0.0/8"), List.of("10.0.0.0/8"));
    assertThat(tie.allows(ip("10.0.0.1"), 80)).isFalse();

    TargetPolicy oneAddress =
        policy(List.of("0.0.0.0/0", "::/0", "169.254.169.254"), TargetPolicy.DEFAULT_DENY);
    assertThat(oneAddress.allows(ip("169.254.169.254"), 80)).isTrue();
    assertThat(oneAddress.allows(ip("169.254.169.253"), 80)).isFalse();
  }

  @Test
  void noneIsAnEmptyListAndHostBitsAreDropped() {
    TargetPolicy nothingDenied = policy(TargetPolicy.DEFAULT_ALLOW, List.of(" None "));
    assertThat(nothingDenied.allows(ip("169.254.169.254"), 80)).isTrue();
    TargetPolicy nothingAllowed = policy(List.of("none"), List.of());
    assertThat(nothingAllowed.forbiddenBy(ip("10.0.0.1"), 80))
        .isEqualTo("not in vigie.targets.allow");

    TargetPolicy sloppy = policy(TargetPolicy.DEFAULT_ALLOW, List.of("169.254.169.254/16", " "));
    assertThat(sloppy.forbiddenBy(ip("169.254.1.1"), 80))
        .isEqualTo("vigie.targets.deny: 169.254.169.254/16");
    TargetPolicy oddPrefix = policy(TargetPolicy.DEFAULT_ALLOW, List.of("10.0.0.0/9"));
    assertThat(oddPrefix.allows(ip("10.127.255.255"), 80)).isFalse();
    assertThat(oddPrefix.allows(ip("10.128.0.0"), 80)).isTrue();
    TargetPolicy nullLists = TargetPolicy.of(null, null, List.of());
    assertThat(nullLists.allows(ip("10.0.0.1"), 80)).isFalse();
  }

  @Test
  void theApiServerIsForbiddenOnItsOwnPortWhateverAllowSays() throws Exception {
    TargetPolicy policy =
        TargetPolicy.of(
            List.of("0.0.0.0/0", "::/0", "10.96.0.1/32"),
            TargetPolicy.DEFAULT_DENY,
            List.of(
                new InetSocketAddress(ip("10.96.0.1"), 443),
                new InetSocketAddress(ip("127.0.0.1"), 16443),
                InetSocketAddress.createUnresolved("kube.invalid", 443)));

    assertThat(policy.forbiddenBy(ip("10.96.0.1"), 443))
        .isEqualTo("the API server's own endpoint, port 443: vigie.targets.deny-api-server");
    assertThat(policy.allows(ip("10.96.0.1"), 8443)).isTrue();
    assertThat(policy.allows(ip("127.0.0.1"), 16443)).isFalse();
    assertThat(policy.allows(ip("127.0.0.1"), 8080))
        .as("an API server on loopback forbids only its own port")
        .isTrue();
    assertThat(policy.allows(ipv6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1), 16443))
        .isFalse();
    assertThat(policy.toString()).endsWith("API server endpoints [10.96.0.1:443, 127.0.0.1:16443]");
  }

  @Test
  void theUnspecifiedAddressesAreAlwaysForbidden() {
    TargetPolicy everything = policy(List.of("0.0.0.0/0", "::/0"), List.of("none"));
    for (String unspecified : List.of("0.0.0.0", "::", "::ffff:0.0.0.0")) {
      assertThat(everything.forbiddenBy(ip(unspecified), 80))
          .as(unspecified)
          .isEqualTo("an unspecified address reaches the operator's own host");
    }
  }

  @Test
  void valuesThatAreNotNetworksAreRefusedWithTheSetting() {
    Map<String, String> refused =
        Map.of(
            "10.0.0.0/33", "has no valid prefix length (0 to 32)",
            "fd00::/129", "has no valid prefix length (0 to 128)",
            "10.0.0.0/x", "has no valid prefix length (0 to 32)",
            "10.0.0.0/-1", "has no valid prefix length (0 to 32)",
            "::ffff:10.0.0.0/95",
                "has no valid prefix length (0 to 128, at least 96 for an embedded IPv4 network)",
            "10.0.0/8", "is not a network such as 10.0.0.0/8 or fd00::/8",
            "metadata.google.internal", "is not a network such as 10.0.0.0/8 or fd00::/8",
            "1.2.3.400", "is not a network such as 10.0.0.0/8 or fd00::/8",
            "fd00:::1/64", "is not a network such as 10.0.0.0/8 or fd00::/8");
    refused.forEach(
        (value, problem) ->
            assertThatThrownBy(() -> policy(List.of(value), List.of()))
                .as(value)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vigie.targets.allow: " + value + " " + problem));
    assertThatThrownBy(() -> policy(List.of(), List.of("nope")))
        .hasMessageStartingWith("vigie.targets.deny: nope ");
  }

  @Test
  void resolveHandsBackTheAddressesItJudgedAndRefusesANameWithAnyForbiddenOne() throws Exception {
    List<String> asked = new ArrayList<>();
    TargetPolicy policy =
        policy(TargetPolicy.DEFAULT_ALLOW, List.of("127.0.0.2/32"))
            .withResolver(
                host -> {
                  asked.add(host);
                  return switch (host) {
                    case "two.test" -> new InetAddress[] {ip("127.0.0.1"), ip("::1")};
                    case "mixed.test" -> new InetAddress[] {ip("127.0.0.1"), ip("127.0.0.2")};
                    case "empty.test" -> new InetAddress[0];
                    default -> throw new UnknownHostException(host);
                  };
                });

    assertThat(policy.resolve("two.test", 80)).containsExactly(ip("127.0.0.1"), ip("::1"));
    assertThat(policy.resolve("127.0.0.1", 80)).containsExactly(ip("127.0.0.1"));
    assertThat(policy.resolve("[::1]", 80)).containsExactly(ip("::1"));
    assertThat(asked).as("addresses are never looked up").containsExactly("two.test");

    assertThatThrownBy(() -> policy.resolve("mixed.test", 80))
        .isInstanceOf(TargetForbiddenException.class)
        .hasMessage(
            "mixed.test resolves to 127.0.0.2, which the operator's target policy forbids"
                + " (vigie.targets.deny: 127.0.0.2/32)");
    assertThatThrownBy(() -> policy.resolve("127.0.0.2", 80))
        .isInstanceOf(TargetForbiddenException.class)
        .hasMessage(
            "127.0.0.2 is forbidden by the operator's target policy"
                + " (vigie.targets.deny: 127.0.0.2/32)");
    assertThatThrownBy(() -> policy.resolve("empty.test", 80))
        .isInstanceOf(UnknownHostException.class);
    assertThatThrownBy(() -> policy.resolve("nowhere.test", 80))
        .isInstanceOf(UnknownHostException.class);
    assertThatThrownBy(() -> policy.check("db.test", ip("127.0.0.2"), 5432))
        .hasMessageStartingWith("db.test resolves to 127.0.0.2");
  }

  @Test
  void literalsAreParsedNeverLookedUp() {
    assertThat(TargetPolicy.literal("10.0.0.7")).isEqualTo(ip("10.0.0.7"));
    assertThat(TargetPolicy.literal("[fd00::1]")).isEqualTo(ip("fd00::1"));
    for (String notLiteral :
        new String[] {
          null,
          "",
          "orders.shop.svc",
          "2852039166",
          "10.0.0",
          "fd00:::1",
          "1.2.3.400",
          "010.0.0.1",
          "g::1",
          ".::1"
        }) {
      assertThat(TargetPolicy.literal(notLiteral)).as(String.valueOf(notLiteral)).isNull();
    }
  }

  @Test
  void theApiServerEndpointsComeFromTheClientsUrlAndTheServiceVariables() {
    TargetPolicy.Resolver resolver =
        host ->
            switch (host) {
              case "kube.example" -> new InetAddress[] {ip("192.0.2.10"), ip("2001:db8::10")};
              default -> throw new UnknownHostException(host);
            };

    assertThat(
            TargetPolicy.apiServerEndpoints(
                "https://kube.example:6443/", "10.96.0.1", "443", resolver))
        .containsExactly(
            new InetSocketAddress(ip("192.0.2.10"), 6443),
            new InetSocketAddress(ip("2001:db8::10"), 6443),
            new InetSocketAddress(ip("10.96.0.1"), 443));
    assertThat(TargetPolicy.apiServerEndpoints("https://127.0.0.1:16443", null, null, resolver))
        .containsExactly(new InetSocketAddress(ip("127.0.0.1"), 16443));
    assertThat(TargetPolicy.apiServerEndpoints("https://[::1]", null, null, resolver))
        .containsExactly(new InetSocketAddress(ip("::1"), 443));
    assertThat(TargetPolicy.apiServerEndpoints("http://kube.example", null, null, resolver))
        .hasSize(2)
        .allMatch(a -> a.getPort() == 80);
    assertThat(TargetPolicy.apiServerEndpoints(null, "10.96.0.1", "x", resolver))
        .containsExactly(new InetSocketAddress(ip("10.96.0.1"), 443));
    assertThat(TargetPolicy.apiServerEndpoints(" ", "10.96.0.1", " ", resolver))
        .containsExactly(new InetSocketAddress(ip("10.96.0.1"), 443));
    assertThat(
            TargetPolicy.apiServerEndpoints("https://gone.example", "not a host^", null, resolver))
        .as("names that do not resolve and bad URLs are left out")
        .isEmpty();
    assertThat(TargetPolicy.apiServerEndpoints("::not a url", null, null, resolver)).isEmpty();
    assertThat(
            TargetPolicy.apiServerEndpoints(
                "https://127.0.0.1:1", null, null, TargetPolicy.jdkResolver()))
        .hasSize(1);
  }
}
