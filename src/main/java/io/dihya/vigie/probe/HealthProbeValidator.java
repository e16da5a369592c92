package io.dihya.vigie.probe;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.Names;
import io.dihya.vigie.kube.SpecBounds;
import io.dihya.vigie.kube.SpecProblems;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the rules of a HealthProbe spec that the CRD schema cannot express (it must install on
 * Kubernetes 1.20, so there are no CEL validations), and those the schema states but the API server
 * of a test or an old object may not have enforced.
 */
public final class HealthProbeValidator {

  static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  static final Duration MAX_INTERVAL = Duration.ofHours(24);
  static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
  static final Duration MAX_MIN_VALID_FOR = Duration.ofDays(3650);

  private static final Pattern LABEL_NAME = Pattern.compile("^[a-zA-Z_][a-zA-Z0-9_]*$");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile(Names.DNS_SUBDOMAIN);
  private static final Pattern STATUS_RANGE =
      Pattern.compile("^([1-5][0-9]{2})(?:-([1-5][0-9]{2}))?$");

  private HealthProbeValidator() {}

  /** Validates {@code spec}, naming the probe by {@code name} where it refers to itself. */
  public static SpecProblems validate(String name, HealthProbeSpec spec) {
    SpecProblems problems = new SpecProblems();
    if (spec == null) {
      problems.add("spec", "required");
      return problems;
    }
    if (!SpecBounds.sizes("spec", spec, problems)) {
      return problems; // past the schema's bounds: not worth looking into, nor safe to
    }
    var interval = problems.duration("spec.interval", spec.interval, MIN_INTERVAL, MAX_INTERVAL);
    var timeout = problems.duration("spec.timeout", spec.timeout, MIN_TIMEOUT);
    if (interval.isPresent() && timeout.isPresent()) {
      problems.check(
          timeout.get().compareTo(interval.get()) >= 0,
          "spec.timeout",
          "must be less than spec.interval");
    }
    validateDependsOn(name, spec.dependsOn, problems);
    if (spec.alert != null) {
      spec.alert.labels.keySet().stream()
          .filter(label -> !LABEL_NAME.matcher(label).matches())
          .findFirst()
          .ifPresent(
              label ->
                  problems.add(
                      "spec.alert.labels",
                      "label names must match [a-zA-Z_][a-zA-Z0-9_]* (as in Prometheus)"));
    }
    for (int i = 0; i < spec.assertions.size(); i++) {
      problems.check(
          spec.assertions.get(i) == null || spec.assertions.get(i).isBlank(),
          "spec.assertions[" + i + "]",
          "must not be empty");
    }
    validateCheckBlocks(spec, problems);
    if (spec.http != null) {
      validateHttp(spec.http, problems);
    }
    if (spec.tls != null) {
      problems.duration(
          "spec.tls.minValidFor", spec.tls.minValidFor, Duration.ZERO, MAX_MIN_VALID_FOR);
    }
    if (spec.grpc != null) {
      problems.tls("spec.grpc.tls", spec.grpc.tls);
    }
    if (spec.postgres != null) {
      problems.clientCertificate(
          "spec.postgres", spec.postgres.certSecretRef, spec.postgres.keySecretRef);
    }
    if (spec.redis != null) {
      problems.tls("spec.redis.tls", spec.redis.tls);
      problems.check(
          spec.redis.usernameSecretRef != null && spec.redis.passwordSecretRef == null,
          "spec.redis.usernameSecretRef",
          "needs spec.redis.passwordSecretRef too");
    }
    // Last: ranges and characters of every field, except where a rule above said more.
    SpecBounds.contents("spec", spec, problems);
    return problems;
  }

  /** The names of the check blocks that are set, in declaration order. */
  public static List<String> checkBlocks(HealthProbeSpec spec) {
    Map<String, Object> blocks = new LinkedHashMap<>();
    blocks.put("http", spec.http);
    blocks.put("tcp", spec.tcp);
    blocks.put("dns", spec.dns);
    blocks.put("grpc", spec.grpc);
    blocks.put("tls", spec.tls);
    blocks.put("postgres", spec.postgres);
    blocks.put("redis", spec.redis);
    blocks.put("kubernetes", spec.kubernetes);
    List<String> set = new ArrayList<>();
    blocks.forEach(
        (block, value) -> {
          if (value != null) {
            set.add(block);
          }
        });
    return set;
  }

  private static void validateCheckBlocks(HealthProbeSpec spec, SpecProblems problems) {
    List<String> set = checkBlocks(spec);
    if (set.isEmpty()) {
      problems.add(
          "spec",
          "set exactly one check block: http, tcp, dns, grpc, tls, postgres, redis or kubernetes");
    } else if (set.size() > 1) {
      problems.add(
          "spec",
          "set exactly one check block, found " + set.size() + ": " + String.join(", ", set));
    }
  }

  private static void validateDependsOn(
      String name, List<String> dependsOn, SpecProblems problems) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < dependsOn.size(); i++) {
      String dependency = dependsOn.get(i);
      String path = "spec.dependsOn[" + i + "]";
      if (dependency == null || !DNS_SUBDOMAIN.matcher(dependency).matches()) {
        problems.add(path, "not a valid HealthProbe name");
      } else if (dependency.equals(name)) {
        problems.add(path, "a probe cannot depend on itself");
      } else if (!seen.add(dependency)) {
        problems.add(path, "listed twice");
      }
    }
  }

  private static void validateHttp(HttpCheck http, SpecProblems problems) {
    if (http.url == null) {
      problems.add("spec.http.url", "required");
    } else {
      try {
        URI uri = new URI(http.url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        problems.check(
            !scheme.equals("http") && !scheme.equals("https"),
            "spec.http.url",
            "must start with http:// or https://");
        problems.check(uri.getHost() == null, "spec.http.url", "has no host");
        problems.check(
            uri.getRawUserInfo() != null,
            "spec.http.url",
            "must not carry credentials; use spec.http.basicAuth or a header with valueFrom");
      } catch (URISyntaxException e) {
        problems.add("spec.http.url", "not a valid URL");
      }
    }
    for (int i = 0; i < http.expectStatus.size(); i++) {
      String range = http.expectStatus.get(i);
      var m = range == null ? null : STATUS_RANGE.matcher(range);
      String path = "spec.http.expectStatus[" + i + "]";
      if (m == null || !m.matches()) {
        problems.add(path, "write a status code (200) or a range (200-299)");
      } else if (m.group(2) != null
          && Integer.parseInt(m.group(2)) < Integer.parseInt(m.group(1))) {
        problems.add(path, "the range ends before it starts");
      }
    }
    if (http.expectBody != null && http.expectBody.regex != null) {
      problems.regex("spec.http.expectBody.regex", http.expectBody.regex);
    }
    problems.headers("spec.http.headers", http.headers);
    problems.tls("spec.http.tls", http.tls);
    problems.check(
        http.basicAuth != null && http.bearerTokenSecretRef != null,
        "spec.http",
        "set at most one of basicAuth and bearerTokenSecretRef");
  }
}
