package io.dihya.vigie.alert.sink;

import io.dihya.vigie.api.v1alpha1.EmailSink;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.probe.check.ClientTlsSettings;
import io.dihya.vigie.probe.check.Failures;
import io.dihya.vigie.probe.check.SecretValues;
import io.dihya.vigie.probe.check.SslContexts;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Locale;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Sends each notification as one e-mail over SMTP (Jakarta Mail, Angus): a multipart/alternative
 * message with a plain-text and an HTML body, the notification's title as subject, a Message-ID
 * derived from the notification id (returned as the delivery's reference), and the headers
 * X-Vigie-Route, X-Vigie-Kind and X-Vigie-Status for mail filters.
 *
 * <p>Jakarta Mail blocks, so each attempt runs on the sink executor with connection and read
 * timeouts of the attempt's timeout, and is cut off (its sockets closed) shortly after it.
 *
 * <ul>
 *   <li>security starttls: STARTTLS is required; a server that does not offer it fails the attempt
 *       (never a fallback to plain text).
 *   <li>security tls: TLS from the first byte.
 *   <li>security none: plain text, and so no credentials (they would cross the network in clear).
 * </ul>
 *
 * Outcomes: authentication refused (535) is permanent, "SMTP authentication failed"; any 4xx reply
 * is retryable, any other 5xx permanent ("SMTP 550: recipient rejected"); connection failures,
 * timeouts and TLS handshake failures are retryable. Server replies are never copied: they may echo
 * addresses or credentials.
 */
final class EmailAlertSink implements AlertSink {

  @Override
  public String type() {
    return "email";
  }

  private static final String FIELD = "email";

  /** Time past the timeout after which a hung attempt is cut off. */
  static final Duration GRACE = Duration.ofMillis(250);

  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private final String host;
  private final int port;
  private final EmailSink.Security security;
  private final String username;
  private final String password;
  private final SSLSocketFactory tls;
  private final String serverName;
  private final boolean verifyServer;
  private final InternetAddress from;
  private final InternetAddress[] to;
  private final String messageIdDomain;
  private final Executor executor;
  private final Clock clock;

  private EmailAlertSink(
      String host,
      int port,
      EmailSink.Security security,
      String username,
      String password,
      SSLSocketFactory tls,
      String serverName,
      boolean verifyServer,
      InternetAddress from,
      InternetAddress[] to,
      Executor executor,
      Clock clock) {
    this.host = host;
    this.port = port;
    this.security = security;
    this.username = username;
    this.password = password;
    this.tls = tls;
    this.serverName = serverName;
    this.verifyServer = verifyServer;
    this.from = from;
    this.to = to;
    this.messageIdDomain = from.getAddress().substring(from.getAddress().lastIndexOf('@') + 1);
    this.executor = executor;
    this.clock = clock;
  }

  static AlertSink create(
      EmailSink spec, SecretValues secrets, SinkHttp http, Executor executor, Clock clock) {
    EmailSink.Security security =
        spec.security == null ? EmailSink.Security.starttls : spec.security;
    String host = host(spec.host);
    int port = port(spec.port, security);
    if (spec.usernameSecretRef != null && spec.passwordSecretRef == null) {
      throw new IllegalArgumentException(
          FIELD + ".passwordSecretRef: required with usernameSecretRef");
    }
    if (spec.passwordSecretRef != null && spec.usernameSecretRef == null) {
      throw new IllegalArgumentException(
          FIELD + ".usernameSecretRef: required with passwordSecretRef");
    }
    if (security == EmailSink.Security.none && spec.usernameSecretRef != null) {
      throw new IllegalArgumentException(
          FIELD
              + ".security: none would send the SMTP password in clear text; use starttls or"
              + " tls");
    }
    if (security == EmailSink.Security.none && spec.tls != null) {
      throw new IllegalArgumentException(
          FIELD + ".tls: has no effect with security none; use starttls or tls");
    }
    String username = secret(spec.usernameSecretRef, secrets, "usernameSecretRef");
    String password = secret(spec.passwordSecretRef, secrets, "passwordSecretRef");
    InternetAddress from = address(spec.from, FIELD + ".from");
    if (spec.to == null || spec.to.isEmpty()) {
      throw new IllegalArgumentException(FIELD + ".to: at least one address is required");
    }
    InternetAddress[] to = new InternetAddress[spec.to.size()];
    for (int i = 0; i < to.length; i++) {
      to[i] = address(spec.to.get(i), FIELD + ".to[" + i + "]");
    }

    SSLSocketFactory tls = null;
    String serverName = null;
    boolean verifyServer = true;
    if (security != EmailSink.Security.none) {
      ClientTlsSettings settings = ClientTlsSettings.resolve(spec.tls, secrets, FIELD + ".tls");
      serverName = settings.serverName();
      if (serverName != null) {
        try {
          new SNIHostName(serverName);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(FIELD + ".tls.serverName: not a valid host name");
        }
      }
      // The server name is applied per socket (EmailSockets): SslContexts' server-name context
      // serves engines only, and Jakarta Mail uses sockets.
      SSLContext context =
          SslContexts.build(
              new ClientTlsSettings(
                  settings.caPem(),
                  settings.certPem(),
                  settings.keyPem(),
                  null,
                  settings.insecureSkipVerify()),
              FIELD + ".tls");
      tls =
          context == null
              ? (SSLSocketFactory) SSLSocketFactory.getDefault()
              : context.getSocketFactory();
      verifyServer = !settings.insecureSkipVerify();
    }
    return new EmailAlertSink(
        host,
        port,
        security,
        username,
        password,
        tls,
        serverName,
        verifyServer,
        from,
        to,
        executor,
        clock);
  }

  private static String host(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException(FIELD + ".host: required");
    }
    String bare = host.strip();
    bare = bare.startsWith("[") && bare.endsWith("]") ? bare.substring(1, bare.length() - 1) : bare;
    boolean ipv6 = bare.contains(":") && IPV6.matcher(bare).matches();
    if (!ipv6 && !HOST_NAME.matcher(bare).matches()) {
      throw new IllegalArgumentException(FIELD + ".host: not a host name or IP address");
    }
    return bare;
  }

  private static int port(Integer port, EmailSink.Security security) {
    if (port == null) {
      return switch (security) {
        case starttls -> 587;
        case tls -> 465;
        case none -> 25;
      };
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(FIELD + ".port: must be 1 to 65535");
    }
    return port;
  }

  private static String secret(SecretKeyRef ref, SecretValues secrets, String name) {
    if (ref == null) {
      return null;
    }
    String value = secrets.get(ref);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(FIELD + "." + name + ": the Secret key is empty");
    }
    return value;
  }

  /** A single bare address (user@domain), never echoed: it is user data. */
  private static InternetAddress address(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + ": required");
    }
    try {
      InternetAddress[] parsed = InternetAddress.parse(value.strip(), true);
      if (parsed.length != 1) {
        throw new IllegalArgumentException(field + ": must be exactly one address");
      }
      parsed[0].validate();
      if (parsed[0].isGroup() || parsed[0].getAddress().indexOf('@') < 1) {
        throw new IllegalArgumentException(field + ": not a valid e-mail address");
      }
      return parsed[0];
    } catch (AddressException e) {
      throw new IllegalArgumentException(field + ": not a valid e-mail address");
    }
  }

  @Override
  public CompletableFuture<Delivery> send(Notification notification, Duration timeout) {
    CompletableFuture<Delivery> result = new CompletableFuture<>();
    EmailSockets sockets = new EmailSockets(tls, serverName);
    try {
      executor.execute(() -> result.complete(attempt(notification, timeout, sockets)));
    } catch (RejectedExecutionException e) {
      result.complete(Delivery.retry("the sink is shut down", null));
      return result;
    }
    CompletableFuture.delayedExecutor(
            timeout.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS, executor)
        .execute(
            () -> {
              if (result.complete(Delivery.retry("no answer within " + format(timeout), null))) {
                sockets.abort();
              }
            });
    return result;
  }

  private Delivery attempt(Notification notification, Duration timeout, EmailSockets sockets) {
    // Jakarta Mail finds its providers through the thread's context class loader: make it the one
    // that loaded Angus Mail, whatever the pool thread inherited (a test's or a framework's).
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(EmailAlertSink.class.getClassLoader());
    try {
      return attemptWithMail(notification, timeout, sockets);
    } catch (RuntimeException | ServiceConfigurationError e) {
      return Delivery.retry(
          "SMTP delivery failed unexpectedly (" + e.getClass().getSimpleName() + ")", null);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private Delivery attemptWithMail(
      Notification notification, Duration timeout, EmailSockets sockets) {
    Session session = Session.getInstance(properties(timeout, sockets));
    SMTPTransport transport = null;
    try {
      String messageId = EmailContent.messageId(notification.id(), messageIdDomain);
      MimeMessage message = message(session, notification, messageId);
      transport = (SMTPTransport) session.getTransport("smtp");
      transport.connect(host, port, username, password);
      transport.sendMessage(message, message.getAllRecipients());
      return Delivery.ok(messageId);
    } catch (MessagingException e) {
      return failure(e, transport, timeout);
    } catch (RuntimeException e) {
      return Delivery.retry(
          "SMTP delivery failed unexpectedly (" + e.getClass().getSimpleName() + ")", null);
    } finally {
      if (transport != null) {
        try {
          transport.close();
        } catch (MessagingException | RuntimeException e) {
          // The message is sent or not: closing changes nothing.
        }
      }
      sockets.abort();
    }
  }

  private Properties properties(Duration timeout, EmailSockets sockets) {
    String millis = Long.toString(Math.max(1, timeout.toMillis()));
    Properties props = new Properties();
    props.put("mail.smtp.connectiontimeout", millis);
    props.put("mail.smtp.timeout", millis);
    props.put("mail.smtp.auth", Boolean.toString(username != null));
    // The EHLO name: without it Jakarta Mail asks the resolver for this host's canonical name,
    // which can take seconds where reverse DNS does not answer (containers, closed networks).
    props.put("mail.smtp.localhost", messageIdDomain);
    // QUIT is sent after the message, without waiting for the answer: the message is accepted.
    props.put("mail.smtp.quitwait", "false");
    props.put("mail.smtp.socketFactory", sockets.plain());
    // Without this, a failure with our factory is retried with the JVM's default sockets.
    props.put("mail.smtp.socketFactory.fallback", "false");
    if (tls != null) {
      props.put("mail.smtp.ssl.socketFactory", sockets.tls());
      props.put("mail.smtp.ssl.checkserveridentity", Boolean.toString(verifyServer));
    }
    switch (security) {
      case tls -> props.put("mail.smtp.ssl.enable", "true");
      case starttls -> {
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
      }
      case none -> {}
    }
    return props;
  }

  private MimeMessage message(Session session, Notification n, String messageId)
      throws MessagingException {
    MimeMessage message =
        new MimeMessage(session) {
          @Override
          protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
          }
        };
    message.setFrom(from);
    message.setRecipients(Message.RecipientType.TO, to);
    message.setSubject(EmailContent.subject(n), "UTF-8");
    message.setSentDate(Date.from(clock.instant()));
    message.setHeader("X-Vigie-Route", EmailContent.header(n.route(), 256));
    message.setHeader(
        "X-Vigie-Kind", n.kind() == null ? "alerts" : n.kind().name().toLowerCase(Locale.ROOT));
    message.setHeader("X-Vigie-Status", n.status() == null ? "firing" : n.status().wire());
    // RFC 3834: out-of-office and other automatic replies are not sent back to vigie.
    message.setHeader("Auto-Submitted", "auto-generated");

    MimeBodyPart plain = new MimeBodyPart();
    plain.setText(EmailContent.plain(n), "UTF-8", "plain");
    MimeBodyPart html = new MimeBodyPart();
    html.setText(EmailContent.html(n), "UTF-8", "html");
    MimeMultipart alternative = new MimeMultipart("alternative");
    alternative.addBodyPart(plain);
    alternative.addBodyPart(html);
    message.setContent(alternative);
    message.saveChanges();
    return message;
  }

  /** Maps a failed attempt to a fixed text: the exception messages hold server replies. */
  private static Delivery failure(MessagingException e, SMTPTransport transport, Duration timeout) {
    int replied = transport == null ? -1 : transport.getLastReturnCode();
    if (e instanceof AuthenticationFailedException) {
      return replied >= 400 && replied < 500
          ? Delivery.retry("SMTP " + replied + ": authentication failed temporarily", null)
          : Delivery.fail("SMTP authentication failed");
    }
    // A refused MAIL or RCPT is chained under the exception of the whole send: it says more.
    SMTPSendFailedException sendFailed = null;
    for (Exception x = e; x != null; x = next(x)) {
      if (x instanceof SMTPAddressFailedException f) {
        return reply(f.getReturnCode(), "recipient rejected");
      }
      if (x instanceof SMTPSenderFailedException f) {
        return reply(f.getReturnCode(), "sender rejected");
      }
      if (x instanceof SMTPSendFailedException f && sendFailed == null) {
        sendFailed = f;
      }
    }
    if (sendFailed != null) {
      String command = sendFailed.getCommand() == null ? "" : sendFailed.getCommand();
      return reply(
          sendFailed.getReturnCode(),
          command.regionMatches(true, 0, "MAIL", 0, 4) ? "sender rejected" : "message rejected");
    }
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (message.startsWith("STARTTLS is required")) {
      return Delivery.fail("the SMTP server does not offer STARTTLS");
    }
    if (message.startsWith("Got bad greeting") && replied >= 400) {
      return reply(replied, "greeting refused");
    }
    if (hasIoCause(e)) {
      Failures.Failure f = Failures.classify(e, timeout);
      return Delivery.retry(f.text(), null);
    }
    if (replied >= 400 && replied < 600) {
      return reply(replied, "command refused");
    }
    return Delivery.retry("SMTP delivery failed", null);
  }

  private static Delivery reply(int code, String what) {
    String text = "SMTP " + code + ": " + what;
    return code >= 400 && code < 500 ? Delivery.retry(text, null) : Delivery.fail(text);
  }

  private static Exception next(Exception e) {
    if (e instanceof MessagingException m && m.getNextException() != null) {
      return m.getNextException();
    }
    return e.getCause() instanceof Exception cause && cause != e ? cause : null;
  }

  private static boolean hasIoCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  /** 2s, 1500ms. */
  private static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }

  /** The port connected to (the default of the security mode when the spec sets none). */
  int port() {
    return port;
  }
}
