package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.arbitraries.StringArbitrary;

/**
 * Properties of the {@link Redactor} on generated texts: secrets, whether it was told about them or
 * not, never come out of it, in any of the places and encodings real messages put them; it never
 * throws; redacting twice is redacting once; and ordinary messages come out as they went in.
 *
 * <p>A generated text comes with its <em>ideal</em> redaction (every planted secret replaced by
 * {@link Redactor#MASK}). A secret leaks when a piece of it ({@value #WINDOW} characters, or all of
 * it if shorter) shows in the redacted text but not in the ideal one: the comparison with the ideal
 * keeps a secret that happens to occur in the surrounding text from counting as a leak.
 */
class RedactorPropertiesTest {

  private static final String MASK = Redactor.MASK;

  /** The shortest piece of a secret that counts as a leak. */
  private static final int WINDOW = 6;

  // ----------------------------------------------------------------------------------------------
  // Known secrets (withSecrets): the value and its encodings, glued anywhere.
  // ----------------------------------------------------------------------------------------------

  @Property(tries = 400)
  void aKnownSecretNeverShowsInAnyEncoding(
      @ForAll("knownSecrets") String secret,
      @ForAll("secretEncodings") SecretEncoding encoding,
      @ForAll("filler") String before,
      @ForAll("filler") String after) {
    Planted planted = encoding.plant(secret);
    Planted text = Planted.plain(before).then(planted).then(after);

    String redacted = Redactor.standard().withSecrets(List.of(secret)).redact(text.text());

    assertHidden(text, redacted);
  }

  /** Many secrets at once, some inside others, each in its own encoding. */
  @Property(tries = 150)
  void manyKnownSecretsNeverShow(
      @ForAll("knownSecrets") String first,
      @ForAll("knownSecrets") String second,
      @ForAll("secretEncodings") SecretEncoding firstEncoding,
      @ForAll("secretEncodings") SecretEncoding secondEncoding,
      @ForAll("filler") String between,
      @ForAll("lineBreak") String lineBreak) {
    String nested = first + second; // a secret made of two others, say a connection string
    Planted text =
        firstEncoding
            .plant(first)
            .then(lineBreak + between)
            .then(secondEncoding.plant(second))
            .then(lineBreak)
            .then(secondEncoding.plant(nested));

    String redacted =
        Redactor.standard().withSecrets(List.of(first, second, nested)).redact(text.text());

    assertHidden(text, redacted);
  }

  // ----------------------------------------------------------------------------------------------
  // Secrets the redactor was not told about: its rules must find them by their place or shape.
  // ----------------------------------------------------------------------------------------------

  @Property(tries = 300)
  void credentialsInUrlsNeverShow(
      @ForAll("urlLeaks") Planted url,
      @ForAll("filler") String before,
      @ForAll("openers") String open,
      @ForAll("closers") String close,
      @ForAll("filler") String after) {
    assertStandardHides(Planted.plain(before + open).then(url).then(close + after));
  }

  @Property(tries = 300)
  void credentialsInHeadersNeverShow(
      @ForAll("headerLeaks") Planted headers, @ForAll("filler") String before) {
    assertStandardHides(Planted.plain(before + "\n").then(headers));
  }

  @Property(tries = 300)
  void credentialsInJsonNeverShow(
      @ForAll("jsonLeaks") Planted json,
      @ForAll("filler") String before,
      @ForAll("closers") String close) {
    assertStandardHides(Planted.plain(before + " ").then(json).then(close));
  }

  @Property(tries = 300)
  void credentialsInKeyValueTextNeverShow(
      @ForAll("pairLeaks") Planted pairs, @ForAll("filler") String before) {
    assertStandardHides(Planted.plain(before + " ").then(pairs));
  }

  @Property(tries = 300)
  void tokensOfKnownShapeNeverShow(
      @ForAll("formatLeaks") Planted token,
      @ForAll("filler") String before,
      @ForAll("openers") String open,
      @ForAll("wordEnds") String close,
      @ForAll("filler") String after) {
    assertStandardHides(Planted.plain(before + open).then(token).then(close + after));
  }

  @Property(tries = 300)
  void credentialsInExceptionMessagesNeverShow(@ForAll("exceptionLeaks") Planted message) {
    assertStandardHides(message);
  }

  /** Several leaks in one multi-line text: rules must not hide each other's secrets. */
  @Property(tries = 200)
  void credentialsInMultiLineTextNeverShow(
      @ForAll("multiLineLeaks") Planted text, @ForAll("knownSecrets") String unrelated) {
    assertStandardHides(text);
    assertHidden(text, Redactor.standard().withSecrets(List.of(unrelated)).redact(text.text()));
    assertHidden(
        text,
        Redactor.standard()
            .withAnonymization(true, true)
            .withPatterns(List.of(Pattern.compile("PAT-[0-9]{8}")))
            .redact(text.text()));
  }

  // ----------------------------------------------------------------------------------------------
  // Robustness: never throws, costs linear time, redacting twice is redacting once.
  // ----------------------------------------------------------------------------------------------

  /**
   * {@link Redactor#redact} catches what its rules throw and hides the whole text; that is a last
   * resort, not a code path, so every rule is called here directly on arbitrary text.
   */
  @Property(tries = 500)
  void noRuleThrowsOnArbitraryText(@ForAll("hostileText") String text) {
    assertNoRuleThrows(text);
    assertThat(everything().redact(text)).isNotNull();
  }

