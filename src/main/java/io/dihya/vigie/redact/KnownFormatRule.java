package io.dihya.vigie.redact;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials recognisable by their own shape, whatever surrounds them: private keys, JWTs,
 * cloud and SaaS tokens, and the secret path of chat webhook URLs.
 *
 * <p>A pattern that can read far and then fail must not be tried at every position of a long run:
 * the JWT pattern only starts at the start of a word, and quantifiers followed by a character they
 * cannot match are possessive. Otherwise a text made of "eyJ" repeated costs quadratic time.
 *
 * <p>Every format starts with a fixed prefix; one {@link KeywordSet} pass finds the prefixes, and
 * only the formats announced run their regular expression.
 */
final class KnownFormatRule implements Rule {

  /** A format: the prefixes that announce it, its pattern, and the group to mask (0: all). */
  private record Format(List<String> prefixes, Pattern pattern, int group) {
    Format(String prefix, String regex, int group) {
      this(List.of(prefix), Pattern.compile(regex), group);
    }

    Format(List<String> prefixes, String regex) {
      this(prefixes, Pattern.compile(regex), 0);
    }

    Format(String prefix, String regex) {
      this(List.of(prefix), Pattern.compile(regex), 0);
    }
  }

  private static final List<Format> FORMATS =
      List.of(
          // PEM and OpenSSH private keys, to the END line or, when cut short, to the end of the
          // text.
          new Format(
              "-----BEGIN ",
              "(?s)-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----.*?"
                  + "(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|\\z)"),
          // JWT (and JWE): base64url JSON header, payload, signature.
          new Format(
              "eyJ", "(?<![\\w-])eyJ[\\w-]{4,}+\\.[\\w-]{4,}+\\.[\\w-]*+(?:\\.[\\w-]*+){0,2}"),
          new Format(
              List.of("AKIA", "ASIA", "ABIA", "ACCA"), "\\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b"),
          new Format(
              List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), "\\bgh[pousr]_[A-Za-z0-9]{20,255}"),
          new Format("github_pat_", "\\bgithub_pat_\\w{20,255}"),
          new Format("glpat-", "\\bglpat-[\\w-]{20,}"),
          new Format("xox", "\\bxox[abeoprs]-[A-Za-z0-9-]{10,}"),
          new Format("xapp-", "\\bxapp-\\d-[A-Za-z0-9-]{10,}"),
          new Format("AIza", "\\bAIza[\\w-]{35}"),
          new Format(List.of("sk_", "rk_"), "\\b[sr]k_(?:live|test)_[0-9A-Za-z]{8,}"),
          new Format("whsec_", "\\bwhsec_[\\w+/=-]{8,}"),
          new Format("SG.", "\\bSG\\.[\\w-]{16,}+\\.[\\w-]{16,}"),
          new Format("npm_", "\\bnpm_[A-Za-z0-9]{36}"),
          // Webhook URLs whose path is the secret: keep the host so the message says where.
          new Format(
              "hooks.slack.com/",
              "hooks\\.slack\\.com/(?:services|workflows|triggers)/([^\\s\"'<>?#]+)",
              1),
          new Format(".office.com/", "\\.office\\.com/webhook(?:b2)?/([^\\s\"'<>?#]+)", 1),
          new Format("/api/webhooks/", "discord(?:app)?\\.com/api/webhooks/([^\\s\"'<>?#]+)", 1));

  /** Every prefix of every format, and the format each one announces. */
  private static final KeywordSet PREFIXES;

  private static final Format[] FORMAT_OF_PREFIX;

  static {
    List<String> prefixes = new ArrayList<>();
    List<Format> formats = new ArrayList<>();
    for (Format format : FORMATS) {
      for (String prefix : format.prefixes()) {
        prefixes.add(prefix);
        formats.add(format);
      }
    }
    PREFIXES = new KeywordSet(false, prefixes.toArray(String[]::new));
    FORMAT_OF_PREFIX = formats.toArray(Format[]::new);
  }

  @Override
  public Spans find(String text, Spans found) {
    int i = PREFIXES.indexIn(text, 0, text.length());
    if (i < 0) {
      return found;
    }
    Set<Format> done = new HashSet<>();
    for (; i >= 0; i = PREFIXES.indexIn(text, i + 1, text.length())) {
      Format format = FORMAT_OF_PREFIX[PREFIXES.keywordAt(text, i)];
      if (!done.add(format)) {
        continue;
      }
      Matcher m = format.pattern().matcher(text);
      // Start a little before the prefix: a webhook pattern begins before it. From there on, the
      // matcher finds every later occurrence.
      if (m.find(Math.max(0, i - 16))) {
        do {
          found = Spans.orNew(found).mask(m.start(format.group()), m.end(format.group()));
        } while (m.find());
      }
    }
    return found;
  }
}
