package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dihya.vigie.api.v1alpha1.ClientTls;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.KubernetesCheck;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What create() accepts, what it refuses and how it says so; pooling; closing. */
class CheckFactoryTest {

  static final String CANARY = "CANARY-41c2";

  final CheckFactory factory = new CheckFactory();
  final Map<String, String> secrets = new HashMap<>();
  final SecretValues values = ref -> secrets.get(ref.name + "/" + ref.key);

  @AfterEach
  void close() {
    factory.close();
  }

  static HealthProbeSpec http(Consumer<HttpCheck> edit) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.http = new HttpCheck();
    spec.http.url = "http://orders.shop.svc:8080/healthz";
    edit.accept(spec.http);
    return spec;
  }

  String refused(HealthProbeSpec spec) {
    Throwable thrown = null;
    try {
      factory.create("test", spec, values);
    } catch (IllegalArgumentException e) {
      thrown = e;
    }
    assertThat(thrown).as("create() refuses the spec").isNotNull();
    assertThat(thrown.getMessage()).doesNotContain(CANARY);
    return thrown.getMessage();
  }

  static HttpHeader header(String name, String value) {
    HttpHeader h = new HttpHeader();
    h.name = name;
    h.value = value;
    return h;
  }

  static HttpHeader secretHeader(String name, SecretKeyRef ref) {
    HttpHeader h = new HttpHeader();
    h.name = name;
    h.valueFrom = new HttpHeader.ValueFrom();
    h.valueFrom.secretKeyRef = ref;
    return h;
  }

  @Test
  void exactlyOneCheckBlock() {
    HealthProbeSpec none = new HealthProbeSpec();
    assertThat(refused(none)).isEqualTo("spec: exactly one check block must be set, found none");

    HealthProbeSpec two = http(h -> {});
    two.tcp = new TcpCheck();
    assertThat(refused(two))
        .isEqualTo("spec: exactly one check block must be set, found http, tcp");
  }

  @Test
  void kubernetesChecksNeedTheOperatorsApiConnection() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.kubernetes = new KubernetesCheck();
    assertThatThrownBy(() -> factory.create("test", spec, values))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("kubernetes checks need the operator's connection to the API server");
  }

  @Test
  void urlProblemsNameTheFieldWithoutEchoingTheUrl() {
    assertThat(refused(http(h -> h.url = null))).isEqualTo("spec.http.url: required");
    assertThat(refused(http(h -> h.url = "http://exa mple/?token=" + CANARY)))
        .isEqualTo("spec.http.url: not a valid URL");
    assertThat(refused(http(h -> h.url = "ftp://files/" + CANARY)))
        .isEqualTo("spec.http.url: must start with http:// or https://");
    assertThat(refused(http(h -> h.url = "orders/" + CANARY)))
        .isEqualTo("spec.http.url: must start with http:// or https://");
    assertThat(refused(http(h -> h.url = "http://under_score/" + CANARY)))
        .isEqualTo("spec.http.url: has no valid host name");
  }

  @Test
  void statusAndBodyExpectations() {
    assertThat(refused(http(h -> h.expectStatus = List.of("200", "2xx"))))
        .isEqualTo(
            "spec.http.expectStatus[1]: not a status code (200) or an inclusive range (200-299)");
    assertThat(refused(http(h -> h.expectStatus = java.util.Arrays.asList((String) null))))
        .startsWith("spec.http.expectStatus[0]: ");
    assertThat(refused(http(h -> h.expectStatus = List.of("299-200"))))
        .isEqualTo("spec.http.expectStatus[0]: the range ends before it starts");
    assertThat(
            refused(
                http(
                    h -> {
                      h.expectBody = new HttpCheck.ExpectBody();
                      h.expectBody.regex = "(unclosed";
                    })))
        .isEqualTo(
            "spec.http.expectBody.regex: not a valid regular expression (Unclosed group near"
                + " index 9)");
    assertThat(factory.create("test", http(h -> h.expectStatus = null), values)).isNotNull();
    assertThat(factory.create("test", http(h -> h.method = null), values)).isNotNull();
  }

  @Test
  void headerProblems() {
    secrets.put("s/k", CANARY + "\r\nX-Injected: 1");
    assertThat(refused(http(h -> h.headers = List.of(header(null, "v")))))
        .isEqualTo("spec.http.headers[0].name: required");
    assertThat(refused(http(h -> h.headers = List.of(header("X-A", "a"), header("X-B", null)))))
        .isEqualTo("spec.http.headers[1]: set exactly one of value and valueFrom");
    HttpHeader both = secretHeader("X-A", new SecretKeyRef("s", "k"));
    both.value = "v";
    assertThat(refused(http(h -> h.headers = List.of(both))))
        .isEqualTo("spec.http.headers[0]: set exactly one of value and valueFrom");
    HttpHeader noRef = secretHeader("X-A", null);
    assertThat(refused(http(h -> h.headers = List.of(noRef))))
        .isEqualTo("spec.http.headers[0].valueFrom.secretKeyRef: required");
    assertThat(refused(http(h -> h.headers = List.of(header("Host", "orders")))))
        .isEqualTo("spec.http.headers[0].name: the HTTP client does not allow the header Host");
    assertThat(refused(http(h -> h.headers = List.of(header("Transfer-Encoding", "chunked")))))
        .isEqualTo(
            "spec.http.headers[0].name: the HTTP client does not allow the header"
                + " Transfer-Encoding");
    assertThat(refused(http(h -> h.headers = List.of(header("X Key", "v")))))
        .isEqualTo("spec.http.headers[0].name: the HTTP client does not allow the header X Key");
    assertThat(refused(http(h -> h.headers = List.of(header("X-Key", "caf\u00e9 \u2603")))))
        .isEqualTo("spec.http.headers[0]: the value is not a valid header value");
    assertThat(
            factory.create(
                "test",
                http(h -> h.headers = List.of(header("X-Key", "tab\tand caf\u00e9"))),
                values))
        .as("tabs and Latin-1 (obs-text) are valid")
        .isNotNull();
    assertThat(
            refused(
                http(h -> h.headers = List.of(secretHeader("X-Key", new SecretKeyRef("s", "k"))))))
        .isEqualTo("spec.http.headers[0]: the value is not a valid header value");
    assertThat(
            refused(
                http(
                    h ->
                        h.headers =
                            List.of(secretHeader("X-Key", new SecretKeyRef("s", "missing"))))))
        .isEqualTo("Secret s has no key missing (the caller must resolve it)");
  }

  @Test
  void authorizationComesFromOnePlace() {
    secrets.put("s/user", "u");
    secrets.put("s/password", CANARY);
    secrets.put("s/token", CANARY + "\r\nX: y");
    HttpCheck.BasicAuth basic = new HttpCheck.BasicAuth();
    basic.usernameSecretRef = new SecretKeyRef("s", "user");
    basic.passwordSecretRef = new SecretKeyRef("s", "password");

    assertThat(
            refused(
                http(
                    h -> {
                      h.basicAuth = basic;
                      h.bearerTokenSecretRef = new SecretKeyRef("s", "token");
                    })))
        .isEqualTo("spec.http: set at most one of basicAuth and bearerTokenSecretRef");
    assertThat(
            refused(
                http(
                    h -> {
                      h.basicAuth = basic;
                      h.headers = List.of(header("authorization", "Basic x"));
                    })))
        .isEqualTo(
            "spec.http.headers[0]: Authorization is already set by basicAuth or"
                + " bearerTokenSecretRef");
    assertThat(refused(http(h -> h.basicAuth = new HttpCheck.BasicAuth())))
        .isEqualTo("spec.http.basicAuth: usernameSecretRef and passwordSecretRef are required");
    assertThat(refused(http(h -> h.bearerTokenSecretRef = new SecretKeyRef("s", "token"))))
        .isEqualTo("spec.http: the value is not a valid header value");
    assertThat(factory.create("test", http(h -> h.basicAuth = basic), values)).isNotNull();
  }

  @Test
  void tlsMaterialProblems() throws Exception {
    TestPki.Identity ca = TestPki.authority("ca");
    TestPki.Identity client = TestPki.leaf(ca, "client", Instant.now().plusSeconds(3600), "c");
    TestPki.Identity other = TestPki.leaf(ca, "other", Instant.now().plusSeconds(3600), "o");
    secrets.put("tls/ca", "not a certificate " + CANARY);
    secrets.put("tls/bad-base64", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----");
    secrets.put("tls/crt", "# client\n" + client.certificatePem());
    secrets.put("tls/key", client.keyPem());
    secrets.put("tls/other-key", other.keyPem());
    secrets.put("tls/pkcs1", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----");
    secrets.put(
        "tls/encrypted",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----");
    secrets.put("tls/garbage-key", CANARY);
    secrets.put("tls/bad-key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----");

    assertThat(refused(tls(t -> t.caSecretRef = new SecretKeyRef("tls", "ca"))))
        .isEqualTo("spec.http.tls.caSecretRef: not a PEM certificate");
    assertThat(refused(tls(t -> t.caSecretRef = new SecretKeyRef("tls", "bad-base64"))))
        .isEqualTo("spec.http.tls.caSecretRef: not a PEM certificate");
    assertThat(refused(tls(t -> t.certSecretRef = new SecretKeyRef("tls", "crt"))))
        .isEqualTo("spec.http.tls: certSecretRef and keySecretRef must be set together");
    assertThat(refused(tls(t -> t.keySecretRef = new SecretKeyRef("tls", "key"))))
        .isEqualTo("spec.http.tls: certSecretRef and keySecretRef must be set together");
    assertThat(refused(clientCert("pkcs1")))
        .isEqualTo(
            "spec.http.tls.keySecretRef: not a PKCS#8 private key (convert it with openssl pkcs8"
                + " -topk8 -nocrypt)");
    assertThat(refused(clientCert("encrypted")))
        .isEqualTo(
            "spec.http.tls.keySecretRef: not a PKCS#8 private key (encrypted keys are not"
                + " supported)");
    assertThat(refused(clientCert("garbage-key")))
        .isEqualTo(
            "spec.http.tls.keySecretRef: not a PKCS#8 private key (expected -----BEGIN PRIVATE"
                + " KEY-----)");
    assertThat(refused(clientCert("bad-key")))
        .isEqualTo("spec.http.tls.keySecretRef: not a PKCS#8 EC private key for the certificate");
    assertThat(refused(clientCert("other-key")))
        .isEqualTo("spec.http.tls.keySecretRef: the key does not belong to certSecretRef");
    assertThat(refused(tls(t -> t.serverName = "not a host")))
        .isEqualTo("spec.http.tls.serverName: not a valid host name");

    assertThat(factory.create("test", clientCert("key"), values)).isNotNull();
    assertThat(factory.create("test", tls(t -> t.serverName = " "), values)).isNotNull();
  }

  HealthProbeSpec tls(Consumer<ClientTls> edit) {
    return http(
        h -> {
          h.url = "https://orders.shop.svc/healthz";
          h.tls = new ClientTls();
          edit.accept(h.tls);
        });
  }

  HealthProbeSpec clientCert(String keyName) {
    return tls(
        t -> {
          t.certSecretRef = new SecretKeyRef("tls", "crt");
          t.keySecretRef = new SecretKeyRef("tls", keyName);
        });
  }

  @Test
  void tcpProblems() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.tcp = new TcpCheck();
    spec.tcp.port = 25;
    assertThat(refused(spec)).isEqualTo("spec.tcp.host: required");
    spec.tcp.host = "mail";
    for (Integer port : new Integer[] {null, 0, 65536}) {
      spec.tcp.port = port;
      assertThat(refused(spec)).isEqualTo("spec.tcp.port: must be 1 to 65535");
    }
  }

  @Test
  void maxBodyBytesMustBePositive() {
    assertThatThrownBy(() -> new CheckFactory(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBodyBytes must be positive");
  }

  @Test
  void clientsArePooledByTlsMaterialAndConnectionHandling() throws Exception {
    TestPki.Identity ca = TestPki.authority("ca");
    TestPki.Identity otherCa = TestPki.authority("other ca");
    secrets.put("tls/ca", TestPki.pem(ca.certificate()));
    secrets.put("tls/other", TestPki.pem(otherCa.certificate()));
    List<Check> keep = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      int n = i;
      keep.add(factory.create("test", http(h -> h.url = "http://svc-" + n + ".shop/"), values));
      keep.add(factory.create("test", http(h -> h.url = "https://svc-" + n + ".shop/"), values));
    }
    assertThat(factory.httpClientCount())
        .as("http and https, every host: one client (the server name is the request's)")
        .isEqualTo(1);
    keep.add(factory.create("test", http(h -> h.followRedirects = false), values));
    keep.add(factory.create("test", tls(t -> t.insecureSkipVerify = null), values));
    keep.add(factory.create("test", tls(t -> t.serverName = "orders"), values));
    assertThat(factory.httpClientCount())
        .as("the checks follow redirects themselves; an empty tls block or a server name is none")
        .isEqualTo(1);
    keep.add(
        factory.create("test", tls(t -> t.caSecretRef = new SecretKeyRef("tls", "ca")), values));
    keep.add(
        factory.create("test", tls(t -> t.caSecretRef = new SecretKeyRef("tls", "ca")), values));
    assertThat(factory.httpClientCount()).isEqualTo(2);
    keep.add(
        factory.create("test", tls(t -> t.caSecretRef = new SecretKeyRef("tls", "other")), values));
    keep.add(factory.create("test", tls(t -> t.insecureSkipVerify = true), values));
    assertThat(factory.httpClientCount()).isEqualTo(4);
    keep.add(
        factory.create(
            "test", http(h -> h.headers = List.of(header("Connection", "keep-alive"))), values));
    keep.add(
        factory.create(
            "test", http(h -> h.headers = List.of(header("connection", "Keep-Alive"))), values));
    keep.add(
        factory.create(
            "test", http(h -> h.headers = List.of(header("Connection", "close"))), values));
    assertThat(factory.httpClientCount())
        .as("keep-alive: a client of its own; close is the default")
        .isEqualTo(5);
    assertThat(keep).hasSize(2010);
  }

  @Test
  void clientsOfDeletedProbesAreReleased() throws Exception {
    secrets.put("tls/ca", TestPki.pem(TestPki.authority("ca").certificate()));
    Check kept = factory.create("test", http(h -> {}), values);
    factory.create("test", tls(t -> t.caSecretRef = new SecretKeyRef("tls", "ca")), values);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (factory.httpClientCount() > 1 && System.nanoTime() < until) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(factory.httpClientCount()).isEqualTo(1);
    assertThat(kept).isNotNull();
  }

  @Test
  void closedFactoryRefusesNewChecksAndOldOnesStillComplete() throws Exception {
    Check http = factory.create("test", http(h -> h.url = "http://127.0.0.1:9/"), values);
    HealthProbeSpec tcpSpec = new HealthProbeSpec();
    tcpSpec.tcp = new TcpCheck();
    tcpSpec.tcp.host = "127.0.0.1";
    tcpSpec.tcp.port = 9;
    Check tcp = factory.create("test", tcpSpec, values);

    factory.close();

    assertThatThrownBy(() -> factory.create("test", tcpSpec, values))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the check factory is closed");
    for (Check check : List.of(http, tcp)) {
      CheckResult result = check.run(Duration.ofMillis(500)).get(2, TimeUnit.SECONDS);
      assertThat(result.success()).isFalse();
      assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
      assertThat(result.message()).endsWith(": the check engine is shut down");
    }
  }

  @Test
  void resultFactories() {
    Instant notAfter = Instant.parse("2030-01-01T00:00:00Z");
    assertThat(CheckResult.success(12, "ok"))
        .isEqualTo(new CheckResult(true, "Succeeded", "ok", 12, null, null));
    assertThat(CheckResult.failure(Reasons.TIMEOUT, "slow", 5000).withCertificateNotAfter(notAfter))
        .isEqualTo(new CheckResult(false, "Timeout", "slow", 5000, notAfter, null));
  }
}
