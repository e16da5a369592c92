package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds Checks and owns the shared, pooled I/O resources. One per operator; {@link #close()} on
 * shutdown.
 *
 * <p>Every check type that connects to a host of the spec connects only where the {@link
 * TargetPolicy} allows, judging the very address it connects to (kubernetes checks talk to the
 * operator's own API server and are not judged).
 *
 * <ul>
 *   <li>The http checks' Vert.x clients, one per distinct TLS material, connection handling and
 *       timeout ({@link HttpCheckClients}), on one or two event loop threads
 *       ("vert.x-eventloop-thread-N") whatever the number of probes.
 *   <li>One cached pool of daemon threads ("vigie-check-N") for host name resolution (the JDK
 *       resolver blocks), body expectations and the completion of every check's future. Threads are
 *       added only while others are busy and end after a minute idle.
 *   <li>One asynchronous channel group of two threads ("vigie-tcp-N") for the TCP checks and the
 *       dns checks' TCP queries.
 * </ul>
 */
public final class CheckFactory implements AutoCloseable {

  /** Bodies, TCP answers and PostgreSQL answers are read up to 1 MiB by default. */
  private static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

  private final int maxBodyBytes;
  private final ExecutorService executor;
  private final Executor callbacks;
  private final AsynchronousChannelGroup tcpGroup;
  private final HttpCheckClients httpClients;
  private final Workloads workloads;
  private final TargetPolicy policy;
  private volatile boolean closed;

  /**
   * A factory that reads at most 1 MiB of each body or TCP answer, without kubernetes checks (they
   * fail with UnsupportedOperationException), with the default target policy.
   */
  public CheckFactory() {
    this(DEFAULT_MAX_BODY_BYTES, null);
  }

  /** A factory that reads at most {@code maxBodyBytes}, without kubernetes checks. */
  public CheckFactory(int maxBodyBytes) {
    this(maxBodyBytes, null);
  }

  /** As {@link #CheckFactory(int, Workloads, TargetPolicy)} with the default target policy. */
  public CheckFactory(int maxBodyBytes, Workloads workloads) {
    this(maxBodyBytes, workloads, TargetPolicy.defaults());
  }

  /**
   * A factory that reads at most {@code maxBodyBytes} of each body or TCP answer: beyond it bodies
   * are cut, and a body expectation fails (BodyMismatch) only if it is not met in what was read.
   * kubernetes checks read the objects' state from {@code workloads} (null: not supported). Checks
   * connect only where {@code policy} allows (TargetForbidden otherwise).
   */
  public CheckFactory(int maxBodyBytes, Workloads workloads, TargetPolicy policy) {
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be positive");
    }
    this.maxBodyBytes = maxBodyBytes;
    this.workloads = workloads;
    this.policy = Objects.requireNonNull(policy, "policy");
    this.executor = Executors.newCachedThreadPool(daemonThreads("vigie-check-"));
    // Once closed, a check's future must still complete: on the thread at hand then.
    this.callbacks =
        task -> {
          try {
            executor.execute(task);
          } catch (RejectedExecutionException e) {
            task.run();
          }
        };
    try {
      this.tcpGroup = AsynchronousChannelGroup.withFixedThreadPool(2, daemonThreads("vigie-tcp-"));
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("cannot start the TCP channel group", e);
    }
    this.httpClients = new HttpCheckClients();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * A Check for the spec's check block, with its assertions.
   *
   * @param namespace the probe's namespace: kubernetes checks look only there
   * @throws IllegalArgumentException with a field-naming message (e.g. "spec.http.tls.caSecretRef:
   *     not a PEM certificate") for anything it cannot build; the caller reports it as InvalidSpec
   * @throws UnsupportedOperationException for the check types not implemented yet
   * @throws IllegalStateException once closed
   */
  public Check create(String namespace, HealthProbeSpec spec, SecretValues secrets) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(secrets, "secrets");
    if (closed) {
      throw new IllegalStateException("the check factory is closed");
    }
    List<String> blocks = blocks(spec);
    if (blocks.size() != 1) {
      throw new IllegalArgumentException(
          "spec: exactly one check block must be set, found "
              + (blocks.isEmpty() ? "none" : String.join(", ", blocks)));
    }
    String type = blocks.get(0);
    // Compiled first: a wrong expression is an InvalidSpec whatever the check block says.
    Assertions assertions = Assertions.compile(spec.assertions);
    Check check = build(type, namespace, spec, secrets);
    return assertions.isEmpty() ? check : new AssertingCheck(check, type, assertions, callbacks);
  }

  private Check build(String type, String namespace, HealthProbeSpec spec, SecretValues secrets) {
    return switch (type) {
      case "http" ->
          HttpProbeCheck.create(
              spec.http,
              secrets,
              httpClients,
              policy,
              maxBodyBytes,
              spec.assertions != null && !spec.assertions.isEmpty(),
              callbacks);
      case "tcp" ->
          TcpProbeCheck.create(spec.tcp, maxBodyBytes, policy, executor, tcpGroup, callbacks);
      case "dns" -> DnsProbeCheck.create(spec.dns, policy, executor, callbacks, tcpGroup);
      case "grpc" -> GrpcProbeCheck.create(spec.grpc, secrets, policy, callbacks);
      case "tls" -> TlsProbeCheck.create(spec.tls, secrets, policy, executor, callbacks);
      case "postgres" ->
          PostgresProbeCheck.create(
              spec.postgres, secrets, policy, maxBodyBytes, executor, callbacks);
      case "redis" -> RedisProbeCheck.create(spec.redis, secrets, policy, executor, callbacks);
      case "kubernetes" -> {
        if (workloads == null) {
          throw new UnsupportedOperationException(
              "kubernetes checks need the operator's connection to the API server");
        }
        yield KubernetesProbeCheck.create(namespace, spec.kubernetes, workloads, callbacks);
      }
      default -> throw new IllegalStateException("unknown check block " + type);
    };
  }

  private static List<String> blocks(HealthProbeSpec spec) {
    List<String> blocks = new ArrayList<>();
    addIf(blocks, spec.http, "http");
    addIf(blocks, spec.tcp, "tcp");
    addIf(blocks, spec.dns, "dns");
    addIf(blocks, spec.grpc, "grpc");
    addIf(blocks, spec.tls, "tls");
    addIf(blocks, spec.postgres, "postgres");
    addIf(blocks, spec.redis, "redis");
    addIf(blocks, spec.kubernetes, "kubernetes");
    return blocks;
  }

  private static void addIf(List<String> blocks, Object block, String name) {
    if (block != null) {
      blocks.add(name);
    }
  }

  /** Live pooled HTTP clients, for tests. */
  int httpClientCount() {
    return httpClients.size();
  }

  /**
   * Stops the shared threads. Checks still running complete (as failures, most likely), and checks
   * run afterwards fail with reason ConnectionFailed.
   */
  @Override
  public void close() {
    closed = true;
    httpClients.close();
    try {
      tcpGroup.shutdownNow();
    } catch (IOException e) {
      // Shutting down: the channels close with the group's threads anyway.
    }
    executor.shutdownNow();
  }
}
