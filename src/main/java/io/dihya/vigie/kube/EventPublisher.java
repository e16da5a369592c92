package io.dihya.vigie.kube;

import io.dihya.vigie.redact.Redactor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventSeriesBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import org.jboss.logging.Logger;

/**
 * The one way vigie writes Kubernetes Events: events.k8s.io/v1, {@code regarding} the resource,
 * reporting controller {@value #CONTROLLER}, the note redacted and cut to 1 kB. An Event that
 * repeats (same resource, type, reason and note) is not written again: its {@code series} count
 * goes up, as kubectl describe shows ("x3 over 5m").
 */
public class EventPublisher {

  public static final String CONTROLLER = "vigie";
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  static final int MAX_NOTE = 1024;

  private static final Logger LOG = Logger.getLogger(EventPublisher.class);
  private static final DateTimeFormatter MICRO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");

  private final KubernetesClient client;
  private final Clock clock;
  private final String instance;
  private final MeterRegistry registry;
  private final Counter failed;

  public EventPublisher(
      KubernetesClient client, Clock clock, String instance, MeterRegistry registry) {
    this.client = client;
    this.clock = clock;
    this.instance = instance;
    this.registry = registry;
    this.failed =
        Counter.builder("vigie.events.failed")
            .description("Kubernetes Events that could not be written (logged and dropped)")
            .register(registry);
  }

  private Counter written(String type) {
    return Counter.builder("vigie.events.written")
        .description("Kubernetes Events written (a repeated Event counts each time)")
        .tag("type", type)
        .register(registry);
  }

  /**
   * Publishes an Event about {@code regarding}. Never throws: an Event that cannot be written is
   * logged and dropped, so Events never fail a reconciliation.
   *
   * @return whether the Event was written (false: the caller may try again later)
   */
  public boolean publish(
      HasMetadata regarding,
      String type,
      String reason,
      String action,
      String note,
      Redactor redactor) {
    String safeNote = cut(redactor.redact(note));
    String namespace = regarding.getMetadata().getNamespace();
    String name = eventName(regarding, type, reason, safeNote);
    MicroTime now =
        new MicroTime(
            MICRO.format(
                clock.instant().truncatedTo(ChronoUnit.MICROS).atOffset(java.time.ZoneOffset.UTC)));
    try {
      var events = client.resources(Event.class).inNamespace(namespace);
      // Created at once: a new Event costs one request, not a read and a create (4,000 probes
      // failing at once wrote 4,000 Events). Only one that exists already (409) is read and
      // counted up.
      try {
        events
            .resource(
                new EventBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .endMetadata()
                    .withEventTime(now)
                    .withType(type)
                    .withReason(reason)
                    .withAction(action)
                    .withNote(safeNote)
                    .withReportingController(CONTROLLER)
                    .withReportingInstance(instance)
                    .withRegarding(
                        new ObjectReferenceBuilder()
                            .withApiVersion(regarding.getApiVersion())
                            .withKind(regarding.getKind())
                            .withName(regarding.getMetadata().getName())
                            .withNamespace(namespace)
                            .withUid(regarding.getMetadata().getUid())
                            .withResourceVersion(regarding.getMetadata().getResourceVersion())
                            .build())
                    .build())
            .create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        Event existing = events.withName(name).get();
        if (existing == null) {
          throw e; // deleted between the two requests: the caller may try again
        }
        int count = existing.getSeries() == null ? 2 : existing.getSeries().getCount() + 1;
        existing.setSeries(
            new EventSeriesBuilder().withCount(count).withLastObservedTime(now).build());
        events.resource(existing).update();
      }
      written(type).increment();
      return true;
    } catch (KubernetesClientException e) {
      LOG.warnf(
          "could not write Event %s for %s/%s (HTTP %d)",
          reason, namespace, regarding.getMetadata().getName(), e.getCode());
    } catch (RuntimeException e) {
      LOG.warnf(
          "could not write Event %s for %s/%s (%s)",
          reason, namespace, regarding.getMetadata().getName(), e.getClass().getSimpleName());
    }
    failed.increment();
    return false;
  }

  static String cut(String note) {
    if (note == null) {
      return "";
    }
    byte[] bytes = note.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_NOTE) {
      return note;
    }
    String cut = new String(bytes, 0, MAX_NOTE - 3, StandardCharsets.UTF_8);
    // A cut inside a multi-byte character decodes to U+FFFD: drop it.
    return cut.replaceAll("\uFFFD$", "") + "...";
  }

  /** The same resource, type, reason and note map to the same Event, so repeats aggregate. */
  static String eventName(HasMetadata regarding, String type, String reason, String note) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      String identity = regarding.getMetadata().getUid() + "|" + type + "|" + reason + "|" + note;
      String hash =
          HexFormat.of().formatHex(digest.digest(identity.getBytes(StandardCharsets.UTF_8)));
      String base = regarding.getMetadata().getName();
      if (base.length() > 200) {
        base = base.substring(0, 200);
      }
      return base + "." + hash.substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
