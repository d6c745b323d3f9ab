package dev.gemma4j.nativeengine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemma4j.GemmaModel;
import dev.gemma4j.GemmaOptions;
import dev.gemma4j.GenerationOptions;
import dev.gemma4j.GenerationResult;
import dev.gemma4j.StepLogits;
import dev.gemma4j.config.ConfigLoader;
import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.kv.KvLayout;
import dev.gemma4j.spi.Checkpoint;
import dev.gemma4j.spi.Engine;
import dev.gemma4j.spi.EngineSession;
import dev.gemma4j.testing.Fixtures;
import dev.gemma4j.weights.SafetensorsStore;
import dev.gemma4j.weights.WeightStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The native engine against the float64 NumPy reference of every fixture (golden/numpy.json).
 * Tolerance 1e-3 absolute on every top-8 logit and logsumexp, as the fixtures' README recommends for a
 * float32 implementation (float32 NumPy itself lands within 1.6e-5). Top ids are compared only where the
 * reference's neighbouring logits differ by more than 2e-3, since closer ties may swap within tolerance;
 * greedy tokens must be identical (the smallest reference top-1/top-2 gap is 8.1e-4, far above our error).
 */
class GoldenReferenceTest {
    private static final double TOL = 1e-3;
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> prompts() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String model : Fixtures.MODELS) {
            JsonNode golden = JSON.readTree(Fixtures.golden(model, "numpy.json").toFile());
            for (JsonNode p : golden.get("prompts")) {
                out.add(Arguments.of(model, p.get("name").asText(), p));
            }
        }
        return out.stream();
    }

    /** Every golden prompt, from the Hugging Face directory and from the same weights as GGUF. */
    static Stream<Arguments> promptsInBothFormats() throws IOException {
        return prompts().flatMap(a -> Stream.of("safetensors", "gguf")
                .map(format -> Arguments.of(a.get()[0], format, a.get()[1], a.get()[2])));
    }

    /**
     * Greedy generation through the public API reproduces the 24 reference tokens and their logits, for
     * both file formats (the GGUF holds the same BF16 matrices and its norms as 1 + w).
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("promptsInBothFormats")
    void greedyGenerationMatchesReference(String model, String format, String name, JsonNode golden) {
        int[] prompt = ints(golden.get("prompt_ids"));
        int[] expected = ints(golden.get("generated_ids"));
        GenerationResult r = loaded(model, format).generate(prompt, GenerationOptions.builder()
                .maxTokens(expected.length).defaultStopTokens(false).topLogits(8).build());
        assertArrayEquals(expected, r.tokens(), model + " " + format + " " + name + " greedy tokens");
        JsonNode steps = golden.get("steps");
        for (int s = 0; s < expected.length; s++) {
            StepLogits step = r.steps().get(s);
            float[] top = new float[8];
            int[] ids = new int[8];
            for (int i = 0; i < 8; i++) {
                top[i] = step.top().get(i).logit();
                ids[i] = step.top().get(i).id();
            }
            compareTop(model + " " + format + " " + name + " step " + s, steps.get(s), ids, top);
        }
    }

    private static final Map<String, GemmaModel> MODELS = new ConcurrentHashMap<>();

    /** One loaded model per fixture and format for the whole class: loading the tokenizer dominates. */
    private static GemmaModel loaded(String model, String format) {
        Path path = format.equals("gguf") ? Fixtures.model(model).resolve("model.gguf") : Fixtures.model(model);
        return MODELS.computeIfAbsent(model + "/" + format, key -> GemmaModel.load(path,
                GemmaOptions.builder().engine("native").threads(2).context(128).build()));
    }

    @AfterAll
    static void closeModels() {
        MODELS.values().forEach(GemmaModel::close);
        MODELS.clear();
    }

    /**
     * Teacher forcing at every prompt position in one pass, and in chunks smaller than the sliding window
     * (which exercises the ring of the KV cache), against prompt_positions, logsumexp and the full
     * last-position logits.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("prompts")
    void everyPromptPositionMatchesReference(String model, String name, JsonNode golden) throws IOException {
        int[] prompt = ints(golden.get("prompt_ids"));
        Path dir = Fixtures.model(model);
        GemmaConfig config = ConfigLoader.load(dir.resolve("config.json"));
        int vocab = config.vocabSize();
        try (WeightStore store = SafetensorsStore.open(dir);
                Engine engine = new NativeEngineProvider().load(new Checkpoint(dir, config, store),
                        GemmaOptions.builder().threads(2).build())) {
            for (int chunk : new int[] {prompt.length, 3}) {
                KvLayout layout = new KvLayout(config, 128, chunk);
                float[] all = new float[prompt.length * vocab];
                try (EngineSession session = engine.newSession(layout)) {
                    float[] part = new float[chunk * vocab];
                    for (int start = 0; start < prompt.length; start += chunk) {
                        int n = Math.min(chunk, prompt.length - start);
                        int[] ids = java.util.Arrays.copyOfRange(prompt, start, start + n);
                        session.forward(ids, start, part, true);
                        System.arraycopy(part, 0, all, start * vocab, n * vocab);
                    }
                }
                JsonNode positions = golden.get("prompt_positions");
                for (int p = 0; p < prompt.length; p++) {
                    String where = model + " " + name + " chunk " + chunk + " pos " + p;
                    float[] row = java.util.Arrays.copyOfRange(all, p * vocab, (p + 1) * vocab);
                    List<dev.gemma4j.TokenLogit> top = dev.gemma4j.generation.TopLogits.of(row, 8);
                    compareTop(where, positions.get(p), top.stream().mapToInt(dev.gemma4j.TokenLogit::id).toArray(),
                            toFloats(top));
                    assertEquals(positions.get(p).get("logsumexp").asDouble(), logsumexp(row), TOL, where + " logsumexp");
                }
                JsonNode lastFile = golden.get("last_logits_file");
                if (lastFile != null && !lastFile.isNull()) {
                    float[] ref = readF32(Fixtures.golden(model, lastFile.asText()));
                    assertEquals(vocab, ref.length);
                    int off = (prompt.length - 1) * vocab;
                    double worst = 0;
                    for (int i = 0; i < vocab; i++) {
                        worst = Math.max(worst, Math.abs(ref[i] - all[off + i]));
                    }
                    assertTrue(worst <= TOL, model + " " + name + " whole-vocabulary max |diff| " + worst);
                }
            }
        }
    }

    private static void compareTop(String where, JsonNode ref, int[] ids, float[] logits) {
        JsonNode refIds = ref.get("top_ids");
        JsonNode refLogits = ref.get("top_logits");
        for (int i = 0; i < 8; i++) {
            double expected = refLogits.get(i).asDouble();
            assertEquals(expected, logits[i], TOL, where + " top logit " + i);
            // The 8th entry's gap to the unlisted 9th is unknown, so its id is not compared.
            boolean separated = i < 7
                    && (i == 0 || refLogits.get(i - 1).asDouble() - expected > 2e-3)
                    && expected - refLogits.get(i + 1).asDouble() > 2e-3;
            if (separated) {
                assertEquals(refIds.get(i).asInt(), ids[i], where + " top id " + i);
            }
        }
    }

    private static float[] toFloats(List<dev.gemma4j.TokenLogit> top) {
        float[] f = new float[top.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = top.get(i).logit();
        }
        return f;
    }

    private static double logsumexp(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : row) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }

    private static float[] readF32(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
