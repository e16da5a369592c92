package io.dihya.vigie.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/**
 * Writes a status only when it really changed, and then sends only name, namespace and status, so
 * the operator never overwrites a spec or metadata it did not mean to touch. Conditions keep their
 * transition times when unchanged (see {@link Conditions}), so a plain comparison ignores them.
 */
public final class StatusPatcher {

  private static final ObjectMapper MAPPER = Serialization.jsonMapper();

  private StatusPatcher() {}

  /**
   * A status patch of {@code desired} for {@code resource}, or no update when {@code desired}
   * equals the status the resource already has.
   */
  public static <S, R extends CustomResource<?, S>> UpdateControl<R> patchIfChanged(
      R resource, S desired, Supplier<R> empty) {
    if (same(resource.getStatus(), desired)) {
      return UpdateControl.noUpdate();
    }
    R patch = empty.get();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(resource.getMetadata().getName())
            .withNamespace(resource.getMetadata().getNamespace())
            .build());
    patch.setStatus(desired);
    return UpdateControl.patchStatus(patch);
  }

  /**
   * Performs here, in the reconcile, the status patch {@code control} asks for, and puts the
   * written resource into the controller's cache, so that the next reconcile compares with what was
   * written rather than with the informer's copy of a moment before; other controls are returned as
   * they are. JOSDK does not cache a patched primary: a reconcile that came soon after a write (a
   * timer, an engine event, queued while the API server was slow) found the status as it was
   * before, and wrote again. With the probes' sampled fields kept back (ProbeStatus.keepSample),
   * 4,000 probes adopted at once took 4,000 status writes instead of 7,877. Server-side apply with
   * the controller's field manager, as JOSDK patches, or JOSDK's JSON patch where server-side apply
   * is off.
   *
   * @return no update, with the reschedule {@code control} asked for
   * @throws io.fabric8.kubernetes.client.KubernetesClientException when the write fails (the
   *     reconcile fails, and JOSDK retries it)
   */
  public static <S, R extends CustomResource<?, S>> UpdateControl<R> writeNow(
      R original, UpdateControl<R> control, Context<R> context, Counter patches) {
    if (!control.isPatchStatus()) {
      return control;
    }
    R patch = control.getResource().orElseThrow();
    var configuration = context.getControllerConfiguration();
    R written;
    if (configuration.getConfigurationService().useSSAToPatchPrimaryResource()) {
      written =
          context
              .getClient()
              .resource(patch)
              .subresource("status")
              .patch(
                  new PatchContext.Builder()
                      .withFieldManager(configuration.fieldManager())
                      .withForce(true)
                      .withPatchType(PatchType.SERVER_SIDE_APPLY)
                      .build());
    } else {
      R base = configuration.getConfigurationService().getResourceCloner().clone(original);
      base.getMetadata().setResourceVersion(null);
      written =
          context
              .getClient()
              .resource(base)
              .editStatus(
                  current -> {
                    current.setStatus(patch.getStatus());
                    return current;
                  });
    }
    patches.increment();
    context
        .eventSourceRetriever()
        .getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(original), written, original);
    UpdateControl<R> done = UpdateControl.noUpdate();
    control.getScheduleDelay().ifPresent(done::rescheduleAfter);
    return done;
  }

  /**
   * The counter of status writes of one kind ({@code vigie_status_patches_total}): a status is
   * written only when it changed, so in steady state it grows with changes, not with checks.
   */
  public static Counter counter(MeterRegistry registry, String kind) {
    return Counter.builder("vigie.status.patches")
        .description("Status patches sent to the API server (only changed statuses are written)")
        .tag("kind", kind)
        .register(registry);
  }

  /** Whether two statuses serialise to the same JSON. */
  public static boolean same(Object current, Object desired) {
    if (current == null || desired == null) {
      return current == desired;
    }
    return MAPPER.valueToTree(current).equals(MAPPER.valueToTree(desired));
  }
}
