package io.dihya.vigie.probe.check;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.concurrent.CompletableFuture;

/**
 * The objects that kubernetes checks read, as informers (list, then watch) keep them in memory: a
 * check never asks the API server anything when it runs.
 *
 * <p>A check opens a {@link View} per kind it reads when it is built and closes it with itself.
 * Views of the same kind in the same namespace share one informer, started by the first view and
 * stopped when the last one closes; only the probe's own namespace is ever watched.
 */
public interface Workloads {

  /**
   * A view of the objects of {@code type} in {@code namespace}: joins the informer already running
   * for them, or starts one. Never blocks: the first list runs in the background ({@link
   * View#settled()}).
   *
   * @param type a fabric8 model class of a namespaced kind (Deployment, Service, Endpoints...)
   */
  <T extends HasMetadata> View<T> view(String namespace, Class<T> type);

  /** The name RBAC rules and kubectl use for a kind: "deployments.apps", "services". */
  static String resource(Class<? extends HasMetadata> type) {
    String group = HasMetadata.getGroup(type);
    String plural = HasMetadata.getPlural(type);
    return group == null || group.isEmpty() ? plural : plural + "." + group;
  }

  /** One check's interest in one kind of one namespace. Thread-safe. */
  interface View<T extends HasMetadata> extends AutoCloseable {

    /**
     * The object named {@code name} as the informer last saw it, or null if there is none. Only the
     * truth once {@link #synced()}. Callers must not modify it (it is the cached object).
     */
    T get(String name);

    /** Whether the first complete list has arrived and the watch has started. */
    boolean synced();

    /** What keeps the informer from listing or watching right now, or null. */
    Problem problem();

    /**
     * A new future that completes (never exceptionally) once the view is {@link #synced()} or has a
     * {@link #problem()}: the caller may time it out or cancel it without affecting others.
     */
    CompletableFuture<Void> settled();

    /** Releases this view's share of the informer. Idempotent, never throws. */
    @Override
    void close();
  }

  /**
   * Why the informer cannot list or watch.
   *
   * @param reason one of {@link Reasons}: {@link Reasons#FORBIDDEN} when the API server denied the
   *     list or watch, {@link Reasons#CONNECTION_FAILED} otherwise
   * @param text fixed text naming the verb, the resource and the namespace (and the HTTP status),
   *     never the exception's message, e.g. "the operator may not watch deployments.apps in
   *     namespace shop (HTTP 403): its role needs list and watch on them"
   */
  record Problem(String reason, String text) {}
}
