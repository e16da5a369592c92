package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** A recurring weekly window, in a time zone. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MuteTimeInterval {

  /** A weekday or an inclusive range of weekdays, e.g. monday or monday:friday. */
  public static final String WEEKDAYS_PATTERN =
      "^(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
          + "(:(monday|tuesday|wednesday|thursday|friday|saturday|sunday))?$";

  @Required
  @Pattern(Names.DNS_LABEL)
  @Size(max = Limits.LABEL)
  @JsonPropertyDescription("Name of the window, shown in the audit log when it mutes an alert.")
  public String name;

  @Default("UTC")
  @Size(max = Limits.LABEL)
  @JsonPropertyDescription("IANA time zone of the window, e.g. Europe/Paris.")
  public String timeZone = "UTC";

  @JsonPropertyDescription(
      "Weekdays or ranges of weekdays, e.g. [saturday:sunday]. Empty: every day.")
  @Size(max = Limits.ITEMS)
  public List<@Pattern(WEEKDAYS_PATTERN) @Size(max = 19) String> weekdays = new ArrayList<>();

  @Size(max = Limits.ITEMS)
  @JsonPropertyDescription("Times of day, at most 32. Empty: the whole day.")
  public List<TimeRange> times = new ArrayList<>();

  /** A time-of-day range, start included, end excluded. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class TimeRange {
    /** HH:MM, 00:00 to 24:00. */
    public static final String CLOCK_PATTERN = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";

    @Required
    @Pattern(CLOCK_PATTERN)
    @Size(max = 5)
    @JsonPropertyDescription("Start, HH:MM (inclusive).")
    public String start;

    @Required
    @Pattern(CLOCK_PATTERN)
    @Size(max = 5)
    @JsonPropertyDescription("End, HH:MM (exclusive), after start; 24:00 is midnight.")
    public String end;
  }
}
