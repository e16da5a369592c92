package io.dihya.vigie.alert.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dihya.vigie.alert.sink.Notification.Alert;
import io.dihya.vigie.alert.sink.Notification.Status;
import io.dihya.vigie.api.v1alpha1.MuteTimeInterval;
import io.dihya.vigie.api.v1alpha1.Silence;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteMutesTest {

  static final Alert ORDERS =
      new Alert(
          "f1",
          Status.FIRING,
          Map.of("namespace", "shop", "probe", "orders", "team", "checkout"),
          Map.of(),
          Instant.EPOCH,
          null,
          "critical");

  static Silence silence(String start, String end, Map<String, String> match) {
    Silence s = new Silence();
    s.startsAt = start;
    s.endsAt = end;
    s.matchLabels = match;
    s.comment = "CHG-42";
    return s;
  }

  static MuteTimeInterval window(String zone, List<String> days, String start, String end) {
    MuteTimeInterval w = new MuteTimeInterval();
    w.name = "nights";
    w.timeZone = zone;
    w.weekdays = days;
    if (start != null) {
      MuteTimeInterval.TimeRange range = new MuteTimeInterval.TimeRange();
      range.start = start;
      range.end = end;
      w.times = List.of(range);
    }
    return w;
  }

  @Test
  void aSilenceMutesMatchingAlertsOnlyWhileActive() {
    RouteMutes mutes =
        RouteMutes.of(
            List.of(
                silence(
                    "2026-11-24T22:00:00Z", "2026-11-25T02:00:00Z", Map.of("team", "checkout"))),
            List.of());
    assertThat(mutes.mutedBy(ORDERS, Instant.parse("2026-11-24T21:59:59Z"))).isEmpty();
    assertThat(mutes.mutedBy(ORDERS, Instant.parse("2026-11-24T22:00:00Z")))
        .contains("silence 0 (CHG-42)");
    assertThat(mutes.mutedBy(ORDERS, Instant.parse("2026-11-25T02:00:00Z"))).isEmpty();
    RouteMutes other =
        RouteMutes.of(
            List.of(silence("2026-11-24T22:00:00Z", "2026-11-25T02:00:00Z", Map.of("team", "x"))),
            List.of());
    assertThat(other.mutedBy(ORDERS, Instant.parse("2026-11-24T23:00:00Z"))).isEmpty();
  }

  @Test
  void aWindowMutesOnItsDaysAndHoursInItsTimeZone() {
    // 22:00-24:00 and weekends, Paris time (UTC+1 in November).
    RouteMutes mutes =
        RouteMutes.of(
            List.of(),
            List.of(
                window("Europe/Paris", List.of("monday:friday"), "22:00", "24:00"),
                window("Europe/Paris", List.of("saturday:sunday"), null, null)));
    // Tuesday 2026-11-24 21:30 UTC = 22:30 Paris.
    assertThat(mutes.mutedBy(ORDERS, Instant.parse("2026-11-24T21:30:00Z")))
        .contains("mute window nights");
    assertThat(mutes.mutedBy(ORDERS, Instant.parse("2026-11-24T20:59:00Z"))).isEmpty();
    // Saturday noon.
    assertThat(mutes.mutedBy(ORDERS, Instant.parse("2026-11-28T12:00:00Z"))).isPresent();
    // A wrapping range: friday:monday.
    RouteMutes wrap =
        RouteMutes.of(List.of(), List.of(window("UTC", List.of("friday:monday"), null, null)));
    assertThat(wrap.mutedBy(ORDERS, Instant.parse("2026-11-30T12:00:00Z"))).isPresent(); // Mon
    assertThat(wrap.mutedBy(ORDERS, Instant.parse("2026-11-24T12:00:00Z"))).isEmpty(); // Tue
    RouteMutes everyDay =
        RouteMutes.of(List.of(), List.of(window("UTC", List.of(), "00:00", "06:00")));
    assertThat(everyDay.mutedBy(ORDERS, Instant.parse("2026-11-24T05:59:00Z"))).isPresent();
    assertThat(everyDay.mutedBy(ORDERS, Instant.parse("2026-11-24T06:00:00Z"))).isEmpty();
  }

  @Test
  void unusableTimesNameTheirField() {
    assertThatThrownBy(
            () ->
                RouteMutes.of(List.of(silence("tomorrow", "2026-11-25T02:00:00Z", Map.of())), null))
        .hasMessage("spec.silences[0].startsAt: not an RFC 3339 time, e.g. 2026-11-24T22:00:00Z");
    assertThatThrownBy(
            () ->
                RouteMutes.of(
                    List.of(silence("2026-11-25T02:00:00Z", "2026-11-25T02:00:00Z", Map.of())),
                    null))
        .hasMessage("spec.silences[0].endsAt: must be after startsAt");
    assertThatThrownBy(
            () -> RouteMutes.of(null, List.of(window("Mars/Olympus", List.of(), null, null))))
        .hasMessage("spec.muteTimeIntervals[0].timeZone: not an IANA time zone");
    assertThatThrownBy(
            () -> RouteMutes.of(null, List.of(window("UTC", List.of(), "10:00", "09:00"))))
        .hasMessage("spec.muteTimeIntervals[0].times[0].end: must be after start");
    assertThatThrownBy(
            () -> RouteMutes.of(null, List.of(window("UTC", List.of("funday"), null, null))))
        .hasMessage(
            "spec.muteTimeIntervals[0].weekdays[0]: not a weekday or range, e.g. monday:friday");
  }
}
