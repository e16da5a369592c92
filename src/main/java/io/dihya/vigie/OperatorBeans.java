package io.dihya.vigie;

import io.dihya.vigie.alert.routing.AlertRouter;
import io.dihya.vigie.alert.sink.SinkFactory;
import io.dihya.vigie.config.VigieConfig;
import io.dihya.vigie.kube.EventPublisher;
import io.dihya.vigie.kube.SecretResolver;
import io.dihya.vigie.kube.WorkloadInformers;
import io.dihya.vigie.probe.ProbeScheduler;
import io.dihya.vigie.probe.check.CheckFactory;
import io.dihya.vigie.probe.check.Workloads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import org.jboss.logging.Logger;

/** The operator's long-lived parts, made once and closed on shutdown. */
@Singleton
public class OperatorBeans {

  @Produces
  @Singleton
  @DefaultBean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Produces
  @Singleton
  ProbeScheduler probeScheduler(Clock clock, VigieConfig config) {
    return new ProbeScheduler(
        clock, config.checks().maxConcurrency(), config.status().refreshInterval());
  }

  void closeScheduler(@Disposes ProbeScheduler scheduler) {
    scheduler.close();
  }

  @Produces
  @Singleton
  CheckFactory checkFactory(VigieConfig config, Workloads workloads) {
    return new CheckFactory(config.checks().maxBodyBytes(), workloads);
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
  AlertRouter alertRouter(Clock clock) {
    return new AlertRouter(clock);
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
  EventPublisher eventPublisher(KubernetesClient client, Clock clock, VigieConfig config) {
    return new EventPublisher(
        client, clock, config.events().reportingInstance().orElseGet(OperatorBeans::hostName));
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
