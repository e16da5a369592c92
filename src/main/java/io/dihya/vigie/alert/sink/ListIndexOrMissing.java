package io.dihya.vigie.alert.sink;

import io.quarkus.qute.CompletedStage;
import io.quarkus.qute.EvalContext;
import io.quarkus.qute.ValueResolver;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * {@code {alerts.0}}, {@code {alerts.first}} and {@code {alerts.last}} of notification templates,
 * null (so empty) on a list too short, where Qute's own list resolver throws: a template written
 * for alerts, e.g. {@code {alerts.0.labels.probe}}, then still renders for a test or heartbeat
 * notification, which has none.
 */
final class ListIndexOrMissing implements ValueResolver {

  /** Above Qute's list resolver, which would fail first. */
  private static final int PRIORITY = 100;

  @Override
  public int getPriority() {
    return PRIORITY;
  }

  @Override
  public boolean appliesTo(EvalContext context) {
    String name = context.getName();
    return context.getBase() instanceof List<?>
        && context.getParams().isEmpty()
        && (name.equals("first") || name.equals("last") || isIndex(name));
  }

  @Override
  public CompletionStage<Object> resolve(EvalContext context) {
    List<?> list = (List<?>) context.getBase();
    String name = context.getName();
    int index =
        switch (name) {
          case "first" -> 0;
          case "last" -> list.size() - 1;
          default -> Integer.parseInt(name);
        };
    // Null, not Qute's "not found", which would hand the expression on to the list resolver.
    return CompletedStage.of(index >= 0 && index < list.size() ? list.get(index) : null);
  }

  private static boolean isIndex(String name) {
    return !name.isEmpty() && name.length() <= 9 && name.chars().allMatch(Character::isDigit);
  }
}
