package io.dihya.vigie.alert.sink;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

/** Small text helpers the chat and pager sinks share. */
final class AlertText {

  /** Longest runbook URL linked. */
  static final int MAX_URL = 2_000;

  private AlertText() {}

  /** ns/probe, or the fingerprint when the labels say neither. */
  static String probe(Notification.Alert a) {
    Map<String, String> labels = a.labels() == null ? Map.of() : a.labels();
    String namespace = labels.get("namespace");
    String probe = labels.get("probe");
    if (probe == null || probe.isBlank()) {
      return a.fingerprint() == null ? "unknown probe" : a.fingerprint();
    }
    return namespace == null || namespace.isBlank() ? probe : namespace + "/" + probe;
  }

  /**
   * The runbook URL when it is an absolute http(s) URL with a host and not absurdly long; null
   * otherwise. {@link URI} refuses spaces, {@code <}, {@code >} and {@code |}, so it cannot break
   * out of a Slack link.
   */
  static URI runbook(String value) {
    if (value == null || value.isBlank() || value.strip().length() > MAX_URL) {
      return null;
    }
    try {
      URI uri = new URI(value.strip());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
          ? uri
          : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /** Cuts to {@code max} UTF-16 units ending with "…", never inside a surrogate pair. */
  static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = max - 1;
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + "…";
  }
}
