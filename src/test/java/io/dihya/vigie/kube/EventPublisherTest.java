package io.dihya.vigie.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.redact.Redactor;
import io.dihya.vigie.testing.UnreachableApiServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events against the fabric8 mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class EventPublisherTest {

  KubernetesClient client;

  private final MeterRegistry registry = new SimpleMeterRegistry();

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void anEventRegardsTheProbeAndIsRedacted() {
    EventPublisher publisher = new EventPublisher(client, clock, "vigie-0", registry);
    HealthProbe probe = probe();
    publisher.publish(
        probe,
        EventPublisher.WARNING,
        "ProbeFailed",
        "Check",
        "UnexpectedStatus: login with pw-CANARY-42 refused",
        Redactor.standard().withSecrets(List.of("pw-CANARY-42")));

    List<Event> events = client.resources(Event.class).inNamespace("clinic").list().getItems();
    assertThat(events).hasSize(1);
    Event event = events.get(0);
    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getReason()).isEqualTo("ProbeFailed");
    assertThat(event.getAction()).isEqualTo("Check");
    assertThat(event.getReportingController()).isEqualTo("vigie");
    assertThat(event.getReportingInstance()).isEqualTo("vigie-0");
    assertThat(event.getRegarding().getKind()).isEqualTo("HealthProbe");
    assertThat(event.getRegarding().getName()).isEqualTo("records-db");
    assertThat(event.getRegarding().getUid()).isEqualTo("uid-1");
    assertThat(event.getEventTime().getTime()).isEqualTo("2026-11-24T10:00:00.000000Z");
    assertThat(event.getNote()).isEqualTo("UnexpectedStatus: login with [REDACTED] refused");
  }

  @Test
  void repeatsAreCountedNotWrittenAgain() {
    EventPublisher publisher = new EventPublisher(client, clock, "vigie-0", registry);
    HealthProbe probe = probe();
    for (int i = 0; i < 3; i++) {
      publisher.publish(
          probe,
          EventPublisher.WARNING,
          "ProbeFailed",
          "Check",
          "Timeout: no answer",
          Redactor.standard());
    }
    publisher.publish(
        probe,
        EventPublisher.NORMAL,
        "ProbeRecovered",
        "Check",
        "healthy again",
        Redactor.standard());

    List<Event> events = client.resources(Event.class).inNamespace("clinic").list().getItems();
    assertThat(events).hasSize(2);
    Event failed =
        events.stream().filter(e -> e.getReason().equals("ProbeFailed")).findFirst().orElseThrow();
    assertThat(failed.getSeries().getCount()).isEqualTo(3);
    assertThat(registry.counter("vigie.events.written", "type", "Warning").count()).isEqualTo(3);
    assertThat(registry.counter("vigie.events.written", "type", "Normal").count()).isEqualTo(1);
    assertThat(registry.counter("vigie.events.failed").count()).isZero();
  }

  @Test
  void notesAreCutTo1kBWithoutBreakingACharacter() {
    String note = "é".repeat(2000);
    String cut = EventPublisher.cut(note);
    assertThat(cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(1024);
    assertThat(cut).endsWith("...").doesNotContain("\uFFFD");
    assertThat(EventPublisher.cut(null)).isEmpty();
    assertThat(EventPublisher.cut("short")).isEqualTo("short");
  }

  @Test
  void anUnwritableEventIsDroppedNotThrown() {
    EventPublisher publisher =
        new EventPublisher(UnreachableApiServer.client(), clock, "vigie-0", registry);
    assertThat(
            publisher.publish(
                probe(),
                EventPublisher.NORMAL,
                "ProbeRecovered",
                "Check",
                "ok",
                Redactor.standard()))
        .isFalse();
    assertThat(registry.counter("vigie.events.failed").count()).isEqualTo(1);
    assertThat(registry.find("vigie.events.written").counters()).isEmpty();
  }

  private static HealthProbe probe() {
    HealthProbe probe = new HealthProbe();
    probe.setMetadata(
        new ObjectMetaBuilder()
            .withName("records-db")
            .withNamespace("clinic")
            .withUid("uid-1")
            .withResourceVersion("7")
            .build());
    return probe;
  }
}
