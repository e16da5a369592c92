package io.dihya.vigie.probe.check;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.checker.CelStandardDeclarations;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelErrorCode;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.CelByteString;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationExceptionBuilder;
import dev.cel.runtime.CelEvaluationListener;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.CelStandardFunctions.StandardFunction;
import io.dihya.vigie.api.v1alpha1.Limits;
import io.dihya.vigie.redact.DeadlineCharSequence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A probe's CEL assertions ({@code spec.assertions}), compiled once with the CEL library for Java
 * and evaluated against every successful check's result. The one variable is {@code result}, a map:
 * {@code success}, {@code reason}, {@code latencyMs}, {@code type}, and one entry per check type
 * holding what it observed ({@link CheckResult#data()}: {@code result.http.status}, {@code
 * result.dns.answers}...).
 *
 * <p>Compiling and evaluating are bounded whatever the spec and the result: at most {@value
 * #MAX_EXPRESSIONS} expressions of at most {@value #MAX_LENGTH} characters each; comprehensions
 * ({@code exists}, {@code all}, {@code map}...) at most {@value #MAX_ITERATIONS} iterations in all;
 * one evaluation of all of them at most {@link #EVALUATION_BUDGET} and {@value #MAX_PRODUCED}
 * characters, list entries or map entries built (a {@code map} of {@code body + body} over a long
 * list would otherwise fill the heap); {@code matches} runs RE2 (linear time) on programs of at
 * most {@value #MAX_REGEX_PROGRAM} instructions, checked when the expression compiles for a literal
 * pattern, and {@code contains} searches in linear time. Programs are immutable and shared by all
 * runs.
 */
final class Assertions {

  /** Longest expression accepted. */
  static final int MAX_LENGTH = 1024;

  /** Most expressions of one probe. */
  static final int MAX_EXPRESSIONS = Limits.ASSERTIONS;

  /** Most comprehension iterations of one evaluation. */
  static final int MAX_ITERATIONS = 10_000;

  /** Most time all the assertions of one result may take. */
  static final Duration EVALUATION_BUDGET = Duration.ofSeconds(1);

  /** Most characters, list entries and map entries all the assertions of one result may build. */
  static final long MAX_PRODUCED = 16L << 20;

  /** Largest regular expression of {@code matches}, in RE2 instructions. */
  static final int MAX_REGEX_PROGRAM = 1000;

  /** The evaluation running on this thread, for the bounded functions. */
  private static final ThreadLocal<Evaluation> CURRENT = new ThreadLocal<>();

  /**
   * The CEL environment, built on first use: building it loads about a thousand classes (CEL,
   * protobuf, Guava), half a second at start-up, which probes without assertions never pay.
   */
  private static final class Env {
    private static final CelOptions OPTIONS =
        CelOptions.current()
            .maxExpressionCodePointSize(MAX_LENGTH)
            .comprehensionMaxIterations(MAX_ITERATIONS)
            .enableHeterogeneousNumericComparisons(true)
            .build();

    // The standard environment, with matches and contains bound to the bounded versions below.
    private static final Cel CEL =
        CelFactory.standardCelBuilder()
            .setStandardEnvironmentEnabled(false)
            .setStandardDeclarations(CelStandardDeclarations.newBuilder().build())
            .setStandardFunctions(
                CelStandardFunctions.newBuilder()
                    .excludeFunctions(StandardFunction.MATCHES, StandardFunction.CONTAINS)
                    .build())
            .addFunctionBindings(
                CelFunctionBinding.from("matches", String.class, String.class, Assertions::matches),
                CelFunctionBinding.from(
                    "matches_string", String.class, String.class, Assertions::matches),
                CelFunctionBinding.from(
                    "contains_string",
                    String.class,
                    String.class,
                    (text, part) -> TextSearch.indexOf(text, part) >= 0))
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .setOptions(OPTIONS)
            .addVar("result", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .setResultType(SimpleType.BOOL)
            .build();
  }

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
    if (expressions.size() > MAX_EXPRESSIONS) {
      throw new IllegalArgumentException(
          "spec.assertions: at most "
              + MAX_EXPRESSIONS
              + " items (found "
              + expressions.size()
              + ")");
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
        CelAbstractSyntaxTree ast = Env.CEL.compile(expression).getAst();
        String regexProblem = literalRegexProblem(ast);
        if (regexProblem != null) {
          throw new IllegalArgumentException(field + ": " + regexProblem);
        }
        compiled.add(new Compiled(field, expression.strip(), Env.CEL.createProgram(ast)));
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
    return apply(result, type, EVALUATION_BUDGET);
  }

  /** As {@link #apply(CheckResult, String)}, with another time budget (tests). */
  CheckResult apply(CheckResult result, String type, Duration budget) {
    if (compiled.isEmpty() || !result.success()) {
      return result;
    }
    Map<String, Object> variable = variable(result, type);
    Evaluation evaluation = new Evaluation(System.nanoTime() + budget.toNanos(), budget);
    CURRENT.set(evaluation);
    try {
      return applyAll(result, variable, evaluation);
    } finally {
      CURRENT.remove();
    }
  }

  private CheckResult applyAll(
      CheckResult result, Map<String, Object> variable, Evaluation evaluation) {
    for (Compiled assertion : compiled) {
      String problem;
      try {
        Object value = assertion.program().trace(Map.of("result", variable), evaluation);
        problem = value instanceof Boolean b ? (b ? null : "is false") : "is not true or false";
      } catch (CelEvaluationException e) {
        problem = "could not be evaluated (" + code(e) + ")";
      } catch (RuntimeException e) {
        problem = "could not be evaluated (" + e.getClass().getSimpleName() + ")";
      } catch (StackOverflowError e) {
        problem = "could not be evaluated (nested too deeply)";
      }
      // Whatever CEL made of it (an error absorbed by || is no error to CEL), a budget is spent.
      if (evaluation.exceeded != null) {
        problem = "could not be evaluated: " + evaluation.exceeded;
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

  /**
   * What is wrong with the literal patterns of {@code matches} in {@code ast}, or null: an invalid
   * or oversized one is an InvalidSpec when the probe is applied, not a failure at every check.
   */
  private static String literalRegexProblem(CelAbstractSyntaxTree ast) {
    return CelNavigableAst.fromAst(ast)
        .getRoot()
        .allNodes()
        .map(CelNavigableExpr::expr)
        .filter(expr -> expr.getKind() == CelExpr.ExprKind.Kind.CALL)
        .map(CelExpr::call)
        .filter(call -> call.function().equals("matches") && !call.args().isEmpty())
        .map(call -> call.args().get(call.args().size() - 1))
        .filter(
            pattern ->
                pattern.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                    && pattern.constant().getKind() == CelConstant.Kind.STRING_VALUE)
        .map(pattern -> regexProblem(pattern.constant().stringValue()))
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(null);
  }

  private static String regexProblem(String regex) {
    try {
      int size = com.google.re2j.Pattern.compile(regex).programSize();
      return size > MAX_REGEX_PROGRAM
          ? "the regular expression of matches() is too large ("
              + size
              + " RE2 instructions, at most "
              + MAX_REGEX_PROGRAM
              + ")"
          : null;
    } catch (com.google.re2j.PatternSyntaxException e) {
      // getDescription() names the error without echoing the pattern.
      return "the regular expression of matches() is not valid RE2 syntax ("
          + e.getDescription()
          + ")";
    }
  }

  /**
   * {@code matches} as CEL defines it (RE2; a full match unless partial matching is enabled), on
   * the text read through the evaluation's deadline, with a pattern of bounded size.
   */
  private static Boolean matches(String text, String regex) throws CelEvaluationException {
    Evaluation evaluation = CURRENT.get();
    com.google.re2j.Pattern pattern =
        evaluation == null ? compileRegex(regex) : evaluation.regex(regex);
    CharSequence input =
        evaluation == null ? text : new DeadlineCharSequence(text, evaluation.deadlineNanos);
    try {
      com.google.re2j.Matcher matcher = pattern.matcher(input);
      return Env.OPTIONS.enableRegexPartialMatch() ? matcher.find() : matcher.matches();
    } catch (DeadlineCharSequence.DeadlineExceeded e) {
      throw evaluation.timeIsUp();
    }
  }

  private static com.google.re2j.Pattern compileRegex(String regex) throws CelEvaluationException {
    String problem = regexProblem(regex);
    if (problem != null) {
      throw CelEvaluationExceptionBuilder.newBuilder("%s", problem)
          .setErrorCode(CelErrorCode.INVALID_ARGUMENT)
          .build();
    }
    return com.google.re2j.Pattern.compile(regex);
  }

  /**
   * The budgets of one evaluation of all the assertions of a result: called after every step, it
   * stops the evaluation once time is up or too much was built.
   */
  private static final class Evaluation implements CelEvaluationListener {
    private final long deadlineNanos;
    private final Duration budget;
    private final Map<String, com.google.re2j.Pattern> regexes = new HashMap<>();
    private long produced;
    private String exceeded;

    Evaluation(long deadlineNanos, Duration budget) {
      this.deadlineNanos = deadlineNanos;
      this.budget = budget;
    }

    @Override
    public void callback(CelExpr expr, Object value) {
      if (System.nanoTime() - deadlineNanos > 0) {
        throw timeIsUp();
      }
      produced += built(expr, value);
      if (produced > MAX_PRODUCED) {
        throw exceed(
            "it builds more than " + MAX_PRODUCED + " characters or items (the size budget)");
      }
    }

    /**
     * What a step built: the text of a concatenation or conversion, the entries of a list or map
     * literal or of a comprehension's result. Reading a field or an index builds nothing, and
     * appending to a list is a view (CEL's own map accumulates so).
     */
    private static long built(CelExpr expr, Object value) {
      switch (expr.getKind()) {
        case CALL -> {
          String function = expr.call().function();
          boolean builds =
              function.equals("_+_") || function.equals("string") || function.equals("bytes");
          if (builds && value instanceof CharSequence text) {
            return text.length();
          }
          if (builds && value instanceof CelByteString bytes) {
            return bytes.size();
          }
          return 0;
        }
        case LIST, MAP, STRUCT, COMPREHENSION -> {
          if (value instanceof Collection<?> items) {
            return items.size();
          }
          if (value instanceof Map<?, ?> entries) {
            return entries.size();
          }
          return 1;
        }
        default -> {
          return 0;
        }
      }
    }

    com.google.re2j.Pattern regex(String regex) throws CelEvaluationException {
      com.google.re2j.Pattern pattern = regexes.get(regex);
      if (pattern == null) {
        pattern = compileRegex(regex);
        if (regexes.size() < 64) {
          regexes.put(regex, pattern);
        }
      }
      return pattern;
    }

    BudgetExceeded timeIsUp() {
      return exceed("it takes longer than " + budget.toMillis() + "ms (the time budget)");
    }

    private BudgetExceeded exceed(String why) {
      if (exceeded == null) {
        exceeded = why;
      }
      return new BudgetExceeded();
    }
  }

  /** Ends an evaluation whose budget is spent; the reason is kept in the evaluation. */
  private static final class BudgetExceeded extends RuntimeException {
    BudgetExceeded() {
      super("budget exceeded", null, false, false);
    }
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
