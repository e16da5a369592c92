package io.dihya.vigie.kube;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;

/**
 * The item store of a workload informer: it keeps each object without what kubernetes checks never
 * read, so that a namespace's thousands of objects cost little memory. Dropped: managed fields,
 * annotations (last-applied-configuration holds a copy of the whole object), labels, owner
 * references, finalizers; the pod template of workloads and the volume claim templates of
 * StatefulSets; the ports of Services; the target references and node names of endpoint addresses.
 * Kept: name, namespace, uid, resourceVersion (the informer compares it), generation, the spec
 * fields the checks read, and the whole status.
 */
final class WorkloadStore<T extends HasMetadata> extends BasicItemStore<T> {

  WorkloadStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public T put(String key, T obj) {
    trim(obj);
    return super.put(key, obj);
  }

  /** Trims an object freshly read from the API server, in place. */
  static void trim(HasMetadata obj) {
    ObjectMeta meta = obj.getMetadata();
    if (meta != null) {
      meta.setManagedFields(null);
      meta.setAnnotations(null);
      meta.setLabels(null);
      meta.setOwnerReferences(null);
      meta.setFinalizers(null);
    }
    if (obj instanceof Deployment d && d.getSpec() != null) {
      d.getSpec().setTemplate(null);
      d.getSpec().setSelector(null);
      d.getSpec().setStrategy(null);
    } else if (obj instanceof StatefulSet s && s.getSpec() != null) {
      s.getSpec().setTemplate(null);
      s.getSpec().setSelector(null);
      s.getSpec().setVolumeClaimTemplates(null);
      s.getSpec().setUpdateStrategy(null);
    } else if (obj instanceof DaemonSet d && d.getSpec() != null) {
      d.getSpec().setTemplate(null);
      d.getSpec().setSelector(null);
      d.getSpec().setUpdateStrategy(null);
    } else if (obj instanceof Service s && s.getSpec() != null) {
      s.getSpec().setPorts(null);
    } else if (obj instanceof Endpoints e && e.getSubsets() != null) {
      for (EndpointSubset subset : e.getSubsets()) {
        trim(subset.getAddresses());
        trim(subset.getNotReadyAddresses());
      }
    }
  }

  private static void trim(List<EndpointAddress> addresses) {
    if (addresses != null) {
      for (EndpointAddress address : addresses) {
        address.setTargetRef(null);
        address.setNodeName(null);
      }
    }
  }
}
