package dev.gemma4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gemma4j.ModelFormatException;
import dev.gemma4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class HfGemmaTokenizerTest {
    private static HfGemmaTokenizer tokenizer(String model) {
        return TestTokenizers.get(model);
    }

    private static JsonNode golden(String model) {
        return TestTokenizers.golden(model, "tokenizer.json");
    }

    @ParameterizedTest
    @FieldSource("dev.gemma4j.testing.Fixtures#MODELS")
    void encodesAndDecodesEveryGoldenCase(String model) {
        HfGemmaTokenizer tokenizer = tokenizer(model);
        JsonNode cases = golden(model).get("cases");
        assertEquals(61, cases.size());
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] ids = TestTokenizers.ints(c.get("ids"));
            int[] noSpecial = TestTokenizers.ints(c.get("ids_no_special"));
            check(failures, "ids", text, Arrays.toString(ids),
                    Arrays.toString(tokenizer.encode(text, true)));
            check(failures, "ids_no_special", text, Arrays.toString(noSpecial),
                    Arrays.toString(tokenizer.encode(text, false)));
            check(failures, "decoded", text, c.get("decoded").asText(), tokenizer.decode(noSpecial, false));
        }
        assertTrue(failures.isEmpty(), model + ": " + failures.size() + " mismatches:\n" + String.join("\n", failures));
    }

    private static void check(List<String> failures, String what, String text, String expected, String actual) {
        if (!expected.equals(actual)) {
            failures.add(what + " of " + text.replace("\n", "\\n") + ": expected " + expected + " got " + actual);
        }
    }

    @ParameterizedTest
    @FieldSource("dev.gemma4j.testing.Fixtures#MODELS")
    void specialTokensAndVocabularyMatchGolden(String model) {
        HfGemmaTokenizer tokenizer = tokenizer(model);
        JsonNode golden = golden(model);
        assertEquals(golden.at("/special/bos/id").asInt(), tokenizer.bosId());
        assertEquals(2, tokenizer.bosId());
        // Always <eos>: the golden's eos follows tokenizer_config.json, which for Gemma 3 names <end_of_turn>
        // (a stop token that generation adds beside eos).
        assertEquals(1, tokenizer.eosId());
        for (String special : List.of("bos", "eos", "pad", "unk")) {
            JsonNode token = golden.get("special").get(special);
            assertEquals(token.get("id").asInt(), tokenizer.tokenId(token.get("token").asText()).orElseThrow());
        }
        assertEquals(golden.get("vocab_size").asInt(), tokenizer.vocabSize());
        assertEquals("<bos>", tokenizer.token(2));
        assertEquals("<0x0A>", tokenizer.token(tokenizer.tokenId("<0x0A>").orElseThrow()));
        int endOfTurn = model.equals("tiny-gemma3") ? 106 : 107;
        assertEquals(endOfTurn, tokenizer.tokenId("<end_of_turn>").orElseThrow());
        assertTrue(tokenizer.tokenId("no such piece").isEmpty());
        for (JsonNode c : golden.get("cases")) {
            int[] ids = TestTokenizers.ints(c.get("ids_no_special"));
            for (int i = 0; i < ids.length; i++) {
                assertEquals(c.get("pieces").get(i).asText(), tokenizer.token(ids[i]), c.get("text").asText());
            }
        }
    }

    @Test
    void neverTruncatesLongInput() {
        HfGemmaTokenizer tokenizer = tokenizer("tiny-gemma3");
        String text = "The quick brown fox jumps over the lazy dog. ".repeat(300);
        int[] ids = tokenizer.encode(text, true);
        assertTrue(ids.length > 3000, "got " + ids.length + " ids");
        assertEquals(text, tokenizer.decode(Arrays.copyOfRange(ids, 1, ids.length), false));
    }

    @Test
    void skipSpecialDropsControlTokens() {
        HfGemmaTokenizer tokenizer = tokenizer("tiny-gemma2");
        int[] ids = tokenizer.encode("<start_of_turn>user\nhi<end_of_turn>", true);
        assertEquals("<bos><start_of_turn>user\nhi<end_of_turn>", tokenizer.decode(ids, false));
        assertEquals("user\nhi", tokenizer.decode(ids, true));
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() {
        HfGemmaTokenizer tokenizer = tokenizer("tiny-gemma");
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {5, 256000}, false));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {-1}, false));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.token(256000));
    }

    @Test
    void concurrentEncodeAndDecodeAgree() throws Exception {
        HfGemmaTokenizer tokenizer = tokenizer("tiny-gemma3");
        List<String> texts = new ArrayList<>();
        List<int[]> expected = new ArrayList<>();
        for (JsonNode c : golden("tiny-gemma3").get("cases")) {
            texts.add(c.get("text").asText());
            expected.add(TestTokenizers.ints(c.get("ids")));
        }
        List<Callable<Integer>> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            workers.add(() -> {
                for (int round = 0; round < 20; round++) {
                    for (int i = 0; i < texts.size(); i++) {
                        int[] ids = tokenizer.encode(texts.get(i), true);
                        assertArrayEquals(expected.get(i), ids, texts.get(i));
                        tokenizer.decode(ids, false);
                    }
                }
                return texts.size();
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (Future<Integer> f : pool.invokeAll(workers)) {
                f.get();
            }
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFails() {
        HfGemmaTokenizer tokenizer = HfGemmaTokenizer.load(Fixtures.model("tiny-gemma"));
        assertArrayEquals(new int[] {2, 4521, 2134}, tokenizer.encode("Hello world", true));
        tokenizer.close();
        tokenizer.close();
        assertThrows(IllegalStateException.class, () -> tokenizer.encode("Hello", false));
        assertThrows(IllegalStateException.class, () -> tokenizer.decode(new int[] {4521}, false));
    }

    @Test
    void missingTokenizerJsonNamesTheFile(@TempDir Path dir) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfGemmaTokenizer.load(dir));
        assertEquals(dir.resolve("tokenizer.json"), e.file());
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }

    @Test
    void truncatedJsonIsAFormatError(@TempDir Path dir) throws IOException {
        String json = Files.readString(Fixtures.model("tiny-gemma").resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer.json"), json.substring(0, json.length() / 2));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfGemmaTokenizer.load(dir));
        assertEquals(dir.resolve("tokenizer.json"), e.file());
        assertEquals("json", e.field());
    }

    @Test
    void tokenizerJsonWithoutVocabIsAFormatError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\"}}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfGemmaTokenizer.load(dir));
        assertEquals("model.vocab", e.field());
    }

    @Test
    void tokenizerJsonTheLibraryRejectsIsAFormatError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"model": {"type": "NoSuchModel", "vocab": {"<bos>": 2, "<eos>": 1}}}""");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfGemmaTokenizer.load(dir));
        assertEquals(dir.resolve("tokenizer.json"), e.file());
        assertEquals("tokenizer", e.field());
    }
}
