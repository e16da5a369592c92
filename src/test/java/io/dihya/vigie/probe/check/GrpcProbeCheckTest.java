package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.api.v1alpha1.ClientTls;
import io.dihya.vigie.api.v1alpha1.GrpcCheck;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.grpc.ConnectivityState;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** gRPC checks against real grpc-java servers on loopback. */
class GrpcProbeCheckTest {

  static final String CANARY = "CANARY-5d1c2b";
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Duration SHORT = Duration.ofMillis(500);

  static CheckFactory factory;
  static TestPki.Identity ca;
  static TestPki.Identity serverIdentity;
  static TestPki.Identity namedIdentity;
  static TestPki.Identity clientIdentity;
  static Instant serverNotAfter;
  static HealthStatusManager health;
  static Server plain;
  static Server tls;
  static Server mtls;
  static Server named;
  static final Map<String, String> secrets = new ConcurrentHashMap<>();

  /** Servers and checks made by one test, stopped after it. */
  final List<Server> servers = new ArrayList<>();

  final List<Check> checks = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    factory = new CheckFactory();
    health = new HealthStatusManager();
    health.setStatus("orders", ServingStatus.SERVING);
    health.setStatus("billing", ServingStatus.NOT_SERVING);
    health.setStatus("legacy", ServingStatus.UNKNOWN);
    plain = serve(0, InsecureServerCredentials.create(), health.getHealthService());

    ca = TestPki.authority("vigie grpc CA");
    serverNotAfter = Instant.now().plus(40, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    serverIdentity = TestPki.leaf(ca, "localhost", serverNotAfter, "localhost", "127.0.0.1");
    namedIdentity = TestPki.leaf(ca, "orders", serverNotAfter, "orders.shop.svc");
    clientIdentity = TestPki.leaf(ca, "vigie-probe", serverNotAfter, "vigie-probe");
    tls = serve(0, serverCredentials(serverIdentity, false), health.getHealthService());
    mtls = serve(0, serverCredentials(serverIdentity, true), health.getHealthService());
    named = serve(0, serverCredentials(namedIdentity, false), health.getHealthService());

    secrets.put("ca/ca.crt", TestPki.pem(ca.certificate()));
    secrets.put("client/tls.crt", clientIdentity.certificatePem());
    secrets.put("client/tls.key", clientIdentity.keyPem());
    secrets.put("other/tls.key", TestPki.leaf(ca, "x", serverNotAfter, "x").keyPem());
    secrets.put("broken/ca.crt", "-----BEGIN CERTIFICATE-----\n" + CANARY + "\n");
    secrets.put("broken/tls.key", CANARY);
  }

  @AfterAll
  static void stop() {
    for (Server s : List.of(plain, tls, mtls, named)) {
      s.shutdownNow();
    }
    factory.close();
  }

  @AfterEach
  void stopTestServers() {
    checks.forEach(Check::close);
    servers.forEach(Server::shutdownNow);
  }

