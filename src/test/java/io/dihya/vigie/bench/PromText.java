package io.dihya.vigie.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/** A scrape in Prometheus' text format: series (name with labels) to value. */
final class PromText {

  private final Map<String, Double> series = new LinkedHashMap<>();

  static PromText parse(String text) {
    PromText scrape = new PromText();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      // name{labels} value (neither Micrometer nor the API server writes timestamps)
      int end = line.lastIndexOf(' ');
      if (end < 0) {
        continue;
      }
      String head = line.substring(0, end).trim();
      String value = line.substring(end + 1).trim();
      try {
        scrape.series.put(head, Double.parseDouble(value));
      } catch (NumberFormatException e) {
        // not a sample
      }
    }
    return scrape;
  }

  /** The sum of every series of {@code name} whose labels pass {@code labels}. */
  double sum(String name, Predicate<String> labels) {
    double total = 0;
    for (Map.Entry<String, Double> e : series.entrySet()) {
      String key = e.getKey();
      int brace = key.indexOf('{');
      String metric = brace < 0 ? key : key.substring(0, brace);
      if (metric.equals(name) && labels.test(brace < 0 ? "" : key.substring(brace))) {
        total += e.getValue();
      }
    }
    return total;
  }

  double sum(String name) {
    return sum(name, l -> true);
  }

  /** Cumulative bucket counts of a histogram, by upper bound (seconds). */
  TreeMap<Double, Double> buckets(String histogram) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    String prefix = histogram + "_bucket{";
    for (Map.Entry<String, Double> e : series.entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(prefix)) {
        continue;
      }
      int le = key.indexOf("le=\"");
      String bound = key.substring(le + 4, key.indexOf('"', le + 4));
      double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
      buckets.merge(upper, e.getValue(), Double::sum);
    }
    return buckets;
  }

  /**
   * The q-quantile of what a histogram counted between two scrapes, as the upper bound of the
   * bucket that holds it (so "p99 ≤ x").
   */
  static double quantile(PromText before, PromText after, String histogram, double q) {
    TreeMap<Double, Double> b = before.buckets(histogram);
    TreeMap<Double, Double> a = after.buckets(histogram);
    List<Double> bounds = new ArrayList<>(a.keySet());
    double total = a.lastEntry().getValue() - b.getOrDefault(a.lastKey(), 0.0);
    if (total <= 0) {
      return Double.NaN;
    }
    for (double bound : bounds) {
      double count = a.get(bound) - b.getOrDefault(bound, 0.0);
      if (count >= q * total) {
        return bound;
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
