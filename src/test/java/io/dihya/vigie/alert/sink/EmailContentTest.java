package io.dihya.vigie.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The e-mail's subject, bodies and Message-ID, for what the SMTP tests do not reach. */
class EmailContentTest {

  private static Notification titled(String title, String text, List<Notification.Alert> alerts) {
    return EmailTestNotifications.notification(
        "n",
        Notification.Kind.ALERTS,
        Notification.Status.FIRING,
        alerts,
        title,
        text,
        Instant.parse("2026-11-24T10:00:00Z"));
  }

  @Test
  void theSubjectIsOneBoundedLine() {
    assertThat(EmailContent.subject(titled("[FIRING:1] a\r\nBcc: evil@example.org", "", List.of())))
        .isEqualTo("[FIRING:1] a Bcc: evil@example.org");
    assertThat(EmailContent.subject(titled(null, "", List.of()))).isEqualTo("vigie notification");
    assertThat(EmailContent.subject(titled(" \n ", "", List.of()))).isEqualTo("vigie notification");
    String longTitle = "x".repeat(300);
    assertThat(EmailContent.subject(titled(longTitle, "", List.of())))
        .hasSize(EmailContent.MAX_SUBJECT)
        .endsWith("…");
    // A surrogate pair is never split by the cut.
    String emoji = "x".repeat(EmailContent.MAX_SUBJECT - 2) + "\uD83D\uDD25" + "tail";
    assertThat(EmailContent.subject(titled(emoji, "", List.of())))
        .isEqualTo("x".repeat(EmailContent.MAX_SUBJECT - 2) + "…");
    assertThat(EmailContent.header("a\nb", 256)).isEqualTo("a b");
    assertThat(EmailContent.header(null, 256)).isEmpty();
  }

  @Test
  void htmlEscapingCoversTextAndAttributes() {
    assertThat(EmailContent.escape("<a href=\"x\" title='y'>&</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  }

  @Test
  void messageIdsAreDerivedFromTheNotificationId() {
    assertThat(EmailContent.messageId("01JD-abc.def_9", "example.org"))
        .isEqualTo("<vigie.01JD-abc.def_9@example.org>");
    assertThat(EmailContent.messageId("shop/oncall:<1>", "example.org"))
        .matches("<vigie\\.[0-9a-f]{32}@example\\.org>")
        .isEqualTo(EmailContent.messageId("shop/oncall:<1>", "example.org"))
        .isNotEqualTo(EmailContent.messageId("shop/oncall:<2>", "example.org"));
    assertThat(EmailContent.messageId(null, "example.org"))
        .matches("<vigie\\.[0-9a-f]{32}@example\\.org>");
  }

  @Test
  void longTextsAndManyAlertsAreCutWithAMarker() {
    List<Notification.Alert> alerts = new ArrayList<>();
    for (int i = 0; i < EmailContent.MAX_ALERTS + 10; i++) {
      alerts.add(EmailTestNotifications.alert(Notification.Status.FIRING, "f" + i));
    }
    Notification n = titled("t", "y".repeat(EmailContent.MAX_TEXT + 10), alerts);

    String plain = EmailContent.plain(n);
    String html = EmailContent.html(n);

    assertThat(plain).contains("y".repeat(100) + "…").contains("… and 10 more alerts");
    assertThat(plain.split("\\[FIRING\\]", -1)).hasSize(EmailContent.MAX_ALERTS + 1);
    assertThat(html).contains("<p>… and 10 more alerts</p>");
  }

  @Test
  void alertsWithoutAnnotationsFallBackToTheirLabels() {
    Notification.Alert bare =
        new Notification.Alert(
            "f",
            Notification.Status.FIRING,
            Map.of("namespace", "shop", "probe", "db"),
            null,
            null,
            null,
            null);
    Notification.Alert noNamespace =
        new Notification.Alert(
            "g",
            Notification.Status.FIRING,
            Map.of("probe", "cache"),
            Map.of("runbook_url", "javascript:alert(1)"),
            null,
            null,
            null);
    Notification.Alert noLabels =
        new Notification.Alert("h", Notification.Status.FIRING, null, null, null, null, null);
    Notification n = titled("t", null, List.of(bare, noNamespace, noLabels));

    String plain = EmailContent.plain(n);
    String html = EmailContent.html(n);

    assertThat(plain)
        .startsWith("[FIRING] shop/db\n")
        .contains("[FIRING] cache\n")
        .doesNotContain("runbook")
        .contains("labels: \n");
    assertThat(html).doesNotContain("javascript:").doesNotContain("<pre");
    Notification none =
        new Notification(
            "n", null, "r", "m", "g", null, null, null, null, null, "t", "x", Instant.now());
    assertThat(EmailContent.plain(none)).contains("vigie alerts notification");
    assertThat(EmailContent.html(none)).doesNotContain("<table").contains("color:#c01c28");
  }
}
