package dev.gemma4j.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.testing.Fixtures;
import dev.gemma4j.weights.DType;
import dev.gemma4j.weights.SafetensorsStore;
import dev.gemma4j.weights.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quantized GGUFs made by the fixtures' converter ({@code ../shared/tools/refgemma/py/convert_gguf.py},
 * python3 + numpy): skipped when python is unavailable, except under CI=true where that is a failure.
 */
class GgufQuantizedTest {
    @TempDir
    Path dir;

    @Test
    void q8AndQ4Files() throws Exception {
        Path model = Fixtures.model("tiny-gemma2");
        Path script = Fixtures.root().resolveSibling("tools").resolve("refgemma/py/convert_gguf.py");
        requirePython(script);
        Path q8 = dir.resolve("q8_0.gguf");
        Path q4 = dir.resolve("q4_0.gguf");
        // Both conversions at once: each takes a few seconds.
        Process p8 = convert(script, model, "q8_0", q8);
        Process p4 = convert(script, model, "q4_0", q4);
        finish(p8, "q8_0");
        finish(p4, "q4_0");

        GemmaConfig bf16;
        try (GgufFile f = GgufFile.open(GgufFixturesTest.gguf("tiny-gemma2"))) {
            bf16 = GgufConfig.load(f);
        }
        try (GgufStore q8store = GgufStore.open(q8); SafetensorsStore st = SafetensorsStore.open(model)) {
            assertEquals(bf16, GgufConfig.load(q8store.file()));
            assertEquals(st.names(), q8store.names());
            check(q8store, st, DType.Q8_0, DType.Q8_0);
            // 256000 rows of one 32-element block of 34 bytes
            assertEquals(256_000L * 34, q8store.require("model.embed_tokens.weight").data().byteSize());
            // q_proj [64, 32]: 64 rows of one block
            assertEquals(64L * 34, q8store.require("model.layers.0.self_attn.q_proj.weight").data().byteSize());
            // down_proj [32, 128]: 32 rows of 4 blocks
            assertEquals(32L * 4 * 34, q8store.require("model.layers.0.mlp.down_proj.weight").data().byteSize());
        }
        try (GgufStore q4store = GgufStore.open(q4); SafetensorsStore st = SafetensorsStore.open(model)) {
            assertEquals(bf16, GgufConfig.load(q4store.file()));
            check(q4store, st, DType.Q4_0, DType.Q8_0);
            assertEquals(32L * 4 * 18, q4store.require("model.layers.3.mlp.down_proj.weight").data().byteSize());
        }
    }

    /** Matrices in {@code matrix} (the embedding in {@code embedding}), norms F32; shapes as safetensors. */
    private static void check(GgufStore g, SafetensorsStore st, DType matrix, DType embedding) {
        for (String name : st.names()) {
            Tensor t = g.require(name);
            assertArrayEquals(st.require(name).shape(), t.shape(), name);
            DType expected = t.rank() == 1 ? DType.F32
                    : name.equals("model.embed_tokens.weight") ? embedding : matrix;
            assertEquals(expected, t.dtype(), name);
            assertEquals(expected.byteSize(t.elementCount()), t.data().byteSize(), name);
        }
    }

    private static void requirePython(Path script) throws InterruptedException {
        String problem = null;
        if (!Files.isRegularFile(script)) {
            problem = "converter not found at " + script;
        } else {
            try {
                Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    problem = "python3 cannot import numpy";
                }
            } catch (IOException e) {
                problem = "python3 is not available: " + e.getMessage();
            }
        }
        if (problem != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(problem + " (required under CI=true)");
            }
            assumeTrue(false, problem + ": skipping the quantized GGUF test");
        }
    }

    private static Process convert(Path script, Path model, String type, Path out) throws IOException {
        return new ProcessBuilder(List.of("python3", script.toString(), model.toString(), "--outtype", type,
                "--out", out.toString())).redirectErrorStream(true).start();
    }

    private static void finish(Process p, String type) throws Exception {
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("convert_gguf.py --outtype " + type + " failed:\n"
                    + new String(output, StandardCharsets.UTF_8));
        }
    }
}
