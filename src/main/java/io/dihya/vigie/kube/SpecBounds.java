package io.dihya.vigie.kube;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.Limits;
import io.dihya.vigie.api.v1alpha1.MessageTemplate;
import io.dihya.vigie.api.v1alpha1.PostgresCheck;
import io.dihya.vigie.api.v1alpha1.ProbeAlert;
import io.dihya.vigie.api.v1alpha1.Redaction;
import io.dihya.vigie.api.v1alpha1.Silence;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a spec against the bounds its types give the CRD schema ({@code @Size} on texts, lists and
 * maps, {@code @Min} and {@code @Max} on numbers) and every text against the characters it may hold
 * ({@link SpecText}). The API server enforces the schema, but not on objects stored before the CRD
 * had a bound, nor on a server that does not validate: reading the same markers keeps the
 * operator's checks and the schema from drifting apart.
 *
 * <p>Sizes come first ({@link #sizes}): a validator looks no further into a spec past them, so no
 * rule, regular expression or compiler ever runs on a megabyte of text or 10,000 items. A list or
 * map past its bound is reported once and not looked into.
 */
public final class SpecBounds {

  /** Texts that are not {@link SpecText#LINE}, by the field holding them (or their list or map). */
  private static final Map<Field, SpecText> TEXTS =
      Map.ofEntries(
          Map.entry(field(HttpCheck.class, "body"), SpecText.ANY),
          Map.entry(field(HttpCheck.ExpectBody.class, "contains"), SpecText.ANY),
          Map.entry(field(HttpCheck.ExpectBody.class, "regex"), SpecText.CODE),
          Map.entry(field(HttpHeader.class, "value"), SpecText.HEADER_VALUE),
          Map.entry(field(TcpCheck.class, "send"), SpecText.ANY),
          Map.entry(field(TcpCheck.class, "expect"), SpecText.ANY),
          Map.entry(field(HealthProbeSpec.class, "assertions"), SpecText.CODE),
          Map.entry(field(PostgresCheck.class, "query"), SpecText.CODE),
          Map.entry(field(Redaction.class, "patterns"), SpecText.CODE),
          Map.entry(field(ProbeAlert.class, "annotations"), SpecText.PROSE),
          Map.entry(field(MessageTemplate.class, "message"), SpecText.PROSE),
          Map.entry(field(MessageTemplate.class, "payload"), SpecText.PROSE),
          Map.entry(field(Silence.class, "comment"), SpecText.PROSE));

  /** Map keys are named in problems only when they are plain. */
  private static final Pattern PLAIN_KEY = Pattern.compile("^[-._/a-zA-Z0-9]{1,63}$");

  private static final Package API = Limits.class.getPackage();

  /** Longest map key (a label or annotation name); the schema cannot bound keys. */
  static final int MAX_KEY = Limits.NAME;

  private final boolean sizes;
  private final SpecProblems problems;

  private SpecBounds(boolean sizes, SpecProblems problems) {
    this.sizes = sizes;
    this.problems = problems;
  }

  /**
   * Records a problem for every text, list or map of {@code spec} (found at {@code path}) longer
   * than its bound, and for map keys longer than {@value #MAX_KEY} characters.
   *
   * @return whether there was none
   */
  public static boolean sizes(String path, Object spec, SpecProblems problems) {
    int before = problems.list().size();
    new SpecBounds(true, problems).object(path, spec);
    return problems.list().size() == before;
  }

  /**
   * Records a problem for every number of {@code spec} out of its range and every text holding a
   * character its kind refuses, except at fields with a problem already (a validator's rule says
   * more). Call it on a spec within its {@link #sizes}.
   */
  public static void contents(String path, Object spec, SpecProblems problems) {
    new SpecBounds(false, problems).object(path, spec);
  }

  private void object(String path, Object value) {
    for (Field field : value.getClass().getFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        continue;
      }
      Object fieldValue;
      try {
        fieldValue = field.get(value);
      } catch (IllegalAccessException e) {
        continue; // public fields only: cannot happen
      }
      JsonProperty json = field.getAnnotation(JsonProperty.class);
      String name = json != null && !json.value().isEmpty() ? json.value() : field.getName();
      value(path + "." + name, field.getAnnotatedType(), text(field), fieldValue);
    }
  }

  private void value(String path, AnnotatedType type, SpecText text, Object value) {
    if (value == null) {
      return;
    }
    long max = maxSize(type);
    if (value instanceof String string) {
      if (sizes && string.length() > max) {
        report(path, "at most " + max + " characters (found " + string.length() + ")");
      } else if (!sizes) {
        String problem = text.problem(string);
        if (problem != null) {
          report(path, problem);
        }
      }
    } else if (value instanceof Number number) {
      if (!sizes) {
        range(path, type, number);
      }
    } else if (value instanceof List<?> list) {
      if (list.size() > max) {
        report(path, "at most " + max + " items (found " + list.size() + ")");
        return;
      }
      AnnotatedType item = typeArgument(type, 0);
      for (int i = 0; i < list.size(); i++) {
        value(path + "[" + i + "]", item, text, list.get(i));
      }
    } else if (value instanceof Map<?, ?> map) {
      if (map.size() > max) {
        report(path, "at most " + max + " entries (found " + map.size() + ")");
        return;
      }
      map(path, typeArgument(type, 1), text, map);
    } else if (value.getClass().getPackage() == API && !value.getClass().isEnum()) {
      object(path, value);
    }
  }

  private void map(String path, AnnotatedType valueType, SpecText text, Map<?, ?> map) {
    int index = 0;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String key = String.valueOf(entry.getKey());
      if (sizes && key.length() > MAX_KEY) {
        report(path, "the key of entry " + index + " is longer than " + MAX_KEY + " characters");
      } else if (!sizes && SpecText.LINE.problem(key) != null) {
        report(path, "the key of entry " + index + " " + SpecText.LINE.problem(key));
      } else {
        // Keys are named only when they are plain: a key is user text like any other.
        String entryPath =
            PLAIN_KEY.matcher(key).matches()
                ? path + "[" + key + "]"
                : path + " (entry " + index + ")";
        value(entryPath, valueType, text, entry.getValue());
      }
      index++;
    }
  }

  private void range(String path, AnnotatedType type, Number number) {
    double value = number.doubleValue();
    Min min = type == null ? null : type.getAnnotation(Min.class);
    Max max = type == null ? null : type.getAnnotation(Max.class);
    if (min != null && (min.inclusive() ? value < min.value() : value <= min.value())) {
      report(
          path,
          (min.inclusive() ? "must be at least " : "must be more than ") + bound(min.value()));
    } else if (max != null && (max.inclusive() ? value > max.value() : value >= max.value())) {
      report(
          path, (max.inclusive() ? "must be at most " : "must be less than ") + bound(max.value()));
    }
  }

  /** Records a problem unless the field has one already (a validator's, which says more). */
  private void report(String path, String problem) {
    if (!problems.has(path)) {
      problems.add(path, problem);
    }
  }

  private static long maxSize(AnnotatedType type) {
    Size size = type == null ? null : type.getAnnotation(Size.class);
    return size == null ? Long.MAX_VALUE : size.max();
  }

  private static String bound(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private static AnnotatedType typeArgument(AnnotatedType type, int index) {
    if (type instanceof AnnotatedParameterizedType parameterized
        && parameterized.getAnnotatedActualTypeArguments().length > index) {
      return parameterized.getAnnotatedActualTypeArguments()[index];
    }
    return null; // a raw type: no markers on its items
  }

  private static SpecText text(Field field) {
    return TEXTS.getOrDefault(field, SpecText.LINE);
  }

  private static Field field(Class<?> type, String name) {
    try {
      return type.getField(name);
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("no field " + type.getSimpleName() + "." + name, e);
    }
  }
}
