package io.dihya.vigie.redact;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one gate every user-visible string passes through: status messages and conditions, Event
 * notes, log lines and alerts. No secret or personal datum may get past it.
 *
 * <p>{@link #standard()} masks, with {@link #MASK}:
 *
 * <ul>
 *   <li>the user information of URLs with a scheme ({@code https://user:pw@host} gives {@code
 *       https://[REDACTED]@host});
 *   <li>the values of query parameters, form fields, JSON/YAML keys, XML elements and HTTP headers
 *       whose name says they are credentials ({@code access_token}, {@code client_secret}, {@code
 *       password}, {@code api-key}, {@code sig}, {@code X-Amz-Signature}, {@code Authorization},
 *       {@code Cookie}, ...); header values up to the end of the line;
 *   <li>the credentials after {@code Bearer} and {@code Basic};
 *   <li>JWTs, PEM and OpenSSH private keys, AWS access key ids, GitHub, GitLab, Slack, Google API,
 *       Stripe, SendGrid and npm tokens, Standard Webhooks secrets, and the secret path of Slack,
 *       Teams and Discord webhook URLs.
 * </ul>
 *
 * <p>and leaves ordinary text alone: host names, paths, status codes, durations, Kubernetes names,
 * reasons, also when a name holds a credential word before a colon: {@code http://auth:8080/},
 * {@code shop/auth-api: 3 failures}, {@code tcp auth-db:5432: refused}. A host name that ends in
 * one ({@code tcp vault-token:8200: refused}) could be a key and its value, and is taken as one.
 * The {@code with...} methods return new redactors that hide more. Instances are immutable and
 * thread-safe.
 *
 * <p>Callers should quote the <em>names</em> of secret keys rather than write them as pairs: {@code
 * key "password" not found} stays readable where {@code key: password} would lose {@code password}.
 */
public final class Redactor {

  /** What a hidden secret is replaced by. */
  public static final String MASK = "[REDACTED]";

  private static final List<Rule> STANDARD_RULES =
      List.of(
          new UrlUserInfoRule(), new NamedValueRule(), new AuthSchemeRule(), new KnownFormatRule());

  /** Passes over a text, each on the last one's output, before it is taken as it is. */
  private static final int MAX_PASSES = 3;

  private static final Redactor STANDARD = new Redactor(null, null, false, false);

  private final ExactValueRule secrets;
  private final PatternRule patterns;
  private final boolean emails;
  private final boolean ipAddresses;
  private final Rule[] rules;

  private Redactor(
      ExactValueRule secrets, PatternRule patterns, boolean emails, boolean ipAddresses) {
    this.secrets = secrets;
    this.patterns = patterns;
    this.emails = emails;
    this.ipAddresses = ipAddresses;
    List<Rule> all = new ArrayList<>(STANDARD_RULES);
    if (secrets != null) {
      all.add(secrets);
    }
    if (patterns != null) {
      all.add(patterns);
    }
    if (emails) {
      all.add(new EmailRule());
    }
    if (ipAddresses) {
      all.add(new IpAddressRule());
    }
    this.rules = all.toArray(Rule[]::new);
  }

  /** The built-in rules only. A shared immutable instance. */
  public static Redactor standard() {
    return STANDARD;
  }

  /**
   * A new Redactor that also masks these exact values (e.g. the values of every Secret key a probe
   * references).
   *
   * <p>Null and blank values are ignored, and so are values shorter than 4 characters: masking
   * {@code "a"} or {@code "on"} everywhere would destroy messages, so such weak secrets are only
   * hidden where the other rules catch them. Longer values are masked wherever they appear, also
   * URL-encoded (whatever characters the encoder leaves alone), JSON-escaped (non-ASCII characters
   * too), or base64-encoded (standard and URL-safe alphabets, with or without padding, alone or
   * inside a longer base64 text such as a {@code Basic} credential), and also when line breaks cut
   * them (base64 wrapped at 76 columns). A value ending in white space (a file's trailing newline)
   * is also masked without it.
   *
   * @param values the secret values; null is the same as empty
   * @return a redactor masking these values too, or this one if there is nothing to add
   */
  public Redactor withSecrets(Collection<String> values) {
    if (values == null || values.isEmpty()) {
      return this;
    }
    ExactValueRule merged = ExactValueRule.of(secrets, values);
    return merged == secrets ? this : new Redactor(merged, patterns, emails, ipAddresses);
  }

  /**
   * A new Redactor that also masks matches of these regular expressions (route-level patterns such
   * as {@code PAT-[0-9]{8}}). Null patterns and empty matches are ignored.
   *
   * <p>All the patterns together get 100 ms per text; a text they overrun (a pattern that
   * backtracks catastrophically) is hidden entirely rather than let through.
   *
   * @param patterns the patterns; null is the same as empty
   * @return a redactor masking these matches too, or this one if there is nothing to add
   */
  public Redactor withPatterns(Collection<Pattern> patterns) {
    if (patterns == null || patterns.isEmpty()) {
      return this;
    }
    PatternRule merged = PatternRule.of(this.patterns, patterns, PatternRule.BUDGET_NANOS);
    return merged == this.patterns ? this : new Redactor(secrets, merged, emails, ipAddresses);
  }

  /**
   * A new Redactor that also replaces e-mail addresses and/or IPv4/IPv6 addresses by stable
   * pseudonyms: {@code "email-" + first 8 hex chars of HMAC-SHA256(address, a per-process random
   * key) + "@redacted.invalid"} for e-mails, and {@code "ip-" + 8 hex} for IPs. A pseudonym is
   * stable within one operator process, not reversible, and the same for addresses differing only
   * in letter case.
   *
   * <p>The switches only add: {@code false} keeps what this redactor already does.
   */
  public Redactor withAnonymization(boolean emails, boolean ipAddresses) {
    boolean e = this.emails || emails;
    boolean ip = this.ipAddresses || ipAddresses;
    return e == this.emails && ip == this.ipAddresses
        ? this
        : new Redactor(secrets, patterns, e, ip);
  }

  /**
   * The text with everything secret masked. Null gives null. Never throws: should a rule fail, the
   * whole text is hidden behind {@link #MASK}. A text with nothing to hide is returned as is,
   * without copying. Redacting a redacted text changes nothing, unless user patterns or secrets
   * match across the edge of a {@link #MASK} (a pattern like {@code \]x}).
   */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    try {
      // Texts are redacted again on their way (a check's message in status, then in an alert), so
      // redacting must change nothing the second time. Two things see to it: masks already in the
      // text stay whole, so a rule matching in or across one changes nothing; and the rules run
      // again on their own output until it is stable, since a mask can set a rule off (an address
      // that was glued to a hidden word stands alone once the word is a mask).
      String redacted = text;
      for (int pass = 0; pass < MAX_PASSES; pass++) {
        Spans found = null;
        for (Rule rule : rules) {
          found = rule.find(redacted, found);
        }
        String next = found == null ? redacted : found.maskAll(redacted, MASK).applyTo(redacted);
        if (next.equals(redacted)) {
          return redacted;
        }
        redacted = next;
      }
      return redacted;
    } catch (RuntimeException | StackOverflowError e) {
      // Fail closed. Neither the text nor the exception (which may quote it) may be logged here.
      return MASK;
    }
  }
}
