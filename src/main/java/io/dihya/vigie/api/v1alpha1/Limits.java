package io.dihya.vigie.api.v1alpha1;

/**
 * The size bounds of the vigie API, put on the fields as schema markers ({@code @Size}) so that the
 * API server refuses a spec past them, and checked again by the operator for objects it did not
 * refuse. Each is far beyond what a real probe or route needs and low enough that one hostile
 * object cannot cost the operator much memory or time.
 */
public final class Limits {

  /** A Kubernetes object name (RFC 1123 subdomain), a host name or an IP address. */
  public static final int NAME = 253;

  /** A sink's or a mute window's name (RFC 1123 label). */
  public static final int LABEL = 63;

  /** A URL. */
  public static final int URL = 2048;

  /** Headers of one request. */
  public static final int HEADERS = 32;

  /** A header's name. */
  public static final int HEADER_NAME = 256;

  /** A header's value (servers commonly refuse header blocks over 8 KiB). */
  public static final int HEADER_VALUE = 8192;

  /** An HTTP request body, or a TCP check's line sent. */
  public static final int BODY = 65536;

  /** A text expected in an answer. */
  public static final int EXPECTED_TEXT = 4096;

  /** A regular expression. */
  public static final int REGEX = 1024;

  /** A CEL assertion. */
  public static final int EXPRESSION = 1024;

  /** Assertions of one probe. */
  public static final int ASSERTIONS = 16;

  /** A duration such as 1h30m. */
  public static final int DURATION = 32;

  /** A short text: a service name, a label value, a time zone, a comment... */
  public static final int SHORT_TEXT = 1024;

  /** A long text: an annotation value, a query. */
  public static final int LONG_TEXT = 8192;

  /** Entries of a map of labels, annotations or matchers. */
  public static final int MAP_ENTRIES = 32;

  /** Items of a short list (expected status codes, DNS answers, weekdays ranges...). */
  public static final int ITEMS = 32;

  /** An e-mail address (RFC 5321). */
  public static final int EMAIL = 254;

  private Limits() {}
}
