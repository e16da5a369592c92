package io.dihya.vigie.probe.check;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A probe's CEL assertions ({@code spec.assertions}), compiled once with the CEL library for Java
 * and evaluated against every successful check's result. The one variable is {@code result}, a map:
 * {@code success}, {@code reason}, {@code latencyMs}, {@code type}, and one entry per check type
 * holding what it observed ({@link CheckResult#data()}: {@code result.http.status}, {@code
 * result.dns.answers}...).
 *
 * <p>Evaluation is bounded: an expression may be at most {@value #MAX_LENGTH} characters and its
 * comprehensions ({@code exists}, {@code all}, {@code map}...) at most {@value #MAX_ITERATIONS}
 * iterations in all. Programs are immutable and shared by all runs.
 */
final class Assertions {

  /** Longest expression accepted. */
  static final int MAX_LENGTH = 1024;

  /** Most comprehension iterations of one evaluation. */
  static final int MAX_ITERATIONS = 10_000;

  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .setOptions(
              CelOptions.current()
                  .maxExpressionCodePointSize(MAX_LENGTH)
                  .comprehensionMaxIterations(MAX_ITERATIONS)
                  .enableHeterogeneousNumericComparisons(true)
                  .build())
          .addVar("result", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .setResultType(SimpleType.BOOL)
          .build();

  static final Assertions NONE = new Assertions(List.of());

  private record Compiled(String field, String expression, CelRuntime.Program program) {}

  private final List<Compiled> compiled;

  private Assertions(List<Compiled> compiled) {
    this.compiled = compiled;
  }

  /**
   * Compiles the expressions.
   *
   * @throws IllegalArgumentException naming the first expression that does not compile, with the
   *     compiler's errors (spec.assertions[i]: line:column: message)
   */
  static Assertions compile(List<String> expressions) {
    if (expressions == null || expressions.isEmpty()) {
      return NONE;
    }
    List<Compiled> compiled = new ArrayList<>();
    for (int i = 0; i < expressions.size(); i++) {
      String field = "spec.assertions[" + i + "]";
      String expression = expressions.get(i);
      if (expression == null || expression.isBlank()) {
        throw new IllegalArgumentException(field + ": must not be empty");
      }
      if (expression.length() > MAX_LENGTH) {
        throw new IllegalArgumentException(field + ": longer than " + MAX_LENGTH + " characters");
      }
      try {
        CelAbstractSyntaxTree ast = CEL.compile(expression).getAst();
        compiled.add(new Compiled(field, expression.strip(), CEL.createProgram(ast)));
      } catch (CelValidationException e) {
        throw new IllegalArgumentException(field + ": " + describe(e.getErrors()));
      } catch (CelEvaluationException e) {
        throw new IllegalArgumentException(field + ": cannot be planned (" + code(e) + ")");
      }
    }
    return new Assertions(List.copyOf(compiled));
  }

  private static String describe(List<CelIssue> issues) {
    return issues.stream()
        .limit(3)
        .map(
            issue ->
                issue.getSourceLocation().getLine() > 0
                    ? issue.getSourceLocation().getLine()
                        + ":"
                        + (issue.getSourceLocation().getColumn() + 1)
                        + ": "
                        + issue.getMessage()
                    : issue.getMessage())
        .collect(Collectors.joining("; "));
  }

  boolean isEmpty() {
    return compiled.isEmpty();
  }

  /**
   * The result with the assertions applied: a successful result whose assertions all hold is
   * returned as is; the first one that is false, or cannot be evaluated, turns it into a failure
   * with reason AssertionFailed naming the expression. Failed results are returned as they are:
   * their own reason says more than an assertion could.
   */
  CheckResult apply(CheckResult result, String type) {
    if (compiled.isEmpty() || !result.success()) {
      return result;
    }
    Map<String, Object> variable = variable(result, type);
    for (Compiled assertion : compiled) {
      String problem;
      try {
        Object value = assertion.program().eval(Map.of("result", variable));
        problem = value instanceof Boolean b ? (b ? null : "is false") : "is not true or false";
      } catch (CelEvaluationException e) {
        problem = "could not be evaluated (" + code(e) + ")";
      } catch (RuntimeException e) {
        problem = "could not be evaluated (" + e.getClass().getSimpleName() + ")";
      }
      if (problem != null) {
        return new CheckResult(
            false,
            Reasons.ASSERTION_FAILED,
            result.message()
                + "; assertion "
                + assertion.field()
                + " "
                + problem
                + ": "
                + assertion.expression(),
            result.latencyMs(),
            result.certificateNotAfter(),
            result.data());
      }
    }
    return result;
  }

  /** The value of the {@code result} variable for one check's result. */
  static Map<String, Object> variable(CheckResult result, String type) {
    Map<String, Object> variable = new LinkedHashMap<>(result.data());
    variable.put("success", result.success());
    variable.put("reason", result.reason());
    variable.put("latencyMs", result.latencyMs());
    variable.put("type", type);
    return variable;
  }

  /** The error code in words ("attribute not found"): never the message, which can quote data. */
  private static String code(CelEvaluationException e) {
    return e.getErrorCode() == null
        ? "error"
        : e.getErrorCode().name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}
