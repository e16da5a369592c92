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
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;

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
