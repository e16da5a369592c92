package io.dihya.vigie.kube;

import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the Secret keys a resource references, in the resource's own namespace only (tenants are
 * namespaces). Secrets are fetched one by one with GET, never listed or watched: the operator holds
 * only the Secrets that probes and routes name, and needs only the {@code get} verb. A read is
 * reused for a short time so that thousands of probes sharing a Secret cost one request.
 */
public class SecretResolver {

  private final KubernetesClient client;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public SecretResolver(KubernetesClient client, Clock clock, Duration ttl) {
    this.client = client;
    this.clock = clock;
    this.ttl = ttl;
  }

  /** The outcome: the values found, and a problem for each reference that did not resolve. */
  public record Resolution(Map<SecretKeyRef, String> values, List<String> missing) {
    public boolean complete() {
      return missing.isEmpty();
    }

    /** The value of a reference that resolved. */
    public String get(SecretKeyRef ref) {
      return values.get(ref);
    }
  }

  /** Resolves every reference in {@code namespace}. */
  public Resolution resolve(String namespace, Collection<SecretKeyRef> refs) {
    Map<SecretKeyRef, String> values = new LinkedHashMap<>();
    List<String> missing = new java.util.ArrayList<>();
    for (SecretKeyRef ref : refs) {
      Read read = read(namespace, ref.name);
      Map<String, String> data = read.data();
      if (read.error() != null) {
        missing.add("Secret " + ref.name + " could not be read (" + read.error() + ")");
      } else if (data == null) {
        missing.add("Secret " + ref.name + " not found");
      } else if (!data.containsKey(ref.key)) {
        missing.add("Secret " + ref.name + " has no key " + ref.key);
      } else {
        values.put(ref, data.get(ref.key));
      }
    }
    return new Resolution(values, missing.stream().distinct().toList());
  }

  /** Forgets cached reads, e.g. when a probe asks to be re-resolved at once. */
  public void invalidate(String namespace, String name) {
    cache.remove(namespace + "/" + name);
  }

  private Read read(String namespace, String name) {
    String key = namespace + "/" + name;
    Instant now = clock.instant();
    Cached cached = cache.get(key);
    if (cached != null && cached.expires.isAfter(now)) {
      return cached.read;
    }
    Read read;
    try {
      Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
      read = new Read(secret == null ? null : decode(secret), null);
    } catch (KubernetesClientException e) {
      // Only the HTTP code: the exception's text may quote the request.
      read = new Read(null, e.getCode() > 0 ? "HTTP " + e.getCode() : "API server unreachable");
    }
    if (read.data() != null) {
      // Only found Secrets are kept: one that is missing may be created any moment.
      cache.put(key, new Cached(read, now.plus(ttl)));
    }
    return read;
  }

  private static Map<String, String> decode(Secret secret) {
    Map<String, String> data = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (k, v) ->
                  data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      data.putAll(secret.getStringData());
    }
    return data;
  }

  private record Read(Map<String, String> data, String error) {}

  private record Cached(Read read, Instant expires) {}
}
