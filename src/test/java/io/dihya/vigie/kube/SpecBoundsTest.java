package io.dihya.vigie.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.AlertRouteSpec;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.Limits;
import io.fabric8.generator.annotation.Size;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpecBoundsTest {

  /** Every text, list and map a user writes has a bound, so that a new field cannot forget one. */
  @Test
  void everyTextListAndMapOfTheSpecsIsBounded() {
    List<String> unbounded = new ArrayList<>();
    Set<Class<?>> seen = new HashSet<>();
    unbounded(HealthProbeSpec.class, "HealthProbe.spec", seen, unbounded);
    unbounded(AlertRouteSpec.class, "AlertRoute.spec", seen, unbounded);
    assertThat(unbounded)
        .as("texts, lists and maps without @Size(max = ...): bound them in the API types")
        .isEmpty();
    assertThat(seen).hasSizeGreaterThan(25);
  }

  @Test
  void sizesReportsOnlySizesAndContentsTheRest() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.interval = "1s".repeat(20);
    spec.failureThreshold = 0;
    spec.dependsOn = List.of("db\u200b");
    SpecProblems problems = new SpecProblems();
    assertThat(SpecBounds.sizes("spec", spec, problems)).isFalse();
    assertThat(problems.list()).containsExactly("spec.interval: at most 32 characters (found 40)");

    spec.interval = "1s";
    problems = new SpecProblems();
    assertThat(SpecBounds.sizes("spec", spec, problems)).isTrue();
    SpecBounds.contents("spec", spec, problems);
    assertThat(problems.list())
        .containsExactly(
            "spec.failureThreshold: must be at least 1",
            "spec.dependsOn[0]: contains an invisible character (U+200B) at index 2: remove it");
  }

  @Test
  void aFieldWithAProblemAlreadyIsNotReportedTwice() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.successThreshold = 0;
    SpecProblems problems = new SpecProblems();
    problems.add("spec.successThreshold", "the validator's own words");
    SpecBounds.contents("spec", spec, problems);
    assertThat(problems.list()).containsExactly("spec.successThreshold: the validator's own words");
  }

  @Test
  void mapKeysAreNamedOnlyWhenPlain() {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.alert = new io.dihya.vigie.api.v1alpha1.ProbeAlert();
    spec.alert.labels = new java.util.LinkedHashMap<>(Map.of("app.kubernetes.io/team", "a\nb"));
    spec.alert.annotations = new java.util.LinkedHashMap<>(Map.of("sum mary", "x\u202e"));
    SpecProblems problems = new SpecProblems();
    SpecBounds.contents("spec", spec, problems);
    assertThat(problems.list())
        .containsExactly(
            "spec.alert.labels[app.kubernetes.io/team]: contains a control character (U+000A) at"
                + " index 1: remove it",
            "spec.alert.annotations (entry 0): contains a bidirectional control character"
                + " (U+202E) at index 1: remove it");
  }

  private static void unbounded(Class<?> type, String path, Set<Class<?>> seen, List<String> out) {
    if (!seen.add(type)) {
      return;
    }
    for (Field field : type.getFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        continue;
      }
      check(field.getAnnotatedType(), path + "." + field.getName(), seen, out);
    }
  }

  private static void check(
      AnnotatedType annotated, String path, Set<Class<?>> seen, List<String> out) {
    Type type = annotated.getType();
    Class<?> raw =
        type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    boolean sized =
        annotated.getAnnotation(Size.class) != null
            && annotated.getAnnotation(Size.class).max() != Long.MAX_VALUE;
    if (raw == String.class
        || List.class.isAssignableFrom(raw)
        || Map.class.isAssignableFrom(raw)) {
      if (!sized) {
        out.add(path);
      }
    }
    if (annotated instanceof AnnotatedParameterizedType parameterized) {
      AnnotatedType[] arguments = parameterized.getAnnotatedActualTypeArguments();
      check(arguments[arguments.length - 1], path + "[]", seen, out);
    } else if (raw.getPackage() == Limits.class.getPackage() && !raw.isEnum()) {
      unbounded(raw, path, seen, out);
    }
  }
}
