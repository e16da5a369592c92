package io.dihya.vigie.alert.sink;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dihya.vigie.api.v1alpha1.MessageTemplate;
import io.quarkus.qute.Engine;
import io.quarkus.qute.ErrorCode;
import io.quarkus.qute.Expression;
import io.quarkus.qute.IfSectionHelper;
import io.quarkus.qute.ParserError;
import io.quarkus.qute.ResultMapper;
import io.quarkus.qute.Results;
import io.quarkus.qute.SetSectionHelper;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;
import io.quarkus.qute.TemplateNode;
import io.quarkus.qute.WhenSectionHelper;
import io.quarkus.qute.WithSectionHelper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * One Qute template of an AlertRoute's {@code spec.template}: {@code message} (the text of Slack,
 * Teams, e-mail and PagerDuty notifications) or {@code payload} (the body of {@code format: json}
 * webhooks). Compiled once per route configuration, rendered once per notification, thread-safe.
 *
 * <h2>The data</h2>
 *
 * The template sees the notification as plain maps, lists and strings (never a Java object of
 * vigie, so no method of one can be called):
 *
 * <ul>
 *   <li>{@code id}: the notification id, stable across retries
 *   <li>{@code kind}: {@code alerts}, {@code test} or {@code heartbeat}
 *   <li>{@code status}: {@code firing} or {@code resolved}
 *   <li>{@code route} (namespace/name of the AlertRoute), {@code receiver} (the sink's name),
 *       {@code groupKey}
 *   <li>{@code groupLabels}, {@code commonLabels}, {@code commonAnnotations}: maps, sorted by name
 *   <li>{@code title}: the one-line title; {@code text}: the built-in text (in a payload template,
 *       the notification's text, which is the rendered {@code message} when there is one)
 *   <li>{@code createdAt}: RFC 3339 UTC, e.g. {@code 2026-11-24T12:00:30Z}
 *   <li>{@code alerts}: the group's alerts, firing first, each a map of {@code fingerprint}, {@code
 *       status}, {@code labels}, {@code annotations}, {@code startsAt}, {@code endsAt} (empty while
 *       firing) and {@code severity}; {@code firing} and {@code resolved}: the same alerts split by
 *       status
 * </ul>
 *
 * Every text in it is already redacted. Qute's built-in helpers work on it ({@code {alerts.size}},
 * {@code {alerts.0.labels.probe}}, {@code {alerts.first}}, {@code {#for alert in
 * alerts}...{alert_hasNext}...{/for}}, {@code {#if status == 'firing'}}, {@code
 * {x.or('default')}}); the sections are {@code #if}, {@code #for}/{@code #each}, {@code
 * #let}/{@code #set}, {@code #with} and {@code #when}/{@code #switch} ({@code #include}, {@code
 * #insert}, {@code #eval} and {@code #fragment} are not available).
 *
 * <p>{@code {value.json}} writes a value as one JSON value, quotes included, escaping whatever the
 * value holds ({@link TemplateJson}); a payload should write every value with it: {@code { "probe":
 * {commonLabels.probe.json}, "labels": {commonLabels.json} }}.
 *
 * <h2>Lenient rendering</h2>
 *
 * Like Alertmanager's templates, a missing value renders empty ({@code {commonLabels.nope}}, a
 * misspelt name, {@code {alerts.getClass}}, {@code {alerts.0}} of a test notification, which has no
 * alerts: {@link ListIndexOrMissing}) and a loop over a missing value renders nothing (or its
 * {@code {#else}} block), instead of failing the notification: alert data varies and a notification
 * is better sent with a blank than not at all. A template that still fails (a loop over a string,
 * more than {@value #MAX_LOOP_ITERATIONS} loop iterations in all) gives the built-in text or
 * payload, with a warning in the operator's log that names the route and the problem, never the
 * data. The output is cut at {@value #MAX_OUTPUT_CHARS} characters, with a marker.
 *
 * <h2>Checked when compiled</h2>
 *
 * Parse errors are reported with the field and the line ({@code spec.template.message: unterminated
 * section #for: {/for} is missing (line 3)}), and the template must render for a sample
 * notification; a payload must also give valid JSON for it, so a trailing comma after a loop is
 * caught before the first alert.
 */
public final class NotificationTemplate {

  /** The longest source accepted, in characters (the CRD says so too, as maxLength). */
  public static final int MAX_SOURCE_CHARS = MessageTemplate.MAX_LENGTH;

  /** The longest output, in characters; longer output is cut and ends with {@link #CUT_MARKER}. */
  public static final int MAX_OUTPUT_CHARS = 64 * 1024;

  /** The iterations all the loops of one rendering may run together. */
  public static final int MAX_LOOP_ITERATIONS = 10_000;

  /** Ends an output that was cut. */
  public static final String CUT_MARKER =
      "\n[cut: the rendered text is longer than 65536 characters]";

  private static final Logger LOG = Logger.getLogger(NotificationTemplate.class);

  /** Rendering is synchronous (the data are in memory); this only guards against a surprise. */
  private static final long RENDER_TIMEOUT_SECONDS = 10;

  private static final int MAX_SECTION_NAME = 30;
  private static final Pattern SECTION_NAME = Pattern.compile("^\\{#([A-Za-z0-9_-]+)");
  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_-]+");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * The standalone engine: no reflection resolver (the data are maps and lists), no template
   * locator, none of the sections that reach other templates or parse strings at run time.
   */
  private static final Engine ENGINE =
      Engine.builder()
          .addSectionHelper(new IfSectionHelper.Factory())
          .addSectionHelper(new BoundedLoopFactory())
          .addSectionHelper(new WithSectionHelper.Factory())
          .addSectionHelper(new SetSectionHelper.Factory())
          .addSectionHelper(new WhenSectionHelper.Factory())
          .addDefaultValueResolvers()
          .addValueResolver(new TemplateJson())
          .addValueResolver(new ListIndexOrMissing())
          .addResultMapper(new MissingIsEmpty())
          .strictRendering(false)
          .build();

  private final Template template;
  private final String field;

  private NotificationTemplate(Template template, String field) {
    this.template = template;
    this.field = field;
  }

  /**
   * Parses a template and renders it once for a sample notification.
   *
   * @param field the spec path named in errors and log lines, e.g. {@code spec.template.message}
   * @throws InvalidTemplate with a message such as {@code spec.template.message: unterminated
   *     section #for: {/for} is missing (line 3)}: fixed text, the line (where Qute noticed), at
   *     most a section's name of the source
   */
  public static NotificationTemplate compile(String source, String field) {
    if (source == null) {
      throw new InvalidTemplate(field, "required");
    }
    if (source.length() > MAX_SOURCE_CHARS) {
      throw new InvalidTemplate(field, "longer than " + MAX_SOURCE_CHARS + " characters");
    }
    Template parsed;
    try {
      parsed = ENGINE.parse(source);
    } catch (TemplateException e) {
      throw new InvalidTemplate(field, parseProblem(e) + line(e.getOrigin()));
    } catch (RuntimeException e) {
      throw new InvalidTemplate(field, "not a valid template");
    }
    NotificationTemplate template = new NotificationTemplate(parsed, field);
    Rendering sample = template.tryRender(sample());
    if (!sample.ok()) {
      throw new InvalidTemplate(field, "fails for a sample notification: " + sample.problem());
    }
    return template;
  }

  /**
   * {@link #compile} for a webhook body: the sample notification must also give valid JSON.
   *
   * @throws InvalidTemplate as {@link #compile}, or {@code spec.template.payload: gives no valid
   *     JSON for a sample notification (line 1, column 20 of the output)}
   */
  public static NotificationTemplate compilePayload(String source, String field) {
    NotificationTemplate template = compile(source, field);
    Rendering sample = template.tryRenderJson(sample());
    if (!sample.ok()) {
      throw new InvalidTemplate(
          field, "gives no valid JSON for a sample notification: " + sample.problem());
    }
    return template;
  }

  /**
   * Why a webhook of {@code format} (cloudevents, alertmanager) cannot take the route's payload
   * template: their receivers parse a fixed schema. One text for the validator and the sink.
   */
  public static String payloadFormatProblem(String format) {
    return format
        + " has a fixed schema; spec.template.payload applies only to format json (use format"
        + " json, or put this sink in an AlertRoute without a payload template)";
  }

  /** The spec path of the template, e.g. {@code spec.template.payload}. */
  public String field() {
    return field;
  }

  /**
   * The rendered text, or, when the template fails, the notification's own (built-in) text, with a
   * warning in the log that names the route, the field and the problem. Never throws.
   */
  public String render(Notification notification) {
    Rendering rendering = tryRender(notification);
    if (rendering.ok()) {
      return rendering.text();
    }
    warn(notification, rendering.problem(), "text");
    return notification.text();
  }

  /**
   * Renders, never throwing: the text (cut output ends with {@link #CUT_MARKER}), or the problem as
   * fixed text with the line, e.g. "a #for over a value that is not a list or a map (line 2)".
   */
  public Rendering tryRender(Notification notification) {
    StringBuilder out = new StringBuilder();
    try {
      Map<String, Object> data = TemplateData.of(notification);
      template
          .data(data)
          .setAttribute(BoundedLoopFactory.BUDGET, new AtomicInteger(MAX_LOOP_ITERATIONS))
          .consume(chunk -> append(out, chunk))
          .toCompletableFuture()
          .get(RENDER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return new Rendering(out.toString(), false, null);
    } catch (ExecutionException e) {
      return failure(e.getCause(), out);
    } catch (TimeoutException e) {
      return new Rendering(null, false, "took longer than " + RENDER_TIMEOUT_SECONDS + "s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Rendering(null, false, "interrupted");
    } catch (RuntimeException e) {
      return failure(e, out);
    }
  }

  /**
   * The rendered webhook body, or null when the template fails or gives no valid JSON (cut output
   * never is): the caller then sends its built-in payload, and a warning is logged.
   */
  String renderPayload(Notification notification) {
    Rendering rendering = tryRenderJson(notification);
    if (rendering.ok()) {
      return rendering.text();
    }
    warn(notification, rendering.problem(), "payload");
    return null;
  }

  /** {@link #tryRender}, failing unless the output is one complete JSON value. */
  Rendering tryRenderJson(Notification notification) {
    Rendering rendering = tryRender(notification);
    if (!rendering.ok()) {
      return rendering;
    }
    if (rendering.truncated()) {
      return new Rendering(
          null, false, "the output is longer than " + MAX_OUTPUT_CHARS + " characters");
    }
    try {
      JsonNode parsed = JSON.readTree(rendering.text());
      if (parsed == null || parsed.isMissingNode()) {
        return new Rendering(null, false, "the output is empty, not JSON");
      }
      return rendering;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      return new Rendering(
          null,
          false,
          "not JSON"
              + (at == null
                  ? ""
                  : " (line "
                      + at.getLineNr()
                      + ", column "
                      + at.getColumnNr()
                      + " of the output)"));
    }
  }

  @Override
  public String toString() {
    // The source may hold anything a user wrote; the field says which template this is.
    return "NotificationTemplate[" + field + "]";
  }

  /**
   * One rendering.
   *
   * @param text the output; null when it failed
   * @param truncated the output was cut at {@link #MAX_OUTPUT_CHARS} and ends with {@link
   *     #CUT_MARKER}
   * @param problem why it failed, as fixed text with the template line; null when it did not
   */
  public record Rendering(String text, boolean truncated, String problem) {
    public boolean ok() {
      return problem == null;
    }
  }

  /**
   * A template that cannot be used: {@link #field()} is the spec path, {@link #problem()} what is
   * wrong (fixed text, a line number, at most a section's name), the message both.
   */
  public static final class InvalidTemplate extends IllegalArgumentException {
    private final String field;
    private final String problem;

    InvalidTemplate(String field, String problem) {
      super(field + ": " + problem);
      this.field = field;
      this.problem = problem;
    }

    public String field() {
      return field;
    }

    public String problem() {
      return problem;
    }
  }

  /** Stops the rendering once the output is full; caught by {@link #tryRender}. */
  private static final class OutputFull extends RuntimeException {
    OutputFull() {
      super("output full", null, false, false);
    }
  }

  /** Renders Qute's "not found" as nothing rather than as the text NOT_FOUND. */
  private static final class MissingIsEmpty implements ResultMapper {
    @Override
    public boolean appliesTo(TemplateNode.Origin origin, Object result) {
      return Results.isNotFound(result);
    }

    @Override
    public String map(Object result, Expression expression) {
      return "";
    }
  }

  private static void append(StringBuilder out, String chunk) {
    int room = MAX_OUTPUT_CHARS - CUT_MARKER.length() - out.length();
    if (chunk.length() <= room) {
      out.append(chunk);
      return;
    }
    int end = room;
    if (end > 0 && Character.isHighSurrogate(chunk.charAt(end - 1))) {
      end--; // never split a character in two
    }
    out.append(chunk, 0, Math.max(end, 0)).append(CUT_MARKER);
    throw new OutputFull();
  }

  private Rendering failure(Throwable error, StringBuilder out) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof OutputFull) {
        return new Rendering(out.toString(), true, null);
      }
      if (cause instanceof BoundedLoopFactory.Exhausted) {
        return new Rendering(
            null, false, "the loops ran more than " + MAX_LOOP_ITERATIONS + " iterations");
      }
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof TemplateException e && e.getCode() != null) {
        return new Rendering(null, false, renderProblem(e.getCode()) + line(e.getOrigin()));
      }
    }
    return new Rendering(null, false, "the template failed");
  }

  private void warn(Notification notification, String problem, String fallback) {
    LOG.warnf(
        "%s of AlertRoute %s could not be rendered (%s); the built-in %s was sent instead",
        field, notification.route(), problem, fallback);
  }

  private static String line(TemplateNode.Origin origin) {
    return origin == null || origin.getLine() <= 0 ? "" : " (line " + origin.getLine() + ")";
  }

  /** What a parse error means, in fixed words: Qute's messages quote the source. */
  private static String parseProblem(TemplateException e) {
    ErrorCode code = e.getCode();
    if (!(code instanceof ParserError error)) {
      return code == null ? "not a valid template" : "not a valid template (" + name(code) + ")";
    }
    return switch (error) {
      case GENERAL_ERROR -> "not a valid template";
      case NO_SECTION_HELPER_FOUND -> unknownSection(e.getArguments().get("tag"));
      case UNTERMINATED_SECTION -> unterminatedSection(e.getArguments().get("tag"));
      case UNTERMINATED_EXPRESSION -> "unterminated expression: a } is missing";
      case UNTERMINATED_STRING_LITERAL, UNTERMINATED_STRING_LITERAL_OR_COMPOSITE_PARAMETER ->
          "unterminated string literal or parenthesis";
      case EMPTY_EXPRESSION -> "empty expression {}";
      case INVALID_IDENTIFIER -> "invalid name in an expression";
      case INVALID_VIRTUAL_METHOD -> "invalid method call in an expression";
      case INVALID_BRACKET_EXPRESSION, INVALID_VALUE_BRACKET_NOTATION ->
          "invalid bracket notation in an expression";
      case MANDATORY_SECTION_PARAMS_MISSING -> "a section lacks a parameter it needs";
      case NO_SECTION_NAME -> "a section tag without a name";
      case SECTION_END_DOES_NOT_MATCH_START, SECTION_BLOCK_END_DOES_NOT_MATCH_START ->
          "an end tag does not match the section it closes";
      case SECTION_START_NOT_FOUND -> "an end tag without its section";
      case INVALID_PARAM_DECLARATION -> "invalid parameter declaration";
      default -> "not a valid template (" + name(code) + ")";
    };
  }

  private static String unknownSection(Object tag) {
    Matcher name = SECTION_NAME.matcher(tag == null ? "" : tag.toString());
    String which = name.find() ? sectionName(name.group(1)) : null;
    return "unknown section"
        + (which == null ? "" : " #" + which)
        + "; the sections are #if, #for, #each, #let, #set, #with, #when and #switch";
  }

  private static String unterminatedSection(Object tag) {
    String which = tag == null ? null : sectionName(tag.toString());
    return which == null
        ? "unterminated section: its end tag is missing"
        : "unterminated section #" + which + ": {/" + which + "} is missing";
  }

  /** A section's name when it is a short plain word, else null: never more of the source. */
  private static String sectionName(String name) {
    return name.length() <= MAX_SECTION_NAME && PLAIN_NAME.matcher(name).matches() ? name : null;
  }

  private static String renderProblem(ErrorCode code) {
    return switch (name(code)) {
      case "NOT_AN_ITERABLE" -> "a #for over a value that is not a list or a map";
      default -> "the template failed (" + name(code) + ")";
    };
  }

  /** The constant's name ("NOT_AN_ITERABLE"): Qute's codes are enums; never user text. */
  private static String name(ErrorCode code) {
    return code instanceof Enum<?> constant ? constant.name() : "error";
  }

  /** A firing group of two alerts, one resolved, with the usual labels and annotations. */
  private static Notification sample() {
    Instant started = Instant.parse("2026-01-01T00:00:00Z");
    Map<String, String> labels =
        Map.of("namespace", "shop", "probe", "orders-api", "severity", "critical", "check", "http");
    Map<String, String> annotations =
        Map.of(
            "summary", "orders-api is unhealthy",
            "description", "GET /healthz failed",
            "reason", "ConnectionRefused",
            "message", "connection refused",
            "runbook_url", "https://runbooks.example.org/orders-api");
    Map<String, String> otherLabels =
        Map.of("namespace", "shop", "probe", "carts-api", "severity", "critical", "check", "http");
    return new Notification(
        "sample",
        Notification.Kind.ALERTS,
        "shop/oncall",
        "sample",
        "shop/oncall:{namespace=shop}",
        Notification.Status.FIRING,
        Map.of("namespace", "shop"),
        Map.of("namespace", "shop", "severity", "critical", "check", "http"),
        Map.of(),
        List.of(
            new Notification.Alert(
                "0123456789abcdef",
                Notification.Status.FIRING,
                labels,
                annotations,
                started,
                null,
                "critical"),
            new Notification.Alert(
                "fedcba9876543210",
                Notification.Status.RESOLVED,
                otherLabels,
                annotations,
                started,
                started.plusSeconds(90),
                "critical")),
        "[FIRING:1] shop orders-api ConnectionRefused",
        "orders-api: connection refused",
        started.plusSeconds(120));
  }
}
