package dev.gemma4j.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.config.ConfigLoader;
import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.testing.Fixtures;
import dev.gemma4j.weights.DType;
import dev.gemma4j.weights.SafetensorsStore;
import dev.gemma4j.weights.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgufFixturesTest {
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static Path gguf(String model) {
        return Fixtures.model(model).resolve("model.gguf");
    }

    /**
     * The GGUF config equals the config.json one except eosIds: GGUF files carry tokenizer.ggml.eos_token_id
     * plus eot_token_id, config.json + generation_config.json list their own set. tiny-gemma: GGUF {1, 107}
     * (eos + eot), JSON [1]; tiny-gemma2: both [1]; tiny-gemma3: GGUF [106] (its eos is <end_of_turn>, no eot
     * key), JSON [1, 106]. modelType and maxPositions agree (gemma3 maps to "gemma3_text"; context_length
     * is max_position_embeddings).
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2", "tiny-gemma3"})
    void configMatchesConfigJson(String model) {
        GemmaConfig json = ConfigLoader.load(Fixtures.model(model).resolve("config.json"));
        GemmaConfig fromGguf;
        try (GgufFile f = GgufFile.open(gguf(model))) {
            fromGguf = GgufConfig.load(f);
        }
        List<Integer> expectedEos = switch (model) {
            case "tiny-gemma" -> List.of(1, 107);
            case "tiny-gemma2" -> List.of(1);
            default -> List.of(106);
        };
        assertEquals(expectedEos, fromGguf.eosIds());
        assertEquals(withEos(json, expectedEos), fromGguf);
        assertEquals(json.modelType(), fromGguf.modelType());
        assertEquals(json.maxPositions(), fromGguf.maxPositions());
        assertEquals(1e-6, fromGguf.rmsNormEps()); // the f32 in the file, read as its shortest decimal
    }

    private static GemmaConfig withEos(GemmaConfig c, List<Integer> eos) {
        return new GemmaConfig(c.family(), c.modelType(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(),
                c.numLayers(), c.numHeads(), c.numKvHeads(), c.headDim(), c.rmsNormEps(), c.queryScale(),
                c.attnSoftcap(), c.finalSoftcap(), c.qkNorm(), c.postNorms(), c.maxPositions(), c.bosId(), eos,
                c.padId(), c.layers());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gemma", "tiny-gemma2", "tiny-gemma3"})
    void tensorsMatchSafetensors(String model) {
        try (GgufStore g = GgufStore.open(gguf(model));
                SafetensorsStore st = SafetensorsStore.open(Fixtures.model(model))) {
            assertEquals(st.names(), g.names());
            assertTrue(g.normsIncludeOne());
            assertEquals(gguf(model), g.location());
            int matrices = 0;
            int norms = 0;
            for (String name : st.names()) {
                Tensor a = g.require(name);
                Tensor b = st.require(name);
                assertArrayEquals(b.shape(), a.shape(), name);
                assertEquals(name, a.name());
                assertEquals(a.dtype().byteSize(a.elementCount()), a.data().byteSize(), name);
                assertTrue(a.data().isReadOnly(), name);
                assertEquals(DType.BF16, b.dtype(), name);
                if (a.rank() == 2) {
                    assertEquals(DType.BF16, a.dtype(), name);
                    assertEquals(-1, a.data().mismatch(b.data()), name + " differs from the safetensors bytes");
                    matrices++;
                } else {
                    assertEquals(1, a.rank(), name);
                    assertTrue(name.endsWith("norm.weight"), name);
                    assertEquals(DType.F32, a.dtype(), name);
                    for (long i = 0; i < a.elementCount(); i++) {
                        float w = Float.intBitsToFloat((b.data().getAtIndex(BF16, i) & 0xffff) << 16);
                        float stored = a.data().getAtIndex(F32, i);
                        assertEquals(Float.floatToRawIntBits(1f + w), Float.floatToRawIntBits(stored), name + "[" + i + "]");
                    }
                    norms++;
                }
            }
            int layers = Map.of("tiny-gemma", 2, "tiny-gemma2", 4, "tiny-gemma3", 6).get(model);
            assertEquals(1 + 7 * layers, matrices);
            int normsPerLayer = Map.of("tiny-gemma", 2, "tiny-gemma2", 4, "tiny-gemma3", 6).get(model);
            assertEquals(1 + normsPerLayer * layers, norms);
            assertFalse(g.find("lm_head.weight").isPresent());
        }
    }

    @Test
    void embeddingShapeIsHuggingFaceOrder() {
        try (GgufStore g = GgufStore.open(gguf("tiny-gemma3"))) {
            assertArrayEquals(new long[] {262_144, 32}, g.require("model.embed_tokens.weight").shape());
            assertArrayEquals(new long[] {64, 32}, g.require("model.layers.0.self_attn.q_proj.weight").shape());
            assertArrayEquals(new long[] {32, 64}, g.require("model.layers.5.self_attn.o_proj.weight").shape());
            assertArrayEquals(new long[] {16}, g.require("model.layers.5.self_attn.k_norm.weight").shape());
            GgufTensorInfo info = g.file().tensor("token_embd.weight").orElseThrow();
            assertArrayEquals(new long[] {32, 262_144}, info.dims());
            assertEquals(30, info.ggmlType());
            assertEquals(0, info.offset());
            assertEquals(6_517_248, g.file().dataOffset());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> g.require("lm_head.weight"));
            assertEquals("lm_head.weight", e.field());
        }
    }

    @Test
    void gemma1FfnNormIsPostAttentionLayernorm() {
        try (GgufStore g = GgufStore.open(gguf("tiny-gemma"))) {
            assertTrue(g.names().contains("model.layers.1.post_attention_layernorm.weight"));
            assertFalse(g.names().contains("model.layers.1.pre_feedforward_layernorm.weight"));
        }
        try (GgufStore g = GgufStore.open(gguf("tiny-gemma2"))) {
            assertTrue(g.names().contains("model.layers.1.pre_feedforward_layernorm.weight"));
            assertTrue(g.names().contains("model.layers.1.post_attention_layernorm.weight"));
            assertTrue(g.names().contains("model.layers.1.post_feedforward_layernorm.weight"));
        }
    }

    @Test
    void metadataAccessors() {
        Path path = gguf("tiny-gemma2");
        try (GgufFile f = GgufFile.open(path)) {
            assertEquals(3, f.version());
            assertEquals(32, f.alignment());
            assertEquals(31, f.keys().size());
            assertEquals(46, f.tensors().size());
            assertEquals("general.architecture", f.keys().iterator().next());
            assertEquals("gemma2", f.string("general.architecture").orElseThrow());
            assertEquals(4, f.integer("gemma2.block_count").orElseThrow());
            assertEquals(4.0, f.number("gemma2.block_count").orElseThrow());
            assertEquals((double) 1e-6f, f.number("gemma2.attention.layer_norm_rms_epsilon").orElseThrow());
            assertEquals(50.0, f.number("gemma2.attn_logit_softcapping").orElseThrow());
            assertEquals(true, f.bool("tokenizer.ggml.add_bos_token").orElseThrow());
            assertEquals(false, f.bool("tokenizer.ggml.add_eos_token").orElseThrow());
            assertEquals(594, f.string("tokenizer.chat_template").orElseThrow().length());
            assertTrue(f.has("tokenizer.ggml.tokens"));
            assertFalse(f.has("gemma2.rope.freq_base"));
            assertTrue(f.string("nope").isEmpty());
            assertTrue(f.integer("nope").isEmpty());
            assertTrue(f.number("nope").isEmpty());
            assertTrue(f.bool("nope").isEmpty());
            assertEquals(GgufValueType.UINT32, f.type("gemma2.block_count").orElseThrow());
            assertEquals(GgufValueType.STRING, f.arrayType("tokenizer.ggml.tokens").orElseThrow());
            assertEquals(256_000, f.arrayLength("tokenizer.ggml.tokens").orElseThrow());

            long t0 = System.nanoTime();
            String[] tokens = f.stringArray("tokenizer.ggml.tokens");
            System.out.printf("stringArray(tokenizer.ggml.tokens): %.1f ms%n", (System.nanoTime() - t0) / 1e6);
            assertEquals(256_000, tokens.length);
            assertEquals("<pad>", tokens[0]);
            assertEquals("<bos>", tokens[2]);
            assertEquals("<start_of_turn>", tokens[106]);
            assertEquals("<end_of_turn>", tokens[107]);
            assertEquals("<0x00>", tokens[217]);
            assertEquals("ew", tokens[1000]);
            assertEquals("<unused99>", tokens[255_999]);
            float[] scores = f.floatArray("tokenizer.ggml.scores");
            assertEquals(256_000, scores.length);
            assertEquals(-1000f, scores[0]);
            assertEquals(0f, scores[217]);
            assertEquals(-1000f, scores[1000]);
            int[] types = f.intArray("tokenizer.ggml.token_type");
            assertEquals(256_000, types.length);
            assertEquals(3, types[2]);
            assertEquals(6, types[217]);
            assertEquals(1, types[1000]);
            int[] histogram = new int[7];
            for (int t : types) {
                histogram[t]++;
            }
            assertArrayEquals(new int[] {0, 255_496, 0, 109, 140, 0, 255}, histogram);

            assertField(path, "general.architecture", () -> f.integer("general.architecture"));
            assertField(path, "gemma2.block_count", () -> f.string("gemma2.block_count"));
            assertField(path, "gemma2.block_count", () -> f.bool("gemma2.block_count"));
            assertField(path, "general.name", () -> f.number("general.name"));
            assertField(path, "tokenizer.ggml.tokens", () -> f.floatArray("tokenizer.ggml.tokens"));
            assertField(path, "tokenizer.ggml.scores", () -> f.intArray("tokenizer.ggml.scores"));
            assertField(path, "tokenizer.ggml.token_type", () -> f.stringArray("tokenizer.ggml.token_type"));
            assertField(path, "gemma2.block_count", () -> f.stringArray("gemma2.block_count"));
            assertField(path, "tokenizer.ggml.tokens", () -> f.string("tokenizer.ggml.tokens"));
            assertField(path, "missing.key", () -> f.stringArray("missing.key"));
        }
    }

    @Test
    void closedFileFailsCleanly() {
        GgufStore g = GgufStore.open(gguf("tiny-gemma"));
        Tensor t = g.require("model.norm.weight");
        g.close();
        g.close();
        assertThrows(IllegalStateException.class, () -> t.data().get(ValueLayout.JAVA_BYTE, 0));
    }

    /** Not a benchmark: prints open() times and guards against accidental quadratic parsing. */
    @Test
    void openIsFast() {
        for (String model : Fixtures.MODELS) {
            long best = Long.MAX_VALUE;
            long first = 0;
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                try (GgufFile f = GgufFile.open(gguf(model))) {
                    f.tensors();
                }
                long t = System.nanoTime() - t0;
                if (i == 0) {
                    first = t;
                }
                best = Math.min(best, t);
            }
            System.out.printf("GgufFile.open(%s/model.gguf): first %.1f ms, best of 5 %.1f ms%n", model,
                    first / 1e6, best / 1e6);
            assertTrue(best < 3_000_000_000L, model + " took " + best / 1e6 + " ms");
        }
    }

    static void assertField(Path file, String field, org.junit.jupiter.api.function.Executable call) {
        ModelFormatException e = assertThrows(ModelFormatException.class, call);
        assertEquals(file, e.file(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
    }
}
