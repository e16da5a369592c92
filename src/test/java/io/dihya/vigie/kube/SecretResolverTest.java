package io.dihya.vigie.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.testing.UnreachableApiServer;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secret resolution against the fabric8 mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class SecretResolverTest {

  KubernetesClient client;

  @Test
  void resolvesKeysInTheResourcesNamespaceOnly() {
    secret("shop", "api", Map.of("token", "t0k3n"));
    secret("other-tenant", "api", Map.of("token", "not-yours"));
    SecretResolver resolver = new SecretResolver(client, Clock.systemUTC(), Duration.ofMinutes(1));

    var resolution =
        resolver.resolve(
            "shop",
            List.of(
                new SecretKeyRef("api", "token"),
                new SecretKeyRef("api", "missing"),
                new SecretKeyRef("db", "password")));
    assertThat(resolution.complete()).isFalse();
    assertThat(resolution.get(new SecretKeyRef("api", "token"))).isEqualTo("t0k3n");
    assertThat(resolution.missing())
        .containsExactly("Secret api has no key missing", "Secret db not found");
  }

  @Test
  void foundSecretsAreReusedForTheirTtlAndMissingOnesAreLookedUpAgain() {
    SecretResolver resolver = new SecretResolver(client, Clock.systemUTC(), Duration.ofMinutes(1));
    SecretKeyRef ref = new SecretKeyRef("db", "password");
    assertThat(resolver.resolve("clinic", List.of(ref)).complete()).isFalse();
    secret("clinic", "db", Map.of("password", "v1"));
    assertThat(resolver.resolve("clinic", List.of(ref)).get(ref)).isEqualTo("v1");

    client
        .secrets()
        .inNamespace("clinic")
        .withName("db")
        .edit(
            s -> {
              s.setData(Map.of("password", base64("v2")));
              return s;
            });
    assertThat(resolver.resolve("clinic", List.of(ref)).get(ref)).isEqualTo("v1");
    resolver.invalidate("clinic", "db");
    assertThat(resolver.resolve("clinic", List.of(ref)).get(ref)).isEqualTo("v2");

    SecretResolver noCache = new SecretResolver(client, Clock.systemUTC(), Duration.ZERO);
    assertThat(noCache.resolve("clinic", List.of(ref)).get(ref)).isEqualTo("v2");
  }

  @Test
  void anUnreachableApiServerIsReportedWithoutItsMessage() {
    SecretResolver resolver =
        new SecretResolver(UnreachableApiServer.client(), Clock.systemUTC(), Duration.ofMinutes(1));
    var resolution = resolver.resolve("shop", List.of(new SecretKeyRef("api", "token")));
    assertThat(resolution.missing()).hasSize(1);
    assertThat(resolution.missing().get(0)).startsWith("Secret api could not be read (");
  }

  @Test
  void everyReferenceOfASpecIsFound() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.http = new HttpCheck();
    spec.http.url = "https://a.svc/";
    HttpHeader header = new HttpHeader();
    header.name = "X-Key";
    header.valueFrom = new HttpHeader.ValueFrom();
    header.valueFrom.secretKeyRef = new SecretKeyRef("api", "key");
    HttpHeader plain = new HttpHeader();
    plain.name = "Accept";
    plain.value = "application/json";
    spec.http.headers = List.of(header, plain);
    spec.http.bearerTokenSecretRef = new SecretKeyRef("api", "token");
    spec.http.tls = new io.dihya.vigie.api.v1alpha1.ClientTls();
    spec.http.tls.caSecretRef = new SecretKeyRef("ca", "ca.crt");
    spec.http.tls.certSecretRef = new SecretKeyRef("api", "key");
    assertThat(SecretRefs.of(spec))
        .containsExactly(
            new SecretKeyRef("api", "key"),
            new SecretKeyRef("api", "token"),
            new SecretKeyRef("ca", "ca.crt"));
    assertThat(SecretRefs.of(null)).isEmpty();
  }

  private void secret(String namespace, String name, Map<String, String> values) {
    Map<String, String> data = new java.util.HashMap<>();
    values.forEach((k, v) -> data.put(k, base64(v)));
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withData(data)
                .build())
        .create();
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
