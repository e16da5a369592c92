package io.dihya.vigie.probe.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.NullValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the observations of one check type ({@link CheckResult#data()}) in the value types CEL
 * evaluates: Long for integers, Double for other numbers, String, Boolean, List, Map with String
 * keys, and protobuf's NullValue for null. Anything else is turned into one of these, so an
 * assertion such as {@code result.http.json.count > 3} works whatever the JSON held.
 */
public final class ResultData {

  private final Map<String, Object> values = new LinkedHashMap<>();

  private ResultData() {}

  public static ResultData create() {
    return new ResultData();
  }

  /**
   * Adds a value, converted as described above; null values are left out (an assertion on them then
   * fails with "no such key", which names the missing field).
   */
  public ResultData put(String name, Object value) {
    if (value != null) {
      values.put(name, cel(value));
    }
    return this;
  }

  /** An unmodifiable map of what was put, in insertion order. */
  public Map<String, Object> build() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The CEL value of a Java value (numbers widened, collections converted deeply). */
  static Object cel(Object value) {
    if (value == null) {
      return NullValue.NULL_VALUE;
    }
    if (value instanceof JsonNode node) {
      return fromJson(node);
    }
    if (value instanceof Long || value instanceof String || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Double d) {
      return d;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof BigInteger big) {
      return big.bitLength() < 64 ? (Object) big.longValue() : (Object) big.doubleValue();
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.doubleValue();
    }
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof Character c) {
      return c.toString();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> converted = new LinkedHashMap<>();
      map.forEach((k, v) -> converted.put(String.valueOf(k), cel(v)));
      return Collections.unmodifiableMap(converted);
    }
    if (value instanceof Iterable<?> items) {
      List<Object> converted = new ArrayList<>();
      items.forEach(item -> converted.add(cel(item)));
      return Collections.unmodifiableList(converted);
    }
    if (value instanceof Object[] array) {
      return cel(List.of(array));
    }
    return value.toString();
  }

  private static Object fromJson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        map.put(field.getKey(), fromJson(field.getValue()));
      }
      return Collections.unmodifiableMap(map);
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(item -> list.add(fromJson(item)));
      return Collections.unmodifiableList(list);
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return node.asText();
  }
}
