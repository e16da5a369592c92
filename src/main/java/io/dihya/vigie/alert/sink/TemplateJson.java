package io.dihya.vigie.alert.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.qute.CompletedStage;
import io.quarkus.qute.EvalContext;
import io.quarkus.qute.ValueResolver;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The {@code json} virtual method of notification templates: {@code {commonLabels.probe.json}}
 * renders the value as one JSON value, quotes included ({@code "orders-api"}), with every quote,
 * backslash, line break and control character escaped. A map renders as an object, a list as an
 * array, a number or boolean as itself, and a missing or null value as {@code null}, so a payload
 * written with it stays valid JSON whatever the labels hold.
 *
 * <p>Only the plain values of {@link TemplateData} and Qute's literals are written; anything else
 * (which the data never holds) renders {@code null} rather than being introspected.
 */
final class TemplateJson implements ValueResolver {

  static final String NAME = "json";

  /** Above the built-in resolvers: {@code .json} on a map is the whole map, not a key "json". */
  private static final int PRIORITY = 100;

  @Override
  public int getPriority() {
    return PRIORITY;
  }

  @Override
  public boolean appliesTo(EvalContext context) {
    return NAME.equals(context.getName()) && context.getParams().isEmpty();
  }

  @Override
  public CompletionStage<Object> resolve(EvalContext context) {
    return CompletedStage.of(write(context.getBase()));
  }

  /** The JSON text of a template value. */
  static String write(Object value) {
    return node(value).toString();
  }

  private static JsonNode node(Object value) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    if (value instanceof CharSequence text) {
      return nodes.textNode(text.toString());
    }
    if (value instanceof Boolean flag) {
      return nodes.booleanNode(flag);
    }
    if (value instanceof Integer || value instanceof Long) {
      return nodes.numberNode(((Number) value).longValue());
    }
    if (value instanceof Number number) {
      // NaN and infinities have no JSON form.
      double real = number.doubleValue();
      return Double.isFinite(real) ? nodes.numberNode(real) : nodes.nullNode();
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = nodes.objectNode();
      map.forEach((k, v) -> object.set(String.valueOf(k), node(v)));
      return object;
    }
    if (value instanceof Iterable<?> list) {
      ArrayNode array = nodes.arrayNode();
      list.forEach(v -> array.add(node(v)));
      return array;
    }
    if (value instanceof Map.Entry<?, ?> entry) {
      ObjectNode object = nodes.objectNode();
      object.put("key", String.valueOf(entry.getKey()));
      object.set("value", node(entry.getValue()));
      return object;
    }
    // null, a missing value (Qute's NotFound), or a type the data never holds.
    return nodes.nullNode();
  }
}
