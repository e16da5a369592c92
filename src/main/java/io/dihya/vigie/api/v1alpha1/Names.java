package io.dihya.vigie.api.v1alpha1;

/** Name grammars of Kubernetes objects, shared by schema patterns and code checks. */
public final class Names {

  /** An RFC 1123 subdomain: the name of a Secret, a Service, a Deployment... */
  public static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** An RFC 1123 label: used for sink names, which appear in metrics and status. */
  public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  private Names() {}
}
