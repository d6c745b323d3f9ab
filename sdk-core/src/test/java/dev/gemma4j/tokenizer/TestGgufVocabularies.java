package dev.gemma4j.tokenizer;

import dev.gemma4j.gguf.GgufFile;
import dev.gemma4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test-only: the fixtures' GGUF tokenizers ({@link SentencePieceTokenizer#fromGguf}), their vocabularies as
 * {@link GgufVocabulary} records and chat templates, read once per test JVM through {@link GgufFile}.
 */
public final class TestGgufVocabularies {
    private record Loaded(SentencePieceTokenizer tokenizer, GgufVocabulary vocabulary, String chatTemplate) {
    }

    private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();

    private TestGgufVocabularies() {
    }

    public static Path file(String model) {
        return Fixtures.model(model).resolve("model.gguf");
    }

    public static SentencePieceTokenizer tokenizer(String model) {
        return load(model).tokenizer();
    }

    /** The record the fixture's metadata gives (arrays shared between calls: do not modify them). */
    public static GgufVocabulary vocabulary(String model) {
        return load(model).vocabulary();
    }

    public static String chatTemplate(String model) {
        return load(model).chatTemplate();
    }

    private static Loaded load(String model) {
        return LOADED.computeIfAbsent(model, m -> {
            try (GgufFile gguf = GgufFile.open(file(m))) {
                GgufVocabulary vocabulary = new GgufVocabulary(
                        gguf.stringArray(GgufVocabulary.KEY_TOKENS),
                        gguf.floatArray(GgufVocabulary.KEY_SCORES),
                        gguf.intArray(GgufVocabulary.KEY_TOKEN_TYPE),
                        (int) gguf.integer(GgufVocabulary.KEY_BOS).orElseThrow(),
                        (int) gguf.integer(GgufVocabulary.KEY_EOS).orElseThrow(),
                        (int) gguf.integer(GgufVocabulary.KEY_UNK).orElseThrow(),
                        (int) gguf.integer(GgufVocabulary.KEY_PAD).orElseThrow(),
                        gguf.bool(GgufVocabulary.KEY_ADD_BOS).orElseThrow(),
                        gguf.bool(GgufVocabulary.KEY_ADD_SPACE_PREFIX).orElseThrow());
                return new Loaded(SentencePieceTokenizer.fromGguf(gguf), vocabulary,
                        gguf.string(GgufVocabulary.KEY_CHAT_TEMPLATE).orElseThrow());
            }
        });
    }
}
