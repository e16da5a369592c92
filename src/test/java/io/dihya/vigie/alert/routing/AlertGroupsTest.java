package io.dihya.vigie.alert.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.alert.routing.AlertGroups.Flush;
import io.dihya.vigie.alert.routing.AlertGroups.Settings;
import io.dihya.vigie.alert.sink.Notification.Alert;
import io.dihya.vigie.alert.sink.Notification.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Grouping, timing and de-duplication, driven by explicit instants. */
class AlertGroupsTest {

  static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  static final Settings SETTINGS =
      new Settings(
          List.of("namespace", "probe"),
          Duration.ofSeconds(30),
          Duration.ofMinutes(5),
          Duration.ofHours(4),
          true);

  static Alert alert(String probe, Status status) {
    return alert("shop", probe, status);
  }

  static Alert alert(String namespace, String probe, Status status) {
    return new Alert(
        namespace + "/" + probe,
        status,
        Map.of("namespace", namespace, "probe", probe, "severity", "critical"),
        Map.of("summary", probe + " is down"),
        T0,
        status == Status.RESOLVED ? T0.plusSeconds(60) : null,
        "critical");
  }

  static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  @Test
  void aFiringAlertIsNotifiedOnceAfterGroupWaitAndItsResolveOnceAfterGroupInterval() {
    AlertGroups groups = new AlertGroups(SETTINGS, AlertGroups.Mutes.NONE);
    groups.update(alert("orders", Status.FIRING), at(0));
    assertThat(groups.nextDue()).contains(at(30));
    assertThat(groups.due(at(29))).isEmpty();

    List<Flush> first = groups.due(at(30));
    assertThat(first).hasSize(1);
    assertThat(first.get(0).groupKey()).isEqualTo("{namespace=\"shop\",probe=\"orders\"}");
    assertThat(first.get(0).status()).isEqualTo(Status.FIRING);
    assertThat(first.get(0).repeat()).isFalse();
    // The same state again is no change: nothing more until the repeat.
    groups.update(alert("orders", Status.FIRING), at(40));
    assertThat(groups.due(at(330))).isEmpty();
    assertThat(groups.nextDue()).contains(at(30 + 4 * 3600));

    groups.update(alert("orders", Status.RESOLVED), at(400));
    assertThat(groups.nextDue()).contains(at(330));
    List<Flush> resolved = groups.due(at(400));
    assertThat(resolved).hasSize(1);
    assertThat(resolved.get(0).status()).isEqualTo(Status.RESOLVED);
    assertThat(groups.size()).isZero();
    assertThat(groups.nextDue()).isEmpty();
  }

  @Test
  void aFlapInsideGroupWaitSendsNothing() {
    AlertGroups groups = new AlertGroups(SETTINGS, AlertGroups.Mutes.NONE);
    groups.update(alert("orders", Status.FIRING), at(0));
    groups.update(alert("orders", Status.RESOLVED), at(10));
    List<Flush> flushes = groups.due(at(30));
    assertThat(flushes).singleElement().satisfies(f -> assertThat(f.alerts()).isEmpty());
    assertThat(flushes.get(0).forgotten()).containsExactly("shop/orders");
    assertThat(groups.size()).isZero();
  }

  @Test
  void aFlapBetweenNotificationsThatEndsFiringIsNotSentAgain() {
    AlertGroups groups = new AlertGroups(SETTINGS, AlertGroups.Mutes.NONE);
    groups.update(alert("orders", Status.FIRING), at(0));
    assertThat(groups.due(at(30))).hasSize(1);
    groups.update(alert("orders", Status.RESOLVED), at(60));
    groups.update(alert("orders", Status.FIRING), at(70));
    assertThat(groups.due(at(330))).isEmpty();
    assertThat(groups.size()).isOne();
  }

  @Test
  void alertsArrivingWithinGroupWaitShareOneNotificationPerGroup() {
    Settings byNamespace =
        new Settings(
            List.of("namespace"),
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            Duration.ofHours(4),
            true);
    AlertGroups groups = new AlertGroups(byNamespace, AlertGroups.Mutes.NONE);
    for (int i = 0; i < 50; i++) {
      groups.update(alert("shop", "p" + i, Status.FIRING), at(i % 20));
      groups.update(alert("school", "p" + i, Status.FIRING), at(i % 20));
    }
    List<Flush> flushes = groups.due(at(30));
    assertThat(flushes).hasSize(2);
    assertThat(flushes).allSatisfy(f -> assertThat(f.alerts()).hasSize(50));
    assertThat(flushes)
        .extracting(Flush::groupLabels)
        .containsExactlyInAnyOrder(Map.of("namespace", "shop"), Map.of("namespace", "school"));
  }

