package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A key of a Secret in the same namespace as the resource that names it. Credentials enter the API
 * only this way: there is no field for a password or token in plain text.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {

  @Required
  @Pattern(Names.DNS_SUBDOMAIN)
  @Size(max = Limits.NAME)
  @JsonPropertyDescription("Name of the Secret, in the same namespace as this resource.")
  public String name;

  @Required
  @Pattern("^[-._a-zA-Z0-9]+$")
  @Size(max = Limits.NAME)
  @JsonPropertyDescription("Key of the value inside the Secret's data.")
  public String key;

  public SecretKeyRef() {}

  public SecretKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SecretKeyRef ref
        && java.util.Objects.equals(name, ref.name)
        && java.util.Objects.equals(key, ref.key);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(name, key);
  }
}
