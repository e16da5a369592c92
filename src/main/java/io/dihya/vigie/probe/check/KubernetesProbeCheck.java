package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.KubernetesCheck;
import io.dihya.vigie.api.v1alpha1.Names;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The health of an object of the probe's namespace as Kubernetes reports it, read from the shared
 * informers of {@link Workloads}: a run reads memory, never the API server, and completes at once
 * (on {@code callbacks}); only a run before the informer's first sync waits for it, up to the
 * timeout, without holding a thread.
 *
 * <ul>
 *   <li>Deployment, StatefulSet: status.readyReplicas ≥ minReady, by default spec.replicas (1 when
 *       unset), so a Deployment scaled to 0 is healthy. A status that lags the spec
 *       (status.observedGeneration &lt; metadata.generation: a rollout its controller has not seen
 *       yet) is still judged: its counts are the pods that exist and serve now, against what the
 *       new spec wants; {@code result.kubernetes.observed} lets an assertion demand more.
 *   <li>DaemonSet: status.numberReady ≥ minReady, by default status.desiredNumberScheduled; one its
 *       controller has never reported on (no status.observedGeneration) is NotReady unless minReady
 *       is set, since nobody knows yet how many pods it wants.
 *   <li>Service: the distinct ready addresses of its core/v1 Endpoints (served by every Kubernetes
 *       version; EndpointSlice v1 needs 1.21) ≥ minReady, by default 1. A Service without selector
 *       is judged the same way, on the Endpoints its owner keeps by hand (none: 0 ready). A Service
 *       of type ExternalName has no endpoints in Kubernetes: it is NotReady unless minReady is 0,
 *       which checks only that it exists.
 *   <li>PersistentVolumeClaim: status.phase is Bound (minReady is ignored).
 * </ul>
 */
final class KubernetesProbeCheck implements Check {

  private static final String FIELD = "spec.kubernetes";
  private static final Pattern NAME = Pattern.compile(Names.DNS_SUBDOMAIN);

  private final String namespace;
  private final KubernetesCheck.Kind kind;
  private final String name;
  private final Integer minReady;
  private final String target;
  private final Workloads.View<? extends HasMetadata> objects;
  private final Workloads.View<Endpoints> endpoints;
  private final List<Workloads.View<?>> views;
  private final Executor callbacks;

  private KubernetesProbeCheck(
      String namespace,
      KubernetesCheck spec,
      Workloads.View<? extends HasMetadata> objects,
      Workloads.View<Endpoints> endpoints,
      Executor callbacks) {
    this.namespace = namespace;
    this.kind = spec.kind;
    this.name = spec.name;
    this.minReady = spec.minReady;
    this.target = spec.kind + " " + spec.name;
    this.objects = objects;
    this.endpoints = endpoints;
    this.views = endpoints == null ? List.of(objects) : List.of(objects, endpoints);
    this.callbacks = callbacks;
  }

  /**
   * Builds the check of a spec's kubernetes block and opens its views (the informers start in the
   * background).
   *
   * @throws IllegalArgumentException with a field-naming message for anything it cannot build
   */
  static Check create(
      String namespace, KubernetesCheck spec, Workloads workloads, Executor callbacks) {
    if (spec.kind == null) {
      throw new IllegalArgumentException(
          FIELD
              + ".kind: required (Deployment, StatefulSet, DaemonSet, Service or"
              + " PersistentVolumeClaim)");
    }
    if (spec.name == null || spec.name.isBlank()) {
      throw new IllegalArgumentException(FIELD + ".name: required");
    }
    if (spec.name.length() > 253 || !NAME.matcher(spec.name).matches()) {
      throw new IllegalArgumentException(
          FIELD + ".name: not an object name (lowercase letters, digits, '-' and '.')");
    }
    if (spec.minReady != null && spec.minReady < 0) {
      throw new IllegalArgumentException(FIELD + ".minReady: must be 0 or more");
    }
    Workloads.View<? extends HasMetadata> objects = workloads.view(namespace, type(spec.kind));
    Workloads.View<Endpoints> endpoints = null;
    if (spec.kind == KubernetesCheck.Kind.Service) {
      try {
        endpoints = workloads.view(namespace, Endpoints.class);
      } catch (RuntimeException e) {
        objects.close();
        throw e;
      }
    }
    return new KubernetesProbeCheck(namespace, spec, objects, endpoints, callbacks);
  }

  private static Class<? extends HasMetadata> type(KubernetesCheck.Kind kind) {
    return switch (kind) {
      case Deployment -> Deployment.class;
      case StatefulSet -> StatefulSet.class;
      case DaemonSet -> DaemonSet.class;
      case Service -> Service.class;
      case PersistentVolumeClaim -> PersistentVolumeClaim.class;
    };
  }

