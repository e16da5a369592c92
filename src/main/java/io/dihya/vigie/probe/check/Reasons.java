package io.dihya.vigie.probe.check;

/**
 * The reasons of a {@link CheckResult}: fixed CamelCase words, in one place. They end up as the
 * {@code reason} of the probe's conditions, Events and alerts, so they are part of the API.
 */
public final class Reasons {

  /** The check passed. */
  public static final String SUCCEEDED = "Succeeded";

  /** The target host refused the connection (nothing listens on the port). */
  public static final String CONNECTION_REFUSED = "ConnectionRefused";

  /** No complete answer within the probe's timeout (connect, request, body or expected text). */
  public static final String TIMEOUT = "Timeout";

  /** The target's host name did not resolve. */
  public static final String DNS_FAILURE = "DnsFailure";

  /** The TLS handshake failed: untrusted, expired or mismatched certificate, or an alert. */
  public static final String TLS_ERROR = "TlsError";

  /** The HTTP status code is not one of the expected ones. */
  public static final String UNEXPECTED_STATUS = "UnexpectedStatus";

  /** The HTTP body does not contain the expected text or match the expected regex. */
  public static final String BODY_MISMATCH = "BodyMismatch";

  /** A CEL assertion of the probe evaluated to false (set by the caller, not by the checks). */
  public static final String ASSERTION_FAILED = "AssertionFailed";

  /** A Secret key the probe references is missing (set by the caller, not by the checks). */
  public static final String SECRET_NOT_FOUND = "SecretNotFound";

  /** The spec cannot be turned into a check (set by the caller from create()'s exception). */
  public static final String INVALID_SPEC = "InvalidSpec";

  /** Any other I/O failure: connection reset or closed early, host or network unreachable. */
  public static final String CONNECTION_FAILED = "ConnectionFailed";

  /**
   * TCP: the server did not send the expected text before closing or the read limit. redis,
   * postgres, grpc, http: the answer is not the protocol's (not RESP, not PostgreSQL messages, not
   * HTTP/2, not valid HTTP) or goes beyond the size a check reads.
   */
  public static final String UNEXPECTED_RESPONSE = "UnexpectedResponse";

  /** dns: the server answered that the name does not exist (NXDOMAIN). */
  public static final String NX_DOMAIN = "NxDomain";

  /** dns: the answer is empty or lacks an expected value. */
  public static final String UNEXPECTED_ANSWER = "UnexpectedAnswer";

  /** tls (and https): a certificate of the chain expires within minValidFor. */
  public static final String CERTIFICATE_EXPIRING = "CertificateExpiring";

  /** tls (and https): a certificate of the chain has expired. */
  public static final String CERTIFICATE_EXPIRED = "CertificateExpired";

  /** postgres, redis: the server refused the credentials. */
  public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";

  /** postgres: logged in, but the query failed. */
  public static final String QUERY_FAILED = "QueryFailed";

  /** grpc: the health service answered, but not SERVING (or does not know the service). */
  public static final String NOT_SERVING = "NotServing";

  /** kubernetes: the object exists but has fewer ready replicas or endpoints, or is not Bound. */
  public static final String NOT_READY = "NotReady";

  /**
   * kubernetes: the object does not exist in the probe's namespace; postgres: the database does not
   * exist (the credentials were accepted).
   */
  public static final String NOT_FOUND = "NotFound";

  /**
   * kubernetes: the API server denied the operator the list or watch of the object's kind in the
   * probe's namespace (HTTP 403): its RBAC lacks those verbs there.
   */
  public static final String FORBIDDEN = "Forbidden";

  /**
   * The operator's target policy ({@code vigie.targets}) forbids the address the target resolved
   * to: the check did not connect. The message names the host, the address and the rule.
   */
  public static final String TARGET_FORBIDDEN = "TargetForbidden";

  private Reasons() {}
}
