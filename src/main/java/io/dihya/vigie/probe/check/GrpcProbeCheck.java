package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.GrpcCheck;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;

/**
 * A gRPC check: one call of grpc.health.v1.Health/Check on a channel of its own, kept between runs
 * (connected, like a client's) and shut down by {@link #close()}. Nothing blocks but the look-up of
 * a host name, which runs on the factory's pool: the call is asynchronous, with what is left of the
 * timeout as its deadline, and its listener runs on the factory's pool.
 *
 * <p>The host is resolved by the check itself, through the {@link TargetPolicy}, at every run, and
 * the channel is made for the address the policy judged (gRPC does not look the name up again); the
 * name stays the channel's authority, which TLS sends as SNI and verifies the certificate against
 * (or serverName when set). A run keeps the channel while its address is still among the host's,
 * and makes a new one when the name has moved.
 *
 * <p>A channel that failed to connect waits in TRANSIENT_FAILURE for its next attempt, up to two
 * minutes later, and fails every call at once with the last error meanwhile. resetConnectBackoff()
 * starts an attempt at once, but pick_first stays in TRANSIENT_FAILURE until that attempt is READY
 * ("sticky" transient failure), so a call made right after the reset can still fail with the old
 * error (seen with grpc-java 1.69: a server back up was then reported down once more). A probe must
 * see a recovery at its next run, so a run that finds its channel in TRANSIENT_FAILURE replaces it
 * with a new one, whose call makes a fresh connection attempt and reports that attempt's outcome.
 */
final class GrpcProbeCheck implements Check {

  private static final String FIELD = "spec.grpc";

  /** A health answer is a few bytes; nothing a server sends needs to be held beyond this. */
  private static final int MAX_ANSWER_BYTES = 16 * 1024;

  private final String host;
  private final int port;
  private final ChannelCredentials credentials;
  private final String authority;
  private final TargetPolicy policy;
  private final HealthCheckRequest request;
  private final String target;
  private final Executor callbacks;
  private ManagedChannel channel;
  private InetAddress channelAddress;
  private boolean closed;

  private GrpcProbeCheck(
      GrpcCheck spec,
      ChannelCredentials credentials,
      String authority,
      TargetPolicy policy,
      Executor callbacks) {
    this.host = spec.host;
    this.port = spec.port;
    this.credentials = credentials;
    this.authority = authority;
    this.policy = policy;
    String service = spec.service == null ? "" : spec.service;
    this.request = HealthCheckRequest.newBuilder().setService(service).build();
    this.target =
        "grpc "
            + (host.contains(":") ? "[" + host + "]" : host)
            + ":"
            + port
            + (service.isEmpty() ? "" : " service " + service);
    this.callbacks = callbacks;
  }

  /**
   * Builds the check of a spec's grpc block (its channel is made at the first run).
   *
   * @param policy where the channel may connect
   * @param callbacks the channel's executor and the pool for host name look-ups; it falls back to
   *     the calling thread once the factory is closed, so that a last call still completes
   * @throws IllegalArgumentException with a field-naming message for anything it cannot build
   */
  static Check create(
      GrpcCheck spec, SecretValues secrets, TargetPolicy policy, Executor callbacks) {
    if (spec.host == null || spec.host.isBlank()) {
      throw new IllegalArgumentException(FIELD + ".host: required");
    }
    if (spec.port == null || spec.port < 1 || spec.port > 65535) {
      throw new IllegalArgumentException(FIELD + ".port: must be 1 to 65535");
    }
    String hostPort;
    try {
      // As gRPC makes the authority of host and port (GrpcUtil.authorityFromHostAndPort).
      hostPort = new URI(null, null, spec.host, spec.port, null, null, null).getAuthority();
    } catch (URISyntaxException e) {
      hostPort = null;
    }
    if (hostPort == null) {
      throw new IllegalArgumentException(FIELD + ".host: not a valid host name");
    }
    String field = FIELD + ".tls";
    ClientTlsSettings settings = ClientTlsSettings.resolve(spec.tls, secrets, field);
    ChannelCredentials credentials =
        spec.tls == null ? InsecureChannelCredentials.create() : credentials(settings, field);
    // The authority is the name TLS sends (SNI) and verifies the certificate against.
    String authority = settings.serverName() != null ? settings.serverName() : hostPort;
    return new GrpcProbeCheck(spec, credentials, authority, policy, callbacks);
  }