  static Server serve(int port, ServerCredentials credentials, io.grpc.BindableService... services)
      throws IOException {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), credentials);
    for (io.grpc.BindableService service : services) {
      builder.addService(service);
    }
    return builder.build().start();
  }

  static ServerCredentials serverCredentials(TestPki.Identity identity, boolean requireClient)
      throws IOException {
    TlsServerCredentials.Builder builder =
        TlsServerCredentials.newBuilder()
            .keyManager(stream(TestPki.chainPem(identity)), stream(identity.keyPem()));
    if (requireClient) {
      builder
          .trustManager(stream(TestPki.pem(ca.certificate())))
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return builder.build();
  }

  static InputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
  }

  static HealthProbeSpec spec(Server server, String service) {
    return spec("127.0.0.1", server.getPort(), service);
  }

  static HealthProbeSpec spec(String host, Integer port, String service) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.grpc = new GrpcCheck();
    spec.grpc.host = host;
    spec.grpc.port = port;
    if (service != null) {
      spec.grpc.service = service;
    }
    return spec;
  }

  static HealthProbeSpec tlsSpec(Server server, Consumer<ClientTls> settings) {
    HealthProbeSpec spec = spec(server, null);
    spec.grpc.tls = new ClientTls();
    spec.grpc.tls.caSecretRef = new SecretKeyRef("ca", "ca.crt");
    settings.accept(spec.grpc.tls);
    return spec;
  }

  Check check(HealthProbeSpec spec) {
    Check check = factory.create("test", spec, ref -> secrets.get(ref.name + "/" + ref.key));
    checks.add(check);
    return check;
  }

  static CheckResult run(Check check, Duration timeout) throws Exception {
    CheckResult result =
        check.run(timeout).get(Math.min(timeout.toSeconds(), 60) + 5, TimeUnit.SECONDS);
    assertThat(result.message()).doesNotContain(CANARY);
    return result;
  }

  CheckResult run(HealthProbeSpec spec) throws Exception {
    return run(check(spec), TIMEOUT);
  }

  static String target(Server server) {
    return "grpc 127.0.0.1:" + server.getPort();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void servingServerSucceeds() throws Exception {
    CheckResult result = run(spec(plain, null));

    assertThat(result.success()).isTrue();
    assertThat(result.reason()).isEqualTo(Reasons.SUCCEEDED);
    assertThat(result.message()).isEqualTo(target(plain) + ": SERVING");
    assertThat(result.latencyMs()).isBetween(0L, 5000L);
    assertThat(result.certificateNotAfter()).isNull();
    assertThat(result.data())
        .containsExactly(Map.entry("grpc", Map.of("code", "OK", "status", "SERVING")));
  }

  @Test
  void servingServiceSucceeds() throws Exception {
    CheckResult result = run(spec(plain, "orders"));

    assertThat(result.success()).isTrue();
    assertThat(result.message()).isEqualTo(target(plain) + " service orders: SERVING");
  }

  @Test
  void notServingAndUnknownAreNotServing() throws Exception {
    CheckResult billing = run(spec(plain, "billing"));
    assertThat(billing.success()).isFalse();
    assertThat(billing.reason()).isEqualTo(Reasons.NOT_SERVING);
    assertThat(billing.message())
        .isEqualTo(target(plain) + " service billing: answered NOT_SERVING");
    assertThat(billing.data().get("grpc")).isEqualTo(Map.of("code", "OK", "status", "NOT_SERVING"));

    CheckResult legacy = run(spec(plain, "legacy"));
    assertThat(legacy.reason()).isEqualTo(Reasons.NOT_SERVING);
    assertThat(legacy.message()).isEqualTo(target(plain) + " service legacy: answered UNKNOWN");
  }

  @Test
  void unknownServiceIsNotServing() throws Exception {
    CheckResult result = run(spec(plain, "nope.v1.Nope"));

    assertThat(result.reason()).isEqualTo(Reasons.NOT_SERVING);
    assertThat(result.message())
        .isEqualTo(
            target(plain)
                + " service nope.v1.Nope: the server does not know the service (NOT_FOUND)");
    assertThat(result.data().get("grpc"))
        .isEqualTo(Map.of("code", "NOT_FOUND", "status", "SERVICE_UNKNOWN"));
  }

  @Test
  void aServerWithoutTheHealthServiceIsNotServing() throws Exception {
    // A server with no service at all: the health method is unknown to it.
    Server other =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .build()
            .start();
    servers.add(other);

    CheckResult result = run(spec(other, null));

    assertThat(result.reason()).isEqualTo(Reasons.NOT_SERVING);
    assertThat(result.message())
        .isEqualTo(target(other) + ": the server has no grpc.health.v1 service");
    assertThat(result.data().get("grpc")).isEqualTo(Map.of("code", "UNIMPLEMENTED"));
  }

  @Test
  void errorsAndEmptyAnswersFromTheServerAreNamed() throws Exception {
    Server scripted = serve(0, InsecureServerCredentials.create(), new ScriptedHealth());
    servers.add(scripted);
    // A health method that ends the call with OK and no answer: grpc-java's server refuses to for
    // a unary method, so this one is declared server-streaming, under the same name.
    io.grpc.ServerCallHandler<HealthCheckRequest, HealthCheckResponse> okWithoutAnswer =
        (call, headers) -> {
          call.request(1);
          return new io.grpc.ServerCall.Listener<HealthCheckRequest>() {
            @Override
            public void onHalfClose() {
              call.close(io.grpc.Status.OK, new io.grpc.Metadata());
            }
          };
        };
    io.grpc.ServerServiceDefinition silentOk =
        io.grpc.ServerServiceDefinition.builder(HealthGrpc.SERVICE_NAME)
            .addMethod(
                HealthGrpc.getCheckMethod().toBuilder()
                    .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
                    .build(),
                okWithoutAnswer)
            .build();
    Server empty =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(silentOk)
            .build()
            .start();
    servers.add(empty);

    CheckResult nothing = run(spec(empty, null));
    assertThat(nothing.reason()).isEqualTo(Reasons.NOT_SERVING);
    assertThat(nothing.message())
        .isEqualTo(target(empty) + ": the health service closed the call without an answer");

    CheckResult denied = run(spec(scripted, "denied"));
    assertThat(denied.reason()).isEqualTo(Reasons.NOT_SERVING);
    assertThat(denied.message())
        .as("the server's description is not copied")
        .isEqualTo(
            target(scripted) + " service denied: the health call failed with PERMISSION_DENIED");
    assertThat(denied.data().get("grpc")).isEqualTo(Map.of("code", "PERMISSION_DENIED"));

    CheckResult unavailable = run(spec(scripted, "unavailable"));
    assertThat(unavailable.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
    assertThat(unavailable.message())
        .isEqualTo(target(scripted) + " service unavailable: the server is unavailable");
  }

  @Test
  void aNullServiceAsksAboutTheWholeServer() throws Exception {
    HealthProbeSpec spec = spec(plain, null);
    spec.grpc.service = null;

    CheckResult result = run(spec);

    assertThat(result.success()).isTrue();
    assertThat(result.message()).isEqualTo(target(plain) + ": SERVING");
  }

  @Test
  void anIpv6HostIsBracketed() throws Exception {
    int port = freePort();

    CheckResult result = run(spec("::1", port, null));

    assertThat(result.success()).isFalse();
    assertThat(result.message()).startsWith("grpc [::1]:" + port + ": ");
  }

  @Test
  void aTimeoutBeyondWhatTheClockHoldsFailsWithoutThrowing() throws Exception {
    Check check = check(spec(plain, null));

    CheckResult result = run(check, Duration.ofSeconds(Long.MAX_VALUE / 2));

    assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
    assertThat(result.message())
        .isEqualTo(target(plain) + ": check failed unexpectedly (ArithmeticException)");
  }

  @Test
  void aHealthServiceThatNeverAnswersTimesOut() throws Exception {
    Server slow = serve(0, InsecureServerCredentials.create(), new SilentHealth());
    servers.add(slow);

    long started = System.nanoTime();
    CheckResult result = run(check(spec(slow, null)), SHORT);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
    assertThat(result.message()).isEqualTo(target(slow) + ": no answer within 500ms");
    assertThat(tookMs).isBetween(450L, 2000L);
    assertThat(result.data().get("grpc")).isEqualTo(Map.of("code", "DEADLINE_EXCEEDED"));
  }

  @Test
  void closedPortIsConnectionRefused() throws Exception {
    int port = freePort();

    CheckResult result = run(spec("127.0.0.1", port, null));

    assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
    assertThat(result.message()).isEqualTo("grpc 127.0.0.1:" + port + ": connection refused");
  }

  @Test
  void unknownHostIsDnsFailure() throws Exception {
    CheckResult result = run(spec("does-not-exist.invalid", 50051, null));

    assertThat(result.reason()).isEqualTo(Reasons.DNS_FAILURE);
    assertThat(result.message())
        .isEqualTo("grpc does-not-exist.invalid:50051: host name not found");
  }

  @Test
  void aServerRestartedOnTheSamePortIsSeenAtTheNextRun() throws Exception {
    HealthStatusManager own = new HealthStatusManager();
    Server first = serve(0, InsecureServerCredentials.create(), own.getHealthService());
    int port = first.getPort();
    servers.add(first);
    GrpcProbeCheck check = (GrpcProbeCheck) check(spec("127.0.0.1", port, null));
    assertThat(run(check, TIMEOUT).success()).isTrue();

    first.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    // Until the client sees the connection closed, a call on it fails as ConnectionFailed.
    await().until(() -> check.channel().getState(false) != ConnectivityState.READY);
    assertThat(run(check, TIMEOUT).reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
    // The channel now waits out a reconnect backoff (1 s, then longer), failing calls at once.
    awaitTransientFailure(check);
    io.grpc.ManagedChannel backingOff = check.channel();
    CheckResult stillDown = run(check, TIMEOUT);
    assertThat(stillDown.reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
    assertThat(check.channel()).as("replaced").isNotSameAs(backingOff);
    assertThat(backingOff.isShutdown()).isTrue();

    awaitTransientFailure(check);
    Server second = serve(port, InsecureServerCredentials.create(), own.getHealthService());
    servers.add(second);
    CheckResult up = run(check, TIMEOUT);
    assertThat(up.success()).as(up.message()).isTrue();
    assertThat(up.latencyMs()).isLessThan(1000L);
  }

  static void awaitTransientFailure(GrpcProbeCheck check) {
    await().until(() -> check.channel().getState(false) == ConnectivityState.TRANSIENT_FAILURE);
  }

  @Test
  void tlsWithTheCaSucceedsAndReportsTheCertificate() throws Exception {
    CheckResult result = run(tlsSpec(tls, t -> {}));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.certificateNotAfter()).isEqualTo(serverNotAfter);
    @SuppressWarnings("unchecked")
    Map<String, Object> facts = (Map<String, Object>) result.data().get("tls");
    assertThat(facts)
        .containsEntry("notAfter", serverNotAfter.toString())
        .containsEntry("subject", "CN=localhost")
        .containsEntry("issuer", "CN=vigie grpc CA")
        .containsEntry("dnsNames", List.of("localhost"))
        .containsKeys("protocol", "cipherSuite", "daysLeft");
    assertThat(facts.get("daysLeft")).isIn(39L, 40L);
  }

  @Test
  void mutualTlsSucceedsWithTheClientCertificateOnly() throws Exception {
    CheckResult result =
        run(
            tlsSpec(
                mtls,
                t -> {
                  t.certSecretRef = new SecretKeyRef("client", "tls.crt");
                  t.keySecretRef = new SecretKeyRef("client", "tls.key");
                }));
    assertThat(result.success()).as(result.message()).isTrue();

    CheckResult without = run(tlsSpec(mtls, t -> {}));
    assertThat(without.success()).isFalse();
    assertThat(without.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(without.message()).isEqualTo(target(mtls) + ": TLS handshake failed");
  }

  @Test
  void serverNameIsUsedForVerification() throws Exception {
    CheckResult result = run(tlsSpec(named, t -> t.serverName = "orders.shop.svc"));
    assertThat(result.success()).as(result.message()).isTrue();

    CheckResult wrong = run(tlsSpec(tls, t -> t.serverName = "orders.shop.svc"));
    assertThat(wrong.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(wrong.message())
        .isEqualTo(
            target(tls)
                + ": TLS handshake failed: server certificate does not match the host name");

    CheckResult byAddress = run(tlsSpec(named, t -> {}));
    assertThat(byAddress.reason()).isEqualTo(Reasons.TLS_ERROR);
  }

  @Test
  void untrustedCertificateIsTlsErrorUnlessVerificationIsSkipped() throws Exception {
    HealthProbeSpec spec = tlsSpec(tls, t -> t.caSecretRef = null);
    CheckResult untrusted = run(spec);
    assertThat(untrusted.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(untrusted.message())
        .isEqualTo(target(tls) + ": TLS handshake failed: server certificate not trusted");

    spec.grpc.tls.insecureSkipVerify = true;
    spec.grpc.tls.serverName = "someone.else";
    CheckResult skipped = run(spec);
    assertThat(skipped.success()).as(skipped.message()).isTrue();
    assertThat(skipped.certificateNotAfter()).isEqualTo(serverNotAfter);
  }

  @Test
  void tlsToAPlaintextServerIsTlsError() throws Exception {
    CheckResult result = run(tlsSpec(plain, t -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(result.message()).isEqualTo(target(plain) + ": TLS handshake failed");
  }

  @Test
  void closeShutsTheChannelDown() throws Exception {
    Check check = check(spec(plain, null));
    assertThat(run(check, TIMEOUT).success()).isTrue();
    io.grpc.ManagedChannel channel = ((GrpcProbeCheck) check).channel();

    check.close();

    assertThat(channel.isShutdown()).isTrue();
    assertThat(channel.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    CheckResult after = run(check, TIMEOUT);
    assertThat(after.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
    assertThat(after.message()).isEqualTo(target(plain) + ": the check is closed");
  }

  @Test
  void nonPositiveTimeoutIsInvalid() throws Exception {
    Check check = check(spec(plain, null));
    assertThat(run(check, Duration.ZERO).reason()).isEqualTo(Reasons.INVALID_SPEC);
    assertThat(run(check, Duration.ofSeconds(-1)).reason()).isEqualTo(Reasons.INVALID_SPEC);
    assertThat(check.run(null).get(5, TimeUnit.SECONDS).reason()).isEqualTo(Reasons.INVALID_SPEC);
  }

  @Test
  void invalidSpecsAreRefusedWithTheField() {
    assertThat(refused(spec(" ", 1, null))).isEqualTo("spec.grpc.host: required");
    assertThat(refused(spec("127.0.0.1", 0, null))).isEqualTo("spec.grpc.port: must be 1 to 65535");
    assertThat(refused(spec("127.0.0.1", null, null)))
        .isEqualTo("spec.grpc.port: must be 1 to 65535");
    assertThat(refused(tlsSpec(plain, t -> t.caSecretRef = new SecretKeyRef("broken", "ca.crt"))))
        .isEqualTo("spec.grpc.tls.caSecretRef: not a PEM certificate");
    assertThat(
            refused(tlsSpec(plain, t -> t.certSecretRef = new SecretKeyRef("client", "tls.crt"))))
        .isEqualTo("spec.grpc.tls: certSecretRef and keySecretRef must be set together");
    assertThat(
            refused(
                tlsSpec(
                    plain,
                    t -> {
                      t.certSecretRef = new SecretKeyRef("broken", "ca.crt");
                      t.keySecretRef = new SecretKeyRef("client", "tls.key");
                    })))
        .isEqualTo("spec.grpc.tls.certSecretRef: not a PEM certificate");
    assertThat(
            refused(
                tlsSpec(
                    plain,
                    t -> {
                      t.certSecretRef = new SecretKeyRef("client", "tls.crt");
                      t.keySecretRef = new SecretKeyRef("broken", "tls.key");
                    })))
        .startsWith("spec.grpc.tls.keySecretRef: not a PKCS#8 private key");
    assertThat(
            refused(
                tlsSpec(
                    plain,
                    t -> {
                      t.certSecretRef = new SecretKeyRef("client", "tls.crt");
                      t.keySecretRef = new SecretKeyRef("other", "tls.key");
                    })))
        .isEqualTo("spec.grpc.tls.keySecretRef: the key does not belong to certSecretRef");
    assertThat(refused(spec("bad host", 1, null)))
        .isEqualTo("spec.grpc.host: not a valid host name");
    assertThat(refused(spec(null, 1, null))).isEqualTo("spec.grpc.host: required");
    assertThat(refused(spec("a", 65536, null))).isEqualTo("spec.grpc.port: must be 1 to 65535");
    assertThat(refused(tlsSpec(plain, t -> t.serverName = "bad name")))
        .isEqualTo("spec.grpc.tls.serverName: not a valid host name");
  }

  String refused(HealthProbeSpec spec) {
    try {
      check(spec);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).doesNotContain(CANARY);
      return e.getMessage();
    }
    throw new AssertionError("the spec was accepted");
  }

  /** A health service whose answer depends on the service asked about. */
  static final class ScriptedHealth extends HealthGrpc.HealthImplBase {
    @Override
    public void check(
        HealthCheckRequest request, StreamObserver<HealthCheckResponse> responseObserver) {
      switch (request.getService()) {
        case "denied" ->
            responseObserver.onError(
                io.grpc.Status.PERMISSION_DENIED.withDescription(CANARY).asRuntimeException());
        default ->
            responseObserver.onError(
                io.grpc.Status.UNAVAILABLE.withDescription(CANARY).asRuntimeException());
      }
    }
  }

  /** A health service that takes every call and never answers. */
  static final class SilentHealth extends HealthGrpc.HealthImplBase {
    @Override
    public void check(
        HealthCheckRequest request, StreamObserver<HealthCheckResponse> responseObserver) {
      // Never answers: the client's deadline must end the call.
    }
  }
}
