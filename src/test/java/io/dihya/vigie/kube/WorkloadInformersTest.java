package io.dihya.vigie.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.probe.check.Reasons;
import io.dihya.vigie.probe.check.Workloads;
import io.dihya.vigie.testing.UnreachableApiServer;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared informers of the kubernetes checks, against the fabric8 mock API server (CRUD). */
@EnableKubernetesMockClient(crud = true)
class WorkloadInformersTest {

  KubernetesClient client;
  KubernetesMockServer server;
  WorkloadInformers informers;

  @BeforeEach
  void start() {
    informers = new WorkloadInformers(client);
  }

  @AfterEach
  void stop() {
    informers.close();
  }

  @Test
  void aViewSeesItsOwnNamespaceAndFollowsChanges() throws Exception {
    create(deployment("shop", "web", 3, 1));
    create(deployment("other-tenant", "web", 5, 5));
    create(deployment("other-tenant", "only-there", 1, 1));

    Workloads.View<Deployment> view = informers.view("shop", Deployment.class);
    view.settled().get(5, TimeUnit.SECONDS);
    assertThat(view.synced()).isTrue();
    assertThat(view.problem()).isNull();
    assertThat(view.get("web").getSpec().getReplicas()).isEqualTo(3);
    assertThat(view.get("only-there")).isNull();

    Deployment web = client.apps().deployments().inNamespace("shop").withName("web").get();
    web.getStatus().setReadyReplicas(3);
    client.resource(web).updateStatus();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> view.get("web").getStatus().getReadyReplicas() == 3);

