package io.dihya.vigie.kube;

import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Identifies what a running configuration (a probe's check, a route's sinks) was built from: the
 * resource's generation and the values of the Secret keys it references, so that a new spec or a
 * rotated password rebuilds it and nothing else does. Kept in memory only.
 */
public final class ConfigFingerprint {

  private ConfigFingerprint() {}

  public static String of(HasMetadata resource, Map<SecretKeyRef, String> values) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(
          String.valueOf(resource.getMetadata().getGeneration()).getBytes(StandardCharsets.UTF_8));
      Map<String, String> sorted = new TreeMap<>();
      values.forEach((ref, value) -> sorted.put(ref.name + "/" + ref.key, value));
      sorted.forEach(
          (ref, value) ->
              digest.update((ref + "\u0000" + value + "\u0000").getBytes(StandardCharsets.UTF_8)));
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
