package io.dihya.vigie.alert;

import io.dihya.vigie.api.v1alpha1.AlertRoute;
import io.dihya.vigie.api.v1alpha1.AlertRouteStatus;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.kube.Conditions;
import io.dihya.vigie.kube.SpecProblems;
import io.dihya.vigie.kube.StatusPatcher;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** Validates a route's spec and keeps its status: Ready, and one delivery record per sink. */
@ControllerConfiguration(name = "alertroute")
public class AlertRouteReconciler implements Reconciler<AlertRoute> {

  private static final Logger LOG = Logger.getLogger(AlertRouteReconciler.class);

  private final Clock clock;

  public AlertRouteReconciler() {
    this(Clock.systemUTC());
  }

  AlertRouteReconciler(Clock clock) {
    this.clock = clock;
  }

  @Override
  public UpdateControl<AlertRoute> reconcile(AlertRoute route, Context<AlertRoute> context) {
    return StatusPatcher.patchIfChanged(
        route, desiredStatus(route, clock.instant()), AlertRoute::new);
  }

  AlertRouteStatus desiredStatus(AlertRoute route, Instant now) {
    AlertRouteStatus current =
        route.getStatus() == null ? new AlertRouteStatus() : route.getStatus();
    Long generation = route.getMetadata().getGeneration();
    SpecProblems problems = AlertRouteValidator.validate(route.getSpec());

    AlertRouteStatus status = new AlertRouteStatus();
    status.observedGeneration = generation;
    status.lastDeliveryTime = current.lastDeliveryTime;
    status.lastTest = current.lastTest;
    status.sinks =
        sinkRecords(route.getSpec() == null ? List.of() : route.getSpec().sinks, current);
    status.sinkNames = status.sinks.stream().map(s -> s.name).collect(Collectors.joining(","));
    if (problems.isEmpty()) {
      status.conditions =
          Conditions.set(
              current.conditions,
              Conditions.READY,
              Conditions.TRUE,
              Conditions.REASON_ACCEPTED,
              "Spec accepted.",
              generation,
              now);
    } else {
      boolean wasInvalid =
          Conditions.find(current.conditions, Conditions.READY)
              .map(c -> Conditions.REASON_INVALID_SPEC.equals(c.getReason()))
              .orElse(false);
      if (!wasInvalid) {
        LOG.infof(
            "AlertRoute %s/%s has an invalid spec: %s",
            route.getMetadata().getNamespace(), route.getMetadata().getName(), problems.message());
      }
      status.conditions =
          Conditions.set(
              current.conditions,
              Conditions.READY,
              Conditions.FALSE,
              Conditions.REASON_INVALID_SPEC,
              problems.message(),
              generation,
              now);
    }
    return status;
  }

  /** One record per sink of the spec, keeping the counts of sinks that were already there. */
  private static List<AlertRouteStatus.SinkStatus> sinkRecords(
      List<Sink> sinks, AlertRouteStatus current) {
    Map<String, AlertRouteStatus.SinkStatus> previous =
        current.sinks.stream()
            .filter(s -> s.name != null)
            .collect(Collectors.toMap(s -> s.name, Function.identity(), (a, b) -> a));
    List<AlertRouteStatus.SinkStatus> records = new ArrayList<>();
    for (Sink sink : sinks) {
      if (sink.name == null || records.stream().anyMatch(r -> r.name.equals(sink.name))) {
        continue;
      }
      AlertRouteStatus.SinkStatus record = previous.get(sink.name);
      if (record == null) {
        record = new AlertRouteStatus.SinkStatus();
        record.name = sink.name;
        record.delivered = 0L;
        record.failed = 0L;
      }
      records.add(record);
    }
    return records;
  }
}
