package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TextSearchTest {

  @Test
  void searchingFindsWhatStringIndexOfFinds() {
    String[][] cases = {
      {"abcabcabd", "abcabd"},
      {"aaaaab", "aab"},
      {"abababab", "abab"},
      {"xyz", "xyzz"},
      {"ⵜⴰⵎⴰⵣⵉⵖⵜ 😀 ok", "😀 o"},
      {"mississippi", "issip"},
      {"mississippi", "ssippix"},
    };
    for (String[] c : cases) {
      assertThat(TextSearch.indexOf(c[0], c[1]))
          .as("%s in %s", c[1], c[0])
          .isEqualTo(c[0].indexOf(c[1]));
    }
  }

  @Test
  void anEmptyTextIsFoundAtOnce() {
    assertThat(TextSearch.indexOf("abc", "")).isZero();
    assertThat(TextSearch.indexOf("", "a")).isEqualTo(-1);
  }

  @Test
  void theWorstCaseOfStringContainsIsLinear() {
    String text = "a".repeat(1 << 20);
    TextSearch search = new TextSearch("a".repeat(4095) + "b");
    long start = System.nanoTime();
    assertThat(search.in(text)).isEqualTo(-1);
    assertThat(search.in(text + "b")).isEqualTo((1 << 20) - 4095);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
  }
}
