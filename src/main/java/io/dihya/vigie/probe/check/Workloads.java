package io.dihya.vigie.probe.check;

/**
 * SCAFFOLD: the state of Kubernetes objects, read from informers (owned by the kubernetes check).
 */
public interface Workloads {}
