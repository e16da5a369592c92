package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/**
 * Notifications as structured JSON log lines, under the category io.dihya.vigie.audit.notification.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LogSink {

  /** Log level of the lines. */
  public enum Level {
    info,
    warn
  }

  @Default("info")
  @JsonPropertyDescription("Log level: info or warn.")
  public Level level = Level.info;
}
