package io.dihya.vigie.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.DnsCheck;
import io.dihya.vigie.api.v1alpha1.GrpcCheck;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.KubernetesCheck;
import io.dihya.vigie.api.v1alpha1.PostgresCheck;
import io.dihya.vigie.api.v1alpha1.RedisCheck;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import io.dihya.vigie.api.v1alpha1.TlsCheck;
import org.junit.jupiter.api.Test;

class TargetRendererTest {

  @Test
  void checkTypeNamesTheBlock() {
    HealthProbeSpec spec = new HealthProbeSpec();
    assertThat(TargetRenderer.checkType(spec)).isEmpty();
    spec.kubernetes = new KubernetesCheck();
    assertThat(TargetRenderer.checkType(spec)).isEqualTo("kubernetes");
    spec.redis = new RedisCheck();
    assertThat(TargetRenderer.checkType(spec)).isEqualTo("redis");
    spec.postgres = new PostgresCheck();
    assertThat(TargetRenderer.checkType(spec)).isEqualTo("postgres");
    spec.tls = new TlsCheck();
    assertThat(TargetRenderer.checkType(spec)).isEqualTo("tls");
    spec.grpc = new GrpcCheck();
    assertThat(TargetRenderer.checkType(spec)).isEqualTo("grpc");
    spec.dns = new DnsCheck();
    assertThat(TargetRenderer.checkType(spec)).isEqualTo("dns");
    spec.tcp = new TcpCheck();
    assertThat(TargetRenderer.checkType(spec)).isEqualTo("tcp");
    spec.http = new HttpCheck();
    assertThat(TargetRenderer.checkType(spec)).isEqualTo("http");
  }

  @Test
  void urlLosesUserInfoQueryAndFragment() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.http = new HttpCheck();
    spec.http.method = HttpCheck.Method.POST;
    spec.http.url = "https://bob:s3cr3t@api.shop.svc:8443/v1/health?api_key=CANARY#frag";
    assertThat(TargetRenderer.render(spec)).isEqualTo("POST https://api.shop.svc:8443/v1/health");
  }

  @Test
  void invalidUrlIsNotEchoed() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.http = new HttpCheck();
    spec.http.url = "http://exa mple/?token=CANARY";
    assertThat(TargetRenderer.render(spec)).isEqualTo("GET (invalid URL)");
  }

  @Test
  void everyCheckTypeHasAShortTarget() {
    HealthProbeSpec tcp = new HealthProbeSpec();
    tcp.tcp = new TcpCheck();
    tcp.tcp.host = "fd00::1";
    tcp.tcp.port = 25;
    assertThat(TargetRenderer.render(tcp)).isEqualTo("tcp://[fd00::1]:25");

    HealthProbeSpec dns = new HealthProbeSpec();
    dns.dns = new DnsCheck();
    dns.dns.name = "db.school.svc.cluster.local";
    dns.dns.recordType = DnsCheck.RecordType.SRV;
    dns.dns.server = "10.96.0.10";
    assertThat(TargetRenderer.render(dns))
        .isEqualTo("dns SRV db.school.svc.cluster.local @10.96.0.10:53");

    HealthProbeSpec grpc = new HealthProbeSpec();
    grpc.grpc = new GrpcCheck();
    grpc.grpc.host = "payments";
    grpc.grpc.port = 9090;
    grpc.grpc.service = "pay.v1.Payments";
    assertThat(TargetRenderer.render(grpc)).isEqualTo("grpc://payments:9090/pay.v1.Payments");

    HealthProbeSpec tls = new HealthProbeSpec();
    tls.tls = new TlsCheck();
    tls.tls.host = "portal.example.org";
    assertThat(TargetRenderer.render(tls)).isEqualTo("tls://portal.example.org:443");

    HealthProbeSpec pg = new HealthProbeSpec();
    pg.postgres = new PostgresCheck();
    pg.postgres.host = "ehr-db";
    pg.postgres.database = "records";
    assertThat(TargetRenderer.render(pg)).isEqualTo("postgres://ehr-db:5432/records");

    HealthProbeSpec redis = new HealthProbeSpec();
    redis.redis = new RedisCheck();
    redis.redis.host = "cache";
    assertThat(TargetRenderer.render(redis)).isEqualTo("redis://cache:6379");

    HealthProbeSpec kube = new HealthProbeSpec();
    kube.kubernetes = new KubernetesCheck();
    kube.kubernetes.kind = KubernetesCheck.Kind.StatefulSet;
    kube.kubernetes.name = "postgres";
    assertThat(TargetRenderer.render(kube)).isEqualTo("StatefulSet/postgres");

    assertThat(TargetRenderer.render(new HealthProbeSpec())).isEmpty();
  }

  @Test
  void longTargetsAreCut() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.http = new HttpCheck();
    spec.http.url = "http://a.svc/" + "x".repeat(200);
    String target = TargetRenderer.render(spec);
    assertThat(target).hasSize(TargetRenderer.MAX_LENGTH).endsWith("...");
  }
}
