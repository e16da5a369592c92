package io.dihya.vigie.kube;

import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Every {@link SecretKeyRef} a spec holds, wherever it sits (check blocks, headers, TLS, sinks).
 * Walking the API types instead of listing fields by hand means a new block's references cannot be
 * forgotten by the resolver or the redactor.
 */
public final class SecretRefs {

  private static final String API_PACKAGE = HealthProbe.class.getPackageName();

  private SecretRefs() {}

  public static Set<SecretKeyRef> of(Object spec) {
    Set<SecretKeyRef> refs = new LinkedHashSet<>();
    walk(spec, refs, new IdentityHashMap<>());
    return refs;
  }

  private static void walk(Object node, Set<SecretKeyRef> refs, Map<Object, Boolean> seen) {
    if (node == null || seen.put(node, Boolean.TRUE) != null) {
      return;
    }
    if (node instanceof SecretKeyRef ref) {
      if (ref.name != null && ref.key != null) {
        refs.add(ref);
      }
      return;
    }
    if (node instanceof Collection<?> items) {
      items.forEach(item -> walk(item, refs, seen));
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.values().forEach(value -> walk(value, refs, seen));
      return;
    }
    if (!node.getClass().getName().startsWith(API_PACKAGE)) {
      return;
    }
    for (Field field : node.getClass().getFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        continue;
      }
      try {
        walk(field.get(node), refs, seen);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("API fields are public: " + field, e);
      }
    }
  }
}