    create(deployment("shop", "api", 1, 0));
    await().atMost(Duration.ofSeconds(5)).until(() -> view.get("api") != null);
    client.apps().deployments().inNamespace("shop").withName("web").delete();
    await().atMost(Duration.ofSeconds(5)).until(() -> view.get("web") == null);
    view.close();
  }

  @Test
  void viewsOfOneKindInOneNamespaceShareOneInformerUntilTheLastCloses() throws Exception {
    Workloads.View<Deployment> first = informers.view("shop", Deployment.class);
    Workloads.View<Deployment> second = informers.view("shop", Deployment.class);
    Workloads.View<Service> services = informers.view("shop", Service.class);
    Workloads.View<Deployment> elsewhere = informers.view("clinic", Deployment.class);
    assertThat(informers.size()).isEqualTo(3);
    assertThat(informers.views("shop", Deployment.class)).isEqualTo(2);

    first.close();
    first.close(); // a second close releases nothing more
    assertThat(informers.views("shop", Deployment.class)).isEqualTo(1);
    assertThat(informers.size()).isEqualTo(3);

    second.settled().get(5, TimeUnit.SECONDS);
    second.close();
    assertThat(informers.views("shop", Deployment.class)).isZero();
    assertThat(informers.size()).isEqualTo(2);

    // A later view starts a new informer, which lists again.
    create(deployment("shop", "web", 1, 1));
    Workloads.View<Deployment> again = informers.view("shop", Deployment.class);
    again.settled().get(5, TimeUnit.SECONDS);
    assertThat(again.get("web")).isNotNull();
    assertThat(informers.size()).isEqualTo(3);

    again.close();
    services.close();
    elsewhere.close();
    assertThat(informers.size()).isZero();
  }

  @Test
  void cachedObjectsKeepOnlyWhatTheChecksRead() throws Exception {
    Deployment full =
        new DeploymentBuilder(deployment("shop", "web", 3, 2))
            .editMetadata()
            .addToAnnotations(
                "kubectl.kubernetes.io/last-applied-configuration",
                "{\"big\":\"" + "x".repeat(4000))
            .addToLabels("app", "web")
            .withManagedFields(
                new ManagedFieldsEntryBuilder()
                    .withManager("kubectl")
                    .withOperation("Update")
                    .withNewFieldsV1()
                    .addToAdditionalProperties("f:spec", Map.of("f:replicas", Map.of()))
                    .endFieldsV1()
                    .build())
            .endMetadata()
            .editSpec()
            .withNewSelector()
            .addToMatchLabels("app", "web")
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", "web")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("web")
            .withImage("registry.example/web:1.2.3")
            .addToArgs("--a-long-argument=" + "y".repeat(2000))
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    create(full);
    Workloads.View<Deployment> view = informers.view("shop", Deployment.class);
    view.settled().get(5, TimeUnit.SECONDS);

    Deployment cached = view.get("web");
    assertThat(cached.getMetadata().getAnnotations()).isNull();
    assertThat(cached.getMetadata().getLabels()).isNull();
    assertThat(cached.getMetadata().getManagedFields()).isNull();
    assertThat(cached.getSpec().getTemplate()).isNull();
    assertThat(cached.getMetadata().getResourceVersion()).isNotBlank();
    assertThat(cached.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(cached.getSpec().getReplicas()).isEqualTo(3);
    assertThat(cached.getStatus().getReadyReplicas()).isEqualTo(2);
    int fullBytes = Serialization.asJson(full).length();
    int cachedBytes = Serialization.asJson(cached).length();
    System.out.printf(
        "Deployment as listed: %d bytes of JSON, as cached: %d%n", fullBytes, cachedBytes);
    assertThat(cachedBytes).isLessThan(fullBytes / 10);
  }

  @Test
  void endpointAddressesKeepTheirIpsOnly() throws Exception {
    create(
        new EndpointsBuilder()
            .withNewMetadata()
            .withName("web")
            .withNamespace("shop")
            .endMetadata()
            .addNewSubset()
            .addNewAddress()
            .withIp("10.1.0.1")
            .withNodeName("node-a")
            .withNewTargetRef()
            .withKind("Pod")
            .withName("web-abc")
            .endTargetRef()
            .endAddress()
            .addNewNotReadyAddress()
            .withIp("10.1.0.2")
            .withNodeName("node-b")
            .endNotReadyAddress()
            .addNewPort()
            .withPort(8080)
            .endPort()
            .endSubset()
            .build());
    Workloads.View<Endpoints> view = informers.view("shop", Endpoints.class);
    view.settled().get(5, TimeUnit.SECONDS);
    var subset = view.get("web").getSubsets().get(0);
    assertThat(subset.getAddresses().get(0).getIp()).isEqualTo("10.1.0.1");
    assertThat(subset.getAddresses().get(0).getTargetRef()).isNull();
    assertThat(subset.getAddresses().get(0).getNodeName()).isNull();
    assertThat(subset.getNotReadyAddresses().get(0).getIp()).isEqualTo("10.1.0.2");
    assertThat(subset.getNotReadyAddresses().get(0).getNodeName()).isNull();
  }

  @Test
  void aForbiddenListIsReportedAtOnceAndHealsOnceAllowed() throws Exception {
    server
        .expect()
        .get()
        .withPath("/apis/apps/v1/namespaces/locked/deployments?limit=500")
        .andReturn(403, forbidden("list"))
        .times(2);
    create(deployment("locked", "web", 1, 1));

    Workloads.View<Deployment> view = informers.view("locked", Deployment.class);
    view.settled().get(5, TimeUnit.SECONDS);
    assertThat(view.synced()).isFalse();
    assertThat(view.problem())
        .isEqualTo(
            new Workloads.Problem(
                Reasons.FORBIDDEN,
                "the operator may not list deployments.apps in namespace locked (HTTP 403): its"
                    + " role there needs list and watch on deployments.apps"));
    assertThat(view.get("web")).isNull();

    // fabric8 retries with backoff (1 s, then 2 s): the third list is allowed.
    await().atMost(Duration.ofSeconds(15)).until(view::synced);
    assertThat(view.problem()).isNull();
    assertThat(view.get("web")).isNotNull();
  }

  @Test
  void anUnreachableApiServerIsAConnectionProblem() throws Exception {
    WorkloadInformers unreachable = new WorkloadInformers(UnreachableApiServer.client());
    try {
      Workloads.View<Service> view = unreachable.view("shop", Service.class);
      view.settled().get(10, TimeUnit.SECONDS);
      assertThat(view.synced()).isFalse();
      assertThat(view.problem())
          .isEqualTo(
              new Workloads.Problem(
                  Reasons.CONNECTION_FAILED,
                  "cannot list or watch services in namespace shop: API server unreachable"));
    } finally {
      unreachable.close();
    }
  }

  @Test
  void problemsNameTheDeniedVerbAndTheHttpCodeButNotTheServersMessage() {
    KubernetesClientException watchDenied = new KubernetesClientException(forbidden("watch"));
    assertThat(WorkloadInformers.problem(watchDenied, false, "services", "shop"))
        .isEqualTo(
            new Workloads.Problem(
                Reasons.FORBIDDEN,
                "the operator may not watch services in namespace shop (HTTP 403): its role there"
                    + " needs list and watch on services"));
    KubernetesClientException bare =
        new KubernetesClientException(new StatusBuilder().withCode(403).build());
    assertThat(WorkloadInformers.problem(new CompletionException(bare), false, "services", "shop"))
        .isEqualTo(
            new Workloads.Problem(
                Reasons.FORBIDDEN,
                "the operator may not list or watch services in namespace shop (HTTP 403): its"
                    + " role there needs list and watch on services"));
    // A refused watch request carries no Status body: after a good list, it is the watch.
    KubernetesClientException websocket =
        new KubernetesClientException("Received 403 on websocket", 403, null);
    assertThat(WorkloadInformers.problem(websocket, true, "services", "shop").text())
        .startsWith("the operator may not watch services in namespace shop (HTTP 403)");
    assertThat(WorkloadInformers.problem(websocket, false, "services", "shop").text())
        .startsWith("the operator may not list or watch services in namespace shop (HTTP 403)");
    assertThat(
            WorkloadInformers.problem(
                new KubernetesClientException(
                    new StatusBuilder().withCode(500).withMessage("etcd: user=admin").build()),
                false,
                "persistentvolumeclaims",
                "shop"))
        .isEqualTo(
            new Workloads.Problem(
                Reasons.CONNECTION_FAILED,
                "cannot list or watch persistentvolumeclaims in namespace shop (HTTP 500)"));
    assertThat(
            WorkloadInformers.problem(
                new WatcherException("closed", new IOException("reset")),
                false,
                "endpoints",
                "shop"))
        .isEqualTo(
            new Workloads.Problem(
                Reasons.CONNECTION_FAILED,
                "cannot watch endpoints in namespace shop: API server unreachable"));
    assertThat(
            WorkloadInformers.problem(new IOException("secret-host"), false, "endpoints", "shop")
                .text())
        .doesNotContain("secret-host");
  }

  @Test
  void closingStopsEveryInformerAndRefusesNewViews() throws Exception {
    Workloads.View<Deployment> view = informers.view("shop", Deployment.class);
    view.settled().get(5, TimeUnit.SECONDS);
    informers.close();
    assertThat(informers.size()).isZero();
    view.close(); // after close: releases nothing, throws nothing
    assertThatThrownBy(() -> informers.view("shop", Deployment.class))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void settledIsACopyThatCallersMayTimeOut() {
    WorkloadInformers unreachable = new WorkloadInformers(UnreachableApiServer.client());
    try {
      Workloads.View<Deployment> view = unreachable.view("shop", Deployment.class);
      CompletableFuture<Void> mine = view.settled();
      mine.cancel(true);
      assertThat(view.settled()).isNotCancelled();
    } finally {
      unreachable.close();
    }
  }

  private void create(io.fabric8.kubernetes.api.model.HasMetadata object) {
    client.resource(object).create();
  }

  static Deployment deployment(String namespace, String name, int replicas, int ready) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .endSpec()
        .withNewStatus()
        .withReadyReplicas(ready)
        .withObservedGeneration(1L)
        .endStatus()
        .build();
  }

  static Status forbidden(String verb) {
    return new StatusBuilder()
        .withCode(403)
        .withReason("Forbidden")
        .withMessage(
            "deployments.apps is forbidden: User \"system:serviceaccount:vigie:vigie\" cannot "
                + verb
                + " resource \"deployments\" in API group \"apps\" in the namespace \"locked\"")
        .build();
  }
}
