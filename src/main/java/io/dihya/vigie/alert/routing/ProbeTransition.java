package io.dihya.vigie.alert.routing;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A probe's change of health, as the probe reconciler reports it to the {@link AlertRouter}. Texts
 * are already redacted with the probe's own redactor.
 *
 * @param unhealthy true when it turned Unhealthy (firing), false when it recovered (resolved)
 * @param probeLabels the probe's metadata labels (routes select on them)
 * @param alertLabels the probe's spec.alert.labels
 * @param alertAnnotations the probe's spec.alert.annotations
 * @param checkType http, tcp, dns...
 * @param since when the health changed
 * @param dependsOn the probe's spec.dependsOn
 */
public record ProbeTransition(
    String namespace,
    String probe,
    boolean unhealthy,
    String severity,
    String checkType,
    String reason,
    String message,
    Map<String, String> probeLabels,
    Map<String, String> alertLabels,
    Map<String, String> alertAnnotations,
    Instant since,
    List<String> dependsOn) {}