  /**
   * Large texts, a hostile fragment repeated between hostile text: linear time, and no rule throws
   * (a regular expression that recurses once per repetition overflows the stack).
   */
  @Property(tries = 10)
  void largeTextsCostLinearTimeAndBreakNoRule(@ForAll("largeTexts") String text) {
    long start = System.nanoTime();
    String redacted = everything().redact(text);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).as(escape(text.substring(0, 100))).isLessThan(Duration.ofSeconds(3));
    assertThat(redacted).isNotNull();
    assertNoRuleThrows(text);
  }

  /**
   * Every stress fragment after every other, repeated over a few kilobytes: enough for a regular
   * expression that recurses once per repetition to overflow the stack, as EmailRule's did after
   * {@code a@} on {@code a.a.a.}... Exhaustive, so that no pair is left to chance.
   */
  @Property(generation = GenerationMode.EXHAUSTIVE)
  void noRuleBreaksOnALongRun(@ForAll("stress") String opener, @ForAll("stress") String run) {
    assertNoRuleThrows(opener + repeatTo(run, 6_000) + opener);
  }

  private static final List<Rule> RULES =
      List.of(
          new UrlUserInfoRule(),
          new NamedValueRule(),
          new AuthSchemeRule(),
          new KnownFormatRule(),
          new EmailRule(),
          new IpAddressRule(),
          ExactValueRule.of(null, List.of("hunter2-secret", "p@ss w0rd\n", "\uD800\uDC00abc")),
          PatternRule.of(null, List.of(Pattern.compile("PAT-[0-9]{8}")), Long.MAX_VALUE / 4));

  private static void assertNoRuleThrows(String text) {
    for (Rule rule : RULES) {
      assertThatCode(
              () -> {
                Spans found = rule.find(text, null);
                if (found != null) {
                  found.applyTo(text);
                }
              })
          .as("%s on %s", rule.getClass().getSimpleName(), escape(text))
          .doesNotThrowAnyException();
    }
  }

  @Property(tries = 400)
  void redactingTwiceIsRedactingOnce(@ForAll("anyText") String text) {
    for (Redactor redactor :
        List.of(
            Redactor.standard(),
            Redactor.standard().withSecrets(List.of("hunter2-secret", "s3cr3t/p@ss+wörd")),
            everything())) {
      String once = redactor.redact(text);
      assertThat(redactor.redact(once)).as(escape(text)).isEqualTo(once);
    }
  }

  /**
   * The Javadoc promises that host names, paths, status codes, durations, Kubernetes names and
   * reasons stay, and that a text with nothing to hide comes back as is. The names are made of
   * words that are, or contain, credential names: {@code auth-db}, {@code session-cache}.
   */
  @Property(tries = 400)
  void ordinaryMessagesComeBackAsTheyWent(@ForAll("ordinaryMessages") String message) {
    assertThat(Redactor.standard().redact(message)).as(escape(message)).isSameAs(message);
    assertThat(
            Redactor.standard()
                .withSecrets(List.of("hunter2-secret"))
                .withPatterns(List.of(Pattern.compile("PAT-[0-9]{8}")))
                .redact(message))
        .as(escape(message))
        .isEqualTo(message);
  }

  // ----------------------------------------------------------------------------------------------
  // Assertions
  // ----------------------------------------------------------------------------------------------

  /** A text with secrets planted, and the same text with every secret replaced by the mask. */
  record Planted(String text, String ideal, List<String> secrets) {

    static Planted plain(String text) {
      return new Planted(text, text, List.of());
    }

    /** A secret written as {@code written}; neither it nor {@code also} (say, decoded) may show. */
    static Planted secret(String written, String... also) {
      List<String> secrets = new ArrayList<>();
      secrets.add(written);
      secrets.addAll(List.of(also));
      return new Planted(written, MASK, secrets);
    }

    Planted then(Planted next) {
      List<String> secrets = new ArrayList<>(this.secrets);
      secrets.addAll(next.secrets);
      return new Planted(text + next.text, ideal + next.ideal, secrets);
    }

    Planted then(String literal) {
      return new Planted(text + literal, ideal + literal, secrets);
    }

    static Planted join(String separator, List<Planted> parts) {
      Planted all = plain("");
      for (int i = 0; i < parts.size(); i++) {
        all = (i == 0 ? all : all.then(separator)).then(parts.get(i));
      }
      return all;
    }

    @Override
    public String toString() {
      return escape(text);
    }
  }

  private static void assertStandardHides(Planted text) {
    assertHidden(text, Redactor.standard().redact(text.text()));
  }

  private static void assertHidden(Planted text, String redacted) {
    String unwrappedRedacted = withoutLineBreaks(redacted);
    String unwrappedIdeal = withoutLineBreaks(text.ideal());
    for (String secret : text.secrets()) {
      int w = Math.min(WINDOW, secret.length());
      for (int i = 0; i + w <= secret.length(); i++) {
        String piece = secret.substring(i, i + w);
        boolean leaked =
            (redacted.contains(piece) && !text.ideal().contains(piece))
                || (unwrappedRedacted.contains(piece) && !unwrappedIdeal.contains(piece));
        if (leaked) {
          fail(
              "secret %s leaked (%s) from%n  text:     %s%n  redacted: %s",
              escape(secret), escape(piece), escape(text.text()), escape(redacted));
        }
      }
    }
  }

  private static String withoutLineBreaks(String text) {
    return text.replace("\r", "").replace("\n", "");
  }

  private static Redactor everything() {
    return Redactor.standard()
        .withSecrets(List.of("hunter2-secret", "s3cr3t/p@ss+wörd"))
        .withPatterns(List.of(Pattern.compile("PAT-[0-9]{8}")))
        .withAnonymization(true, true);
  }

  private static String repeatTo(String fragment, int length) {
    StringBuilder out = new StringBuilder(length + fragment.length());
    while (out.length() < length) {
      out.append(fragment);
    }
    return out.toString();
  }

  /** Java-like escapes for failure messages: control characters and non-ASCII made visible. */
  static String escape(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("\"");
    int shown = Math.min(text.length(), 600);
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append(text.length() > shown ? "\"..." : "\"").toString();
  }

  // ----------------------------------------------------------------------------------------------
  // Building blocks
  // ----------------------------------------------------------------------------------------------

  /** Names that say their value is a credential, as services and libraries spell them. */
  private static final List<String> CREDENTIAL_NAMES =
      List.of(
          "token",
          "access_token",
          "refresh_token",
          "id_token",
          "auth_token",
          "authToken",
          "api_key",
          "apiKey",
          "api-key",
          "apikey",
          "key",
          "password",
          "passwd",
          "pwd",
          "pass",
          "passphrase",
          "secret",
          "client_secret",
          "clientSecret",
          "secret_access_key",
          "sig",
          "signature",
          "X-Amz-Signature",
          "X-Amz-Credential",
          "X-Amz-Security-Token",
          "X-Goog-Signature",
          "auth",
          "session",
          "session_id",
          "sessionid",
          "JSESSIONID",
          "jwt",
          "private_key",
          "privateKey",
          "credentials",
          "routing_key",
          "AccountKey",
          "SharedAccessKey",
          "GITHUB_TOKEN");

  private static final List<String> NAME_PREFIXES =
      List.of("", "", "", "db_", "DB_", "db.", "x-", "upstream_", "spring.datasource.");

  /** Header names whose value is a credential up to the end of the line. */
  private static final List<String> HEADER_NAMES =
      List.of(
          "Authorization",
          "Proxy-Authorization",
          "Cookie",
          "Set-Cookie",
          "X-Api-Key",
          "Api-Key",
          "X-Auth-Token",
          "X-Vault-Token",
          "X-Amz-Security-Token",
          "Private-Token",
          "X-Goog-Api-Key",
          "Ocp-Apim-Subscription-Key",
          "X-Csrf-Token",
          "X-Hub-Signature-256",
          "Stripe-Signature",
          "X-Registry-Auth",
          "X-Session-Id",
          "X-Shopify-Access-Token");

  private static final List<String> WORDS =
      List.of(
          "GET",
          "answered",
          "503",
          "timeout",
          "after",
          "5s",
          "orders.shop.svc",
          "connection",
          "refused",
          "HealthProbe",
          "shop/orders",
          "expected",
          "200-399",
          "the",
          "and",
          "error",
          "failed",
          "é",
          "日本語",
          "\uD83D\uDE00",
          "\u00a0",
          "ok",
          "status",
          "ready",
          "x");

  private static final List<String> PUNCTUATION =
      List.of(" ", " ", " ", ", ", ". ", "; ", ": ", " - ", "(", ")", "\t", "\n", "\r\n", "/");

  /** Ordinary text around the secrets: words, punctuation, non-ASCII, line breaks. */
  @Provide
  Arbitrary<String> filler() {
    Arbitrary<String> piece =
        Arbitraries.frequencyOf(
            Tuple.of(5, Arbitraries.of(WORDS)),
            Tuple.of(4, Arbitraries.of(PUNCTUATION)),
            Tuple.of(1, Arbitraries.strings().all().ofMaxLength(4)));
    return piece.list().ofMaxSize(12).map(p -> String.join("", p));
  }

  @Provide
  Arbitrary<String> lineBreak() {
    return Arbitraries.of("\n", "\r\n", "\r", "\n\n", "\n\t", "\r\n    ");
  }

  /** What may come right before a URL or a token in a message. */
  @Provide
  Arbitrary<String> openers() {
    return Arbitraries.of(
        " ", "\n", "\r\n", "\t", " (", " \"", " '", " <", ": ", "=", " [", "\n> ");
  }

  /** What may come right after one. */
  @Provide
  Arbitrary<String> closers() {
    return Arbitraries.of("", " ", "\n", "\r\n", "\"", "'", ">", ")", ", then", ". Next", "\t|");
  }

  /** What ends a token that is only recognised as a whole word. */
  @Provide
  Arbitrary<String> wordEnds() {
    return Arbitraries.of(" ", "\n", "\r\n", "\"", "'", ">", ")", ", then", ". Next", "\t|");
  }

  /** Secrets of every make: words, symbols, quotes, white space, non-ASCII, emoji. */
  @Provide
  Arbitrary<String> knownSecrets() {
    Arbitrary<String> piece =
        Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(8)),
            Tuple.of(
                4,
                Arbitraries.strings().withChars("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").ofLength(1)),
            Tuple.of(
                2,
                Arbitraries.of(
                    " ",
                    "\t",
                    "\n",
                    "\r\n",
                    "é",
                    "ß",
                    "€",
                    "日本",
                    "\uD83D\uDE00",
                    "\u0001",
                    "\u007f",
                    "\u00a0",
                    "\u2028")));
    return piece
        .list()
        .ofMinSize(1)
        .ofMaxSize(10)
        .map(p -> String.join("", p))
        .filter(s -> s.length() >= 4 && !s.isBlank() && !MASK.contains(s));
  }

  /** Letters and digits with single inner punctuation that never ends an unquoted value. */
  @Provide
  Arbitrary<String> unquotedSecrets() {
    Arbitrary<String> word = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(8);
    Arbitrary<String> inner =
        Arbitraries.of(".", "-", "_", "~", "+", "/", "!", "$", "*", ":", "@", "=", "%", ",", ";");
    return Combinators.combine(
            word, Combinators.combine(inner, word).as(String::concat).list().ofMaxSize(6))
        .as((first, rest) -> first + String.join("", rest))
        .filter(s -> s.length() >= 8)
        .map(s -> s.length() > 60 ? s.substring(0, 60) : s)
        .filter(s -> Character.isLetterOrDigit(s.charAt(s.length() - 1)));
  }

  /** RFC 6750 b64token: what Bearer credentials are made of. */
  @Provide
  Arbitrary<String> bearerTokens() {
    return Combinators.combine(
            Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars("-._~+/")
                .ofMinLength(8)
                .ofMaxLength(60)
                .filter(s -> Character.isLetterOrDigit(s.charAt(0))),
            Arbitraries.of("", "", "=", "=="))
        .as(String::concat);
  }

  @Provide
  Arbitrary<String> credentialNames() {
    return Combinators.combine(
            Arbitraries.of(NAME_PREFIXES), Arbitraries.of(CREDENTIAL_NAMES), casings())
        .as((prefix, name, casing) -> casing.apply(prefix + name));
  }

  private static Arbitrary<Function<String, String>> casings() {
    return Arbitraries.of(
        List.<Function<String, String>>of(
            s -> s,
            s -> s,
            s -> s.toLowerCase(Locale.ROOT),
            s -> s.toUpperCase(Locale.ROOT),
            s -> s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1)));
  }

  private static Arbitrary<String> dnsNames() {
    Arbitrary<String> label =
        Arbitraries.of("orders", "shop", "db", "api", "redis", "cache", "svc", "v2", "eu-west-1");
    return label.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
  }

  private static Arbitrary<String> ports() {
    return Arbitraries.oneOf(
        Arbitraries.just(""), Arbitraries.integers().between(1, 65535).map(p -> ":" + p));
  }

  private static Arbitrary<String> paths() {
    return Arbitraries.of(
        "", "/", "/healthz", "/api/v1/orders", "/oauth/token", "/cb", "/a/b.json");
  }

  // ---- URLs -------------------------------------------------------------------------------------

  @Provide
  Arbitrary<Planted> urlLeaks() {
    return Arbitraries.oneOf(userInfoLeaks(), queryLeaks());
  }

  private Arbitrary<Planted> userInfoLeaks() {
    Arbitrary<String> scheme =
        Arbitraries.of(
            "http",
            "https",
            "HTTPS",
            "postgres",
            "postgresql",
            "jdbc:postgresql",
            "redis",
            "rediss",
            "mongodb+srv",
            "amqp",
            "ftp",
            "git+ssh",
            "mysql",
            "s3");
    Arbitrary<String> user =
        Arbitraries.oneOf(
            Arbitraries.just(""),
            Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(8).map(u -> u + ":"),
            Arbitraries.just(":"));
    // Anything an authority can hold unencoded, '@' and ':' included, or percent-encoded.
    Arbitrary<String> password =
        Arbitraries.oneOf(
            Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars("-._~!$&()*+,;=:@%")
                .ofMinLength(8)
                .ofMaxLength(40),
            knownSecrets().map(s -> percentEncode(s, "", false, false)));
    Arbitrary<String> host =
        Arbitraries.oneOf(dnsNames(), Arbitraries.of("10.0.0.7", "[::1]", "[fd00::7]"))
            .flatMap(h -> ports().map(p -> h + p));
    Arbitrary<String> rest = Arbitraries.of("", "/", "/app", "/0", "?ssl=true", "#top", "/a?b=c");
    return Combinators.combine(scheme, user, password, host, rest)
        .as(
            (s, u, p, h, r) ->
                Planted.plain(s + "://").then(Planted.secret(u + p, p)).then("@" + h + r));
  }

  private Arbitrary<Planted> queryLeaks() {
    Arbitrary<String> value =
        Arbitraries.oneOf(
            unquotedSecrets(),
            knownSecrets().map(s -> percentEncode(s, "", true, false)),
            knownSecrets().map(s -> percentEncode(s, "-._~", false, true)));
    Arbitrary<String> name =
        Arbitraries.oneOf(credentialNames(), Arbitraries.of("code", "CODE", "Code"));
    Arbitrary<List<String>> others =
        Arbitraries.of(
                "page=2",
                "state=xyz",
                "scope=openid%20email",
                "x=1",
                "token_type=bearer",
                "expires_in=3600",
                "redirect_uri=https%3A%2F%2Fapp%2Fcb",
                "flag")
            .list()
            .ofMaxSize(3);
    Arbitrary<String> start =
        Combinators.combine(
                Arbitraries.of("https://", "http://", "HTTP://"), dnsNames(), ports(), paths())
            .as((s, h, p, path) -> s + h + p + path);
    Arbitrary<String> delimiter = Arbitraries.of("?", "#", "?a=b#", "?", "?");
    return Combinators.combine(start, delimiter, others, name, value, others)
        .as(
            (url, d, before, n, v, after) -> {
              String head =
                  url + d + before.stream().map(p -> p + "&").collect(Collectors.joining());
              return Planted.plain(head + n + "=")
                  .then(Planted.secret(v))
                  .then(after.stream().map(p -> "&" + p).collect(Collectors.joining()));
            });
  }

  // ---- Headers ----------------------------------------------------------------------------------

  @Provide
  Arbitrary<Planted> headerLeaks() {
    Arbitrary<Function<String, String>> casing =
        Arbitraries.of(
            List.<Function<String, String>>of(
                s -> s, s -> s, s -> s.toLowerCase(Locale.ROOT), s -> s.toUpperCase(Locale.ROOT)));
    Arbitrary<String> separator = Arbitraries.of(": ", ":", ":\t", ":  ", " : ");
    Arbitrary<Planted> value = headerValues();
    Arbitrary<String> name = Arbitraries.of(HEADER_NAMES);
    Arbitrary<String> linePrefix = Arbitraries.of("", "", "> ", "< ", "  ", "\t", "header ");
    Arbitrary<String> lineBreak = Arbitraries.of("\n", "\r\n");
    Arbitrary<List<String>> others =
        Arbitraries.of(
                "Host: orders.shop.svc",
                "Accept: */*",
                "User-Agent: vigie/1.0",
                "Content-Type: application/json",
                "X-Request-Id: 42")
            .list()
            .ofMaxSize(3);
    Arbitrary<Integer> form = Arbitraries.integers().between(0, 4);
    return Combinators.combine(casing, name, separator, value, linePrefix, lineBreak, others, form)
        .as(
            (c, n, sep, v, prefix, br, extra, f) -> {
              String header = c.apply(n);
              switch (f) {
                case 0: // curl -H '...'
                  if (v.text().contains("'")) {
                    return Planted.plain("curl -H \"" + header + sep)
                        .then(shellDoubleQuoted(v))
                        .then("\" https://h");
                  }
                  return Planted.plain("curl -sv -H '" + header + sep).then(v).then("' https://h");
                case 1: // Java's Map.toString() of the headers
                  if (v.text().contains("]") || v.text().contains("[")) {
                    return Planted.plain(prefix + header + sep).then(v);
                  }
                  return Planted.plain("headers {" + header + "=[")
                      .then(v)
                      .then("], Accept=[*/*]}");
                case 2: // Go's map[...]
                  if (v.text().contains("]") || v.text().contains("[")) {
                    return Planted.plain(prefix + header + sep).then(v);
                  }
                  return Planted.plain("map[" + header + ":[").then(v).then("] Accept:[*/*]]");
                default: // header lines
                  List<Planted> lines = new ArrayList<>();
                  extra.forEach(e -> lines.add(Planted.plain(prefix + e)));
                  lines.add(
                      Math.min(f - 3, lines.size()), Planted.plain(prefix + header + sep).then(v));
                  return Planted.join(br, lines).then(br);
              }
            });
  }

  /** Values as each kind of header carries them; the credential part is what must not show. */
  private Arbitrary<Planted> headerValues() {
    Arbitrary<Planted> schemes =
        Combinators.combine(
                Arbitraries.of(
                    "Bearer ",
                    "bearer ",
                    "Basic ",
                    "Token ",
                    "ApiKey ",
                    "AWS4-HMAC-SHA256 Credential="),
                bearerTokens())
            .as((scheme, token) -> Planted.plain(scheme).then(Planted.secret(token)));
    Arbitrary<Planted> digest =
        unquotedSecrets()
            .map(
                r ->
                    Planted.plain("Digest username=\"bob\", realm=\"shop\", response=\"")
                        .then(Planted.secret(r))
                        .then("\""));
    Arbitrary<Planted> cookies =
        Combinators.combine(
                Arbitraries.of("SESSIONID", "session", "sid", "_gh_sess", "remember_me", "theme"),
                unquotedSecrets(),
                Arbitraries.of("", "; Path=/", "; Path=/; HttpOnly; Secure", "; theme=dark"))
            .as((n, v, rest) -> Planted.plain(n + "=").then(Planted.secret(v)).then(rest));
    // Opaque values: anything but a line break, not starting with a quote or bracket (those are
    // masked between their delimiters).
    Arbitrary<Planted> opaque =
        knownSecrets()
            .map(s -> s.replace("\r", "").replace("\n", "").strip())
            .filter(s -> s.length() >= 4 && "\"'[{".indexOf(s.charAt(0)) < 0)
            .map(Planted::secret);
    return Arbitraries.oneOf(schemes, digest, cookies, opaque);
  }

  // ---- JSON -------------------------------------------------------------------------------------

  @Provide
  Arbitrary<Planted> jsonLeaks() {
    Arbitrary<String> space = Arbitraries.of("", "", " ", "  ", "\n  ", "\r\n\t", "\t");
    Arbitrary<Planted> value =
        Arbitraries.oneOf(
            knownSecrets()
                .map(
                    s -> Planted.plain("\"").then(Planted.secret(jsonEscape(s, false))).then("\"")),
            Arbitraries.longs()
                .between(1000, Long.MAX_VALUE)
                .map(n -> Planted.secret(Long.toString(n))),
            Combinators.combine(knownSecrets(), knownSecrets())
                .as(
                    (a, b) ->
                        Planted.plain("{")
                            .then(
                                Planted.secret(
                                    "\"user\": \""
                                        + jsonEscape(a, false)
                                        + "\", \"p\": \""
                                        + jsonEscape(b, false)
                                        + "\"",
                                    jsonEscape(b, false)))
                            .then("}")),
            knownSecrets()
                .map(
                    s ->
                        Planted.plain("[")
                            .then(Planted.secret("\"" + jsonEscape(s, false) + "\""))
                            .then("]")));
    Arbitrary<Planted> pair =
        Combinators.combine(credentialNames(), space, space, value)
            .as((n, s1, s2, v) -> Planted.plain("\"" + n + "\"" + s1 + ":" + s2).then(v));
    Arbitrary<List<String>> siblings =
        Arbitraries.of(
                "\"user\": \"bob\"",
                "\"port\": 5432",
                "\"status\": \"DOWN\"",
                "\"code\": 503",
                "\"nested\": {\"a\": [1, 2]}",
                "\"note\": \"a:b, c=d\"")
            .list()
            .ofMaxSize(3);
    Arbitrary<Integer> depth = Arbitraries.integers().between(0, 2);
    Arbitrary<Integer> escapes = Arbitraries.integers().between(0, 2);
    return Combinators.combine(pair, siblings, siblings, depth, escapes, space)
        .as(
            (p, before, after, d, e, s) -> {
              Planted object = Planted.plain("{" + s);
              for (String b : before) {
                object = object.then(b + "," + s);
              }
              object = object.then(p);
              for (String a : after) {
                object = object.then("," + s + a);
              }
              object = object.then(s + "}");
              for (int i = 0; i < d; i++) {
                object = Planted.plain("{\"data\":" + s + "[").then(object).then("]}");
              }
              for (int i = 0; i < e; i++) {
                object = Planted.plain("{\"body\": \"").then(jsonEscaped(object)).then("\"}");
              }
              return object;
            });
  }

  /** The planted text escaped for a shell's double quotes; secrets are escaped alike. */
  private static Planted shellDoubleQuoted(Planted p) {
    Function<String, String> escape =
        s -> s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`");
    return new Planted(
        escape.apply(p.text()), escape.apply(p.ideal()), p.secrets().stream().map(escape).toList());
  }

  /** The planted text JSON-escaped as a string's content; secrets are escaped alike. */
  private static Planted jsonEscaped(Planted p) {
    // Escaping is character by character, so the escaped ideal is the escaped text with the
    // escaped secrets masked.
    String text = jsonEscape(p.text(), false);
    String ideal = jsonEscape(p.ideal(), false);
    List<String> secrets = p.secrets().stream().map(s -> jsonEscape(s, false)).toList();
    return new Planted(text, ideal, secrets);
  }

  // ---- key=value text ---------------------------------------------------------------------------

  @Provide
  Arbitrary<Planted> pairLeaks() {
    Arbitrary<Planted> unquoted =
        Combinators.combine(
                credentialNames(), Arbitraries.of("=", " = ", ": ", ":", "=\t"), unquotedSecrets())
            .as((n, sep, v) -> Planted.plain(n + sep).then(Planted.secret(v)));
    Arbitrary<Planted> quoted =
        Combinators.combine(
                credentialNames(),
                Arbitraries.of("=", ": ", " = "),
                Arbitraries.of("\"", "'"),
                knownSecrets())
            .as(
                (n, sep, q, v) -> {
                  String body =
                      v.replace("\\", "\\\\")
                          .replace(q, "\\" + q)
                          .replace("\n", "\\n")
                          .replace("\r", "\\r");
                  return Planted.plain(n + sep + q).then(Planted.secret(body)).then(q);
                });
    Arbitrary<Planted> flag =
        Combinators.combine(Arbitraries.of("--", "-"), credentialNames(), unquotedSecrets())
            .as(
                (dash, n, v) ->
                    Planted.plain(dash + n.replace('_', '-').replace('.', '-') + "=")
                        .then(Planted.secret(v)));
    Arbitrary<Planted> xml =
        Combinators.combine(Arbitraries.of("", "ns:", "wsse:"), credentialNames(), knownSecrets())
            .as(
                (ns, n, v) -> {
                  String body = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
                  return Planted.plain("<" + ns + n + ">")
                      .then(Planted.secret(body))
                      .then("</" + ns + n + ">");
                });
    Arbitrary<Planted> pair = Arbitraries.oneOf(unquoted, quoted, flag, xml);
    Arbitrary<String> ordinary =
        Arbitraries.of(
            "user=bob", "host=db", "port=5432", "level=error", "msg=\"x y\"", "reason: Timeout");
    Arbitrary<String> join = Arbitraries.of(" ", ", ", "; ", "\n", "\r\n", "&", "\n  ");
    Arbitrary<Integer> form = Arbitraries.integers().between(0, 2);
    return Combinators.combine(ordinary, pair, ordinary, join, form)
        .as(
            (a, p, b, j, f) ->
                switch (f) {
                  case 0 -> Planted.plain(a + j).then(p).then(j + b);
                  case 1 -> Planted.plain("config {" + a + ", ").then(p).then(", " + b + "}");
                  default -> Planted.plain("\n").then(p).then("\n" + b);
                });
  }

  // ---- Known formats ----------------------------------------------------------------------------

  @Provide
  Arbitrary<Planted> formatLeaks() {
    StringArbitrary b64url = Arbitraries.strings().alpha().numeric().withChars("-_");
    StringArbitrary alnum = Arbitraries.strings().alpha().numeric();
    StringArbitrary upperNum = Arbitraries.strings().withCharRange('A', 'Z').numeric();
    Arbitrary<Planted> jwt =
        Combinators.combine(
                b64url.ofMinLength(4).ofMaxLength(40),
                b64url.ofMinLength(4).ofMaxLength(80),
                b64url.ofMaxLength(60))
            .as((h, p, s) -> Planted.secret("eyJ" + h + ".eyJ" + p + "." + s));
    Arbitrary<Planted> simple =
        Arbitraries.oneOf(
                Combinators.combine(
                        Arbitraries.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), alnum.ofLength(36))
                    .as(String::concat),
                alnum.withChars('_').ofMinLength(22).ofMaxLength(82).map(s -> "github_pat_" + s),
                b64url.ofLength(20).map(s -> "glpat-" + s),
                Combinators.combine(
                        Arbitraries.of("xoxb-", "xoxp-", "xoxa-", "xoxs-"),
                        alnum.withChars('-').ofMinLength(10).ofMaxLength(60))
                    .as(String::concat),
                Combinators.combine(Arbitraries.of("AKIA", "ASIA"), upperNum.ofLength(16))
                    .as(String::concat),
                b64url.ofLength(35).map(s -> "AIza" + s),
                Combinators.combine(
                        Arbitraries.of("sk_live_", "sk_test_", "rk_live_"),
                        alnum.ofMinLength(8).ofMaxLength(99))
                    .as(String::concat),
                alnum.withChars("+/").ofMinLength(8).ofMaxLength(40).map(s -> "whsec_" + s),
                Combinators.combine(b64url.ofLength(22), b64url.ofLength(43))
                    .as((a, b) -> "SG." + a + "." + b),
                alnum.ofLength(36).map(s -> "npm_" + s))
            .map(Planted::secret);
    Arbitrary<Planted> pem =
        Combinators.combine(
                Arbitraries.of("", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED ", "DSA "),
                Arbitraries.of("\n", "\r\n", "\\n", "\\r\\n"),
                Arbitraries.strings()
                    .alpha()
                    .numeric()
                    .withChars("+/")
                    .ofMinLength(16)
                    .ofMaxLength(64)
                    .list()
                    .ofMinSize(1)
                    .ofMaxSize(4),
                Arbitraries.of(true, true, false))
            .as(
                (kind, br, lines, ended) -> {
                  String body = String.join(br, lines);
                  Planted key =
                      Planted.plain("-----BEGIN " + kind + "PRIVATE KEY-----" + br)
                          .then(Planted.secret(body));
                  return ended ? key.then(br + "-----END " + kind + "PRIVATE KEY-----") : key;
                });
    Arbitrary<Planted> webhooks =
        Arbitraries.oneOf(
            Combinators.combine(alnum.ofLength(9), alnum.ofLength(9), alnum.ofLength(24))
                .as(
                    (t, b, s) ->
                        Planted.plain("https://hooks.slack.com/services/")
                            .then(Planted.secret("T" + t + "/B" + b + "/" + s))),
            Combinators.combine(Arbitraries.strings().numeric().ofLength(18), b64url.ofLength(68))
                .as(
                    (id, s) ->
                        Planted.plain("https://discord.com/api/webhooks/")
                            .then(Planted.secret(id + "/" + s))));
    return Arbitraries.oneOf(jwt, simple, pem, webhooks);
  }

  // ---- Exception messages -----------------------------------------------------------------------

  @Provide
  Arbitrary<Planted> exceptionLeaks() {
    Arbitrary<String> host = dnsNames();
    Arbitrary<Planted> cause =
        Combinators.combine(
                host,
                unquotedSecrets(),
                bearerTokens(),
                knownSecrets(),
                Arbitraries.integers().between(0, 8))
            .as(
                (h, s, token, any, which) -> {
                  String encoded = percentEncode(any, "", true, false);
                  return switch (which) {
                    case 0 ->
                        Planted.plain(
                                "org.postgresql.util.PSQLException: Connection to postgresql://orders:")
                            .then(Planted.secret(encoded))
                            .then("@" + h + ":5432/app refused.");
                    case 1 ->
                        Planted.plain(
                                "java.net.URISyntaxException: Illegal character in query at index 31: https://"
                                    + h
                                    + "/cb?api_key=")
                            .then(Planted.secret(s))
                            .then(" x");
                    case 2 ->
                        Planted.plain(
                                "java.io.IOException: Server returned HTTP response code: 401 for URL: https://"
                                    + h
                                    + "/v1?access_token=")
                            .then(Planted.secret(s));
                    case 3 ->
                        Planted.plain(
                                "java.lang.IllegalArgumentException: Illegal character(s) in message header value: Bearer ")
                            .then(Planted.secret(token))
                            .then("\r\n");
                    case 4 ->
                        Planted.plain(
                                "redis.clients.jedis.exceptions.JedisConnectionException: Failed to connect to rediss://default:")
                            .then(Planted.secret(encoded))
                            .then("@" + h + ":6379");
                    case 5 ->
                        Planted.plain(
                                "com.fasterxml.jackson.core.JsonParseException: Unexpected character ('}' (code 125)) at [Source: (String)\"{\"password\":\"")
                            .then(Planted.secret(jsonEscape(any, false)))
                            .then("\",}\"; line: 1, column: 40]");
                    case 6 ->
                        Planted.plain(
                                "io.netty.handler.codec.http.HttpClientCodec: request headers {Authorization=[Basic ")
                            .then(
                                Planted.secret(
                                    Base64.getEncoder()
                                        .encodeToString(
                                            ("orders:" + any).getBytes(StandardCharsets.UTF_8))))
                            .then("], Host=[" + h + "]}");
                    case 7 ->
                        Planted.plain(
                                "io.fabric8.kubernetes.client.KubernetesClientException: Failure executing: GET at: https://"
                                    + h
                                    + "/api/v1/namespaces/shop/secrets?token=")
                            .then(Planted.secret(s))
                            .then(". Message: Unauthorized.");
                    default ->
                        Planted.plain(
                                "FATAL: password authentication failed for user \"orders\"; url jdbc:postgresql://"
                                    + h
                                    + ":5432/app?user=orders&password=")
                            .then(Planted.secret(encoded));
                  };
                });
    Arbitrary<String> frames =
        Arbitraries.of(
                "\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:352)",
                "\tat io.dihya.vigie.probe.check.PostgresProbeCheck.run(PostgresProbeCheck.java:88)",
                "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
                "\t... 12 more")
            .list()
            .ofMaxSize(3)
            .map(f -> f.stream().map(l -> "\n" + l).collect(Collectors.joining()));
    Arbitrary<String> head =
        Arbitraries.of(
            "",
            "check failed: ",
            "java.lang.RuntimeException: ",
            "Caused by: ",
            "HealthProbe shop/orders: ");
    return Combinators.combine(head, cause, frames, frames, Arbitraries.of(true, false))
        .as(
            (h, c, f1, f2, wrapped) ->
                wrapped
                    ? Planted.plain("java.util.concurrent.ExecutionException: " + h)
                        .then(c)
                        .then(f1 + "\nCaused by: ")
                        .then(c)
                        .then(f2)
                    : Planted.plain(h).then(c).then(f1));
  }

  // ---- Multi-line mixtures ----------------------------------------------------------------------

  @Provide
  Arbitrary<Planted> multiLineLeaks() {
    Arbitrary<Planted> any =
        Arbitraries.oneOf(
            urlLeaks(),
            headerLeaks(),
            jsonLeaks(),
            pairLeaks(),
            formatLeaks(),
            exceptionLeaks(),
            filler().map(Planted::plain));
    return Combinators.combine(any.list().ofMinSize(2).ofMaxSize(5), lineBreak())
        .as((parts, br) -> Planted.join(br, parts));
  }

  // ---- Hostile and arbitrary text ---------------------------------------------------------------

  /** Arbitrary characters, lone surrogates included, mixed with what sets the rules off. */
  @Provide
  Arbitrary<String> hostileText() {
    Arbitrary<String> trigger =
        Arbitraries.of(
            "://",
            "@",
            "Bearer ",
            "basic ",
            "Basic dXNlcjpw",
            "=",
            ":",
            "\"",
            "\\\"",
            "\\",
            "'",
            "{",
            "}",
            "[",
            "]",
            "<",
            "</",
            "<password>",
            "</password>",
            "eyJ",
            "eyJa.b",
            "-----BEGIN ",
            "PRIVATE KEY-----",
            "-----END ",
            "token",
            "password",
            "X-Api-Key",
            "Authorization",
            "%",
            "%C3%A9",
            "%2",
            "+",
            "\r\n",
            "\n",
            "\t",
            "\uD800",
            "\uDC00",
            "\uD83D\uDE00",
            "\u0000",
            "\uFFFF",
            "hooks.slack.com/services/",
            "AKIA",
            "SG.",
            "x@y.z",
            "10.0.0.1",
            "::",
            "fe80::1%eth0",
            "code=",
            "&",
            "?",
            "#",
            "hunter2-secret",
            "aHVudGVyMi1zZWNyZXQ",
            ",",
            ";",
            ")",
            "PAT-12345678",
            "[REDACTED]");
    Arbitrary<String> piece =
        Arbitraries.frequencyOf(
            Tuple.of(3, trigger),
            Tuple.of(2, Arbitraries.strings().all().ofMaxLength(6)),
            Tuple.of(2, Arbitraries.strings().ascii().ofMaxLength(6)));
    return piece.list().ofMaxSize(40).map(p -> String.join("", p));
  }

  /** Fragments that make a careless scanner or regular expression slow or deep. */
  private static final List<String> STRESS =
      List.of(
          "a.",
          "a1.",
          "a-",
          "eyJ",
          "eyJa.",
          "-----BEGIN ",
          "X-Token: a ",
          "password=\"a ",
          "token: \\\"",
          "{",
          "[",
          "\"",
          "\\",
          "https://",
          "a@",
          "1.2.",
          "::",
          "f:",
          "%4",
          "\\u",
          "Bearer ",
          "Basic ",
          "<a>",
          "</",
          "=",
          ":",
          "&",
          "\n",
          " ");

  @Provide
  Arbitrary<String> stress() {
    return Arbitraries.of(STRESS);
  }

  @Provide
  Arbitrary<String> largeTexts() {
    Arbitrary<String> fragment =
        Arbitraries.oneOf(
            Arbitraries.of(STRESS), hostileText().filter(f -> !f.isEmpty() && f.length() < 40));
    return Combinators.combine(
            hostileText(), fragment, Arbitraries.integers().between(20_000, 200_000), hostileText())
        .as((head, f, length, tail) -> head + repeatTo(f, length) + tail);
  }

  /** What redaction sees in practice: leaks, ordinary messages and hostile text, mixed. */
  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.oneOf(
        multiLineLeaks().map(Planted::text),
        ordinaryMessages(),
        hostileText(),
        Combinators.combine(multiLineLeaks(), hostileText()).as((p, h) -> p.text() + h));
  }

  // ---- Ordinary messages ------------------------------------------------------------------------

  /** Words of Kubernetes and host names, many of them credential words or containing one. */
  private static Arbitrary<String> k8sNames() {
    return Arbitraries.of(
            "orders",
            "shop",
            "api",
            "auth",
            "token",
            "secret",
            "key",
            "keys",
            "session",
            "pass",
            "passport",
            "cookie",
            "jwt",
            "code",
            "sig",
            "signal",
            "keycloak",
            "vault",
            "oauth",
            "login",
            "password",
            "credentials",
            "redis",
            "db",
            "cache",
            "gateway",
            "v2",
            "author")
        .list()
        .ofMinSize(1)
        .ofMaxSize(3)
        .map(w -> String.join("-", w))
        .filter(n -> !n.equals("bearer") && !n.equals("basic"));
  }

  private static Arbitrary<String> hostNames() {
    return Combinators.combine(
            k8sNames(),
            Arbitraries.of("", ".shop", ".shop.svc", ".shop.svc.cluster.local", ".example.com"))
        .as(String::concat);
  }

  /**
   * Host names to write before a port: their last part names no credential, or the name could be a
   * key and its value ({@code vault-token:8200}), which the Javadoc says is taken as one.
   */
  private static Arbitrary<String> hostNamesBeforeAPort() {
    return Combinators.combine(
            k8sNames(),
            Arbitraries.of("-db", "-cache", "-api", ".shop", ".shop.svc", ".example.com"))
        .as(String::concat);
  }

  @Provide
  Arbitrary<String> ordinaryMessages() {
    Arbitrary<Tuple.Tuple2<String, String>> hosts =
        Combinators.combine(hostNames(), hostNamesBeforeAPort()).as(Tuple::of);
    Arbitrary<String> name = k8sNames();
    Arbitrary<Integer> port = Arbitraries.integers().between(1, 65535);
    Arbitrary<Integer> status = Arbitraries.integers().between(100, 599);
    Arbitrary<String> duration =
        Arbitraries.integers()
            .between(1, 999)
            .flatMap(n -> Arbitraries.of("ms", "s", "m").map(u -> n + u));
    Arbitrary<String> path =
        Arbitraries.of(
            "/healthz", "/readyz", "/api/v1/orders", "/oauth/token", "/auth/session", "/keys");
    Arbitrary<Integer> template = Arbitraries.integers().between(0, 12);
    return Combinators.combine(template, hosts, name, port, status, duration, path, name)
        .as(
            (t, hs, n, p, s, d, pa, ns) -> {
              String h = hs.get1();
              String hostPort = hs.get2() + ":" + p;
              return switch (t) {
                case 0 ->
                    "GET http://" + h + ":" + p + pa + " answered " + s + ", expected 200-399";
                case 1 ->
                    "GET https://" + h + pa + " timed out after " + d + " (timeout " + d + ")";
                case 2 -> "tcp " + hostPort + ": no answer within " + d;
                case 3 -> "redis " + hostPort + ": connection refused";
                case 4 -> "HealthProbe " + ns + "/" + n + ": 3 consecutive failures, last: " + s;
                case 5 -> "Deployment " + ns + "/" + n + " has 2/3 ready replicas";
                case 6 -> "Secret " + ns + "/" + n + " has no key \"" + n + "\"";
                case 7 -> "DNS lookup of " + h + " returned NXDOMAIN";
                case 8 -> "TLS certificate of " + h + " expires in 6d, minimum 14d";
                case 9 -> "FATAL: password authentication failed for user \"" + n + "\"";
                case 10 -> "postgres " + n + "@" + h + ":" + p + "/app: connection refused";
                case 11 -> "Connection to " + hostPort + " refused.";
                default -> "pod " + n + "-7d9f8b6c4-x2x9z is not ready after " + d;
              };
            });
  }

  // ---- Known-secret encodings -------------------------------------------------------------------

  /** One way of writing a known secret into a text; its name says which, for failure reports. */
  record SecretEncoding(String name, Function<String, Planted> encoder) {
    Planted plant(String secret) {
      return encoder.apply(secret);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  @Provide
  Arbitrary<SecretEncoding> secretEncodings() {
    Arbitrary<SecretEncoding> raw =
        Arbitraries.of(
            new SecretEncoding("raw", Planted::secret),
            new SecretEncoding(
                "raw, stripped",
                s ->
                    s.strip().length() >= SecretVariants.MIN_LENGTH
                        ? Planted.secret(s.strip())
                        : Planted.secret(s)));
    // Encoders differ in the characters they leave alone: URLEncoder, encodeURIComponent, Go's
    // QueryEscape, Python's quote, Spring's query encoding.
    Arbitrary<SecretEncoding> percent =
        Combinators.combine(
                Arbitraries.of(
                    "", "-._~", "-._*", "-._~!'()*", "-._~/", "-._~!$'()*,;:@/?", "-._~+&="),
                Arbitraries.of(true, false),
                Arbitraries.of(true, false))
            .as(
                (safe, plus, lower) ->
                    new SecretEncoding(
                        "percent(safe=" + safe + ", plus=" + plus + ", lower=" + lower + ")",
                        s -> Planted.secret(percentEncode(s, safe, plus, lower))));
    Arbitrary<SecretEncoding> json =
        Arbitraries.of(true, false)
            .map(
                nonAscii ->
                    new SecretEncoding(
                        "json(nonAscii escaped=" + nonAscii + ")",
                        s -> Planted.secret(jsonEscape(s, nonAscii))));
    Arbitrary<SecretEncoding> base64 =
        Combinators.combine(
                Arbitraries.of(true, false),
                Arbitraries.of(true, false),
                Arbitraries.of("", "u:", "user:", "ab", "\n", "{\"password\": \""),
                Arbitraries.of("", "\n", "\"}", "@host"),
                Arbitraries.of(0, 0, 76, 64, 20))
            .as(
                (urlSafe, padded, prefix, suffix, wrap) ->
                    new SecretEncoding(
                        "base64(urlSafe="
                            + urlSafe
                            + ", padded="
                            + padded
                            + ", prefix="
                            + escape(prefix)
                            + ", suffix="
                            + escape(suffix)
                            + ", wrap="
                            + wrap
                            + ")",
                        s -> base64(s, urlSafe, padded, prefix, suffix, wrap)));
    return Arbitraries.oneOf(raw, percent, json, base64);
  }

  /**
   * base64 of {@code prefix + secret + suffix}; the characters that only the secret's bytes decide
   * must not show (the one before and after mix its bits with the neighbours').
   */
  private static Planted base64(
      String secret, boolean urlSafe, boolean padded, String prefix, String suffix, int wrap) {
    Base64.Encoder encoder = urlSafe ? Base64.getUrlEncoder() : Base64.getEncoder();
    if (!padded) {
      encoder = encoder.withoutPadding();
    }
    byte[] before = prefix.getBytes(StandardCharsets.UTF_8);
    byte[] value = secret.getBytes(StandardCharsets.UTF_8);
    byte[] after = suffix.getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[before.length + value.length + after.length];
    System.arraycopy(before, 0, all, 0, before.length);
    System.arraycopy(value, 0, all, before.length, value.length);
    System.arraycopy(after, 0, all, before.length + value.length, after.length);
    String encoded = encoder.encodeToString(all);
    int first = (8 * before.length + 5) / 6;
    int end = 8 * (before.length + value.length) / 6;
    String core = encoded.substring(first, end);
    Planted planted =
        Planted.plain(encoded.substring(0, first))
            .then(Planted.secret(core))
            .then(encoded.substring(end));
    return wrap == 0 ? planted : wrapped(planted, wrap);
  }

  /** Line breaks every {@code width} characters of the text, as base64 tools write it. */
  private static Planted wrapped(Planted p, int width) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < p.text().length(); i += width) {
      text.append(i == 0 ? "" : "\n").append(p.text(), i, Math.min(p.text().length(), i + width));
    }
    // The ideal keeps the secret's mask whole; assertHidden also compares texts without line
    // breaks, which is how a reader would join the pieces.
    return new Planted(text.toString(), p.ideal(), p.secrets());
  }

  static String percentEncode(String s, String safe, boolean plusForSpace, boolean lowerHex) {
    if (plusForSpace) {
      safe = safe.replace("+", ""); // or a '+' could not be told from a space
    }
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || (c < 0x80 && safe.indexOf(c) >= 0)) {
        out.append(c);
      } else if (c == ' ' && plusForSpace) {
        out.append('+');
      } else {
        String hex = String.format("%%%02X", (int) c);
        out.append(lowerHex ? hex.toLowerCase(Locale.ROOT) : hex);
      }
    }
    return out.toString();
  }

  static String jsonEscape(String s, boolean escapeNonAscii) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || (escapeNonAscii && c > 0x7e)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
