package io.dihya.vigie.alert.routing;

import io.dihya.vigie.alert.sink.Notification.Alert;
import io.dihya.vigie.alert.sink.Notification.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The alerts of one route, grouped and timed as Alertmanager does, so that storms cannot happen:
 *
 * <ul>
 *   <li>Alerts with equal values of the route's {@code groupBy} labels form a group, keyed by those
 *       values ({@code {namespace="shop",probe="orders"}}).
 *   <li>A new group is notified {@code groupWait} after its first alert (others that arrive
 *       meanwhile join the same notification); a change is notified {@code groupInterval} after the
 *       previous notification; a group still firing and unchanged is notified again every {@code
 *       repeatInterval}.
 *   <li>De-duplication: a group is notified only when what its receivers last heard (each alert's
 *       fingerprint and status) changed, or the repeat is due.
 *   <li>An alert that fired and resolved before its firing was notified (a flap inside {@code
 *       groupWait}) is never sent. Nor is a resolved alert whose firing was muted, nor any resolved
 *       alert when {@code sendResolved} is false.
 *   <li>Muted alerts (a silence, a mute window, an unhealthy dependency) are recorded in the flush
 *       for the audit log, not sent.
 * </ul>
 *
 * <p>Time is passed in, never read: the caller's clock drives {@link #due}, so the state machine is
 * deterministic. Thread-safe.
 */
public final class AlertGroups {

  /** The route's grouping and timing. */
  public record Settings(
      List<String> groupBy,
      Duration groupWait,
      Duration groupInterval,
      Duration repeatInterval,
      boolean sendResolved) {

    public Settings {
      groupBy = List.copyOf(groupBy);
      Objects.requireNonNull(groupWait, "groupWait");
      Objects.requireNonNull(groupInterval, "groupInterval");
      Objects.requireNonNull(repeatInterval, "repeatInterval");
    }
  }

  /** Says whether (and by what) an alert is muted at an instant. */
  @FunctionalInterface
  public interface Mutes {
    /** The name of what mutes the alert at {@code now} (a silence, a window), or empty. */
    Optional<String> mutedBy(Alert alert, Instant now);

    Mutes NONE = (alert, now) -> Optional.empty();
  }

  /**
   * What one group's receivers are to be told now.
   *
   * @param alerts the alerts to send, firing first; empty when every alert of the group was muted
   *     (then nothing is sent and the muted ones are only recorded)
   * @param muted alerts left out because muted, with what muted them (for the audit log)
   * @param repeat true when nothing changed and this is a {@code repeatInterval} reminder
   * @param forgotten alerts whose firing was heard and that resolved without a notification ({@code
   *     sendResolved} false): nothing more will be sent about them
   */
  public record Flush(
      String groupKey,
      Map<String, String> groupLabels,
      List<Alert> alerts,
      Map<String, String> muted,
      boolean repeat,
      List<String> forgotten) {

    public Flush {
      forgotten = List.copyOf(forgotten);
    }

    public Flush(
        String groupKey,
        Map<String, String> groupLabels,
        List<Alert> alerts,
        Map<String, String> muted,
        boolean repeat) {
      this(groupKey, groupLabels, alerts, muted, repeat, List.of());
    }

    public Status status() {
      return alerts.stream().anyMatch(a -> a.status() == Status.FIRING)
          ? Status.FIRING
          : Status.RESOLVED;
    }
  }

  private final Settings settings;
  private final Mutes mutes;
  private final Map<String, Group> groups = new LinkedHashMap<>();

