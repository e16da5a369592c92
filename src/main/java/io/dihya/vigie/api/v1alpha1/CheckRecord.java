package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One check's outcome, as recorded in status. Messages are redacted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckRecord {

  /** Outcome of a single check, before thresholds. */
  public enum Result {
    Success,
    Failure
  }

  @JsonPropertyDescription("When the check started (RFC 3339, UTC).")
  public String time;

  @JsonPropertyDescription("How long the check took, in milliseconds.")
  public Long latencyMs;

  @JsonPropertyDescription("Success or Failure.")
  public Result result;

  @JsonPropertyDescription(
      "Why it failed, one CamelCase word (ConnectionRefused, Timeout, DnsFailure, TlsError,"
          + " UnexpectedStatus, BodyMismatch, AssertionFailed, SecretNotFound, ...); Succeeded on"
          + " success.")
  public String reason;

  @JsonPropertyDescription("Human-readable detail, redacted.")
  public String message;
}
