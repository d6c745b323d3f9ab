package dev.gemma4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemma4j.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fixtures' tokenizers, loaded once per test JVM and shared by the tokenizer and chat tests (a load
 * parses an 11-14 MB tokenizer.json); they are never closed, the JVM's exit frees them. Also reads goldens.
 */
public final class TestTokenizers {
    private static final Map<String, HfGemmaTokenizer> LOADED = new ConcurrentHashMap<>();

    private TestTokenizers() {
    }

    public static HfGemmaTokenizer get(String model) {
        return LOADED.computeIfAbsent(model, m -> HfGemmaTokenizer.load(Fixtures.model(m)));
    }

    public static JsonNode golden(String model, String file) {
        try {
            return new ObjectMapper().readTree(Fixtures.golden(model, file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonNode array) {
        int[] result = new int[array.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = array.get(i).asInt();
        }
        return result;
    }
}
