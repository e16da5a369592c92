package io.dihya.vigie;

import io.dihya.vigie.alert.routing.AlertRouter;
import io.dihya.vigie.alert.routing.NotificationMetrics;
import io.dihya.vigie.alert.sink.SinkFactory;
import io.dihya.vigie.config.VigieConfig;
import io.dihya.vigie.kube.EventPublisher;
import io.dihya.vigie.kube.SecretResolver;
import io.dihya.vigie.kube.WorkloadInformers;
import io.dihya.vigie.probe.EngineMetrics;
import io.dihya.vigie.probe.ProbeMetrics;
import io.dihya.vigie.probe.ProbeScheduler;
import io.dihya.vigie.probe.check.CheckFactory;
import io.dihya.vigie.probe.check.TargetPolicy;
import io.dihya.vigie.probe.check.Workloads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import org.jboss.logging.Logger;

/** The operator's long-lived parts, made once and closed on shutdown. */
@Singleton
public class OperatorBeans {

  private static final Logger LOG = Logger.getLogger(OperatorBeans.class);

  @Produces
  @Singleton
  @DefaultBean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Produces
  @Singleton
  ProbeScheduler probeScheduler(Clock clock, VigieConfig config, MeterRegistry registry) {
    ProbeScheduler scheduler =
        new ProbeScheduler(
            clock,
            config.checks().maxConcurrency(),
            config.status().refreshInterval(),
            new EngineMetrics(registry));
    expose(registry, new ProbeMetrics(scheduler));
    return scheduler;
  }

  /**
   * Adds a collector that reads its series at each scrape (every probe's, every sink's) to the
   * Prometheus registry behind the metrics endpoint: 10,000 probes cost no meter objects, and
   * nothing is left behind when a probe or route is deleted.
   */
  static void expose(MeterRegistry registry, Collector collector) {
    PrometheusMeterRegistry prometheus = prometheus(registry);
    if (prometheus == null) {
      LOG.warnf("No Prometheus registry: %s are not exposed", collector.getClass().getSimpleName());
      return;
    }
    prometheus.getPrometheusRegistry().register(collector);
  }

  private static PrometheusMeterRegistry prometheus(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      return prometheus;
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry member : composite.getRegistries()) {
        PrometheusMeterRegistry found = prometheus(member);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /**
   * The operator SDK's own meters (reconciliations, events, errors), by controller only. The
   * extension's default tags them with each resource's name: at 10,000 probes, 120,000 meters with
   * their histograms filled the 768 MiB heap and made /q/metrics fail (OutOfMemoryError), and at
   * 1,000 they were most of the 54 KiB of heap each probe cost. Per-probe figures are vigie's own.
   */
  @Produces
  @Singleton
  io.javaoperatorsdk.operator.api.monitoring.Metrics operatorSdkMetrics(MeterRegistry registry) {
    return io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics
        .withoutPerResourceMetrics(registry);
  }

  void closeScheduler(@Disposes ProbeScheduler scheduler) {
    scheduler.close();
  }

  @Produces
  @Singleton
  CheckFactory checkFactory(VigieConfig config, Workloads workloads, TargetPolicy policy) {
    return new CheckFactory(config.checks().maxBodyBytes(), workloads, policy);
  }

  /**
   * Where checks may connect (vigie.targets), with the API server's endpoints as this operator
   * reaches them: its client's URL and, in a pod, the kubernetes Service's address.
   */
  @Produces
  @Singleton
  TargetPolicy targetPolicy(VigieConfig config, KubernetesClient client) {
    List<InetSocketAddress> apiServer =
        config.targets().denyApiServer()
            ? TargetPolicy.apiServerEndpoints(
                client.getMasterUrl() == null ? null : client.getMasterUrl().toString(),
                System.getenv("KUBERNETES_SERVICE_HOST"),
                System.getenv("KUBERNETES_SERVICE_PORT"),
                TargetPolicy.jdkResolver())
            : List.of();
    TargetPolicy policy =
        TargetPolicy.of(config.targets().allow(), config.targets().deny(), apiServer);
    LOG.infof("Checks connect only where the target policy allows: %s", policy);
    return policy;
  }

  /** The informers of the kubernetes checks, one per (namespace, kind) in use. */
  @Produces
  @Singleton
  WorkloadInformers workloads(KubernetesClient client) {
    return new WorkloadInformers(client);
  }

  void closeWorkloads(@Disposes WorkloadInformers workloads) {
    workloads.close();
  }

  void closeChecks(@Disposes CheckFactory checks) {
    checks.close();
  }

  @Produces
  @Singleton
  AlertRouter alertRouter(Clock clock, MeterRegistry registry) {
    AlertRouter router = new AlertRouter(clock);
    expose(registry, new NotificationMetrics(router));
    return router;
  }

  void closeRouter(@Disposes AlertRouter router) {
    router.close();
  }

  @Produces
  @Singleton
  SinkFactory sinkFactory(Clock clock) {
    return new SinkFactory(clock);
  }

  void closeSinks(@Disposes SinkFactory sinks) {
    sinks.close();
  }

  @Produces
  @Singleton
  SecretResolver secretResolver(KubernetesClient client, Clock clock, VigieConfig config) {
    return new SecretResolver(client, clock, config.secrets().cacheTtl());
  }

  @Produces
  @Singleton
  EventPublisher eventPublisher(
      KubernetesClient client, Clock clock, VigieConfig config, MeterRegistry registry) {
    return new EventPublisher(
        client,
        clock,
        config.events().reportingInstance().orElseGet(OperatorBeans::hostName),
        registry);
  }

  /**
   * Leader election when enabled (QOSDK activates it in the prod profile only); without this bean
   * every process reconciles.
   */
  @Produces
  @Dependent
  LeaderElectionConfiguration leaderElection(VigieConfig config) {
    VigieConfig.LeaderElection settings = config.leaderElection();
    if (!settings.enabled()) {
      return null;
    }
    var builder =
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(settings.leaseName())
            .withLeaseDuration(settings.leaseDuration())
            .withRenewDeadline(settings.renewDeadline())
            .withRetryPeriod(settings.retryPeriod())
            .withIdentity(settings.identity().orElseGet(OperatorBeans::identity))
            // JOSDK's own exit calls System.exit from the elector's thread, which hangs a graceful
            // stop (SIGTERM) until the kubelet kills the pod: exit ourselves, only when the lease
            // is lost while running.
            .withExitOnStopLeading(false)
            .withLeaderCallbacks(
                new LeaderCallbacks(() -> {}, OperatorBeans::lostLeadership, leader -> {}));
    settings.leaseNamespace().ifPresent(builder::withLeaseNamespace);
    return builder.build();
  }

  /**
   * The lease was lost while running (it could not be renewed in time): another replica may lead
   * already, so this one stops at once, gracefully, and is restarted as a follower.
   */
  static void lostLeadership() {
    if (shuttingDown()) {
      return; // a graceful stop gives the lease up: Quarkus is stopping already
    }
    Logger.getLogger(OperatorBeans.class)
        .warn("This replica lost its lease: stopping, so that the new leader runs alone.");
    Quarkus.asyncExit(1);
  }

  /** Whether the JVM is running its shutdown hooks (no hook can be added then). */
  static boolean shuttingDown() {
    Thread probe = new Thread(() -> {});
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  /** POD_NAME in a pod; elsewhere the host name and the pid, unique per process. */
  private static String identity() {
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    return hostName() + "-" + ProcessHandle.current().pid();
  }

  private static String hostName() {
    String pod = System.getenv("HOSTNAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "vigie";
    }
  }
}