  @Override
  public CompletableFuture<CheckResult> run(Duration timeout) {
    long start = System.nanoTime();
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.completedFuture(
          CheckResult.failure(Reasons.INVALID_SPEC, "the timeout must be positive", 0));
    }
    CompletableFuture<Void> ready;
    if (settled()) {
      ready = CompletableFuture.completedFuture(null);
    } else {
      // Before the first sync: wait for it (or a problem), on the informers' completion, not a
      // thread of ours.
      ready =
          CompletableFuture.allOf(
                  views.stream().map(Workloads.View::settled).toArray(CompletableFuture<?>[]::new))
              .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    return ready.handleAsync((ignored, error) -> verdict(start, timeout), callbacks);
  }

  private boolean settled() {
    for (Workloads.View<?> view : views) {
      if (!view.synced() && view.problem() == null) {
        return false;
      }
    }
    return true;
  }

  private CheckResult verdict(long start, Duration timeout) {
    try {
      return judge(start, timeout);
    } catch (RuntimeException e) {
      // An object the checks do not expect (a model quirk): never an exceptional future.
      return CheckResult.failure(
          Reasons.CONNECTION_FAILED,
          target + ": cannot read its state (" + e.getClass().getSimpleName() + ")",
          millisSince(start));
    }
  }

  private CheckResult judge(long start, Duration timeout) {
    for (Workloads.View<?> view : views) {
      Workloads.Problem problem = view.problem();
      if (problem != null) {
        return CheckResult.failure(
            problem.reason(), target + ": " + problem.text(), millisSince(start));
      }
    }
    for (Workloads.View<?> view : views) {
      if (!view.synced()) {
        Class<? extends HasMetadata> type = view == endpoints ? Endpoints.class : type(kind);
        return CheckResult.failure(
            Reasons.TIMEOUT,
            target
                + ": the watch of "
                + Workloads.resource(type)
                + " in namespace "
                + namespace
                + " has not synced within "
                + Failures.format(timeout),
            millisSince(start));
      }
    }
    HasMetadata object = objects.get(name);
    if (object == null) {
      return CheckResult.failure(
              Reasons.NOT_FOUND,
              target + " not found in namespace " + namespace,
              millisSince(start))
          .withData(
              "kubernetes",
              ResultData.create()
                  .put("kind", kind.name())
                  .put("name", name)
                  .put("found", false)
                  .build());
    }
    Verdict verdict =
        switch (kind) {
          case Deployment -> deployment((Deployment) object);
          case StatefulSet -> statefulSet((StatefulSet) object);
          case DaemonSet -> daemonSet((DaemonSet) object);
          case Service -> service((Service) object, endpoints.get(name));
          case PersistentVolumeClaim -> claim((PersistentVolumeClaim) object);
        };
    ResultData data =
        ResultData.create().put("kind", kind.name()).put("name", name).put("found", true);
    verdict.data.forEach(data::put);
    long latency = millisSince(start);
    CheckResult result =
        verdict.ok
            ? CheckResult.success(latency, target + ": " + verdict.text)
            : CheckResult.failure(Reasons.NOT_READY, target + ": " + verdict.text, latency);
    return result.withData("kubernetes", data.build());
  }

  /** What a kind's rule concluded: the message after "Kind name: ", and the observations. */
  private record Verdict(boolean ok, String text, Map<String, Object> data) {}

  private Verdict deployment(Deployment d) {
    int desired = orDefault(d.getSpec() == null ? null : d.getSpec().getReplicas(), 1);
    DeploymentStatus status = d.getStatus();
    Map<String, Object> data = new LinkedHashMap<>();
    int ready = 0;
    if (status != null) {
      ready = orDefault(status.getReadyReplicas(), 0);
      data.put("available", orDefault(status.getAvailableReplicas(), 0));
      data.put("updated", orDefault(status.getUpdatedReplicas(), 0));
      data.put("conditions", deploymentConditions(status.getConditions()));
    }
    return replicas(ready, desired, "replicas", generations(d, observed(status)), data);
  }

  private Verdict statefulSet(StatefulSet s) {
    int desired = orDefault(s.getSpec() == null ? null : s.getSpec().getReplicas(), 1);
    StatefulSetStatus status = s.getStatus();
    Map<String, Object> data = new LinkedHashMap<>();
    int ready = 0;
    if (status != null) {
      ready = orDefault(status.getReadyReplicas(), 0);
      data.put("available", orDefault(status.getAvailableReplicas(), ready));
      data.put("updated", orDefault(status.getUpdatedReplicas(), 0));
      data.put("current", orDefault(status.getCurrentReplicas(), 0));
    }
    Long observed = status == null ? null : status.getObservedGeneration();
    return replicas(ready, desired, "replicas", generations(s, observed), data);
  }

