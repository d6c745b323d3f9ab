package dev.gemma4j.gguf;

import static dev.gemma4j.gguf.GgufFixturesTest.assertField;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.config.GemmaFamily;
import dev.gemma4j.config.LayerSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GgufConfig's derivations and its checks, on fixture copies with one metadata value changed. */
class GgufConfigTest {
    @TempDir
    Path dir;

    @Test
    void queryPreAttnScalarOf27bShapes() {
        // Gemma 2 27B: hidden 4608, 32 heads, head_dim 128, 46 layers -> 144; Gemma 3 27B: 5376 / 32 = 168.
        assertEquals(144, GgufConfig.queryPreAttnScalar(GemmaFamily.GEMMA2, 4608, 46, 32, 128));
        assertEquals(168, GgufConfig.queryPreAttnScalar(GemmaFamily.GEMMA3, 5376, 62, 32, 128));
        assertEquals(256, GgufConfig.queryPreAttnScalar(GemmaFamily.GEMMA2, 3584, 42, 16, 256));
        assertEquals(256, GgufConfig.queryPreAttnScalar(GemmaFamily.GEMMA3, 2560, 34, 8, 256));
        assertEquals(256, GgufConfig.queryPreAttnScalar(GemmaFamily.GEMMA1, 3072, 28, 16, 256));
    }

    private GemmaConfig load(byte[] bytes) throws IOException {
        Path p = Files.write(dir.resolve("c.gguf"), bytes);
        try (GgufFile f = GgufFile.open(p)) {
            return GgufConfig.load(f);
        }
    }

    private void expect(byte[] bytes, String field) throws IOException {
        Path p = Files.write(dir.resolve("c.gguf"), bytes);
        try (GgufFile f = GgufFile.open(p)) {
            assertField(p, field, () -> GgufConfig.load(f));
        }
    }

    private static byte[] renameKey(GgufLayout l, String key, String to) {
        assertEquals(key.length(), to.length());
        byte[] b = l.bytes.clone();
        byte[] name = to.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, b, (int) l.kv(key).keyPos() + 8, name.length);
        return b;
    }

    @Test
    void inconsistentGemma2Metadata() throws IOException {
        GgufLayout l = new GgufLayout(GgufFixturesTest.gguf("tiny-gemma2"));
        expect(l.patched(l.kv("gemma2.block_count").valuePos(), 4, 3), "gemma2.block_count");
        expect(l.patched(l.kv("gemma2.block_count").valuePos(), 4, 5), "gemma2.block_count");
        expect(l.patched(l.kv("gemma2.attention.head_count_kv").valuePos(), 4, 3), "gemma2.attention.head_count_kv");
        expect(l.patched(l.kv("gemma2.attention.head_count_kv").valuePos(), 4, 4), "gemma2.attention.head_count_kv");
        // key_length and value_length both 8: heads x key_length = 32 contradicts attn_q's 64 rows
        byte[] keys8 = l.patched(l.kv("gemma2.attention.key_length").valuePos(), 4, 8);
        java.nio.ByteBuffer.wrap(keys8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt((int) l.kv("gemma2.attention.value_length").valuePos(), 8);
        expect(keys8, "gemma2.attention.key_length");
        expect(l.patched(l.kv("gemma2.attention.value_length").valuePos(), 4, 8), "gemma2.attention.value_length");
        expect(l.patched(l.kv("gemma2.feed_forward_length").valuePos(), 4, 64), "gemma2.feed_forward_length");
        expect(l.patched(l.kv("gemma2.embedding_length").valuePos(), 4, 64), "gemma2.embedding_length");
        expect(l.patched(l.kv("gemma2.context_length").valuePos(), 4, 0), "gemma2.context_length");
        expect(l.patched(l.kv("tokenizer.ggml.bos_token_id").valuePos(), 4, 256_000), "tokenizer.ggml.bos_token_id");
        expect(l.patched(l.kv("gemma2.attention.layer_norm_rms_epsilon").valuePos(), 4,
                Float.floatToIntBits(Float.NaN)), "gemma2.attention.layer_norm_rms_epsilon");
        expect(renameKey(l, "gemma2.context_length", "gemma2.context_lengtX"), "gemma2.context_length");
        expect(renameKey(l, "gemma2.attention.head_count", "gemma2.attention.head_counX"), "gemma2.attention.head_count");
        expect(renameKey(l, "gemma2.attention.layer_norm_rms_epsilon", "gemma2.attention.layer_norm_rms_epsiloX"),
                "gemma2.attention.layer_norm_rms_epsilon");
        expect(renameKey(l, "general.architecture", "general.architecturX"), "general.architecture");
        // an f32 where an integer belongs
        expect(l.patched(l.kv("gemma2.block_count").typePos(), 4, 6), "gemma2.block_count");
    }

    @Test
    void gemma2DefaultsWhenKeysAreAbsent() throws IOException {
        GgufLayout l = new GgufLayout(GgufFixturesTest.gguf("tiny-gemma2"));
        byte[] b = renameKey(l, "gemma2.attn_logit_softcapping", "gemma2.attn_logit_softcappinX");
        b = renameKey(new GgufLayoutOf(b).layout, "gemma2.final_logit_softcapping", "gemma2.final_logit_softcappinX");
        b = renameKey(new GgufLayoutOf(b).layout, "gemma2.attention.sliding_window", "gemma2.attention.sliding_windoX");
        GemmaConfig c = load(b);
        assertEquals(50f, c.attnSoftcap());
        assertEquals(30f, c.finalSoftcap());
        assertEquals(new LayerSpec(0, true, 4096, 10_000, 1), c.layer(0));
        assertEquals(new LayerSpec(1, false, 0, 10_000, 1), c.layer(1));
    }

    @Test
    void gemma3RopeKeys() throws IOException {
        GgufLayout l = new GgufLayout(GgufFixturesTest.gguf("tiny-gemma3"));
        GemmaConfig c = load(l.patched(l.kv("gemma3.rope.freq_base").valuePos(), 4, Float.floatToIntBits(5e5f)));
        assertEquals(new LayerSpec(5, false, 0, 500_000, 1), c.layer(5));
        assertEquals(new LayerSpec(4, true, 8, 10_000, 1), c.layer(4));
        c = load(renameKey(l, "gemma3.rope.freq_base", "gemma3.rope.freq_basX"));
        assertEquals(1_000_000, c.layer(5).ropeBase());
        c = load(renameKey(l, "gemma3.rope.freq_base_swa", "gemma3.rope.freq_base_swX"));
        assertEquals(10_000, c.layer(0).ropeBase());
        expect(renameKey(l, "gemma3.attention.sliding_window", "gemma3.attention.sliding_windoX"),
                "gemma3.attention.sliding_window");
        // the architecture string "gemma3" -> "gemmaX": unsupported
        byte[] b = l.bytes.clone();
        b[(int) l.kv("general.architecture").valuePos() + 8 + 5] = 'X';
        expect(b, "general.architecture");
    }

    /** Re-walks patched bytes (a layout is positions of one byte image). */
    private static final class GgufLayoutOf {
        final GgufLayout layout;

        GgufLayoutOf(byte[] bytes) throws IOException {
            Path tmp = Files.createTempFile("gguf-layout", ".gguf");
            try {
                layout = new GgufLayout(Files.write(tmp, bytes));
            } finally {
                Files.delete(tmp);
            }
        }
    }
}