  /**
   * TLS credentials from the PEM material. The material is first checked by {@link SslContexts}
   * (the same messages as the http check's, and a key that does not belong to the certificate is
   * refused here rather than failing every handshake); its context is not used, since grpc-netty
   * builds its own from trust and key managers.
   */
  private static ChannelCredentials credentials(ClientTlsSettings settings, String field) {
    SslContexts.build(settings, field);
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
    if (settings.insecureSkipVerify()) {
      tls.trustManager(new SslContexts.TrustAllTrustManager());
    } else if (settings.caPem() != null) {
      tls.trustManager(
          TlsProbeCheck.trustManager(Pem.certificates(settings.caPem(), field + ".caSecretRef")));
    } else {
      tls.trustManager(TlsProbeCheck.jvmDefaultTrust());
    }
    if (settings.certPem() != null) {
      List<X509Certificate> chain = Pem.certificates(settings.certPem(), field + ".certSecretRef");
      tls.keyManager(
          new SslContexts.SingleIdentityKeyManager(
              Pem.privateKey(
                  settings.keyPem(),
                  chain.get(0).getPublicKey().getAlgorithm(),
                  field + ".keySecretRef"),
              chain));
    }
    return tls.build();
  }

  /** A channel to exactly this address: gRPC resolves nothing. */
  private ManagedChannel newChannel(InetAddress address) {
    return NettyChannelBuilder.forAddress(new InetSocketAddress(address, port), credentials)
        .overrideAuthority(authority)
        .executor(callbacks)
        .offloadExecutor(callbacks)
        .disableRetry()
        .maxInboundMessageSize(MAX_ANSWER_BYTES)
        .maxInboundMetadataSize(MAX_ANSWER_BYTES)
        .userAgent("vigie")
        .build();
  }

  /**
   * The channel for a run to one of {@code addresses} (all allowed): the current one if it goes to
   * one of them and is not waiting out a reconnect backoff, else a new one to the first; null once
   * closed.
   */
  private synchronized ManagedChannel channelForRun(List<InetAddress> addresses) {
    if (closed) {
      return null;
    }
    if (channel != null
        && (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE
            || !addresses.contains(channelAddress))) {
      channel.shutdownNow();
      channel = null;
    }
    if (channel == null) {
      channelAddress = addresses.get(0);
      channel = newChannel(channelAddress);
    }
    return channel;
  }

  /** The current channel, for tests; null before the first run. */
  synchronized ManagedChannel channel() {
    return channel;
  }

  private synchronized boolean closed() {
    return closed;
  }

