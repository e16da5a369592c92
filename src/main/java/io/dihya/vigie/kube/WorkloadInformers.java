package io.dihya.vigie.kube;

import io.dihya.vigie.probe.check.Reasons;
import io.dihya.vigie.probe.check.Workloads;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The {@link Workloads} of the operator: one fabric8 informer per (namespace, kind) that some
 * kubernetes check reads, shared by all of them, started by the first {@link #view} and stopped
 * when the last view closes.
 *
 * <ul>
 *   <li>Each informer lists and watches one kind in one namespace only (a probe sees its own
 *       namespace), so the operator's RBAC can be Roles: {@code list} and {@code watch} on the
 *       kinds used, in the namespaces that have such probes.
 *   <li>No resync: the checks read the cache, nobody needs periodic replays. Lists are paged by
 *       {@value #PAGE} objects, and objects are kept trimmed ({@link WorkloadStore}).
 *   <li>A failing list or watch (403 when RBAC lacks a verb, the API server unreachable) is retried
 *       with fabric8's exponential backoff, forever, and reported to the views as a {@link
 *       Workloads.Problem} until the watch runs again: granting the missing verb heals the checks
 *       without a restart.
 * </ul>
 */
public class WorkloadInformers implements Workloads, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(WorkloadInformers.class);
  private static final long PAGE = 500;
  // kube-apiserver's RBAC denial: `... cannot watch resource "deployments" in API group ...`.
  private static final Pattern DENIED_VERB = Pattern.compile("cannot (list|watch) resource");

  private final KubernetesClient client;
  private final Map<Key, Shared<?>> informers = new HashMap<>();
  private boolean closed;

  public WorkloadInformers(KubernetesClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  private record Key(String namespace, Class<?> type) {}

  @Override
  public synchronized <T extends HasMetadata> View<T> view(String namespace, Class<T> type) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(type, "type");
    if (closed) {
      throw new IllegalStateException("the workload informers are closed");
    }
    Key key = new Key(namespace, type);
    @SuppressWarnings("unchecked")
    Shared<T> shared = (Shared<T>) informers.get(key);
    if (shared == null) {
      shared = new Shared<>(key, type);
      informers.put(key, shared);
      shared.start();
    }
    shared.views++;
    return new Lease<>(shared);
  }

  private synchronized void release(Shared<?> shared) {
    shared.views--;
    if (shared.views == 0 && informers.get(shared.key) == shared) {
      informers.remove(shared.key);
      shared.stop();
    }
  }

  /** The informers running now. */
  public synchronized int size() {
    return informers.size();
  }

  /** The open views of one informer (0 when it does not run). */
  public synchronized int views(String namespace, Class<?> type) {
    Shared<?> shared = informers.get(new Key(namespace, type));
    return shared == null ? 0 : shared.views;
  }

  /** Stops every informer. Views still open answer from their last state; new ones fail. */
  @Override
  public synchronized void close() {
    closed = true;
    List<Shared<?>> running = new ArrayList<>(informers.values());
    informers.clear();
    running.forEach(Shared::stop);
  }

  /**
   * The problem a failed list or watch reports: the reason and fixed text, built from the HTTP code
   * and the denied verb, never from the exception's message.
   *
   * @param listed whether a list has succeeded: a 403 without a verb (a refused watch request
   *     carries no Status body) is then the watch's
   */
  static Problem problem(Throwable error, boolean listed, String resource, String namespace) {
    KubernetesClientException failure = clientException(error);
    int code = failure == null ? 0 : failure.getCode();
    String where = resource + " in namespace " + namespace;
    if (code == 403) {
      String verb = deniedVerb(failure, listed);
      return new Problem(
          Reasons.FORBIDDEN,
          "the operator may not "
              + verb
              + " "
              + where
              + " (HTTP 403): its role there needs list and watch on "
              + resource);
    }
    String verb = error instanceof WatcherException ? "watch" : "list or watch";
    if (code > 0) {
      return new Problem(
          Reasons.CONNECTION_FAILED, "cannot " + verb + " " + where + " (HTTP " + code + ")");
    }
    return new Problem(
        Reasons.CONNECTION_FAILED, "cannot " + verb + " " + where + ": API server unreachable");
  }

  private static KubernetesClientException clientException(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof WatcherException w) {
        return w.asClientException();
      }
      if (t instanceof KubernetesClientException k) {
        return k;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String deniedVerb(KubernetesClientException failure, boolean listed) {
    String message = failure.getStatus() == null ? null : failure.getStatus().getMessage();
    if (message != null) {
      Matcher matcher = DENIED_VERB.matcher(message);
      if (matcher.find()) {
        return matcher.group(1);
      }
    }
    return listed ? "watch" : "list or watch";
  }

  /** One informer and the views sharing it. */
  private final class Shared<T extends HasMetadata> {
    final Key key;
    final String resource;
    final WorkloadStore<T> store = new WorkloadStore<>();
    final SharedIndexInformer<T> informer;

    /** Completed once, when the informer first synced or first met a problem. */
    final CompletableFuture<Void> settled = new CompletableFuture<>();

    int views; // guarded by WorkloadInformers.this
    volatile boolean synced;
    volatile Problem problem;

    Shared(Key key, Class<T> type) {
      this.key = key;
      this.resource = Workloads.resource(type);
      this.informer =
          client.resources(type).inNamespace(key.namespace()).withLimit(PAGE).runnableInformer(0);
      informer.removeNamespaceIndex();
      informer.itemStore(store);
      informer.exceptionHandler(
          (started, error) -> {
            boolean listed = informer.lastSyncResourceVersion() != null;
            onProblem(problem(error, listed, resource, key.namespace()));
            return true; // keep trying, with backoff: RBAC may be granted later
          });
    }

    void start() {
      informer
          .start()
          .whenComplete(
              (ok, error) -> {
                if (error == null) {
                  synced = true;
                  recovered();
                  settled.complete(null);
                }
              });
    }

    void onProblem(Problem p) {
      Problem before = problem;
      problem = p;
      if (before == null || !before.text().equals(p.text())) {
        LOG.warnf("kubernetes checks: %s", p.text());
      }
      settled.complete(null);
    }

    /** The problem while it keeps the watch down; once the watch runs again, none. */
    Problem currentProblem() {
      Problem p = problem;
      if (p != null && informer.isWatching()) {
        recovered();
        return null;
      }
      return p;
    }

    private void recovered() {
      if (problem != null) {
        problem = null;
        LOG.infof(
            "kubernetes checks: watching %s in namespace %s again", resource, key.namespace());
      }
    }

    void stop() {
      informer.stop();
    }
  }

  /** One view: a share of an informer, released once. */
  private final class Lease<T extends HasMetadata> implements View<T> {
    private final Shared<T> shared;
    private final AtomicBoolean closed = new AtomicBoolean();

    Lease(Shared<T> shared) {
      this.shared = shared;
    }

    @Override
    public T get(String name) {
      return shared.store.get(Cache.namespaceKeyFunc(shared.key.namespace(), name));
    }

    @Override
    public boolean synced() {
      return shared.synced;
    }

    @Override
    public Problem problem() {
      return shared.currentProblem();
    }

    @Override
    public CompletableFuture<Void> settled() {
      return shared.settled.copy();
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        release(shared);
      }
    }
  }
}
