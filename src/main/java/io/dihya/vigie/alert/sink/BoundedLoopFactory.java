package io.dihya.vigie.alert.sink;

import io.quarkus.qute.Expression;
import io.quarkus.qute.LoopSectionHelper;
import io.quarkus.qute.ResolutionContext;
import io.quarkus.qute.ResultNode;
import io.quarkus.qute.Results;
import io.quarkus.qute.Scope;
import io.quarkus.qute.SectionBlock;
import io.quarkus.qute.SectionHelper;
import io.quarkus.qute.SectionHelper.SectionResolutionContext;
import io.quarkus.qute.SectionHelperFactory;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Qute's {@code #for}/{@code #each} with a budget of iterations per rendering, shared by every loop
 * of it. Without one, {@code {#for i in 1000000000}{/for}} or a few nested loops over the alerts
 * would hold a sink thread for minutes and fill the heap with results, and a route author could do
 * that to everyone's notifications. The rendering puts an {@link AtomicInteger} under {@link
 * #BUDGET} in its attributes; each iteration takes one, and the one past zero fails the rendering
 * with {@link Exhausted}. A loop over a number, a list or a map larger than what is left fails
 * before it starts, because Qute allocates room for every iteration up front.
 *
 * <p>The loop itself stays Qute's (aliases, {@code {#else}}, {@code alert_count}, {@code
 * alert_hasNext}...): only the context it runs its iterations through is wrapped to count them. One
 * difference: a loop over a missing or null value renders its {@code {#else}} block (or nothing)
 * instead of failing, as a missing value renders empty everywhere else in these templates.
 */
final class BoundedLoopFactory implements SectionHelperFactory<SectionHelper> {

  /** The attribute of a rendering that holds its remaining iterations. */
  static final String BUDGET = "io.dihya.vigie.loopBudget";

  private static final String ITERABLE = "iterable";
  private static final String ELSE = "else";

  private final LoopSectionHelper.Factory loops = new LoopSectionHelper.Factory();

  /** The rendering went past its budget of iterations. */
  static final class Exhausted extends RuntimeException {
    Exhausted() {
      super("the loops of the template ran more iterations than allowed", null, false, false);
    }
  }

  @Override
  public List<String> getDefaultAliases() {
    return loops.getDefaultAliases();
  }

  @Override
  public ParametersInfo getParameters() {
    return loops.getParameters();
  }

  @Override
  public List<String> getBlockLabels() {
    return loops.getBlockLabels();
  }

  @Override
  public Scope initializeBlock(Scope outerScope, BlockInfo block) {
    return loops.initializeBlock(outerScope, block);
  }

  @Override
  public MissingEndTagStrategy missingEndTagStrategy() {
    return loops.missingEndTagStrategy();
  }

  @Override
  public SectionHelper initialize(SectionInitContext context) {
    SectionHelper loop = loops.initialize(context);
    Expression iterable = context.getExpression(ITERABLE);
    SectionBlock otherwise = context.getBlock(ELSE);
    return resolution ->
        resolution
            .evaluate(iterable)
            .thenCompose(
                value -> {
                  if (value != null && !Results.isNotFound(value)) {
                    // Qute sizes a list for all the iterations first: {#for i in 2000000000}
                    // would ask for gigabytes before the first one is counted.
                    if (size(value) > remaining(resolution).get()) {
                      throw new Exhausted();
                    }
                    return loop.resolve(new Counted(resolution));
                  }
                  // Missing is empty, as everywhere in these templates: the else block or nothing.
                  if (otherwise == null) {
                    return ResultNode.NOOP;
                  }
                  return resolution.execute(otherwise, resolution.resolutionContext());
                });
  }

  /** How many iterations a loop over {@code value} runs, as far as it can be told up front. */
  private static long size(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof Collection<?> collection) {
      return collection.size();
    }
    if (value instanceof Map<?, ?> map) {
      return map.size();
    }
    return 0;
  }

  /** The rendering's budget; a rendering without one may run no iteration. */
  private static AtomicInteger remaining(SectionResolutionContext resolution) {
    Object budget = resolution.resolutionContext().getAttribute(BUDGET);
    return budget instanceof AtomicInteger remaining ? remaining : new AtomicInteger();
  }

  /**
   * A loop's context whose every block execution (one per iteration) spends one of the budget. The
   * interface's other {@code execute} and {@code evaluate} methods default to these.
   */
  private record Counted(SectionResolutionContext delegate) implements SectionResolutionContext {

    @Override
    public CompletionStage<Map<String, Object>> evaluate(Map<String, Expression> parameters) {
      return delegate.evaluate(parameters);
    }

    @Override
    public ResolutionContext resolutionContext() {
      return delegate.resolutionContext();
    }

    @Override
    public ResolutionContext newResolutionContext(
        Object data, Map<String, SectionBlock> extendingBlocks) {
      return delegate.newResolutionContext(data, extendingBlocks);
    }

    @Override
    public CompletionStage<ResultNode> execute(SectionBlock block, ResolutionContext context) {
      if (remaining(delegate).decrementAndGet() < 0) {
        throw new Exhausted();
      }
      return delegate.execute(block, context);
    }

    @Override
    public Map<String, Object> getParameters() {
      return delegate.getParameters();
    }
  }
}
