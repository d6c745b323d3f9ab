package dev.gemma4j.nativeengine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemma4j.GemmaModel;
import dev.gemma4j.GemmaOptions;
import dev.gemma4j.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** Helpers shared by the end-to-end tests of the public API (ChatSessionTest, StreamingTest, ...). */
final class ApiTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();

    private ApiTestSupport() {
    }

    /**
     * A per-class cache of loaded models: loading the tokenizer dominates a test's time, so each test class
     * loads each configuration once and closes them all in its {@code @AfterAll}.
     */
    static final class ModelCache implements AutoCloseable {
        private final Map<String, GemmaModel> models = new ConcurrentHashMap<>();

        /** The fixture {@code name} loaded with the native engine, 2 threads and {@code customize} applied. */
        GemmaModel get(String name, String variant, Consumer<GemmaOptions.Builder> customize) {
            return models.computeIfAbsent(name + "/" + variant, key -> {
                GemmaOptions.Builder b = GemmaOptions.builder().engine("native").threads(2);
                customize.accept(b);
                return GemmaModel.load(Fixtures.model(name), b.build());
            });
        }

        @Override
        public void close() {
            models.values().forEach(GemmaModel::close);
            models.clear();
        }
    }

    /** golden/numpy.json of a fixture. */
    static JsonNode numpyGolden(String model) {
        return readJson(model, "numpy.json");
    }

    static JsonNode readJson(String model, String file) {
        try {
            return JSON.readTree(Fixtures.golden(model, file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The golden prompt called {@code name} in numpy.json. */
    static JsonNode goldenPrompt(String model, String name) {
        for (JsonNode p : numpyGolden(model).get("prompts")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no golden prompt " + name + " for " + model);
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Length of the longest common prefix of {@code a} and {@code b}. */
    static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int p = 0;
        while (p < n && a[p] == b[p]) {
            p++;
        }
        return p;
    }
}