  @Override
  public CompletableFuture<CheckResult> run(Duration timeout) {
    long start = System.nanoTime();
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.completedFuture(
          CheckResult.failure(Reasons.INVALID_SPEC, "the timeout must be positive", 0));
    }
    if (closed()) {
      return CompletableFuture.completedFuture(closedResult(start));
    }
    CompletableFuture<List<InetAddress>> addresses;
    if (TargetPolicy.literal(host) != null) {
      // An address: nothing to look up, judged here.
      try {
        addresses = CompletableFuture.completedFuture(policy.resolve(host, port));
      } catch (IOException e) {
        addresses = CompletableFuture.failedFuture(e);
      }
    } else {
      try {
        addresses =
            CompletableFuture.supplyAsync(
                    () -> {
                      try {
                        return policy.resolve(host, port);
                      } catch (IOException e) {
                        throw new CompletionException(e);
                      }
                    },
                    callbacks)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        addresses = CompletableFuture.failedFuture(e);
      }
    }
    return addresses
        .thenCompose(resolved -> call(resolved, timeout, start))
        .exceptionally(error -> failure(error, timeout, start));
  }

  private CompletableFuture<CheckResult> call(
      List<InetAddress> addresses, Duration timeout, long start) {
    ManagedChannel current = channelForRun(addresses);
    if (current == null) {
      return CompletableFuture.completedFuture(closedResult(start));
    }
    try {
      long left = Math.max(1, timeout.toNanos() - (System.nanoTime() - start));
      ClientCall<HealthCheckRequest, HealthCheckResponse> call =
          current.newCall(
              HealthGrpc.getCheckMethod(),
              CallOptions.DEFAULT.withDeadlineAfter(left, TimeUnit.NANOSECONDS));
      Answer answer = new Answer(call, start, timeout);
      call.start(answer, new Metadata());
      call.request(1);
      call.sendMessage(request);
      call.halfClose();
      // The deadline is the hard timeout: gRPC's own timer closes the call with
      // DEADLINE_EXCEEDED, wherever it waits (connection, answer).
      return answer.done;
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failure(e, timeout, start));
    }
  }

  private CheckResult closedResult(long start) {
    return CheckResult.failure(
        Reasons.CONNECTION_FAILED, target + ": the check is closed", millisSince(start));
  }

  private CheckResult failure(Throwable error, Duration timeout, long start) {
    Failures.Failure f = Failures.classify(error, timeout);
    return CheckResult.failure(f.reason(), target + ": " + f.text(), millisSince(start));
  }

  /** The listener of one call: its answer, then its verdict when the call closes. */
  private final class Answer extends ClientCall.Listener<HealthCheckResponse> {
    final CompletableFuture<CheckResult> done = new CompletableFuture<>();
    private final ClientCall<HealthCheckRequest, HealthCheckResponse> call;
    private final long start;
    private final Duration timeout;
    private volatile HealthCheckResponse response;

    Answer(ClientCall<HealthCheckRequest, HealthCheckResponse> call, long start, Duration timeout) {
      this.call = call;
      this.start = start;
      this.timeout = timeout;
    }

    @Override
    public void onMessage(HealthCheckResponse message) {
      response = message;
    }

    /** Runs on the channel's executor, the factory's pool: the future completes there. */
    @Override
    public void onClose(Status status, Metadata trailers) {
      try {
        done.complete(verdict(status));
      } catch (RuntimeException e) {
        // gRPC would only log it: the future must complete all the same.
        done.complete(failure(e, timeout, start));
      }
    }

    private CheckResult verdict(Status status) {
      long latency = millisSince(start);
      ResultData data = ResultData.create().put("code", status.getCode().name());
      CheckResult result;
      switch (status.getCode()) {
        case OK -> {
          HealthCheckResponse answer = response;
          if (answer == null) {
            result = notServing("the health service closed the call without an answer", latency);
          } else {
            String serving = answer.getStatus().name();
            data.put("status", serving);
            result =
                answer.getStatus() == HealthCheckResponse.ServingStatus.SERVING
                    ? CheckResult.success(latency, target + ": SERVING")
                    : notServing("answered " + serving, latency);
          }
        }
        case NOT_FOUND -> {
          data.put("status", HealthCheckResponse.ServingStatus.SERVICE_UNKNOWN.name());
          result = notServing("the server does not know the service (NOT_FOUND)", latency);
        }
        case UNIMPLEMENTED ->
            result = notServing("the server has no grpc.health.v1 service", latency);
        case DEADLINE_EXCEEDED ->
            result =
                CheckResult.failure(
                    Reasons.TIMEOUT,
                    target + ": no answer within " + Failures.format(timeout),
                    latency);
        default -> result = failed(status, latency);
      }
      result = result.withData("grpc", data.build());
      SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      if (session != null) {
        result =
            result
                .withCertificateNotAfter(TlsFacts.earliestNotAfter(TlsFacts.peerChain(session)))
                .withData("tls", TlsFacts.of(session, Instant.now()));
      }
      return result;
    }

    /**
     * UNAVAILABLE, or any code the client made itself (it then holds the cause): the connection's
     * failure, classified. Any other code came from the server: the health call failed there.
     */
    private CheckResult failed(Status status, long latency) {
      for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
        if (t instanceof Http2Exception) {
          // Netty's HTTP/2 codec refused what the server sent (a frame too large, bytes that are
          // not frames): the server does not speak gRPC.
          return CheckResult.failure(
              Reasons.UNEXPECTED_RESPONSE, target + ": the answer is not HTTP/2", latency);
        }
      }
      if (status.getCause() != null) {
        return failure(status.getCause(), timeout, start);
      }
      if (status.getCode() == Status.Code.UNAVAILABLE) {
        return CheckResult.failure(
            Reasons.CONNECTION_FAILED, target + ": the server is unavailable", latency);
      }
      return notServing("the health call failed with " + status.getCode().name(), latency);
    }

    private CheckResult notServing(String text, long latency) {
      return CheckResult.failure(Reasons.NOT_SERVING, target + ": " + text, latency);
    }
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** Shuts the channel down, its connection with it. */
  @Override
  public synchronized void close() {
    closed = true;
    if (channel != null) {
      channel.shutdownNow();
    }
  }
}
