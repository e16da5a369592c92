package io.dihya.vigie.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.ProbeAlert;
import io.dihya.vigie.api.v1alpha1.RedisCheck;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.TlsCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthProbeValidatorTest {

  @Test
  void aMinimalHttpProbeIsValid() {
    assertThat(HealthProbeValidator.validate("p", http("http://a.svc/")).list()).isEmpty();
  }

  @Test
  void missingSpecAndMissingCheckBlockAreReported() {
    assertThat(HealthProbeValidator.validate("p", null).list()).containsExactly("spec: required");
    assertThat(HealthProbeValidator.validate("p", new HealthProbeSpec()).list())
        .containsExactly(
            "spec: set exactly one check block: http, tcp, dns, grpc, tls, postgres, redis or"
                + " kubernetes");
  }

  @Test
  void timingRules() {
    HealthProbeSpec spec = http("http://a.svc/");
    spec.interval = "1s";
    spec.timeout = "1s";
    assertThat(HealthProbeValidator.validate("p", spec).list())
        .containsExactly("spec.timeout: must be less than spec.interval");

    spec.interval = "5ms";
    spec.timeout = "1ms";
    assertThat(HealthProbeValidator.validate("p", spec).list())
        .containsExactly(
            "spec.interval: must be at least 1s", "spec.timeout: must be at least 10ms");

    spec.interval = "1m";
    spec.timeout = "five";
    spec.failureThreshold = 0;
    spec.successThreshold = 0;
    assertThat(HealthProbeValidator.validate("p", spec).list())
        .containsExactly(
            "spec.timeout: not a duration; write it like 30s, 5m, 1h30m or 14d",
            "spec.failureThreshold: must be at least 1",
            "spec.successThreshold: must be at least 1");
  }

  @Test
  void dependsOnRules() {
    HealthProbeSpec spec = http("http://a.svc/");
    spec.dependsOn = List.of("db", "p", "db", "Not_A_Name");
    assertThat(HealthProbeValidator.validate("p", spec).list())
        .containsExactly(
            "spec.dependsOn[1]: a probe cannot depend on itself",
            "spec.dependsOn[2]: listed twice",
            "spec.dependsOn[3]: not a valid HealthProbe name");
  }

  @Test
  void httpRulesNameTheFieldButNeverEchoTheValue() {
    HealthProbeSpec spec = http("https://admin:CANARY@a.svc/health");
    spec.http.expectStatus = List.of("200", "299-200", "abc");
    spec.http.expectBody = new HttpCheck.ExpectBody();
    spec.http.expectBody.regex = "CANARY(";
    HttpHeader both = new HttpHeader();
    both.name = "X-Api-Key";
    both.value = "CANARY";
    both.valueFrom = new HttpHeader.ValueFrom();
    both.valueFrom.secretKeyRef = new SecretKeyRef("api", "key");
    spec.http.headers = List.of(both);
    spec.http.basicAuth = new HttpCheck.BasicAuth();
    spec.http.bearerTokenSecretRef = new SecretKeyRef("api", "token");
    var problems = HealthProbeValidator.validate("p", spec);
    assertThat(problems.list())
        .containsExactly(
            "spec.http.url: must not carry credentials; use spec.http.basicAuth or a header with"
                + " valueFrom",
            "spec.http.expectStatus[1]: the range ends before it starts",
            "spec.http.expectStatus[2]: write a status code (200) or a range (200-299)",
            "spec.http.expectBody.regex: not a valid regular expression: Unclosed group",
            "spec.http.headers[0]: set exactly one of value and valueFrom",
            "spec.http: set at most one of basicAuth and bearerTokenSecretRef");
    assertThat(problems.message()).doesNotContain("CANARY");
  }

  @Test
  void urlWithoutHostOrWithAnotherSchemeIsRefused() {
    assertThat(HealthProbeValidator.validate("p", http("ftp://a.svc/")).list())
        .containsExactly("spec.http.url: must start with http:// or https://");
    assertThat(HealthProbeValidator.validate("p", http("http:///path")).list())
        .containsExactly("spec.http.url: has no host");
    assertThat(HealthProbeValidator.validate("p", http("http://a b/")).list())
        .containsExactly("spec.http.url: not a valid URL");
  }

  @Test
  void alertLabelsAssertionsTlsAndRedisRules() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.tls = new TlsCheck();
    spec.tls.host = "portal";
    spec.tls.minValidFor = "two weeks";
    spec.alert = new ProbeAlert();
    spec.alert.labels = Map.of("team-name", "x");
    spec.assertions = List.of("result.latencyMs < 300", " ");
    assertThat(HealthProbeValidator.validate("p", spec).list())
        .containsExactly(
            "spec.alert.labels: label names must match [a-zA-Z_][a-zA-Z0-9_]* (as in Prometheus)",
            "spec.assertions[1]: must not be empty",
            "spec.tls.minValidFor: not a duration; write it like 30s, 5m, 1h30m or 14d");

    HealthProbeSpec redis = new HealthProbeSpec();
    redis.redis = new RedisCheck();
    redis.redis.host = "cache";
    redis.redis.usernameSecretRef = new SecretKeyRef("redis", "user");
    assertThat(HealthProbeValidator.validate("p", redis).list())
        .containsExactly("spec.redis.usernameSecretRef: needs spec.redis.passwordSecretRef too");
  }

  @Test
  void clientCertificatesNeedTheirKeys() {
    HealthProbeSpec pg = new HealthProbeSpec();
    pg.postgres = new io.dihya.vigie.api.v1alpha1.PostgresCheck();
    pg.postgres.host = "db";
    pg.postgres.database = "records";
    pg.postgres.keySecretRef = new SecretKeyRef("db", "tls.key");
    assertThat(HealthProbeValidator.validate("p", pg).list())
        .containsExactly(
            "spec.postgres: certSecretRef and keySecretRef go together: set both or neither");

    HealthProbeSpec grpc = new HealthProbeSpec();
    grpc.grpc = new io.dihya.vigie.api.v1alpha1.GrpcCheck();
    grpc.grpc.host = "grading";
    grpc.grpc.port = 9090;
    grpc.grpc.tls = new io.dihya.vigie.api.v1alpha1.ClientTls();
    grpc.grpc.tls.certSecretRef = new SecretKeyRef("grading", "tls.crt");
    assertThat(HealthProbeValidator.validate("p", grpc).list())
        .containsExactly(
            "spec.grpc.tls: certSecretRef and keySecretRef go together: set both or neither");
  }

  @Test
  void longMessagesAreCut() {
    HealthProbeSpec spec = http("http://a.svc/");
    spec.http.expectStatus = java.util.Collections.nCopies(32, "999");
    String message = HealthProbeValidator.validate("p", spec).message();
    assertThat(message).hasSize(1024).endsWith("...");
  }

  private static HealthProbeSpec http(String url) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.http = new HttpCheck();
    spec.http.url = url;
    return spec;
  }
}
