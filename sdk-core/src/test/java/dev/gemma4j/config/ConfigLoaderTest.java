package dev.gemma4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void tinyGemma() {
        GemmaConfig expected = new GemmaConfig(GemmaFamily.GEMMA1, "gemma", 256_000, 32, 128, 2, 4, 1, 16, 1e-6,
                0.25f, 0, 0, false, false, 8192, 2, List.of(1), 0,
                List.of(new LayerSpec(0, false, 0, 10_000, 1), new LayerSpec(1, false, 0, 10_000, 1)));
        assertEquals(expected, ConfigLoader.load(Fixtures.model("tiny-gemma").resolve("config.json")));
    }

    @Test
    void tinyGemma2() {
        List<LayerSpec> layers = List.of(
                new LayerSpec(0, true, 8, 10_000, 1),
                new LayerSpec(1, false, 0, 10_000, 1),
                new LayerSpec(2, true, 8, 10_000, 1),
                new LayerSpec(3, false, 0, 10_000, 1));
        GemmaConfig expected = new GemmaConfig(GemmaFamily.GEMMA2, "gemma2", 256_000, 32, 128, 4, 4, 2, 16, 1e-6,
                0.25f, 50, 30, false, true, 8192, 2, List.of(1), 0, layers);
        assertEquals(expected, ConfigLoader.load(Fixtures.model("tiny-gemma2").resolve("config.json")));
    }

    @Test
    void tinyGemma3() {
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            layers.add(new LayerSpec(i, true, 8, 10_000, 1));
        }
        layers.add(new LayerSpec(5, false, 0, 1_000_000, 1));
        GemmaConfig expected = new GemmaConfig(GemmaFamily.GEMMA3, "gemma3_text", 262_144, 32, 128, 6, 4, 1, 16,
                1e-6, 0.25f, 0, 0, true, true, 8192, 2, List.of(1, 106), 0, layers);
        assertEquals(expected, ConfigLoader.load(Fixtures.model("tiny-gemma3").resolve("config.json")));
    }

    @Test
    void gemma3With4bShapeScalesOnlyGlobalLayers() throws IOException {
        GemmaConfig c = load("""
                {"model_type": "gemma3_text", "hidden_size": 2560, "intermediate_size": 10240,
                 "num_hidden_layers": 34, "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256,
                 "query_pre_attn_scalar": 256, "vocab_size": 262208, "max_position_embeddings": 131072,
                 "rms_norm_eps": 1e-6, "sliding_window": 1024, "rope_theta": 1000000.0,
                 "rope_local_base_freq": 10000.0, "rope_scaling": {"rope_type": "linear", "factor": 8.0},
                 "hidden_activation": "gelu_pytorch_tanh", "eos_token_id": [1, 106]}
                """);
        assertEquals(34, c.layers().size());
        assertEquals(0.0625f, c.queryScale());
        for (int i = 0; i < 34; i++) {
            LayerSpec expected = (i + 1) % 6 == 0
                    ? new LayerSpec(i, false, 0, 1_000_000, 8)
                    : new LayerSpec(i, true, 1024, 10_000, 1);
            assertEquals(expected, c.layer(i));
        }
    }

    /** The shape of Google's gemma-3-4b-it config.json: a sparse text_config that relies on class defaults. */
    @Test
    void multimodalGemma3WrapperReadsTextConfig() throws IOException {
        GemmaConfig c = load("""
                {"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3",
                 "boi_token_index": 255999, "eoi_token_index": 256000, "image_token_index": 262144,
                 "eos_token_id": [1, 106],
                 "text_config": {"hidden_size": 2560, "intermediate_size": 10240, "model_type": "gemma3_text",
                                 "num_hidden_layers": 34, "sliding_window": 1024,
                                 "rope_scaling": {"factor": 8.0, "rope_type": "linear"}},
                 "vision_config": {"hidden_size": 1152, "model_type": "siglip_vision_model"}}
                """);
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < 34; i++) {
            layers.add((i + 1) % 6 == 0 ? new LayerSpec(i, false, 0, 1_000_000, 8) : new LayerSpec(i, true, 1024, 10_000, 1));
        }
        GemmaConfig expected = new GemmaConfig(GemmaFamily.GEMMA3, "gemma3", 262_208, 2560, 10240, 34, 8, 4, 256,
                1e-6, 0.0625f, 0, 0, true, true, 131_072, 2, List.of(1, 106), 0, layers);
        assertEquals(expected, c);
    }

    @Test
    void gemma2WithoutLayerTypesSlidesOnEvenLayers() throws IOException {
        GemmaConfig c = load("""
                {"model_type": "gemma2", "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26,
                 "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "query_pre_attn_scalar": 256,
                 "vocab_size": 256000, "max_position_embeddings": 8192, "rms_norm_eps": 1e-6,
                 "attn_logit_softcapping": 50.0, "final_logit_softcapping": 30.0,
                 "hidden_act": "gelu_pytorch_tanh", "hidden_activation": "gelu_pytorch_tanh"}
                """);
        for (int i = 0; i < 26; i++) {
            LayerSpec expected = i % 2 == 0
                    ? new LayerSpec(i, true, 4096, 10_000, 1)
                    : new LayerSpec(i, false, 0, 10_000, 1);
            assertEquals(expected, c.layer(i));
        }
        assertEquals(50f, c.attnSoftcap());
        assertEquals(30f, c.finalSoftcap());
        assertEquals(0.0625f, c.queryScale());
    }

    @Test
    void nullSoftcapsMeanNone() throws IOException {
        GemmaConfig c = load(gemma2("").replace("50.0", "null").replace("30.0", "null"));
        assertEquals(0f, c.attnSoftcap());
        assertEquals(0f, c.finalSoftcap());
    }

    /** Gemma 1's own config says "gelu" beside "gelu_pytorch_tanh"; both mean the tanh approximation. */
    @Test
    void gemma1GeluNamesAreAccepted() throws IOException {
        GemmaConfig c = load(gemma1("\"hidden_act\": \"gelu\", \"hidden_activation\": \"gelu_pytorch_tanh\""));
        assertEquals(GemmaFamily.GEMMA1, c.family());
        assertEquals((float) (1 / Math.sqrt(256)), c.queryScale());
        assertEquals(List.of(1), c.eosIds());
    }

    @Test
    void eosIdsFromGenerationConfigAreMerged() throws IOException {
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [1, 107], \"bos_token_id\": 2}");
        assertEquals(List.of(1, 107), load(gemma2("\"eos_token_id\": 1")).eosIds());
    }

    @Test
    void unknownModelType() throws IOException {
        assertRejected(gemma2("").replace("\"gemma2\"", "\"llama\""), "model_type", "llama");
    }

    @Test
    void kvHeadsMustDivideHeads() throws IOException {
        ModelFormatException e = assertRejected(gemma2("").replace("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 3"),
                "num_key_value_heads", "3 does not divide num_attention_heads 8");
        assertTrue(e.getMessage().startsWith(dir.resolve("config.json") + ": num_key_value_heads: "), e.getMessage());
    }

    @Test
    void layerTypesLengthMustMatchLayers() throws IOException {
        assertRejected(gemma2("\"layer_types\": [\"sliding_attention\", \"full_attention\"]"), "layer_types",
                "has 2 entries but num_hidden_layers is 4");
    }

    @Test
    void layerTypesMustAgreeWithPattern() throws IOException {
        assertRejected(gemma3("\"sliding_window_pattern\": 2, \"layer_types\": [\"sliding_attention\", "
                + "\"sliding_attention\", \"sliding_attention\", \"full_attention\"]"), "layer_types",
                "layer 1 is sliding_attention but sliding_window_pattern 2 makes it full_attention");
    }

    @Test
    void unknownLayerType() throws IOException {
        assertRejected(gemma2("\"layer_types\": [\"sliding_attention\", \"full_attention\", \"chunked_attention\", "
                + "\"full_attention\"]"), "layer_types", "chunked_attention");
    }

    @Test
    void unknownActivation() throws IOException {
        assertRejected(gemma2("\"hidden_activation\": \"silu\""), "hidden_activation", "silu");
    }

    @Test
    void contradictoryActivations() throws IOException {
        assertRejected(gemma2("\"hidden_act\": \"relu\", \"hidden_activation\": \"silu\""), "hidden_act", "relu");
    }

    @Test
    void truncatedJson() throws IOException {
        String json = gemma2("");
        ModelFormatException e = assertRejected(json.substring(0, json.length() / 2), "json", "malformed JSON at line");
        assertTrue(e.getCause() != null);
    }

    @Test
    void duplicateKey() throws IOException {
        assertRejected(gemma2("\"hidden_size\": 64"), "json", "hidden_size");
    }

    @Test
    void negativeSize() throws IOException {
        assertRejected(gemma2("").replace("\"hidden_size\": 32", "\"hidden_size\": -32"), "hidden_size",
                "must be positive, got -32");
    }

    @Test
    void fractionalCount() throws IOException {
        assertRejected(gemma2("").replace("\"num_hidden_layers\": 4", "\"num_hidden_layers\": 4.5"),
                "num_hidden_layers", "integer");
    }

    @Test
    void missingRequiredCount() throws IOException {
        assertRejected(gemma2("").replace("\"num_key_value_heads\": 4,", ""), "num_key_value_heads", "is missing");
    }

    @Test
    void zeroSlidingWindow() throws IOException {
        assertRejected(gemma2("\"sliding_window\": 0"), "sliding_window", "must be positive");
    }

    @Test
    void nonPositiveOrInfiniteEps() throws IOException {
        assertRejected(gemma2("").replace("\"rms_norm_eps\": 1e-6", "\"rms_norm_eps\": 0"), "rms_norm_eps", "positive");
        assertRejected(gemma2("").replace("\"rms_norm_eps\": 1e-6", "\"rms_norm_eps\": 1e999"), "rms_norm_eps", "finite");
    }

    @Test
    void eosOutsideVocabulary() throws IOException {
        assertRejected(gemma2("\"eos_token_id\": [1, 256000]"), "eos_token_id", "256000 is not below vocab_size 256000");
    }

    @Test
    void unsupportedRopeScaling() throws IOException {
        assertRejected(gemma3("\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 8.0}"),
                "rope_scaling.rope_type", "yarn");
    }

    @Test
    void ropeScalingOnGemma2() throws IOException {
        assertRejected(gemma2("\"rope_scaling\": {\"rope_type\": \"linear\", \"factor\": 2.0}"), "rope_scaling",
                "not supported for model_type gemma2");
    }

    @Test
    void wrappedTextConfigMustBeGemma3Text() throws IOException {
        assertRejected("{\"model_type\": \"gemma3\", \"text_config\": {\"model_type\": \"gemma2\"}}",
                "text_config.model_type", "gemma2");
        assertRejected("{\"model_type\": \"gemma3\"}", "text_config", "is missing");
    }

    @Test
    void malformedGenerationConfigNamesThatFile() throws IOException {
        Path generation = dir.resolve("generation_config.json");
        Files.writeString(generation, "{\"eos_token_id\": [1,");
        Files.writeString(dir.resolve("config.json"), gemma2(""));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ConfigLoader.load(dir.resolve("config.json")));
        assertEquals(generation, e.file());
        assertEquals("json", e.field());
    }

    private GemmaConfig load(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return ConfigLoader.load(file);
    }

    private ModelFormatException assertRejected(String json, String field, String problem) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ConfigLoader.load(file));
        assertEquals(file, e.file());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(": " + field + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        return e;
    }

    /** A small valid Gemma 1 config, with {@code extra} members appended. */
    private static String gemma1(String extra) {
        return object("""
                "model_type": "gemma", "hidden_size": 2048, "intermediate_size": 16384, "num_hidden_layers": 18,
                "num_attention_heads": 8, "num_key_value_heads": 1, "head_dim": 256, "vocab_size": 256000,
                "max_position_embeddings": 8192, "rms_norm_eps": 1e-6, "eos_token_id": 1""", extra);
    }

    /** A small valid Gemma 2 config (4 layers, 8 heads over 4 kv heads), with {@code extra} members appended. */
    private static String gemma2(String extra) {
        return object("""
                "model_type": "gemma2", "hidden_size": 32, "intermediate_size": 128, "num_hidden_layers": 4,
                "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 16, "query_pre_attn_scalar": 16,
                "vocab_size": 256000, "max_position_embeddings": 8192, "rms_norm_eps": 1e-6,
                "attn_logit_softcapping": 50.0, "final_logit_softcapping": 30.0""", extra);
    }

    /** A small valid Gemma 3 text config (4 layers), with {@code extra} members appended. */
    private static String gemma3(String extra) {
        return object("""
                "model_type": "gemma3_text", "hidden_size": 32, "intermediate_size": 128, "num_hidden_layers": 4,
                "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 16, "query_pre_attn_scalar": 16,
                "vocab_size": 262144, "max_position_embeddings": 8192, "rms_norm_eps": 1e-6, "sliding_window": 8""",
                extra);
    }

    private static String object(String members, String extra) {
        return "{" + members + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }
}
