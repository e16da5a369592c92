package io.dihya.vigie.redact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeywordSetTest {

  @Test
  void findsKeywordsIgnoringCase() {
    KeywordSet set = new KeywordSet(true, "token", "Key", "tok");
    assertThat(set.foundIn("an ACCESS_TOKEN here")).isTrue();
    assertThat(set.foundIn("apiKEY")).isTrue();
    assertThat(set.foundIn("to ok tokyo")).isTrue();
    assertThat(set.foundIn("nothing to see, ké")).isFalse();
    assertThat(set.foundIn("")).isFalse();
    assertThat(set.foundIn("k")).isFalse();
    assertThat(set.indexIn("a token", 0, 7)).isEqualTo(2);
    assertThat(set.indexIn("a token", 0, 5)).isEqualTo(2); // "tok" fits
    assertThat(set.indexIn("a token", 0, 4)).isEqualTo(-1);
    assertThat(set.indexIn("a token", 3, 7)).isEqualTo(-1);
  }

  @Test
  void caseSensitiveSetsRespectCase() {
    KeywordSet set = new KeywordSet(false, "AKIA", "eyJ");
    assertThat(set.foundIn("id AKIA...")).isTrue();
    assertThat(set.foundIn("id akia eyj EYJ")).isFalse();
    assertThat(set.keywordAt("x eyJhb", 2)).isEqualTo(1);
    assertThat(set.keywordAt("x eyJhb", 0)).isEqualTo(-1);
    assertThat(set.keywordAt("x eyJhb", 6)).isEqualTo(-1);
    assertThat(set.keywordAt("x éé", 2)).isEqualTo(-1);
  }

  @Test
  void refusesKeywordsItCannotIndex() {
    assertThatThrownBy(() -> new KeywordSet(true, "k"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeywordSet(true, "clé"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
