package io.dihya.vigie.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.KubernetesCheck;
import io.dihya.vigie.kube.WorkloadInformers;
import io.dihya.vigie.probe.check.Check;
import io.dihya.vigie.probe.check.CheckFactory;
import io.dihya.vigie.probe.check.CheckResult;
import io.dihya.vigie.probe.check.Reasons;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kubernetes check end to end: the built operator against the real kube-apiserver, and kubectl.
 * No controller runs in that cluster (no controller-manager, no kubelet), so the test writes the
 * objects' status through the status subresource, as their controllers would, and watches the
 * probe's health follow.
 */
class KubernetesCheckE2EIT {

  private static final String NOBODY = "vigie-e2e-nobody";
  private static LocalCluster cluster;
  private static KubernetesClient admin;
  private static OperatorProcess operator;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.get();
    cluster.installCrds();
    admin = cluster.client();
    operator = OperatorProcess.start(cluster, "kubernetes-check");
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  @Test
  void aDeploymentsHealthFollowsWhatItsControllerReports() throws Exception {
    String namespace = cluster.createNamespace("kube-deploy");
    apply(
        namespace,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - name: web
                  image: registry.example/web:1.0
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: web-replicas
        spec:
          interval: 2s
          timeout: 1s
          failureThreshold: 1
          kubernetes:
            kind: Deployment
            name: web
        """);
    // Nobody has reported on it yet: no ready replica.
    awaitHealth(namespace, "web-replicas", "False", "NotReady");
    assertThat(healthy(namespace, "web-replicas", "message"))
        .isEqualTo("Deployment web: 0 of 2 replicas ready, need 2");

    deploymentStatus(namespace, "web", 2);
    awaitHealth(namespace, "web-replicas", "True", "Succeeded");
    assertThat(healthy(namespace, "web-replicas", "message"))
        .isEqualTo("Deployment web: 2 of 2 replicas ready");
    String row =
        cluster.kubectl("get", "hp", "web-replicas", "-n", namespace).assertSuccess().output();
    assertThat(row).contains("Healthy").contains("Deployment/web");

    deploymentStatus(namespace, "web", 1);
    awaitHealth(namespace, "web-replicas", "False", "NotReady");
    assertThat(healthy(namespace, "web-replicas", "message"))
        .isEqualTo("Deployment web: 1 of 2 replicas ready, need 2");

    cluster.kubectl("delete", "deployment", "web", "-n", namespace).assertSuccess();
    awaitHealth(namespace, "web-replicas", "False", "NotFound");
    assertThat(healthy(namespace, "web-replicas", "message"))
        .isEqualTo("Deployment web not found in namespace " + namespace);
  }

  @Test
  void servicesCountTheirEndpointsAndClaimsMustBeBound() throws Exception {
    String namespace = cluster.createNamespace("kube-svc");
    apply(
        namespace,
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: api
        spec:
          selector: {app: api}
          ports: [{port: 80}]
        ---
        apiVersion: v1
        kind: Endpoints
        metadata:
          name: api
        subsets:
          - addresses: [{ip: 10.1.0.1}, {ip: 10.1.0.2}]
            notReadyAddresses: [{ip: 10.1.0.3}]
            ports: [{port: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: payments
        spec:
          type: ExternalName
          externalName: payments.example.com
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: data
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: api-endpoints
        spec:
          interval: 2s
          timeout: 1s
          failureThreshold: 1
          kubernetes: {kind: Service, name: api, minReady: 2}
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: payments-exists
        spec:
          interval: 2s
          timeout: 1s
          failureThreshold: 1
          kubernetes: {kind: Service, name: payments, minReady: 0}
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: data-bound
        spec:
          interval: 2s
          timeout: 1s
          failureThreshold: 1
          kubernetes: {kind: PersistentVolumeClaim, name: data}
        """);
    awaitHealth(namespace, "api-endpoints", "True", "Succeeded");
    assertThat(healthy(namespace, "api-endpoints", "message"))
        .isEqualTo("Service api: 2 of 3 endpoints ready");
    awaitHealth(namespace, "payments-exists", "True", "Succeeded");
    assertThat(healthy(namespace, "payments-exists", "message"))
        .isEqualTo("Service payments: type ExternalName, exists");
    // The API server defaults a new claim's phase to Pending; no provisioner binds it here.
    awaitHealth(namespace, "data-bound", "False", "NotReady");
    assertThat(healthy(namespace, "data-bound", "message"))
        .isEqualTo("PersistentVolumeClaim data: phase Pending, need Bound");

    // The endpoints controller's job: one pod becomes unready.
    apply(
        namespace,
        """
        apiVersion: v1
        kind: Endpoints
        metadata:
          name: api
        subsets:
          - addresses: [{ip: 10.1.0.1}]
            notReadyAddresses: [{ip: 10.1.0.2}, {ip: 10.1.0.3}]
            ports: [{port: 80}]
        """);
    awaitHealth(namespace, "api-endpoints", "False", "NotReady");
    assertThat(healthy(namespace, "api-endpoints", "message"))
        .isEqualTo("Service api: 1 of 3 endpoints ready, need 2");

    // The PV controller's job: the claim is bound.
    PersistentVolumeClaim claim =
        admin.persistentVolumeClaims().inNamespace(namespace).withName("data").get();
    claim.getStatus().setPhase("Bound");
    admin.resource(claim).updateStatus();
    awaitHealth(namespace, "data-bound", "True", "Succeeded");
    assertThat(healthy(namespace, "data-bound", "message"))
        .isEqualTo("PersistentVolumeClaim data: Bound");
  }

