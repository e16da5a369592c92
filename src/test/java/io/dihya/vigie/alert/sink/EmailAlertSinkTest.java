package io.dihya.vigie.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.dihya.vigie.api.v1alpha1.ClientTls;
import io.dihya.vigie.api.v1alpha1.EmailSink;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.probe.check.SecretValues;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The email sink against a real SMTP server, GreenMail, on loopback: plain SMTP and SMTPS (implicit
 * TLS) from GreenMail itself; STARTTLS, server-name verification and mutual TLS through {@link
 * EmailTlsFront} in front of GreenMail's plain port (GreenMail has no STARTTLS); 4xx, 5xx, silent
 * and slow servers through {@link EmailScriptedSmtp}.
 */
class EmailAlertSinkTest {

  private static final String USER = "vigie";
  private static final String PASSWORD = "right-password";
  private static final String CANARY = "canary-Pa55-7f3e9c1d";
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-24T10:00:31Z"), ZoneOffset.UTC);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static GreenMail greenMail;
  private static EmailTestPki.Identity ca;
  private static EmailTestPki.Identity server;
  private static EmailTestPki.Identity namedServer;
  private static EmailTestPki.Identity client;
  private static ExecutorService executor;

  private final Map<String, String> secretData = new HashMap<>();
  private final SecretValues secrets = ref -> secretData.get(ref.name + "/" + ref.key);
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @BeforeAll
  static void startServers() throws Exception {
    ServerSetup smtp = ServerSetupTest.SMTP.dynamicPort();
    ServerSetup smtps = ServerSetupTest.SMTPS.dynamicPort();
    greenMail = new GreenMail(new ServerSetup[] {smtp, smtps});
    greenMail.withConfiguration(
        GreenMailConfiguration.aConfig().withUser("vigie@example.org", USER, PASSWORD));
    greenMail.start();
    ca = EmailTestPki.authority("vigie-test-ca");
    server = EmailTestPki.leaf(ca, "localhost", "localhost", "127.0.0.1");
    namedServer = EmailTestPki.leaf(ca, "mail.vigie.test", "mail.vigie.test");
    client = EmailTestPki.leaf(ca, "vigie-client");
    executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "email-sink-test");
              t.setDaemon(true);
              return t;
            });
  }

  @AfterAll
  static void stopServers() {
    greenMail.stop();
    executor.shutdownNow();
  }

  @AfterEach
  void cleanUp() throws Exception {
    greenMail.purgeEmailFromAllMailboxes();
    for (AutoCloseable closeable : closeLater) {
      closeable.close();
    }
  }

  private SecretKeyRef secret(String name, String value) {
    secretData.put(name + "/value", value);
    return new SecretKeyRef(name, "value");
  }

  private static EmailSink spec(EmailSink.Security security, int port) {
    EmailSink spec = new EmailSink();
    spec.host = "127.0.0.1";
    spec.port = port;
    spec.security = security;
    spec.from = "vigie@example.org";
    spec.to = List.of("oncall@example.org", "Backup Team <backup@example.org>");
    return spec;
  }

  private EmailSink withLogin(EmailSink spec, String password) {
    spec.usernameSecretRef = secret("smtp-user", USER);
    spec.passwordSecretRef = secret("smtp-password", password);
    return spec;
  }

  private AlertSink sink(EmailSink spec) {
    AlertSink sink = EmailAlertSink.create(spec, secrets, null, executor, CLOCK);
    assertThat(sink.type()).isEqualTo("email"); // the sink_type label of its metrics
    return sink;
  }

  private static Delivery send(AlertSink sink, Notification n, Duration timeout) throws Exception {
    return sink.send(n, timeout).get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
  }

  private static MimeMessage onlyMessage() {
    assertThat(greenMail.waitForIncomingEmail(5000, 2)).isTrue();
    MimeMessage[] messages = greenMail.getReceivedMessages();
    assertThat(messages).hasSize(2); // one copy per recipient mailbox
    return messages[0];
  }

  private static X509Certificate greenMailCertificate() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = GreenMail.class.getResourceAsStream("/greenmail.p12")) {
      store.load(in, "changeit".toCharArray());
    }
    return (X509Certificate) store.getCertificate("greenmail");
  }

  // --- what arrives ---

  @Test
  void firingNotificationArrivesWithBothBodiesAndItsHeaders() throws Exception {
    Delivery delivery =
        send(
            sink(spec(EmailSink.Security.none, greenMail.getSmtp().getPort())),
            EmailTestNotifications.firing("n-1"),
            TIMEOUT);

    assertThat(delivery.delivered()).isTrue();
    assertThat(delivery.reference()).isEqualTo("<vigie.n-1@example.org>");
    MimeMessage message = onlyMessage();
    assertThat(message.getSubject()).isEqualTo("[FIRING:1] shop/orders-api ConnectionRefused");
    assertThat(message.getMessageID()).isEqualTo("<vigie.n-1@example.org>");
    assertThat(message.getFrom()).containsExactly(new InternetAddress("vigie@example.org"));
    assertThat(Arrays.stream(message.getRecipients(Message.RecipientType.TO)).map(Object::toString))
        .containsExactly("oncall@example.org", "Backup Team <backup@example.org>");
    assertThat(message.getHeader("X-Vigie-Route")).containsExactly("shop/oncall");
    assertThat(message.getHeader("X-Vigie-Status")).containsExactly("firing");
    assertThat(message.getHeader("X-Vigie-Kind")).containsExactly("alerts");
    assertThat(message.getHeader("Auto-Submitted")).containsExactly("auto-generated");
    assertThat(message.getSentDate()).isEqualTo(java.util.Date.from(CLOCK.instant()));

    MimeMultipart alternative = (MimeMultipart) message.getContent();
    assertThat(alternative.getContentType()).startsWith("multipart/alternative");
    assertThat(alternative.getCount()).isEqualTo(2);
    BodyPart plain = alternative.getBodyPart(0);
    BodyPart html = alternative.getBodyPart(1);
    assertThat(plain.getContentType()).startsWith("text/plain").containsIgnoringCase("utf-8");
    assertThat(html.getContentType()).startsWith("text/html").containsIgnoringCase("utf-8");

    String text = (String) plain.getContent();
    assertThat(text)
        .contains("orders-api is unhealthy: connection refused & \"retrying\" <b>now</b>")
        .contains("[FIRING] critical orders-api is down")
        .contains("GET /healthz: connection refused <script>alert(1)</script>")
        .contains("labels: app.kubernetes.io/name=orders, check=http, namespace=shop")
        .contains("started: 2026-11-24T10:00:00Z")
        .contains("runbook: https://runbooks.example.org/orders?a=1&b=2")
        .contains("route shop/oncall, receiver mail, id n-1")
        .doesNotContain("resolved:");

    String page = (String) html.getContent();
    assertThat(page)
        .contains("<title>[FIRING:1] shop/orders-api ConnectionRefused</title>")
        .contains("orders-api is unhealthy: connection refused &amp; &quot;retrying&quot;")
        .contains("&lt;b&gt;now&lt;/b&gt;")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .doesNotContain("<script>")
        .doesNotContain("<b>now</b>")
        .contains("<a href=\"https://runbooks.example.org/orders?a=1&amp;b=2\">runbook</a>")
        .contains("color:#c01c28");
  }

  @Test
  void aForeignContextClassLoaderOnThePoolThreadDoesNotBreakDelivery() throws Exception {
    // What a framework or an earlier test can leave on a pool thread: a loader that sees Jakarta
    // Mail's jars through other classes (ServiceLoader then answers "not a subtype").
    java.net.URL[] jars = {
      jakarta.mail.Session.class.getProtectionDomain().getCodeSource().getLocation(),
      org.eclipse.angus.mail.smtp.SMTPTransport.class
          .getProtectionDomain()
          .getCodeSource()
          .getLocation()
    };
    try (java.net.URLClassLoader foreign =
        new java.net.URLClassLoader(jars, ClassLoader.getPlatformClassLoader())) {
      ExecutorService pool =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "foreign-loader");
                t.setDaemon(true);
                t.setContextClassLoader(foreign);
                return t;
              });
      try {
        AlertSink sink =
            EmailAlertSink.create(
                spec(EmailSink.Security.none, greenMail.getSmtp().getPort()),
                secrets,
                null,
                pool,
                CLOCK);
        assertThat(send(sink, EmailTestNotifications.firing("n-40"), TIMEOUT).delivered()).isTrue();
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void resolvedTestAndHeartbeatSayWhatTheyAre() throws Exception {
    AlertSink sink = sink(spec(EmailSink.Security.none, greenMail.getSmtp().getPort()));
    Instant at = CLOCK.instant();
    Notification[] notifications = {
      EmailTestNotifications.resolved("n-2"),
      EmailTestNotifications.test("n-3", at),
      EmailTestNotifications.heartbeat("n-4", at)
    };
    for (Notification n : notifications) {
      assertThat(send(sink, n, TIMEOUT).delivered()).isTrue();
    }
    assertThat(greenMail.waitForIncomingEmail(5000, 6)).isTrue();
    Map<String, MimeMessage> byId = new HashMap<>();
    for (MimeMessage m : greenMail.getReceivedMessages()) {
      byId.put(m.getMessageID(), m);
    }
    MimeMessage resolved = byId.get("<vigie.n-2@example.org>");
    assertThat(resolved.getSubject()).isEqualTo("[RESOLVED] shop/orders-api");
    assertThat(resolved.getHeader("X-Vigie-Status")).containsExactly("resolved");
    String resolvedText =
        (String) ((MimeMultipart) resolved.getContent()).getBodyPart(0).getContent();
    assertThat(resolvedText)
        .contains("[RESOLVED] critical orders-api is down")
        .contains("resolved: 2026-11-24T10:05:00Z");
    assertThat((String) ((MimeMultipart) resolved.getContent()).getBodyPart(1).getContent())
        .contains("color:#26a269")
        .contains("<td>2026-11-24T10:05:00Z</td>");

    MimeMessage test = byId.get("<vigie.n-3@example.org>");
    assertThat(test.getSubject()).isEqualTo("[TEST] shop/oncall: test notification");
    assertThat(test.getHeader("X-Vigie-Kind")).containsExactly("test");
    assertThat((String) ((MimeMultipart) test.getContent()).getBodyPart(1).getContent())
        .contains("This is a test of the channel")
        .doesNotContain("<table");

    MimeMessage heartbeat = byId.get("<vigie.n-4@example.org>");
    assertThat(heartbeat.getHeader("X-Vigie-Kind")).containsExactly("heartbeat");
    assertThat((String) ((MimeMultipart) heartbeat.getContent()).getBodyPart(0).getContent())
        .contains("The vigie alert pipeline is alive.")
        .contains("vigie heartbeat notification, route shop/oncall");
  }

  @Test
  void theSinkIsBuiltByTheFactory() throws Exception {
    Sink sink = new Sink();
    sink.name = "mail";
    sink.email = spec(EmailSink.Security.none, greenMail.getSmtp().getPort());
    try (SinkFactory factory = new SinkFactory(CLOCK);
        AlertSink built = factory.create(sink, secrets, "spec.sinks[0]")) {
      assertThat(send(built, EmailTestNotifications.firing("n-5"), TIMEOUT).delivered()).isTrue();
    }
    assertThat(onlyMessage().getMessageID()).isEqualTo("<vigie.n-5@example.org>");
  }

  // --- implicit TLS, authentication ---

  @Test
  void smtpsWithTheRightPasswordDelivers() throws Exception {
    EmailSink spec =
        withLogin(spec(EmailSink.Security.tls, greenMail.getSmtps().getPort()), PASSWORD);
    spec.tls = new ClientTls();
    spec.tls.insecureSkipVerify = true; // GreenMail's own self-signed certificate

    Delivery delivery = send(sink(spec), EmailTestNotifications.firing("n-6"), TIMEOUT);

    assertThat(delivery.delivered()).as(String.valueOf(delivery)).isTrue();
    assertThat(onlyMessage().getSubject()).startsWith("[FIRING:1]");
  }

  @Test
  void aWrongPasswordIsAPermanentFailureThatNeverShowsThePassword() throws Exception {
    EmailSink spec =
        withLogin(spec(EmailSink.Security.tls, greenMail.getSmtps().getPort()), CANARY);
    spec.tls = new ClientTls();
    spec.tls.insecureSkipVerify = true;

    Delivery delivery = send(sink(spec), EmailTestNotifications.firing("n-7"), TIMEOUT);

    assertThat(delivery)
        .isEqualTo(new Delivery(false, false, "SMTP authentication failed", null, null));
    assertThat(String.valueOf(delivery)).doesNotContain(CANARY).doesNotContain(USER);
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void anUntrustedServerCertificateIsRetryableAndNamed() throws Exception {
    Delivery delivery =
        send(
            sink(spec(EmailSink.Security.tls, greenMail.getSmtps().getPort())),
            EmailTestNotifications.firing("n-8"),
            TIMEOUT);

    assertThat(delivery.delivered()).isFalse();
    assertThat(delivery.retryable()).isTrue();
    assertThat(delivery.error()).isEqualTo("TLS handshake failed: server certificate not trusted");
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void aTrustedCertificateForAnotherHostIsRefused() throws Exception {
    EmailSink spec = spec(EmailSink.Security.tls, greenMail.getSmtps().getPort());
    spec.tls = new ClientTls();
    spec.tls.caSecretRef = secret("greenmail-ca", EmailTestPki.pem(greenMailCertificate()));

    Delivery delivery = send(sink(spec), EmailTestNotifications.firing("n-9"), TIMEOUT);

    // GreenMail's certificate names no host ("does not match the host name"; once it expires in
    // November 2027, "expired or not yet valid"): trusting it is not enough.
    assertThat(delivery.error()).startsWith("TLS handshake failed: server certificate ");
    assertThat(delivery.retryable()).isTrue();
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  // --- STARTTLS ---

  @Test
  void starttlsIsRequiredNeverSkipped() throws Exception {
    EmailSink spec =
        withLogin(spec(EmailSink.Security.starttls, greenMail.getSmtp().getPort()), PASSWORD);
    spec.tls = new ClientTls();
    spec.tls.insecureSkipVerify = true;

    Delivery delivery = send(sink(spec), EmailTestNotifications.firing("n-10"), TIMEOUT);

    assertThat(delivery)
        .isEqualTo(
            new Delivery(false, false, "the SMTP server does not offer STARTTLS", null, null));
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void starttlsUpgradesBeforeAnyCredentialOrAddressIsSent() throws Exception {
    EmailTlsFront front =
        EmailTlsFront.start(
            EmailTlsFront.Mode.STARTTLS, server.context(), false, greenMail.getSmtp().getPort());
    closeLater.add(front);
    EmailSink spec = withLogin(spec(EmailSink.Security.starttls, front.port()), PASSWORD);
    spec.host = "localhost";
    spec.tls = new ClientTls();
    spec.tls.caSecretRef = secret("ca", ca.certificatePem());

    Delivery delivery = send(sink(spec), EmailTestNotifications.firing("n-11"), TIMEOUT);

    assertThat(delivery.delivered()).as(String.valueOf(delivery)).isTrue();
    // The JDK sends no SNI for a name without a dot ("localhost"); the certificate is verified.
    assertThat(front.handshakes).containsExactly("sni=- client=-");
    assertThat(front.plainCommands).hasSize(2);
    assertThat(front.plainCommands.get(0)).startsWith("EHLO ");
    assertThat(front.plainCommands.get(1)).isEqualTo("STARTTLS");
    assertThat(onlyMessage().getMessageID()).isEqualTo("<vigie.n-11@example.org>");
  }

  @Test
  void serverNameIsSentAndVerifiedInsteadOfTheHost() throws Exception {
    EmailTlsFront front =
        EmailTlsFront.start(
            EmailTlsFront.Mode.STARTTLS,
            namedServer.context(),
            false,
            greenMail.getSmtp().getPort());
    closeLater.add(front);
    EmailSink spec = spec(EmailSink.Security.starttls, front.port());
    spec.tls = new ClientTls();
    spec.tls.caSecretRef = secret("ca", ca.certificatePem());

    Delivery mismatch = send(sink(spec), EmailTestNotifications.firing("n-12"), TIMEOUT);
    assertThat(mismatch.error())
        .isEqualTo("TLS handshake failed: server certificate does not match the host name");
    assertThat(mismatch.retryable()).isTrue();

    spec.tls.serverName = "mail.vigie.test";
    Delivery delivery = send(sink(spec), EmailTestNotifications.firing("n-13"), TIMEOUT);
    assertThat(delivery.delivered()).as(String.valueOf(delivery)).isTrue();
    assertThat(front.handshakes).containsExactly("sni=mail.vigie.test client=-");
    assertThat(onlyMessage().getMessageID()).isEqualTo("<vigie.n-13@example.org>");
  }

  @Test
  void aClientCertificateIsPresentedWhenTheServerAsksForOne() throws Exception {
    SSLContext context = server.context(ca.certificate());
    EmailTlsFront front =
        EmailTlsFront.start(
            EmailTlsFront.Mode.IMPLICIT, context, true, greenMail.getSmtp().getPort());
    closeLater.add(front);
    EmailSink spec = spec(EmailSink.Security.tls, front.port());
    spec.tls = new ClientTls();
    spec.tls.caSecretRef = secret("ca", ca.certificatePem());

    Delivery refused = send(sink(spec), EmailTestNotifications.firing("n-14"), TIMEOUT);
    assertThat(refused.delivered()).isFalse();
    assertThat(refused.retryable()).isTrue();
    assertThat(refused.error()).startsWith("TLS handshake failed");

    spec.tls.certSecretRef = secret("client-cert", client.certificatePem());
    spec.tls.keySecretRef = secret("client-key", client.keyPem());
    Delivery delivery = send(sink(spec), EmailTestNotifications.firing("n-15"), TIMEOUT);
    assertThat(delivery.delivered()).as(String.valueOf(delivery)).isTrue();
    assertThat(front.handshakes).containsExactly("sni=- client=CN=vigie-client");
    assertThat(onlyMessage().getMessageID()).isEqualTo("<vigie.n-15@example.org>");
  }

  // --- connection failures and deadlines ---

  @Test
  void aServerThatIsDownIsRetryable() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Delivery delivery =
        send(
            sink(spec(EmailSink.Security.none, port)),
            EmailTestNotifications.firing("n-16"),
            TIMEOUT);
    assertThat(delivery).isEqualTo(Delivery.retry("connection refused", null));
  }

  @Test
  void aSilentServerTimesOutWithoutBlockingTheCaller() throws Exception {
    EmailScriptedSmtp smtp = EmailScriptedSmtp.start();
    closeLater.add(smtp);
    smtp.silent = true;
    AlertSink sink = sink(spec(EmailSink.Security.none, smtp.port()));

    long start = System.nanoTime();
    CompletableFuture<Delivery> future =
        sink.send(EmailTestNotifications.firing("n-17"), Duration.ofMillis(500));
    long returnedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    Delivery delivery = future.get(5, TimeUnit.SECONDS);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(returnedMillis).isLessThan(200);
    assertThat(delivery).isEqualTo(Delivery.retry("no answer within 500ms", null));
    assertThat(tookMillis).isBetween(450L, 1500L);
    assertThat(smtp.closed.await(2, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aSlowServerIsCutOffAtTheDeadline() throws Exception {
    EmailScriptedSmtp smtp = EmailScriptedSmtp.start();
    closeLater.add(smtp);
    smtp.delayMillis = 300; // each reply in time, the whole exchange not
    AlertSink sink = sink(spec(EmailSink.Security.none, smtp.port()));

    long start = System.nanoTime();
    Delivery delivery =
        sink.send(EmailTestNotifications.firing("n-18"), Duration.ofSeconds(1))
            .get(5, TimeUnit.SECONDS);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(delivery).isEqualTo(Delivery.retry("no answer within 1s", null));
    assertThat(tookMillis).isBetween(1000L, 1800L);
    // The attempt's socket is closed at the deadline, not left to finish the exchange.
    assertThat(smtp.closed.await(1, TimeUnit.SECONDS)).isTrue();
    assertThat(smtp.received).doesNotContain(".");
  }

  // --- SMTP replies ---

  private Delivery scripted(String verb, String reply, boolean login) throws Exception {
    EmailScriptedSmtp smtp = EmailScriptedSmtp.start().reply(verb, reply);
    closeLater.add(smtp);
    EmailSink spec;
    if (login) {
      // Credentials need TLS: the front gives it, the scripted server answers behind it.
      EmailTlsFront front =
          EmailTlsFront.start(EmailTlsFront.Mode.IMPLICIT, server.context(), false, smtp.port());
      closeLater.add(front);
      spec = withLogin(spec(EmailSink.Security.tls, front.port()), CANARY);
      spec.tls = new ClientTls();
      spec.tls.caSecretRef = secret("ca", ca.certificatePem());
    } else {
      spec = spec(EmailSink.Security.none, smtp.port());
    }
    Delivery delivery = send(sink(spec), EmailTestNotifications.firing("n-19"), TIMEOUT);
    assertThat(String.valueOf(delivery)).doesNotContain(CANARY);
    return delivery;
  }

  @Test
  void transientRepliesAreRetryable() throws Exception {
    assertThat(scripted("GREETING", "421 4.3.2 try later", false))
        .isEqualTo(Delivery.retry("SMTP 421: greeting refused", null));
    assertThat(scripted("MAIL", "451 4.3.0 try later", false))
        .isEqualTo(Delivery.retry("SMTP 451: sender rejected", null));
    assertThat(scripted("RCPT", "452 4.2.2 mailbox full", false))
        .isEqualTo(Delivery.retry("SMTP 452: recipient rejected", null));
    assertThat(scripted(".", "451 4.7.1 greylisted, try later", false))
        .isEqualTo(Delivery.retry("SMTP 451: message rejected", null));
    assertThat(scripted("AUTH", "454 4.7.0 temporary authentication failure", true))
        .isEqualTo(Delivery.retry("SMTP 454: authentication failed temporarily", null));
  }

  @Test
  void permanentRepliesAreNot() throws Exception {
    assertThat(scripted("RCPT", "550 5.1.1 no such user " + CANARY, false))
        .isEqualTo(Delivery.fail("SMTP 550: recipient rejected"));
    assertThat(scripted("MAIL", "553 5.7.1 sender not allowed", false))
        .isEqualTo(Delivery.fail("SMTP 553: sender rejected"));
    assertThat(scripted(".", "554 5.7.1 spam", false))
        .isEqualTo(Delivery.fail("SMTP 554: message rejected"));
    assertThat(scripted("AUTH", "535 5.7.8 bad credentials " + CANARY, true))
        .isEqualTo(Delivery.fail("SMTP authentication failed"));
    assertThat(scripted("GREETING", "554 5.3.2 go away", false))
        .isEqualTo(Delivery.fail("SMTP 554: greeting refused"));
  }

  @Test
  void aRefusedHeloIsReportedByItsCode() throws Exception {
    EmailScriptedSmtp smtp =
        EmailScriptedSmtp.start()
            .reply("EHLO", "502 5.5.1 not implemented")
            .reply("HELO", "421 4.7.0 too busy");
    closeLater.add(smtp);
    Delivery delivery =
        send(
            sink(spec(EmailSink.Security.none, smtp.port())),
            EmailTestNotifications.firing("n-20"),
            TIMEOUT);
    assertThat(delivery).isEqualTo(Delivery.retry("SMTP 421: command refused", null));
  }

  @Test
  void aShutDownExecutorIsARetryableDelivery() throws Exception {
    ExecutorService stopped = Executors.newSingleThreadExecutor();
    stopped.shutdown();
    AlertSink sink =
        EmailAlertSink.create(
            spec(EmailSink.Security.none, greenMail.getSmtp().getPort()),
            secrets,
            null,
            stopped,
            CLOCK);
    assertThat(sink.send(EmailTestNotifications.firing("n-21"), TIMEOUT).get())
        .isEqualTo(Delivery.retry("the sink is shut down", null));
  }

  // --- specs it cannot build ---

  @Test
  void defaultPortsFollowTheSecurityMode() {
    EmailSink spec = spec(EmailSink.Security.starttls, 1);
    spec.port = null;
    assertThat(((EmailAlertSink) sink(spec)).port()).isEqualTo(587);
    spec.security = EmailSink.Security.tls;
    assertThat(((EmailAlertSink) sink(spec)).port()).isEqualTo(465);
    spec.security = EmailSink.Security.none;
    assertThat(((EmailAlertSink) sink(spec)).port()).isEqualTo(25);
    spec.security = null;
    assertThat(((EmailAlertSink) sink(spec)).port()).isEqualTo(587);
    spec.host = "[::1]";
    assertThat(((EmailAlertSink) sink(spec)).port()).isEqualTo(587);
  }

  @Test
  void misconfiguredSpecsAreNamedByField() {
    expectInvalid(s -> s.host = null, "email.host: required");
    expectInvalid(s -> s.host = "smtp example.org", "email.host: not a host name or IP address");
    expectInvalid(s -> s.port = 70000, "email.port: must be 1 to 65535");
    expectInvalid(s -> s.port = 0, "email.port: must be 1 to 65535");
    expectInvalid(
        s -> s.usernameSecretRef = secret("u", "user"),
        "email.passwordSecretRef: required with usernameSecretRef");
    expectInvalid(
        s -> s.passwordSecretRef = secret("p", CANARY),
        "email.usernameSecretRef: required with passwordSecretRef");
    expectInvalid(
        s -> {
          s.security = EmailSink.Security.none;
          withLogin(s, CANARY);
        },
        "email.security: none would send the SMTP password in clear text; use starttls or tls");
    expectInvalid(
        s -> {
          s.security = EmailSink.Security.none;
          s.tls = new ClientTls();
        },
        "email.tls: has no effect with security none; use starttls or tls");
    expectInvalid(
        s -> {
          withLogin(s, CANARY);
          s.usernameSecretRef = secret("empty", "");
        },
        "email.usernameSecretRef: the Secret key is empty");
    expectInvalid(s -> s.from = " ", "email.from: required");
    expectInvalid(s -> s.from = "not an address", "email.from: not a valid e-mail address");
    expectInvalid(s -> s.from = "vigie", "email.from: not a valid e-mail address");
    expectInvalid(
        s -> s.from = "a@example.org, b@example.org", "email.from: must be exactly one address");
    expectInvalid(s -> s.from = "team: a@example.org;", "email.from: not a valid e-mail address");
    expectInvalid(s -> s.to = List.of(), "email.to: at least one address is required");
    expectInvalid(s -> s.to = null, "email.to: at least one address is required");
    expectInvalid(
        s -> s.to = List.of("ok@example.org", "<broken"),
        "email.to[1]: not a valid e-mail address");
    expectInvalid(
        s -> {
          s.tls = new ClientTls();
          s.tls.serverName = "bad name!";
        },
        "email.tls.serverName: not a valid host name");
    expectInvalid(
        s -> {
          s.tls = new ClientTls();
          s.tls.certSecretRef = secret("c", "x");
        },
        "email.tls: certSecretRef and keySecretRef must be set together");
    assertThatThrownBy(
            () -> {
              EmailSink s = spec(EmailSink.Security.tls, 465);
              s.tls = new ClientTls();
              s.tls.caSecretRef = secret("ca", "not a PEM " + CANARY);
              sink(s);
            })
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("email.tls.caSecretRef")
        .hasMessageNotContaining(CANARY);
  }

  private void expectInvalid(java.util.function.Consumer<EmailSink> change, String message) {
    EmailSink spec = spec(EmailSink.Security.starttls, 587);
    change.accept(spec);
    assertThatThrownBy(() -> sink(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
