package io.dihya.vigie.probe;

import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Set;

/**
 * Brings a probe back into a reconcile when the engine has something for its status (a transition,
 * or a refresh). Status is then written by the reconciler, never from scheduler threads, so writes
 * are serialised per probe by JOSDK and retried on conflict.
 */
public class ProbeEventSource extends AbstractEventSource<ProbeSnapshot, HealthProbe> {

  public static final String NAME = "probe-engine";

  public ProbeEventSource() {
    super(ProbeSnapshot.class, NAME);
  }

  /** Asks for a reconcile of the probe. */
  public void fire(ResourceID id) {
    if (isRunning()) {
      getEventHandler().handleEvent(new Event(id));
    }
  }

  @Override
  public Set<ProbeSnapshot> getSecondaryResources(HealthProbe primary) {
    return Set.of();
  }
}
