package io.dihya.vigie.kube;

import io.dihya.vigie.api.v1alpha1.ClientTls;
import io.dihya.vigie.api.v1alpha1.DurationFormat;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.Limits;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/**
 * The problems found in a spec, each naming the field to fix. Messages carry field paths and fixed
 * text, never a field's value, so they cannot leak what a user put in the spec.
 */
public final class SpecProblems {

  private static final int MAX_MESSAGE = 1024;

  private static final java.util.regex.Pattern HEADER_NAME =
      java.util.regex.Pattern.compile(HttpHeader.TOKEN);

  private final List<String> problems = new ArrayList<>();

  /** Records a problem at {@code path}, e.g. {@code spec.http.url}. */
  public void add(String path, String problem) {
    problems.add(path + ": " + problem);
  }

  /** Whether a problem is recorded at {@code path} already. */
  public boolean has(String path) {
    String prefix = path + ": ";
    return problems.stream().anyMatch(problem -> problem.startsWith(prefix));
  }

  /** Records a problem when {@code condition} is true. */
  public void check(boolean condition, String path, String problem) {
    if (condition) {
      add(path, problem);
    }
  }

  /**
   * Parses a duration field; records a problem and returns empty when it is missing, malformed or
   * shorter than {@code min}.
   */
  public Optional<Duration> duration(String path, String value, Duration min) {
    return duration(path, value, min, null);
  }

  /**
   * Parses a duration field; records a problem and returns empty when it is missing, malformed,
   * shorter than {@code min} or longer than {@code max} (none when null).
   */
  public Optional<Duration> duration(String path, String value, Duration min, Duration max) {
    if (value == null) {
      add(path, "required");
      return Optional.empty();
    }
    Optional<Duration> parsed = DurationFormat.parse(value);
    if (parsed.isEmpty()) {
      add(path, "not a duration; write it like 30s, 5m, 1h30m or 14d");
    } else if (parsed.get().compareTo(min) < 0) {
      add(path, "must be at least " + describe(min));
      return Optional.empty();
    } else if (max != null && parsed.get().compareTo(max) > 0) {
      add(path, "must be at most " + describe(max));
      return Optional.empty();
    }
    return parsed;
  }

  /**
   * Records a problem for every header whose name is not an HTTP token (a line break there would
   * forge the headers that follow), or that sets both or neither of value and valueFrom. Values are
   * checked by {@link SpecBounds}.
   */
  public void headers(String path, List<HttpHeader> headers) {
    if (headers.size() > Limits.HEADERS) {
      return; // reported by SpecBounds, and not worth looking into
    }
    for (int i = 0; i < headers.size(); i++) {
      HttpHeader header = headers.get(i);
      String name = header.name;
      if (name == null) {
        add(path + "[" + i + "].name", "required");
      } else if (name.length() <= Limits.HEADER_NAME && !HEADER_NAME.matcher(name).matches()) {
        add(
            path + "[" + i + "].name",
            "not a header name: letters, digits and !#$%&'*+-.^_`|~ only, no spaces or line"
                + " breaks");
      }
      check(
          (header.value == null) == (header.valueFrom == null),
          path + "[" + i + "]",
          "set exactly one of value and valueFrom");
    }
  }

  /** Records a problem when a client certificate is given without its key, or the reverse. */
  public void clientCertificate(String path, SecretKeyRef cert, SecretKeyRef key) {
    check(
        (cert == null) != (key == null),
        path,
        "certSecretRef and keySecretRef go together: set both or neither");
  }

  /** Checks the certificate pairing of an optional TLS block. */
  public void tls(String path, ClientTls tls) {
    if (tls != null) {
      clientCertificate(path, tls.certSecretRef, tls.keySecretRef);
    }
  }

  /**
   * Records a problem when {@code regex} is not a valid Java regular expression. One longer than
   * {@link Limits#REGEX} is not compiled: {@link SpecBounds} reports it.
   */
  public void regex(String path, String regex) {
    if (regex.length() > Limits.REGEX) {
      return;
    }
    try {
      java.util.regex.Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      // getDescription() names the error without echoing the pattern.
      add(path, "not a valid regular expression: " + e.getDescription());
    } catch (StackOverflowError e) {
      add(path, "not a valid regular expression: nested too deeply");
    }
  }

  private static String describe(Duration d) {
    if (d.toMillis() % 86_400_000 == 0 && d.toDays() > 1) { // 24h reads better than 1d
      return d.toDays() + "d";
    }
    if (d.toMillis() % 3_600_000 == 0) {
      return d.toHours() + "h";
    }
    if (d.toMillis() % 60_000 == 0) {
      return d.toMinutes() + "m";
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public List<String> list() {
    return List.copyOf(problems);
  }

  /** One message for a condition: every problem, separated by "; ", cut to 1 kB. */
  public String message() {
    String joined = String.join("; ", problems);
    return joined.length() <= MAX_MESSAGE ? joined : joined.substring(0, MAX_MESSAGE - 3) + "...";
  }
}
