package io.dihya.vigie.kube;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecTextTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\0", "\r", "\n", "\t", "\u007f", "\u0085", "\u200b", "\u200c", "\u200d", "\u2060",
        "\ufeff", "\u00ad", "\u200e", "\u200f", "\u061c", "\u202a", "\u202e", "\u2066", "\u2069",
        "\u2028", "\u2029", "\ud800"
      })
  void aLineRefusesControlsInvisiblesBidiAndLoneSurrogates(String bad) {
    assertThat(SpecText.LINE.problem("db" + bad + ".svc"))
        .startsWith("contains ")
        .contains(" at index 2: ");
  }

  @Test
  void aLineTakesAnyVisibleCharacter() {
    assertThat(SpecText.LINE.problem("ⵜⴰⵎⴰⵣⵉⵖⵜ-ⴷⵉⵀⵢⴰ.example.org")).isNull();
    assertThat(SpecText.LINE.problem("مرحبا 😀 \ud83d\ude00 café")).isNull();
  }

  @Test
  void problemsNameTheCodePointAndIndex() {
    assertThat(SpecText.LINE.problem("a\u202eb"))
        .isEqualTo("contains a bidirectional control character (U+202E) at index 1: remove it");
    assertThat(SpecText.LINE.problem("😀\u200b"))
        .isEqualTo("contains an invisible character (U+200B) at index 2: remove it");
    assertThat(SpecText.LINE.problem("x\ud800"))
        .isEqualTo(
            "contains an unpaired surrogate, which is not valid Unicode (U+D800) at index 1:"
                + " remove it");
    assertThat(SpecText.CODE.problem("a == \"\u200f\""))
        .isEqualTo(
            "contains a bidirectional mark (U+200F) at index 6: write it as an escape sequence if"
                + " it is meant");
  }

  @Test
  void codeSpansLinesButHidesNothing() {
    assertThat(SpecText.CODE.problem("result.latencyMs < 300 &&\n\tresult.success\r\n")).isNull();
    assertThat(SpecText.CODE.problem("x\u200dy")).contains("invisible");
    assertThat(SpecText.CODE.problem("x\0")).contains("control");
    assertThat(SpecText.CODE.problem("x\u2066")).contains("bidirectional control");
  }

  @Test
  void proseKeepsJoinersAndMarksButNotOverrides() {
    assertThat(SpecText.PROSE.problem("👩‍⚕️ ‏שלום\u200c\nnext\tline\u2028")).isNull();
    assertThat(SpecText.PROSE.problem("see \u202ethe runbook")).contains("U+202E");
    assertThat(SpecText.PROSE.problem("bell\u0007")).contains("control character (U+0007)");
  }

  @Test
  void headerValuesArePrintableAscii() {
    assertThat(SpecText.HEADER_VALUE.problem("Bearer abc.DEF-123_~+/= \t!")).isNull();
    assertThat(SpecText.HEADER_VALUE.problem("a\r\nX-Injected: 1")).contains("U+000D) at index 1");
    assertThat(SpecText.HEADER_VALUE.problem("caf\u00e9"))
        .isEqualTo(
            "contains a character outside printable ASCII (U+00E9) at index 3: header values are"
                + " printable ASCII, spaces and tabs");
  }

  @Test
  void anyTakesAnything() {
    assertThat(SpecText.ANY.problem("\0\r\n\u202e\ud800")).isNull();
  }
}
