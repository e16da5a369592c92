package io.dihya.vigie.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.DurationFormat;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationFormatTest {

  @ParameterizedTest
  @CsvSource({
    "500ms,500",
    "30s,30000",
    "5m,300000",
    "1h30m,5400000",
    "14d,1209600000",
    "1m1s,61000"
  })
  void parsesKubernetesStyleDurations(String text, long millis) {
    assertThat(DurationFormat.parse(text)).contains(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "30", "s", "1.5s", "-1s", "30 s", "1w", "PT30S", "1h 30m"})
  void rejectsAnythingElse(String text) {
    assertThat(DurationFormat.parse(text)).isEmpty();
    assertThat(text.matches(DurationFormat.PATTERN)).isFalse();
  }
}
