package io.dihya.vigie.alert.routing;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/** A route's {@code probeSelector}, matched against a probe's metadata labels. */
public final class ProbeSelector {

  private final Map<String, String> matchLabels;
  private final List<LabelSelectorRequirement> expressions;

  private ProbeSelector(
      Map<String, String> matchLabels, List<LabelSelectorRequirement> expressions) {
    this.matchLabels = matchLabels;
    this.expressions = expressions;
  }

  /** The selector; null selects every probe of the namespace. */
  public static ProbeSelector of(LabelSelector selector) {
    if (selector == null) {
      return new ProbeSelector(Map.of(), List.of());
    }
    return new ProbeSelector(
        selector.getMatchLabels() == null ? Map.of() : Map.copyOf(selector.getMatchLabels()),
        selector.getMatchExpressions() == null
            ? List.of()
            : List.copyOf(selector.getMatchExpressions()));
  }

  public boolean matches(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (!l.entrySet().containsAll(matchLabels.entrySet())) {
      return false;
    }
    for (LabelSelectorRequirement r : expressions) {
      String value = l.get(r.getKey());
      List<String> values = r.getValues() == null ? List.of() : r.getValues();
      boolean ok =
          switch (r.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false; // the validator refuses other operators
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
