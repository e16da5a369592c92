package io.dihya.vigie.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Set;

/**
 * Brings a resource back into a reconcile when an engine has something for its status (the probe
 * engine: a transition or a refresh; the alert router: a change of what was notified). Status is
 * then written by the reconciler, never from engine threads, so writes are serialised per resource
 * by JOSDK and retried on conflict.
 */
public class ReconcileTrigger<P extends HasMetadata> extends AbstractEventSource<Void, P> {

  public ReconcileTrigger(String name) {
    super(Void.class, name);
  }

  /** Asks for a reconcile of the resource. */
  public void fire(ResourceID id) {
    if (isRunning()) {
      getEventHandler().handleEvent(new Event(id));
    }
  }

  @Override
  public Set<Void> getSecondaryResources(P primary) {
    return Set.of();
  }
}
