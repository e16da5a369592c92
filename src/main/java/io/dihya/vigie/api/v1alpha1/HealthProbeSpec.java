package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * What to check, how often, and when to call the target unhealthy. Exactly one check block (http,
 * tcp, dns, grpc, tls, postgres, redis, kubernetes) must be set; the reconciler reports anything
 * else as Ready=False, reason InvalidSpec.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthProbeSpec {

  @Default("30s")
  @Pattern(DurationFormat.PATTERN)
  @Size(max = DurationFormat.MAX_LENGTH)
  @JsonPropertyDescription("How often the check runs, e.g. 10s, 1m. At least 1s, at most 24h.")
  public String interval = "30s";

  @Default("5s")
  @Pattern(DurationFormat.PATTERN)
  @Size(max = DurationFormat.MAX_LENGTH)
  @JsonPropertyDescription(
      "How long one check may take before it fails with reason Timeout. At least 10ms, less than"
          + " interval.")
  public String timeout = "5s";

  @Default("3")
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Consecutive failed checks that turn the probe Unhealthy.")
  public Integer failureThreshold = 3;

  @Default("1")
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Consecutive successful checks that turn the probe Healthy again.")
  public Integer successThreshold = 1;

  @Default("warning")
  @JsonPropertyDescription("Severity of this probe's alerts: critical, warning or info.")
  public Severity severity = Severity.WARNING;

  @Default("false")
  @JsonPropertyDescription(
      "Stop running checks (health becomes Suspended) without deleting the probe, e.g. during"
          + " maintenance.")
  public Boolean suspend = false;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Names of HealthProbes in the same namespace this one depends on. While one of them is"
          + " unhealthy, this probe's alerts are suppressed (inhibited).")
  public List<@Pattern(Names.DNS_SUBDOMAIN) @Size(max = Limits.NAME) String> dependsOn =
      new ArrayList<>();

  @JsonPropertyDescription("Labels and annotations carried into this probe's alerts.")
  public ProbeAlert alert;

  @Size(max = Limits.ASSERTIONS)
  @JsonPropertyDescription(
      "CEL expressions over the check's result that must all be true, e.g. result.latencyMs < 300 or"
          + " result.http.status == 200. A false one fails the check with reason AssertionFailed. At"
          + " most 16, each at most 1024 characters.")
  public List<@Size(max = Limits.EXPRESSION) String> assertions = new ArrayList<>();

  @JsonPropertyDescription("An HTTP(S) request.")
  public HttpCheck http;

  @JsonPropertyDescription("A TCP connection.")
  public TcpCheck tcp;

  @JsonPropertyDescription("A DNS query.")
  public DnsCheck dns;

  @JsonPropertyDescription("A gRPC health check (grpc.health.v1).")
  public GrpcCheck grpc;

  @JsonPropertyDescription("A TLS certificate's validity and expiry.")
  public TlsCheck tls;

  @JsonPropertyDescription("A PostgreSQL login and query.")
  public PostgresCheck postgres;

  @JsonPropertyDescription("A Redis PING.")
  public RedisCheck redis;

  @JsonPropertyDescription("A Kubernetes workload's readiness.")
  public KubernetesCheck kubernetes;
}
