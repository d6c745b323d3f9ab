package dev.gemma4j.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gemma4j.TokenLogit;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopLogitsTest {
    @Test
    void highestFirstLowerIdFirstAmongEquals() {
        float[] logits = {0.5f, 3f, -1f, 3f, 2f, Float.NaN};
        assertEquals(List.of(new TokenLogit(1, 3f), new TokenLogit(3, 3f), new TokenLogit(4, 2f)),
                TopLogits.of(logits, 3));
    }

    @Test
    void kLargerThanTheVocabularyReturnsEverything() {
        assertEquals(2, TopLogits.of(new float[] {1f, 2f}, 8).size());
    }
}
