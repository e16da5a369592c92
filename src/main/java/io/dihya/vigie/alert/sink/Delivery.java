package io.dihya.vigie.alert.sink;

import java.time.Duration;

/**
 * The outcome of one delivery attempt.
 *
 * @param delivered the receiver accepted it
 * @param retryable a later attempt may succeed (timeouts, connection failures, HTTP 429 and 5xx)
 * @param error a short fixed text when not delivered ("HTTP 503", "connection refused"); never a
 *     URL, a response body or a secret
 * @param retryAfter how long the receiver asked to wait (Retry-After), or null
 * @param reference what the receiver called it, when it says (an IPFS CID, a PagerDuty dedup_key,
 *     an SMTP message id); shown in status and the audit log, so never secret
 */
public record Delivery(
    boolean delivered, boolean retryable, String error, Duration retryAfter, String reference) {

  public static Delivery ok(String reference) {
    return new Delivery(true, false, null, null, reference);
  }

  public static Delivery retry(String error, Duration retryAfter) {
    return new Delivery(false, true, error, retryAfter, null);
  }

  public static Delivery fail(String error) {
    return new Delivery(false, false, error, null, null);
  }
}