  private Verdict daemonSet(DaemonSet d) {
    DaemonSetStatus status = d.getStatus();
    Long observed = status == null ? null : status.getObservedGeneration();
    if (observed == null && minReady == null) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("ready", 0);
      data.put("desired", 0);
      data.put("need", 0);
      data.putAll(generations(d, null));
      return new Verdict(false, "its controller has not reported on it yet", data);
    }
    int desired = status == null ? 0 : orDefault(status.getDesiredNumberScheduled(), 0);
    int ready = status == null ? 0 : orDefault(status.getNumberReady(), 0);
    Map<String, Object> data = new LinkedHashMap<>();
    if (status != null) {
      data.put("available", orDefault(status.getNumberAvailable(), 0));
      data.put("updated", orDefault(status.getUpdatedNumberScheduled(), 0));
    }
    return replicas(ready, desired, "pods", generations(d, observed), data);
  }

  private static Long observed(DeploymentStatus status) {
    return status == null ? null : status.getObservedGeneration();
  }

  private Verdict replicas(
      int ready, int desired, String unit, Map<String, Object> base, Map<String, Object> more) {
    int need = minReady != null ? minReady : desired;
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("ready", ready);
    data.put("desired", desired);
    data.put("need", need);
    data.putAll(more);
    data.putAll(base);
    boolean ok = ready >= need;
    String text = ready + " of " + desired + " " + unit + " ready" + (ok ? "" : ", need " + need);
    return new Verdict(ok, text, data);
  }

  /** The generation facts of a workload: whether its controller has seen its current spec. */
  private static Map<String, Object> generations(HasMetadata object, Long observed) {
    Long generation = object.getMetadata().getGeneration();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("generation", generation == null ? 0L : generation);
    data.put("observedGeneration", observed == null ? 0L : observed);
    data.put("observed", observed != null && (generation == null || observed >= generation));
    return data;
  }

  private static Map<String, String> deploymentConditions(List<DeploymentCondition> conditions) {
    Map<String, String> byType = new LinkedHashMap<>();
    if (conditions != null) {
      for (DeploymentCondition c : conditions) {
        if (c.getType() != null) {
          byType.put(c.getType(), c.getStatus());
        }
      }
    }
    return byType;
  }

  private Verdict service(Service service, Endpoints found) {
    String type =
        service.getSpec() == null || service.getSpec().getType() == null
            ? "ClusterIP"
            : service.getSpec().getType();
    boolean selector =
        service.getSpec() != null
            && service.getSpec().getSelector() != null
            && !service.getSpec().getSelector().isEmpty();
    boolean externalName = "ExternalName".equals(type);
    int ready = 0;
    int notReady = 0;
    if (found != null && !externalName) {
      ready = addresses(found, true);
      notReady = addresses(found, false);
    }
    int need = minReady != null ? minReady : 1;
    boolean ok = ready >= need;
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("ready", ready);
    data.put("notReady", notReady);
    data.put("desired", ready + notReady);
    data.put("need", need);
    data.put("type", type);
    data.put("selector", selector);
    String text;
    if (externalName) {
      text =
          ok
              ? "type ExternalName, exists"
              : "type ExternalName has no endpoints in Kubernetes, need "
                  + need
                  + " (minReady: 0 checks only that it exists)";
    } else if (found == null && !selector && !ok) {
      text = "no selector and no Endpoints object, need " + need;
    } else {
      text =
          ready + " of " + (ready + notReady) + " endpoints ready" + (ok ? "" : ", need " + need);
    }
    return new Verdict(ok, text, data);
  }

  /** Distinct IPs of the ready (or not ready) addresses, over all subsets (port sets). */
  private static int addresses(Endpoints endpoints, boolean ready) {
    if (endpoints.getSubsets() == null) {
      return 0;
    }
    Set<String> ips = new HashSet<>();
    for (EndpointSubset subset : endpoints.getSubsets()) {
      List<EndpointAddress> addresses =
          ready ? subset.getAddresses() : subset.getNotReadyAddresses();
      if (addresses != null) {
        for (EndpointAddress address : addresses) {
          ips.add(address.getIp() == null ? "" : address.getIp());
        }
      }
    }
    return ips.size();
  }

  private Verdict claim(PersistentVolumeClaim claim) {
    PersistentVolumeClaimStatus status = claim.getStatus();
    // The API server defaults a new claim's phase to Pending.
    String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
    boolean bound = "Bound".equals(phase);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("phase", phase);
    data.put("ready", bound ? 1 : 0);
    data.put("desired", 1);
    data.put("need", 1);
    Quantity storage =
        status == null || status.getCapacity() == null ? null : status.getCapacity().get("storage");
    if (storage != null) {
      data.put("capacity", storage.toString());
    }
    data.put("conditions", claimConditions(status));
    return new Verdict(bound, bound ? "Bound" : "phase " + phase + ", need Bound", data);
  }

  private static Map<String, String> claimConditions(PersistentVolumeClaimStatus status) {
    Map<String, String> byType = new LinkedHashMap<>();
    if (status != null && status.getConditions() != null) {
      for (var c : status.getConditions()) {
        if (c.getType() != null) {
          byType.put(c.getType(), c.getStatus());
        }
      }
    }
    return byType;
  }

  private static int orDefault(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  @Override
  public void close() {
    for (Workloads.View<?> view : views) {
      view.close();
    }
  }
}