  public AlertGroups(Settings settings, Mutes mutes) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.mutes = Objects.requireNonNull(mutes, "mutes");
  }

  private static final class Group {
    final String key;
    final Map<String, String> labels;
    final Instant created;
    final Map<String, Alert> alerts = new LinkedHashMap<>();

    /** What the receivers last heard of each alert still notified as firing. */
    final Map<String, Status> notified = new HashMap<>();

    Instant lastFlush;
    boolean changed = true;

    Group(String key, Map<String, String> labels, Instant created) {
      this.key = key;
      this.labels = labels;
      this.created = created;
    }
  }

  /** The group key of an alert's labels: {@code {a="1",b="2"}} in groupBy order. */
  public String groupKey(Map<String, String> labels) {
    return groupLabels(labels).entrySet().stream()
        .map(e -> e.getKey() + "=\"" + e.getValue().replace("\"", "\\\"") + "\"")
        .collect(Collectors.joining(",", "{", "}"));
  }

  private Map<String, String> groupLabels(Map<String, String> labels) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : settings.groupBy()) {
      values.put(name, labels.getOrDefault(name, ""));
    }
    return values;
  }

  /** Records the new state of an alert (firing, or resolved). */
  public synchronized void update(Alert alert, Instant now) {
    String key = groupKey(alert.labels());
    Group group = groups.get(key);
    if (group == null) {
      if (alert.status() == Status.RESOLVED) {
        return; // nothing of it was ever recorded here: nothing to resolve
      }
      group = new Group(key, groupLabels(alert.labels()), now);
      groups.put(key, group);
    }
    Alert previous = group.alerts.put(alert.fingerprint(), alert);
    if (previous == null || previous.status() != alert.status()) {
      group.changed = true;
    }
  }

  /**
   * Restores an alert known from before a restart (or from a replaced route): its firing was {@code
   * notified} at {@code notifiedAt}, or it was not yet (then it is notified like a new one). A
   * resolved alert whose firing was notified gets its resolved notification. Alerts already held
   * are left alone.
   */
  public synchronized void restore(Alert alert, boolean notified, Instant notifiedAt, Instant now) {
    String key = groupKey(alert.labels());
    Group group = groups.get(key);
    if (group == null) {
      if (!notified && alert.status() == Status.RESOLVED) {
        return;
      }
      group = new Group(key, groupLabels(alert.labels()), now);
      group.lastFlush = notified ? notifiedAt : null;
      group.changed = !notified;
      groups.put(key, group);
    }
    if (group.alerts.putIfAbsent(alert.fingerprint(), alert) != null) {
      return;
    }
    if (notified) {
      group.notified.put(alert.fingerprint(), Status.FIRING);
    }
    if (!notified || alert.status() == Status.RESOLVED) {
      group.changed = true;
    }
  }

  /**
   * Resolves, as of {@code now}, the firing alerts that {@code which} selects (a deleted probe, a
   * probe whose labels changed): they are notified resolved like any other.
   *
   * @return how many were resolved
   */
  public synchronized int resolve(java.util.function.Predicate<Alert> which, Instant now) {
    int resolved = 0;
    for (Group group : groups.values()) {
      for (Alert alert : List.copyOf(group.alerts.values())) {
        if (alert.status() == Status.FIRING && which.test(alert)) {
          group.alerts.put(
              alert.fingerprint(),
              new Alert(
                  alert.fingerprint(),
                  Status.RESOLVED,
                  alert.labels(),
                  alert.annotations(),
                  alert.startsAt(),
                  now,
                  alert.severity()));
          group.changed = true;
          resolved++;
        }
      }
    }
    return resolved;
  }

  /** The firing alerts held, notified or not. */
  public synchronized List<Alert> firing() {
    List<Alert> firing = new ArrayList<>();
    for (Group group : groups.values()) {
      for (Alert alert : group.alerts.values()) {
        if (alert.status() == Status.FIRING) {
          firing.add(alert);
        }
      }
    }
    return firing;
  }

  /** When the next group is due, if any. */
  public synchronized Optional<Instant> nextDue() {
    return groups.values().stream()
        .map(this::dueAt)
        .filter(Objects::nonNull)
        .min(Instant::compareTo);
  }

  private Instant dueAt(Group group) {
    if (group.lastFlush == null) {
      return group.created.plus(settings.groupWait());
    }
    if (group.changed) {
      return group.lastFlush.plus(settings.groupInterval());
    }
    if (!group.notified.isEmpty()) {
      return group.lastFlush.plus(settings.repeatInterval());
    }
    return null;
  }

  /** The notifications due at {@code now}; the groups are marked as notified. */
  public synchronized List<Flush> due(Instant now) {
    List<Flush> flushes = new ArrayList<>();
    List<String> empty = new ArrayList<>();
    for (Group group : groups.values()) {
      Instant at = dueAt(group);
      if (at != null && !at.isAfter(now)) {
        flush(group, now).ifPresent(flushes::add);
      }
      if (group.alerts.isEmpty()) {
        empty.add(group.key);
      }
    }
    empty.forEach(groups::remove);
    return flushes;
  }

  private Optional<Flush> flush(Group group, Instant now) {
    boolean repeat = !group.changed && group.lastFlush != null;
    Set<String> heard = new HashSet<>(group.notified.keySet());
    List<Alert> firing = new ArrayList<>();
    List<Alert> resolved = new ArrayList<>();
    Map<String, String> muted = new LinkedHashMap<>();
    List<String> forgotten = new ArrayList<>();
    for (Alert alert : List.copyOf(group.alerts.values())) {
      boolean wasNotified = group.notified.get(alert.fingerprint()) == Status.FIRING;
      if (alert.status() == Status.RESOLVED) {
        group.alerts.remove(alert.fingerprint());
        group.notified.remove(alert.fingerprint());
        if (wasNotified && settings.sendResolved()) {
          resolved.add(alert);
        } else {
          forgotten.add(alert.fingerprint());
        }
        continue;
      }
      Optional<String> mutedBy = mutes.mutedBy(alert, now);
      if (mutedBy.isPresent()) {
        muted.put(alert.fingerprint(), mutedBy.get());
        // Its firing was not heard: a later resolve of it is not sent either.
        group.notified.remove(alert.fingerprint());
        continue;
      }
      firing.add(alert);
      group.notified.put(alert.fingerprint(), Status.FIRING);
    }
    group.lastFlush = now;
    group.changed = false;
    if (!repeat
        && resolved.isEmpty()
        && heard.equals(firing.stream().map(Alert::fingerprint).collect(Collectors.toSet()))) {
      // A flap that ended where it began (fired, resolved, fired again): the receivers know.
      firing.clear();
    }
    List<Alert> alerts = new ArrayList<>(firing);
    alerts.addAll(resolved);
    if (alerts.isEmpty()) {
      return muted.isEmpty() && forgotten.isEmpty()
          ? Optional.empty()
          : Optional.of(new Flush(group.key, group.labels, List.of(), muted, repeat, forgotten));
    }
    return Optional.of(
        new Flush(group.key, group.labels, List.copyOf(alerts), muted, repeat, forgotten));
  }

  /** Groups held, for tests and metrics. */
  public synchronized int size() {
    return groups.size();
  }
}