  @Test
  void aChangeIsNotifiedAfterGroupIntervalWithTheWholeGroup() {
    Settings byNamespace =
        new Settings(
            List.of("namespace"),
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            Duration.ofHours(4),
            true);
    AlertGroups groups = new AlertGroups(byNamespace, AlertGroups.Mutes.NONE);
    groups.update(alert("a", Status.FIRING), at(0));
    assertThat(groups.due(at(30))).hasSize(1);
    groups.update(alert("b", Status.FIRING), at(100));
    assertThat(groups.nextDue()).contains(at(330));
    assertThat(groups.due(at(329))).isEmpty();
    Flush second = groups.due(at(330)).get(0);
    assertThat(second.alerts()).extracting(Alert::fingerprint).containsExactly("shop/a", "shop/b");
    groups.update(alert("a", Status.RESOLVED), at(400));
    Flush third = groups.due(at(630)).get(0);
    assertThat(third.status()).isEqualTo(Status.FIRING);
    assertThat(third.alerts())
        .extracting(Alert::fingerprint, Alert::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("shop/b", Status.FIRING),
            org.assertj.core.groups.Tuple.tuple("shop/a", Status.RESOLVED));
  }

  @Test
  void aGroupStillFiringIsRepeatedEveryRepeatInterval() {
    AlertGroups groups = new AlertGroups(SETTINGS, AlertGroups.Mutes.NONE);
    groups.update(alert("orders", Status.FIRING), at(0));
    groups.due(at(30));
    List<Flush> repeat = groups.due(at(30 + 4 * 3600));
    assertThat(repeat).hasSize(1);
    assertThat(repeat.get(0).repeat()).isTrue();
    assertThat(groups.nextDue()).contains(at(30 + 8 * 3600));
  }

  @Test
  void withoutSendResolvedTheResolveIsDroppedSilently() {
    Settings quiet =
        new Settings(
            SETTINGS.groupBy(),
            SETTINGS.groupWait(),
            SETTINGS.groupInterval(),
            SETTINGS.repeatInterval(),
            false);
    AlertGroups groups = new AlertGroups(quiet, AlertGroups.Mutes.NONE);
    groups.update(alert("orders", Status.FIRING), at(0));
    groups.due(at(30));
    groups.update(alert("orders", Status.RESOLVED), at(60));
    List<Flush> flushes = groups.due(at(330));
    assertThat(flushes).singleElement().satisfies(f -> assertThat(f.alerts()).isEmpty());
    assertThat(flushes.get(0).forgotten()).containsExactly("shop/orders");
    assertThat(groups.size()).isZero();
  }

  @Test
  void mutedAlertsAreRecordedNotSentAndTheirResolveIsNotSentEither() {
    Set<String> silenced = new HashSet<>(Set.of("shop/orders"));
    AlertGroups groups =
        new AlertGroups(
            SETTINGS,
            (alert, now) ->
                silenced.contains(alert.fingerprint())
                    ? Optional.of("silence: maintenance")
                    : Optional.empty());
    groups.update(alert("orders", Status.FIRING), at(0));
    List<Flush> flushes = groups.due(at(30));
    assertThat(flushes).hasSize(1);
    assertThat(flushes.get(0).alerts()).isEmpty();
    assertThat(flushes.get(0).muted()).containsEntry("shop/orders", "silence: maintenance");
    groups.update(alert("orders", Status.RESOLVED), at(60));
    assertThat(groups.due(at(330)))
        .singleElement()
        .satisfies(f -> assertThat(f.alerts()).isEmpty());
  }

  @Test
  void anAlertStillFiringWhenItsSilenceEndsIsNotifiedThen() {
    Set<String> silenced = new HashSet<>(Set.of("shop/orders"));
    AlertGroups groups =
        new AlertGroups(
            SETTINGS,
            (alert, now) ->
                silenced.contains(alert.fingerprint()) ? Optional.of("window") : Optional.empty());
    groups.update(alert("orders", Status.FIRING), at(0));
    groups.due(at(30));
    silenced.clear();
    groups.update(alert("orders", Status.RESOLVED), at(100));
    groups.update(alert("orders", Status.FIRING), at(110));
    List<Flush> after = groups.due(at(330));
    assertThat(after).hasSize(1);
    assertThat(after.get(0).alerts()).extracting(Alert::status).containsExactly(Status.FIRING);
  }

