package io.dihya.vigie.probe.check;

import java.time.Instant;
import java.util.Map;

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
 * @param certificateNotAfter earliest notAfter of the peer certificate chain (tls checks, https,
 *     and any other check that made a TLS handshake); null otherwise
 * @param data what the check observed, for the probe's CEL assertions: one entry per check type
 *     ("http", "dns", "tls"...) holding a map built with {@link ResultData}. It stays in the
 *     process: it is never written to status, Events or logs (it can hold response bodies)
 */
public record CheckResult(
    boolean success,
    String reason,
    String message,
    long latencyMs,
    Instant certificateNotAfter,
    Map<String, Object> data) {

  public CheckResult {
    data = data == null ? Map.of() : data;
  }

  /** A passed check, reason {@link Reasons#SUCCEEDED}. */
  public static CheckResult success(long latencyMs, String message) {
    return new CheckResult(true, Reasons.SUCCEEDED, message, latencyMs, null, Map.of());
  }

  /** A failed check with one of the {@link Reasons}. */
  public static CheckResult failure(String reason, String message, long latencyMs) {
    return new CheckResult(false, reason, message, latencyMs, null, Map.of());
  }

  /** This result with the peer certificate's notAfter. */
  public CheckResult withCertificateNotAfter(Instant notAfter) {
    return new CheckResult(success, reason, message, latencyMs, notAfter, data);
  }

  /**
   * This result with the observations of one check type added under {@code type} (see {@link
   * ResultData}); an earlier entry of the same type is replaced.
   */
  public CheckResult withData(String type, Map<String, Object> values) {
    java.util.LinkedHashMap<String, Object> merged = new java.util.LinkedHashMap<>(data);
    merged.put(type, values);
    return new CheckResult(
        success, reason, message, latencyMs, certificateNotAfter, Map.copyOf(merged));
  }

  /** This result with another message (e.g. redacted), everything else kept. */
  public CheckResult withMessage(String newMessage) {
    return new CheckResult(success, reason, newMessage, latencyMs, certificateNotAfter, data);
  }
}
