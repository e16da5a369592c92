package io.dihya.vigie.alert.routing;

import io.dihya.vigie.alert.sink.Notification.Alert;
import io.dihya.vigie.api.v1alpha1.MuteTimeInterval;
import io.dihya.vigie.api.v1alpha1.Silence;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A route's silences and mute windows ({@code spec.silences}, {@code spec.muteTimeIntervals}) as
 * {@link AlertGroups.Mutes}: an alert is muted while a silence whose matchLabels it carries is
 * active, or while a window is open in the window's time zone.
 */
public final class RouteMutes implements AlertGroups.Mutes {

  private record ActiveSilence(
      Instant start, Instant end, Map<String, String> match, String name) {}

  private record Window(String name, ZoneId zone, Set<DayOfWeek> days, List<LocalTime[]> times) {}

  private final List<ActiveSilence> silences;
  private final List<Window> windows;

  private RouteMutes(List<ActiveSilence> silences, List<Window> windows) {
    this.silences = silences;
    this.windows = windows;
  }

  /**
   * The mutes of a route's spec.
   *
   * @throws IllegalArgumentException with a field path for a time, zone or range that cannot be
   *     used (the schema's patterns catch most; this catches the rest)
   */
  public static RouteMutes of(List<Silence> silences, List<MuteTimeInterval> windows) {
    List<ActiveSilence> active = new ArrayList<>();
    List<Silence> s = silences == null ? List.of() : silences;
    for (int i = 0; i < s.size(); i++) {
      String field = "spec.silences[" + i + "]";
      Silence silence = s.get(i);
      Instant start = instant(silence.startsAt, field + ".startsAt");
      Instant end = instant(silence.endsAt, field + ".endsAt");
      if (!end.isAfter(start)) {
        throw new IllegalArgumentException(field + ".endsAt: must be after startsAt");
      }
      active.add(
          new ActiveSilence(
              start,
              end,
              silence.matchLabels == null ? Map.of() : Map.copyOf(silence.matchLabels),
              "silence " + i + (silence.comment == null ? "" : " (" + silence.comment + ")")));
    }
    List<Window> open = new ArrayList<>();
    List<MuteTimeInterval> w = windows == null ? List.of() : windows;
    for (int i = 0; i < w.size(); i++) {
      open.add(window(w.get(i), "spec.muteTimeIntervals[" + i + "]"));
    }
    return new RouteMutes(List.copyOf(active), List.copyOf(open));
  }

  private static Instant instant(String text, String field) {
    if (text == null) {
      throw new IllegalArgumentException(field + ": required");
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          field + ": not an RFC 3339 time, e.g. 2026-11-24T22:00:00Z");
    }
  }

  private static Window window(MuteTimeInterval spec, String field) {
    ZoneId zone;
    try {
      zone = ZoneId.of(spec.timeZone == null ? "UTC" : spec.timeZone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(field + ".timeZone: not an IANA time zone");
    }
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    List<String> weekdays = spec.weekdays == null ? List.of() : spec.weekdays;
    for (int i = 0; i < weekdays.size(); i++) {
      String[] range = weekdays.get(i).toLowerCase(Locale.ROOT).split(":");
      try {
        DayOfWeek from = DayOfWeek.valueOf(range[0].toUpperCase(Locale.ROOT));
        DayOfWeek to = DayOfWeek.valueOf(range[range.length - 1].toUpperCase(Locale.ROOT));
        for (DayOfWeek d = from; ; d = d.plus(1)) {
          days.add(d);
          if (d == to) {
            break;
          }
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            field + ".weekdays[" + i + "]: not a weekday or range, e.g. monday:friday");
      }
    }
    if (days.isEmpty()) {
      days = EnumSet.allOf(DayOfWeek.class);
    }
    List<LocalTime[]> times = new ArrayList<>();
    List<MuteTimeInterval.TimeRange> ranges = spec.times == null ? List.of() : spec.times;
    for (int i = 0; i < ranges.size(); i++) {
      String rangeField = field + ".times[" + i + "]";
      LocalTime start = clock(ranges.get(i).start, rangeField + ".start");
      LocalTime end = clock(ranges.get(i).end, rangeField + ".end");
      if (end != null && !end.isAfter(start)) {
        throw new IllegalArgumentException(rangeField + ".end: must be after start");
      }
      times.add(new LocalTime[] {start, end});
    }
    return new Window(spec.name, zone, days, times);
  }

  /** HH:MM; 24:00 is null (the end of the day). */
  private static LocalTime clock(String text, String field) {
    if (text == null) {
      throw new IllegalArgumentException(field + ": required");
    }
    if (text.equals("24:00")) {
      return null;
    }
    try {
      return LocalTime.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + ": not a time of day HH:MM");
    }
  }

  @Override
  public Optional<String> mutedBy(Alert alert, Instant now) {
    for (ActiveSilence silence : silences) {
      if (!now.isBefore(silence.start())
          && now.isBefore(silence.end())
          && alert.labels().entrySet().containsAll(silence.match().entrySet())) {
        return Optional.of(silence.name());
      }
    }
    for (Window window : windows) {
      if (open(window, now)) {
        return Optional.of("mute window " + window.name());
      }
    }
    return Optional.empty();
  }

  private static boolean open(Window window, Instant now) {
    ZonedDateTime local = now.atZone(window.zone());
    if (!window.days().contains(local.getDayOfWeek())) {
      return false;
    }
    if (window.times().isEmpty()) {
      return true;
    }
    LocalTime time = local.toLocalTime();
    for (LocalTime[] range : window.times()) {
      if (!time.isBefore(range[0]) && (range[1] == null || time.isBefore(range[1]))) {
        return true;
      }
    }
    return false;
  }
}