  @Test
  void aResolveOfAnUnknownAlertIsIgnored() {
    AlertGroups groups = new AlertGroups(SETTINGS, AlertGroups.Mutes.NONE);
    groups.update(alert("orders", Status.RESOLVED), at(0));
    assertThat(groups.size()).isZero();
    assertThat(groups.nextDue()).isEmpty();
  }

  @Test
  void groupKeysQuoteValuesAndMissingLabelsAreEmpty() {
    AlertGroups groups =
        new AlertGroups(
            new Settings(
                List.of("team", "probe"),
                Duration.ZERO,
                Duration.ofMinutes(1),
                Duration.ofHours(1),
                true),
            AlertGroups.Mutes.NONE);
    assertThat(groups.groupKey(Map.of("probe", "a\"b"))).isEqualTo("{team=\"\",probe=\"a\\\"b\"}");
  }

  @Test
  void aRestoredNotifiedAlertIsNotSentAgainButRemindedAndResolvedOnSchedule() {
    AlertGroups groups = new AlertGroups(SETTINGS, AlertGroups.Mutes.NONE);
    groups.restore(alert("orders", Status.FIRING), true, at(0), at(100));
    groups.restore(alert("orders", Status.FIRING), true, at(0), at(100)); // held: no change
    groups.update(alert("orders", Status.FIRING), at(101)); // the probe reports the same
    assertThat(groups.due(at(200))).isEmpty();
    assertThat(groups.nextDue()).contains(at(4 * 3600)); // the reminder, from the last notification
    assertThat(groups.firing()).extracting(Alert::fingerprint).containsExactly("shop/orders");

    groups.update(alert("orders", Status.RESOLVED), at(250));
    List<Flush> resolved = groups.due(at(300)); // groupInterval after the last notification
    assertThat(resolved)
        .singleElement()
        .satisfies(f -> assertThat(f.status()).isEqualTo(Status.RESOLVED));
    assertThat(groups.size()).isZero();
  }

  @Test
  void aRestoredAlertNotYetNotifiedIsSentAfterGroupWaitAndAPendingResolveIsSent() {
    AlertGroups groups = new AlertGroups(SETTINGS, AlertGroups.Mutes.NONE);
    groups.restore(alert("orders", Status.FIRING), false, at(0), at(100));
    groups.restore(alert("payments", Status.RESOLVED), true, at(0), at(100));
    groups.restore(alert("stock", Status.RESOLVED), false, at(0), at(100)); // nothing to say
    assertThat(groups.size()).isEqualTo(2);
    assertThat(groups.due(at(130))) // groupWait after the restart
        .extracting(f -> f.alerts().get(0).fingerprint() + " " + f.status())
        .containsExactly("shop/orders FIRING");
    assertThat(groups.due(at(300))) // groupInterval after its last notification
        .extracting(f -> f.alerts().get(0).fingerprint() + " " + f.status())
        .containsExactly("shop/payments RESOLVED");
  }

  @Test
  void resolvingBySelectionEndsOnlyTheChosenFiringAlerts() {
    AlertGroups groups = new AlertGroups(SETTINGS, AlertGroups.Mutes.NONE);
    groups.update(alert("orders", Status.FIRING), at(0));
    groups.update(alert("payments", Status.FIRING), at(0));
    groups.due(at(30));
    assertThat(groups.resolve(a -> a.labels().get("probe").equals("orders"), at(40))).isEqualTo(1);
    assertThat(groups.resolve(a -> a.labels().get("probe").equals("orders"), at(41))).isZero();
    List<Flush> flushes = groups.due(at(330));
    assertThat(flushes)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.alerts())
                  .singleElement()
                  .satisfies(
                      a -> {
                        assertThat(a.fingerprint()).isEqualTo("shop/orders");
                        assertThat(a.status()).isEqualTo(Status.RESOLVED);
                        assertThat(a.endsAt()).isEqualTo(at(40));
                      });
            });
    assertThat(groups.firing()).extracting(Alert::fingerprint).containsExactly("shop/payments");
  }
}
