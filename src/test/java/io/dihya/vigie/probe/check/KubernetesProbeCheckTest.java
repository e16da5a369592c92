package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.KubernetesCheck;
import io.dihya.vigie.kube.WorkloadInformers;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kubernetes checks through the factory, reading real informers against the fabric8 mock API server
 * in CRUD mode: objects are written with their status, as their controllers would.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesProbeCheckTest {

  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final String NS = "shop";

  KubernetesClient client;
  KubernetesMockServer server;
  WorkloadInformers informers;
  CheckFactory factory;
  final List<Check> checks = new ArrayList<>();

  @BeforeEach
  void start() {
    informers = new WorkloadInformers(client);
    factory = new CheckFactory(4096, informers);
  }

  @AfterEach
  void stop() {
    checks.forEach(Check::close);
    factory.close();
    informers.close();
  }

  // --- Deployment --------------------------------------------------------------------------

  @Test
  void aDeploymentWithAllReplicasReadyIsHealthy() {
    create(deployment("web", 3, 3, 1L, 1L));
    CheckResult result = run(KubernetesCheck.Kind.Deployment, "web", null);
    assertThat(result.success()).isTrue();
    assertThat(result.reason()).isEqualTo(Reasons.SUCCEEDED);
    assertThat(result.message()).isEqualTo("Deployment web: 3 of 3 replicas ready");
    assertThat(result.data().get("kubernetes"))
        .isEqualTo(
            Map.ofEntries(
                Map.entry("kind", "Deployment"),
                Map.entry("name", "web"),
                Map.entry("found", true),
                Map.entry("ready", 3L),
                Map.entry("desired", 3L),
                Map.entry("need", 3L),
                Map.entry("available", 3L),
                Map.entry("updated", 3L),
                Map.entry("conditions", Map.of("Available", "True")),
                Map.entry("generation", 1L),
                Map.entry("observedGeneration", 1L),
                Map.entry("observed", true)));
  }

  @Test
  void aDeploymentShortOfReadyReplicasIsNotReadyUnlessMinReadyAllowsIt() {
    create(deployment("web", 3, 1, 1L, 1L));
    CheckResult result = run(KubernetesCheck.Kind.Deployment, "web", null);
    assertThat(result.success()).isFalse();
    assertThat(result.reason()).isEqualTo(Reasons.NOT_READY);
    assertThat(result.message()).isEqualTo("Deployment web: 1 of 3 replicas ready, need 3");

    CheckResult relaxed = run(KubernetesCheck.Kind.Deployment, "web", 1);
    assertThat(relaxed.success()).isTrue();
    assertThat(relaxed.message()).isEqualTo("Deployment web: 1 of 3 replicas ready");
    assertThat(data(relaxed)).containsEntry("need", 1L);

    CheckResult strict = run(KubernetesCheck.Kind.Deployment, "web", 2);
    assertThat(strict.message()).isEqualTo("Deployment web: 1 of 3 replicas ready, need 2");
  }

  @Test
  void aDeploymentScaledToZeroIsHealthyAndUnsetReplicasMeanOne() {
    create(deployment("batch", 0, null, 1L, 1L));
    Deployment unset = deployment("fresh", 1, null, 1L, null);
    unset.getSpec().setReplicas(null);
    unset.setStatus(null);
    create(unset);

    CheckResult zero = run(KubernetesCheck.Kind.Deployment, "batch", null);
    assertThat(zero.success()).isTrue();
    assertThat(zero.message()).isEqualTo("Deployment batch: 0 of 0 replicas ready");
    CheckResult fresh = run(KubernetesCheck.Kind.Deployment, "fresh", null);
    assertThat(fresh.reason()).isEqualTo(Reasons.NOT_READY);
    assertThat(fresh.message()).isEqualTo("Deployment fresh: 0 of 1 replicas ready, need 1");
    assertThat(data(fresh))
        .containsEntry("desired", 1L)
        .containsEntry("observedGeneration", 0L)
        .containsEntry("observed", false)
        .doesNotContainKey("available");
  }

  @Test
  void aRolloutNotYetObservedIsJudgedOnThePodsThatServeNow() {
    create(deployment("web", 2, 2, 1L, 1L));
    // A new image: generation 2, which the controller has not seen yet; the old pods still serve.
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("web")
        .edit(d -> new DeploymentBuilder(d).editSpec().withMinReadySeconds(5).endSpec().build());
    assertThat(client.apps().deployments().inNamespace(NS).withName("web").get().getMetadata())
        .extracting(m -> m.getGeneration())
        .isEqualTo(2L);
    CheckResult result = run(KubernetesCheck.Kind.Deployment, "web", null);
    assertThat(result.success()).isTrue();
    assertThat(data(result))
        .containsEntry("generation", 2L)
        .containsEntry("observedGeneration", 1L)
        .containsEntry("observed", false);
  }

  @Test
  void aCheckFollowsTheDeploymentAsItsControllerWritesStatus() {
    create(deployment("web", 3, 3, 1L, 1L));
    Check check = check(KubernetesCheck.Kind.Deployment, "web", null);
    assertThat(check.run(TIMEOUT).join().success()).isTrue();

    Deployment web = client.apps().deployments().inNamespace(NS).withName("web").get();
    web.getStatus().setReadyReplicas(2);
    client.resource(web).updateStatus();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> check.run(TIMEOUT).join().message(),
            m -> m.equals("Deployment web: 2 of 3 replicas ready, need 3"));

    client.apps().deployments().inNamespace(NS).withName("web").delete();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> check.run(TIMEOUT).join().reason(), Reasons.NOT_FOUND::equals);
  }

  @Test
  void aMissingObjectIsNotFoundAndOtherNamespacesAreNotLookedAt() {
    create(deployment("web", 1, 1, 1L, 1L));
    Deployment elsewhere = deployment("api", 1, 1, 1L, 1L);
    elsewhere.getMetadata().setNamespace("other-tenant");
    create(elsewhere);
    CheckResult result = run(KubernetesCheck.Kind.Deployment, "api", null);
    assertThat(result.success()).isFalse();
    assertThat(result.reason()).isEqualTo(Reasons.NOT_FOUND);
    assertThat(result.message()).isEqualTo("Deployment api not found in namespace shop");
    assertThat(data(result)).isEqualTo(Map.of("kind", "Deployment", "name", "api", "found", false));
  }

  // --- StatefulSet, DaemonSet ------------------------------------------------------------------

  @Test
  void aStatefulSetCountsItsReadyReplicas() {
    create(
        new StatefulSetBuilder()
            .withNewMetadata()
            .withName("db")
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withReplicas(3)
            .endSpec()
            .withNewStatus()
            .withReplicas(3)
            .withReadyReplicas(2)
            .withCurrentReplicas(3)
            .withUpdatedReplicas(1)
            .withObservedGeneration(1L)
            .endStatus()
            .build());
    CheckResult result = run(KubernetesCheck.Kind.StatefulSet, "db", null);
    assertThat(result.reason()).isEqualTo(Reasons.NOT_READY);
    assertThat(result.message()).isEqualTo("StatefulSet db: 2 of 3 replicas ready, need 3");
    assertThat(data(result))
        .containsEntry("ready", 2L)
        .containsEntry("desired", 3L)
        .containsEntry("available", 2L) // not reported before Kubernetes 1.22: the ready ones
        .containsEntry("updated", 1L)
        .containsEntry("current", 3L);
    assertThat(run(KubernetesCheck.Kind.StatefulSet, "db", 2).success()).isTrue();
  }

  @Test
  void aDaemonSetCountsReadyPodsAgainstTheNodesItShouldRunOn() {
    create(daemonSet("agent", 4, 4, 1L));
    create(daemonSet("logs", 4, 3, 1L));
    CheckResult healthy = run(KubernetesCheck.Kind.DaemonSet, "agent", null);
    assertThat(healthy.success()).isTrue();
    assertThat(healthy.message()).isEqualTo("DaemonSet agent: 4 of 4 pods ready");
    assertThat(data(healthy)).containsEntry("available", 4L).containsEntry("updated", 4L);
    CheckResult short1 = run(KubernetesCheck.Kind.DaemonSet, "logs", null);
    assertThat(short1.reason()).isEqualTo(Reasons.NOT_READY);
    assertThat(short1.message()).isEqualTo("DaemonSet logs: 3 of 4 pods ready, need 4");
    assertThat(run(KubernetesCheck.Kind.DaemonSet, "logs", 3).success()).isTrue();
  }

  @Test
  void aDaemonSetItsControllerNeverReportedOnIsNotReadyUnlessMinReadyIsSet() {
    create(daemonSet("new", null, null, null));
    CheckResult result = run(KubernetesCheck.Kind.DaemonSet, "new", null);
    assertThat(result.reason()).isEqualTo(Reasons.NOT_READY);
    assertThat(result.message())
        .isEqualTo("DaemonSet new: its controller has not reported on it yet");
    assertThat(data(result)).containsEntry("ready", 0L).containsEntry("observed", false);
    CheckResult zero = run(KubernetesCheck.Kind.DaemonSet, "new", 0);
    assertThat(zero.success()).isTrue();
    assertThat(zero.message()).isEqualTo("DaemonSet new: 0 of 0 pods ready");
  }

  // --- Service -------------------------------------------------------------------------------

  @Test
  void aServiceCountsDistinctReadyEndpointAddresses() {
    create(service("web", "ClusterIP", true));
    create(
        new EndpointsBuilder()
            .withNewMetadata()
            .withName("web")
            .withNamespace(NS)
            .endMetadata()
            // Two port sets: the pod 10.1.0.1 appears in both, and counts once.
            .addNewSubset()
            .addNewAddress()
            .withIp("10.1.0.1")
            .endAddress()
            .addNewAddress()
            .withIp("10.1.0.2")
            .endAddress()
            .addNewNotReadyAddress()
            .withIp("10.1.0.3")
            .endNotReadyAddress()
            .addNewPort()
            .withPort(80)
            .endPort()
            .endSubset()
            .addNewSubset()
            .addNewAddress()
            .withIp("10.1.0.1")
            .endAddress()
            .addNewPort()
            .withPort(9090)
            .endPort()
            .endSubset()
            .build());
    CheckResult result = run(KubernetesCheck.Kind.Service, "web", null);
    assertThat(result.success()).isTrue();
    assertThat(result.message()).isEqualTo("Service web: 2 of 3 endpoints ready");
    assertThat(data(result))
        .containsEntry("ready", 2L)
        .containsEntry("notReady", 1L)
        .containsEntry("desired", 3L)
        .containsEntry("need", 1L)
        .containsEntry("type", "ClusterIP")
        .containsEntry("selector", true);
    CheckResult three = run(KubernetesCheck.Kind.Service, "web", 3);
    assertThat(three.reason()).isEqualTo(Reasons.NOT_READY);
    assertThat(three.message()).isEqualTo("Service web: 2 of 3 endpoints ready, need 3");
  }

  @Test
  void aServiceWithoutReadyEndpointsIsNotReady() {
    create(service("web", null, true));
    CheckResult none = run(KubernetesCheck.Kind.Service, "web", null);
    assertThat(none.reason()).isEqualTo(Reasons.NOT_READY);
    assertThat(none.message()).isEqualTo("Service web: 0 of 0 endpoints ready, need 1");
    assertThat(data(none)).containsEntry("type", "ClusterIP");

    create(
        new EndpointsBuilder()
            .withNewMetadata()
            .withName("web")
            .withNamespace(NS)
            .endMetadata()
            .addNewSubset()
            .addNewNotReadyAddress()
            .withIp("10.1.0.3")
            .endNotReadyAddress()
            .endSubset()
            .build());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> run(KubernetesCheck.Kind.Service, "web", null).message(),
            m -> m.equals("Service web: 0 of 1 endpoints ready, need 1"));
  }

  @Test
  void aServiceWithoutSelectorIsJudgedOnTheEndpointsKeptByHand() {
    create(service("external-db", "ClusterIP", false));
    CheckResult none = run(KubernetesCheck.Kind.Service, "external-db", null);
    assertThat(none.reason()).isEqualTo(Reasons.NOT_READY);
    assertThat(none.message())
        .isEqualTo("Service external-db: no selector and no Endpoints object, need 1");
    assertThat(data(none)).containsEntry("selector", false);
    assertThat(run(KubernetesCheck.Kind.Service, "external-db", 0).message())
        .isEqualTo("Service external-db: 0 of 0 endpoints ready");

    create(
        new EndpointsBuilder()
            .withNewMetadata()
            .withName("external-db")
            .withNamespace(NS)
            .endMetadata()
            .addNewSubset()
            .addNewAddress()
            .withIp("192.0.2.10")
            .endAddress()
            .endSubset()
            .build());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> run(KubernetesCheck.Kind.Service, "external-db", null).success());
  }

  @Test
  void anExternalNameServiceHasNoEndpointsAndOnlyMinReadyZeroPasses() {
    create(service("payments", "ExternalName", false));
    // Even an Endpoints object of the same name is not the Service's: ExternalName ignores it.
    create(
        new EndpointsBuilder()
            .withNewMetadata()
            .withName("payments")
            .withNamespace(NS)
            .endMetadata()
            .addNewSubset()
            .addNewAddress()
            .withIp("192.0.2.10")
            .endAddress()
            .endSubset()
            .build());
    CheckResult result = run(KubernetesCheck.Kind.Service, "payments", null);
    assertThat(result.reason()).isEqualTo(Reasons.NOT_READY);
    assertThat(result.message())
        .isEqualTo(
            "Service payments: type ExternalName has no endpoints in Kubernetes, need 1"
                + " (minReady: 0 checks only that it exists)");
    CheckResult exists = run(KubernetesCheck.Kind.Service, "payments", 0);
    assertThat(exists.success()).isTrue();
    assertThat(exists.message()).isEqualTo("Service payments: type ExternalName, exists");
    assertThat(data(exists)).containsEntry("type", "ExternalName").containsEntry("ready", 0L);
  }

  @Test
  void aMissingServiceIsNotFoundEvenWithEndpoints() {
    create(
        new EndpointsBuilder()
            .withNewMetadata()
            .withName("gone")
            .withNamespace(NS)
            .endMetadata()
            .build());
    CheckResult result = run(KubernetesCheck.Kind.Service, "gone", null);
    assertThat(result.reason()).isEqualTo(Reasons.NOT_FOUND);
    assertThat(result.message()).isEqualTo("Service gone not found in namespace shop");
  }

  // --- PersistentVolumeClaim ---------------------------------------------------------------

  @Test
  void aClaimIsHealthyOnlyWhenBound() {
    create(claim("data", "Bound"));
    create(claim("waiting", "Pending"));
    create(claim("fresh", null));
    CheckResult bound = run(KubernetesCheck.Kind.PersistentVolumeClaim, "data", 5);
    assertThat(bound.success()).isTrue();
    assertThat(bound.message()).isEqualTo("PersistentVolumeClaim data: Bound");
    assertThat(data(bound))
        .containsEntry("phase", "Bound")
        .containsEntry("ready", 1L)
        .containsEntry("desired", 1L)
        .containsEntry("capacity", "10Gi")
        .containsEntry("conditions", Map.of("Resizing", "False"));
    CheckResult pending = run(KubernetesCheck.Kind.PersistentVolumeClaim, "waiting", null);
    assertThat(pending.reason()).isEqualTo(Reasons.NOT_READY);
    assertThat(pending.message())
        .isEqualTo("PersistentVolumeClaim waiting: phase Pending, need Bound");
    assertThat(data(pending)).containsEntry("ready", 0L).doesNotContainKey("capacity");
    assertThat(run(KubernetesCheck.Kind.PersistentVolumeClaim, "fresh", null).message())
        .isEqualTo("PersistentVolumeClaim fresh: phase Pending, need Bound");
  }

  // --- informers: sharing, sync, problems ----------------------------------------------------

  @Test
  void checksShareInformersAndReleaseThemWhenClosed() {
    Check a = check(KubernetesCheck.Kind.Deployment, "web", null);
    Check b = check(KubernetesCheck.Kind.Deployment, "api", null);
    Check c = check(KubernetesCheck.Kind.Service, "web", null);
    assertThat(informers.size()).isEqualTo(3); // deployments, services, endpoints
    assertThat(informers.views(NS, Deployment.class)).isEqualTo(2);
    a.close();
    assertThat(informers.size()).isEqualTo(3);
    b.close();
    c.close();
    assertThat(informers.size()).isZero();
    checks.clear();
  }

  @Test
  void theFirstRunWaitsForTheSyncAndCompletesOnTheFactorysThreads() {
    create(deployment("web", 1, 1, 1L, 1L));
    Check check = check(KubernetesCheck.Kind.Deployment, "web", null);
    CompletableFuture<String> thread =
        check.run(TIMEOUT).thenApply(result -> Thread.currentThread().getName());
    assertThat(thread.join()).startsWith("vigie-check-");
    CheckResult later = check.run(TIMEOUT).join();
    assertThat(later.success()).isTrue();
    assertThat(later.latencyMs()).isLessThan(100);
  }

  @Test
  void aForbiddenListFailsAtOnceNamingTheMissingPermission() {
    server
        .expect()
        .get()
        .withPath("/apis/apps/v1/namespaces/locked/deployments?limit=500")
        .andReturn(
            403,
            new StatusBuilder()
                .withCode(403)
                .withMessage(
                    "deployments.apps is forbidden: User \"system:serviceaccount:vigie:vigie\""
                        + " cannot list resource \"deployments\" in API group \"apps\" in the"
                        + " namespace \"locked\"")
                .build())
        .always();
    Check check =
        factory.create("locked", spec(KubernetesCheck.Kind.Deployment, "web", null), r -> null);
    checks.add(check);
    long start = System.nanoTime();
    CheckResult result = check.run(TIMEOUT).join();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
    assertThat(result.success()).isFalse();
    assertThat(result.reason()).isEqualTo(Reasons.FORBIDDEN);
    assertThat(result.message())
        .isEqualTo(
            "Deployment web: the operator may not list deployments.apps in namespace locked (HTTP"
                + " 403): its role there needs list and watch on deployments.apps")
        .doesNotContain("serviceaccount");
  }

  @Test
  void anApiServerThatNeverAnswersIsATimeoutOfTheFirstRun() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                while (!silent.isClosed()) {
                  try {
                    accepted.add(silent.accept()); // and never answer
                  } catch (java.io.IOException e) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      KubernetesClient mute =
          new KubernetesClientBuilder()
              .withConfig(
                  new ConfigBuilder()
                      .withMasterUrl("http://127.0.0.1:" + silent.getLocalPort())
                      .withRequestTimeout(30_000)
                      .build())
              .build();
      WorkloadInformers waiting = new WorkloadInformers(mute);
      try (CheckFactory slow = new CheckFactory(4096, waiting)) {
        Check check = slow.create(NS, spec(KubernetesCheck.Kind.Service, "web", null), r -> null);
        long start = System.nanoTime();
        CheckResult result = check.run(Duration.ofMillis(300)).join();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(took).isBetween(250L, 2000L);
        assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
        assertThat(result.message())
            .isEqualTo(
                "Service web: the watch of services in namespace shop has not synced within"
                    + " 300ms");
        check.close();
      } finally {
        waiting.close();
        mute.close();
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }

  // --- spec and contract -------------------------------------------------------------------

  @Test
  void invalidSpecsNameTheFieldAndNotTheValue() {
    KubernetesCheck noKind = new KubernetesCheck();
    noKind.name = "web";
    assertThatThrownBy(() -> KubernetesProbeCheck.create(NS, noKind, informers, Runnable::run))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "spec.kubernetes.kind: required (Deployment, StatefulSet, DaemonSet, Service or"
                + " PersistentVolumeClaim)");
    assertThatThrownBy(
            () -> factory.create(NS, spec(KubernetesCheck.Kind.Service, " ", null), r -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spec.kubernetes.name: required");
    assertThatThrownBy(
            () ->
                factory.create(
                    NS, spec(KubernetesCheck.Kind.Service, "Web/../Secret", null), r -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "spec.kubernetes.name: not an object name (lowercase letters, digits, '-' and '.')");
    assertThatThrownBy(
            () ->
                factory.create(
                    NS, spec(KubernetesCheck.Kind.Service, "x".repeat(254), null), r -> null))
        .hasMessageStartingWith("spec.kubernetes.name: not an object name");
    assertThatThrownBy(
            () -> factory.create(NS, spec(KubernetesCheck.Kind.Service, "web", -1), r -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spec.kubernetes.minReady: must be 0 or more");
    assertThat(informers.size()).isZero(); // nothing was opened for a rejected spec
  }

  @Test
  void aNonPositiveTimeoutIsAnInvalidSpecResult() {
    Check check = check(KubernetesCheck.Kind.Deployment, "web", null);
    CheckResult result = check.run(Duration.ZERO).join();
    assertThat(result.reason()).isEqualTo(Reasons.INVALID_SPEC);
    assertThat(check.run(null).join().reason()).isEqualTo(Reasons.INVALID_SPEC);
  }

  @Test
  void aServiceCheckReleasesItsFirstViewWhenTheSecondCannotOpen() {
    List<Workloads.View<?>> opened = new ArrayList<>();
    Workloads failing =
        new Workloads() {
          @Override
          public <T extends HasMetadata> View<T> view(String namespace, Class<T> type) {
            if (!opened.isEmpty()) {
              throw new IllegalStateException("closed");
            }
            View<T> view = informers.view(namespace, type);
            opened.add(view);
            return view;
          }
        };
    assertThatThrownBy(
            () ->
                KubernetesProbeCheck.create(
                    NS,
                    spec(KubernetesCheck.Kind.Service, "web", null).kubernetes,
                    failing,
                    Runnable::run))
        .isInstanceOf(IllegalStateException.class);
    assertThat(informers.size()).isZero();
  }

  @Test
  void anObjectTheRulesCannotReadStillCompletesTheFuture() {
    Workloads broken =
        new Workloads() {
          @Override
          @SuppressWarnings("unchecked")
          public <T extends HasMetadata> View<T> view(String namespace, Class<T> type) {
            return new View<>() {
              @Override
              public T get(String name) {
                Deployment d = new Deployment();
                d.setMetadata(null); // never from an API server
                return (T) d;
              }

              @Override
              public boolean synced() {
                return true;
              }

              @Override
              public Problem problem() {
                return null;
              }

              @Override
              public CompletableFuture<Void> settled() {
                return CompletableFuture.completedFuture(null);
              }

              @Override
              public void close() {}
            };
          }
        };
    Check check =
        KubernetesProbeCheck.create(
            NS,
            spec(KubernetesCheck.Kind.Deployment, "web", null).kubernetes,
            broken,
            Runnable::run);
    CheckResult result = check.run(TIMEOUT).join();
    assertThat(result.success()).isFalse();
    assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
    assertThat(result.message())
        .isEqualTo("Deployment web: cannot read its state (NullPointerException)");
  }

  // --- helpers -------------------------------------------------------------------------------

  private CheckResult run(KubernetesCheck.Kind kind, String name, Integer minReady) {
    Check check = check(kind, name, minReady);
    return check.run(TIMEOUT).join();
  }

  private Check check(KubernetesCheck.Kind kind, String name, Integer minReady) {
    Check check = factory.create(NS, spec(kind, name, minReady), r -> null);
    checks.add(check);
    return check;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> data(CheckResult result) {
    return (Map<String, Object>) result.data().get("kubernetes");
  }

  static HealthProbeSpec spec(KubernetesCheck.Kind kind, String name, Integer minReady) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.kubernetes = new KubernetesCheck();
    spec.kubernetes.kind = kind;
    spec.kubernetes.name = name;
    spec.kubernetes.minReady = minReady;
    return spec;
  }

  private void create(HasMetadata object) {
    client.resource(object).create();
  }

  static Deployment deployment(
      String name, int replicas, Integer ready, Long generation, Long observed) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .withGeneration(generation)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .endSpec()
        .withNewStatus()
        .withReplicas(replicas)
        .withReadyReplicas(ready)
        .withAvailableReplicas(ready)
        .withUpdatedReplicas(ready)
        .withObservedGeneration(observed)
        .addNewCondition()
        .withType("Available")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  static HasMetadata daemonSet(String name, Integer desired, Integer ready, Long observed) {
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .endSpec()
        .withNewStatus()
        .withDesiredNumberScheduled(desired)
        .withNumberReady(ready)
        .withNumberAvailable(ready)
        .withUpdatedNumberScheduled(ready)
        .withObservedGeneration(observed)
        .endStatus()
        .build();
  }

  static HasMetadata service(String name, String type, boolean selector) {
    ServiceBuilder builder =
        new ServiceBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata();
    var spec = builder.withNewSpec().withType(type);
    if (selector) {
      spec.addToSelector("app", name);
    }
    if ("ExternalName".equals(type)) {
      spec.withExternalName("payments.example.com");
    }
    return spec.endSpec().build();
  }

  static HasMetadata claim(String name, String phase) {
    var builder =
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .endMetadata();
    if (phase == null) {
      return builder.build();
    }
    var status = builder.withNewStatus().withPhase(phase);
    if ("Bound".equals(phase)) {
      status
          .addToCapacity("storage", new Quantity("10Gi"))
          .addNewCondition()
          .withType("Resizing")
          .withStatus("False")
          .endCondition();
    }
    return status.endStatus().build();
  }
}