  /**
   * RBAC, for real: the checks' classes with a client acting as a user who has no role in the
   * namespace, then is granted list, then watch. The check says which verb is missing, and heals
   * without a restart once both are granted.
   */
  @Test
  void aMissingPermissionIsForbiddenNamingTheVerbUntilGranted() throws Exception {
    String namespace = cluster.createNamespace("kube-rbac");
    apply(
        namespace,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - name: web
                  image: registry.example/web:1.0
        """);
    deploymentStatus(namespace, "web", 1);

    Config config =
        new ConfigBuilder(Config.fromKubeconfig(Files.readString(cluster.kubeconfig())))
            .withImpersonateUsername(NOBODY)
            .build();
    try (KubernetesClient nobody = new KubernetesClientBuilder().withConfig(config).build();
        WorkloadInformers informers = new WorkloadInformers(nobody);
        CheckFactory factory = new CheckFactory(4096, informers)) {
      HealthProbeSpec spec = new HealthProbeSpec();
      spec.kubernetes = new KubernetesCheck();
      spec.kubernetes.kind = KubernetesCheck.Kind.Deployment;
      spec.kubernetes.name = "web";
      Check check = factory.create(namespace, spec, ref -> null);

      CheckResult denied = check.run(Duration.ofSeconds(5)).join();
      assertThat(denied.reason()).isEqualTo(Reasons.FORBIDDEN);
      assertThat(denied.message())
          .isEqualTo(
              "Deployment web: the operator may not list deployments.apps in namespace "
                  + namespace
                  + " (HTTP 403): its role there needs list and watch on deployments.apps")
          .doesNotContain(NOBODY);

      grant(namespace, "lister", "list");
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> check.run(Duration.ofSeconds(5)).join().message(),
              m -> m.contains("may not watch deployments.apps"));

      grant(namespace, "watcher", "watch");
      CheckResult granted =
          await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(500))
              .until(() -> check.run(Duration.ofSeconds(5)).join(), CheckResult::success);
      assertThat(granted.message()).isEqualTo("Deployment web: 1 of 1 replicas ready");
      check.close();
      assertThat(informers.size()).isZero();
    }
  }

  private static void grant(String namespace, String role, String verb) {
    cluster
        .kubectl(
            "create",
            "role",
            role,
            "--verb=" + verb,
            "--resource=deployments.apps",
            "-n",
            namespace)
        .assertSuccess();
    cluster
        .kubectl(
            "create", "rolebinding", role, "--role=" + role, "--user=" + NOBODY, "-n", namespace)
        .assertSuccess();
  }

  /** What the Deployment controller would write: replicas seen, and how many are ready. */
  private static void deploymentStatus(String namespace, String name, int ready) {
    Deployment d = admin.apps().deployments().inNamespace(namespace).withName(name).get();
    d.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(d.getMetadata().getGeneration())
            .withReplicas(d.getSpec().getReplicas())
            .withUpdatedReplicas(d.getSpec().getReplicas())
            .withReadyReplicas(ready)
            .withAvailableReplicas(ready)
            .build());
    admin.resource(d).updateStatus();
  }

  private static void apply(String namespace, String yaml) {
    cluster.apply(namespace, yaml).assertSuccess();
  }

  private static void awaitHealth(String namespace, String probe, String status, String reason) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> healthy(namespace, probe, "status") + "/" + healthy(namespace, probe, "reason"),
            s -> s.equals(status + "/" + reason));
  }

  private static String healthy(String namespace, String probe, String field) {
    return cluster
        .kubectl(
            "get",
            "hp",
            probe,
            "-n",
            namespace,
            "-o=jsonpath={.status.conditions[?(@.type==\"Healthy\")]." + field + "}")
        .assertSuccess()
        .output()
        .trim();
  }
}
