package io.dihya.vigie.kube;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The condition types and reasons of the vigie API, in one place, and the one way to set a
 * condition: {@code lastTransitionTime} moves only when {@code status} flips, so an unchanged
 * condition compares equal and causes no status patch.
 */
public final class Conditions {

  /** The spec was accepted and the resource is in effect. */
  public static final String READY = "Ready";

  /** A probe's target health after thresholds. */
  public static final String HEALTHY = "Healthy";

  /** Ready=True: the spec is valid and in effect. */
  public static final String REASON_ACCEPTED = "Accepted";

  /** Ready=False: the spec breaks a rule the schema cannot express; the message says which. */
  public static final String REASON_INVALID_SPEC = "InvalidSpec";

  /** Ready=False: a referenced Secret or key does not exist. */
  public static final String REASON_SECRET_NOT_FOUND = "SecretNotFound";

  /** Ready=False: the spec asks for a check type this version cannot run yet. */
  public static final String REASON_UNSUPPORTED_CHECK = "UnsupportedCheck";

  /**
   * Ready=False: the operator's target policy (vigie.targets) forbids the address the target
   * resolved to at the last check, so the check did not connect; the message names the host, the
   * address and the rule. The probe keeps running, and is Ready again once its target is allowed.
   */
  public static final String REASON_TARGET_FORBIDDEN = "TargetForbidden";

  /** Ready=True, Healthy=Unknown: spec.suspend is true, so no check runs. */
  public static final String REASON_SUSPENDED = "Suspended";

  /** Healthy=Unknown: no verdict yet. */
  public static final String REASON_AWAITING_CHECKS = "AwaitingChecks";

  /**
   * Healthy=False: the probe fails while a probe it depends on (spec.dependsOn) is Unhealthy; its
   * alerts are held back, and the message keeps its own failure.
   */
  public static final String REASON_DEPENDENCY_UNHEALTHY = "DependencyUnhealthy";

  /** Healthy=Unknown: the spec is invalid, so no check runs. */
  public static final String REASON_NOT_CHECKED = "NotChecked";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private Conditions() {}

  /**
   * Returns a copy of {@code current} with the condition of {@code type} set. The transition time
   * is {@code now} when the type is new or its status changed, and kept otherwise.
   */
  public static List<Condition> set(
      List<Condition> current,
      String type,
      String status,
      String reason,
      String message,
      Long observedGeneration,
      Instant now) {
    Optional<Condition> previous = find(current, type);
    String transition =
        previous
            .filter(c -> status.equals(c.getStatus()) && c.getLastTransitionTime() != null)
            .map(Condition::getLastTransitionTime)
            .orElseGet(() -> timestamp(now));
    Condition updated =
        new ConditionBuilder()
            .withType(type)
            .withStatus(status)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(observedGeneration)
            .withLastTransitionTime(transition)
            .build();
    List<Condition> result = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : current == null ? List.<Condition>of() : current) {
      if (type.equals(c.getType())) {
        result.add(updated);
        replaced = true;
      } else {
        result.add(c);
      }
    }
    if (!replaced) {
      result.add(updated);
    }
    return result;
  }

  /**
   * Like {@link #set}, with the transition time given: for a condition that mirrors state kept
   * elsewhere (the engine knows when a probe's health changed), so that it does not depend on how
   * fresh {@code current} is. A status read from an informer's cache can lag behind the API server,
   * e.g. while its watch reconnects after an outage.
   */
  public static List<Condition> setWithTransition(
      List<Condition> current,
      String type,
      String status,
      String reason,
      String message,
      Long observedGeneration,
      Instant transition) {
    List<Condition> result =
        set(current, type, status, reason, message, observedGeneration, transition);
    result.replaceAll(
        c ->
            type.equals(c.getType())
                ? new ConditionBuilder(c).withLastTransitionTime(timestamp(transition)).build()
                : c);
    return result;
  }

  /** The condition of the given type, if present. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** An RFC 3339 timestamp in UTC, to the second, as Kubernetes writes them. */
  public static String timestamp(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }
}
