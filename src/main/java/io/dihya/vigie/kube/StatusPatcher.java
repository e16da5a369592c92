package io.dihya.vigie.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
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

  /** Whether two statuses serialise to the same JSON. */
  public static boolean same(Object current, Object desired) {
    if (current == null || desired == null) {
      return current == desired;
    }
    return MAPPER.valueToTree(current).equals(MAPPER.valueToTree(desired));
  }
}
