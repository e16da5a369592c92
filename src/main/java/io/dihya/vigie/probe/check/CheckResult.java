package io.dihya.vigie.probe.check;

import java.time.Instant;

/**
 * The outcome of one check. Messages are raw: the caller redacts them before anything leaves the
 * process; still, they never hold secret values, request or response bodies, header values or URL
 * queries.
 *
 * @param success whether the check passed
 * @param reason one of {@link Reasons}
 * @param message a short human explanation, built from fixed text, the method, the URL without
 *     query or user info, and status codes
 * @param latencyMs from the start of {@link Check#run} to its completion
 * @param certificateNotAfter earliest notAfter of the peer certificate chain, https only; null
 *     otherwise
 */
public record CheckResult(
    boolean success, String reason, String message, long latencyMs, Instant certificateNotAfter) {

  /** A passed check, reason {@link Reasons#SUCCEEDED}. */
  public static CheckResult success(long latencyMs, String message) {
    return new CheckResult(true, Reasons.SUCCEEDED, message, latencyMs, null);
  }

  /** A failed check with one of the {@link Reasons}. */
  public static CheckResult failure(String reason, String message, long latencyMs) {
    return new CheckResult(false, reason, message, latencyMs, null);
  }

  /** This result with the peer certificate's notAfter. */
  public CheckResult withCertificateNotAfter(Instant notAfter) {
    return new CheckResult(success, reason, message, latencyMs, notAfter);
  }
}
