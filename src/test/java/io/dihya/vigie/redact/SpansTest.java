package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpansTest {

  private static final String TEXT = "0123456789abcdefghij";

  @Test
  void masksEachSpanAndKeepsTheRest() {
    assertThat(new Spans().mask(2, 4).mask(10, 12).applyTo(TEXT))
        .isEqualTo("01[REDACTED]456789[REDACTED]cdefghij");
    assertThat(new Spans().mask(0, TEXT.length()).applyTo(TEXT)).isEqualTo("[REDACTED]");
  }

  @Test
  void ignoresEmptySpansAndNothingFound() {
    assertThat(new Spans().applyTo(TEXT)).isSameAs(TEXT);
    assertThat(new Spans().mask(3, 3).mask(5, 4).applyTo(TEXT)).isSameAs(TEXT);
  }

  @Test
  void mergesOverlappingAndTouchingMasksInAnyOrder() {
    assertThat(new Spans().mask(6, 10).mask(2, 7).mask(10, 12).mask(3, 4).applyTo(TEXT))
        .isEqualTo("01[REDACTED]cdefghij");
  }

  @Test
  void aPseudonymOverlappingAMaskBecomesPartOfIt() {
    assertThat(new Spans().replace(2, 8, "P").mask(6, 10).applyTo(TEXT))
        .isEqualTo("01[REDACTED]abcdefghij");
    assertThat(new Spans().mask(2, 8).replace(4, 12, "P").applyTo(TEXT))
        .isEqualTo("01[REDACTED]cdefghij");
    assertThat(new Spans().replace(2, 8, "P").mask(3, 4).applyTo(TEXT))
        .isEqualTo("01[REDACTED]89abcdefghij");
  }

  @Test
  void aPseudonymInsideAnotherIsDropped() {
    assertThat(new Spans().replace(4, 8, "inner").replace(2, 10, "outer").applyTo(TEXT))
        .isEqualTo("01outerabcdefghij");
  }

  @Test
  void touchingPseudonymsStaySeparate() {
    assertThat(new Spans().replace(2, 4, "A").replace(4, 6, "B").mask(6, 8).applyTo(TEXT))
        .isEqualTo("01AB[REDACTED]89abcdefghij");
  }

  @Test
  void growsPastItsInitialCapacity() {
    Spans spans = new Spans();
    for (int i = 0; i < 20; i += 2) {
      spans.replace(i, i + 1, "_");
    }
    assertThat(spans.applyTo(TEXT)).isEqualTo("_1_3_5_7_9_b_d_f_h_j");
  }
}
