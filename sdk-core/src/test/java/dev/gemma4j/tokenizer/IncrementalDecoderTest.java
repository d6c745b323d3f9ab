package dev.gemma4j.tokenizer;

import static dev.gemma4j.tokenizer.TestTokenizers.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class IncrementalDecoderTest {
    private static final char REPLACEMENT = '\uFFFD';

    private static HfGemmaTokenizer tokenizer(String model) {
        return TestTokenizers.get(model);
    }

    private static JsonNode golden(String model) {
        return TestTokenizers.golden(model, "tokenizer.json");
    }

    /** Pushes ids one at a time; the last element is what flush returned. */
    private static List<String> stream(GemmaTokenizer tokenizer, int... ids) {
        StreamDecoder decoder = tokenizer.newStreamDecoder();
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(decoder.push(id));
        }
        pieces.add(decoder.flush());
        return pieces;
    }

    private static int id(GemmaTokenizer tokenizer, String piece) {
        return tokenizer.tokenId(piece).orElseThrow();
    }

    @ParameterizedTest
    @FieldSource("dev.gemma4j.testing.Fixtures#MODELS")
    void streamingEveryGoldenCaseReproducesItsDecoding(String model) {
        HfGemmaTokenizer tokenizer = tokenizer(model);
        int byteFallbackCases = 0;
        for (JsonNode c : golden(model).get("cases")) {
            int[] ids = ints(c.get("ids_no_special"));
            String decoded = c.get("decoded").asText();
            List<String> pieces = stream(tokenizer, ids);
            assertEquals(decoded, String.join("", pieces), c.get("text").asText());
            assertCompleteCharacters(pieces, decoded);
            if (IntStream.of(ids).anyMatch(tokenizer::isByteToken)) {
                byteFallbackCases++;
            }
        }
        assertTrue(byteFallbackCases > 0, "the goldens should exercise byte-fallback pieces");
    }

    @ParameterizedTest
    @FieldSource("dev.gemma4j.testing.Fixtures#MODELS")
    void streamingAllGoldenCasesAsOneTextWithBos(String model) {
        HfGemmaTokenizer tokenizer = tokenizer(model);
        List<Integer> all = new ArrayList<>(List.of(tokenizer.bosId()));
        for (JsonNode c : golden(model).get("cases")) {
            for (int id : ints(c.get("ids_no_special"))) {
                all.add(id);
            }
        }
        int[] ids = all.stream().mapToInt(Integer::intValue).toArray();
        String decoded = tokenizer.decode(ids, false);
        List<String> pieces = stream(tokenizer, ids);
        assertEquals(decoded, String.join("", pieces));
        assertCompleteCharacters(pieces, decoded);
    }

    private static void assertCompleteCharacters(List<String> pieces, String decoded) {
        for (String piece : pieces) {
            if (decoded.indexOf(REPLACEMENT) < 0) {
                assertFalse(piece.indexOf(REPLACEMENT) >= 0, "partial character emitted: " + piece);
            }
            assertFalse(!piece.isEmpty() && Character.isHighSurrogate(piece.charAt(piece.length() - 1)),
                    "piece ends inside a surrogate pair: " + piece);
        }
    }

    @Test
    void multiByteCharacterFromByteTokensIsEmittedWhole() {
        HfGemmaTokenizer tokenizer = tokenizer("tiny-gemma3");
        // U+1F9EC (DNA) as UTF-8 bytes F0 9F A7 AC, then an ordinary piece.
        int[] ids = {id(tokenizer, "<0xF0>"), id(tokenizer, "<0x9F>"), id(tokenizer, "<0xA7>"),
                id(tokenizer, "<0xAC>"), id(tokenizer, "a")};
        assertEquals(List.of("", "", "", "", "\uD83E\uDDECa", ""), stream(tokenizer, ids));
    }

    @Test
    void invalidByteRunBecomesReplacementCharactersExactlyAsDecodeSays() {
        HfGemmaTokenizer tokenizer = tokenizer("tiny-gemma3");
        // "€" (E2 82 AC) followed by a stray FF in the same run: the whole run is one replacement per byte,
        // so "€" must not have been emitted early.
        int[] ids = {id(tokenizer, "<0xE2>"), id(tokenizer, "<0x82>"), id(tokenizer, "<0xAC>"),
                id(tokenizer, "<0xFF>"), id(tokenizer, "a")};
        String decoded = tokenizer.decode(ids, false);
        assertEquals("\uFFFD".repeat(4) + "a", decoded);
        assertEquals(List.of("", "", "", "", decoded, ""), stream(tokenizer, ids));
    }

    @Test
    void flushEmitsAnUnfinishedByteRunAsDecodeDoes() {
        HfGemmaTokenizer tokenizer = tokenizer("tiny-gemma2");
        int[] ids = {id(tokenizer, "▁the"), id(tokenizer, "<0xE2>"), id(tokenizer, "<0x82>")};
        List<String> pieces = stream(tokenizer, ids);
        assertEquals(List.of(" the", "", "", "\uFFFD\uFFFD"), pieces);
        assertEquals(tokenizer.decode(ids, false), String.join("", pieces));
    }

    @Test
    void decoderIsReusableAfterFlush() {
        HfGemmaTokenizer tokenizer = tokenizer("tiny-gemma");
        StreamDecoder decoder = tokenizer.newStreamDecoder();
        int[] ids = tokenizer.encode("Hello world", false);
        StringBuilder first = new StringBuilder();
        StringBuilder second = new StringBuilder();
        for (int id : ids) {
            first.append(decoder.push(id));
        }
        first.append(decoder.flush());
        for (int id : ids) {
            second.append(decoder.push(id));
        }
        second.append(decoder.flush());
        assertEquals("Hello world", first.toString());
        assertEquals("Hello world", second.toString());
    }

    @Test
    void piecesAppearAsSoonAsTheirTokenArrives() {
        HfGemmaTokenizer tokenizer = tokenizer("tiny-gemma2");
        int[] ids = tokenizer.encode("The quick brown fox", false);
        assertEquals(List.of("The", " quick", " brown", " fox", ""), stream(tokenizer, ids));
    }
}
