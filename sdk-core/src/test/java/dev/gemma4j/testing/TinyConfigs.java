package dev.gemma4j.testing;

import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.config.GemmaFamily;
import dev.gemma4j.config.LayerSpec;
import java.util.ArrayList;
import java.util.List;

/** Hand-made configs for tests that need a shape but no weights. */
public final class TinyConfigs {
    private TinyConfigs() {
    }

    /** Gemma 3-like: {@code layers} layers, every {@code pattern}-th global, others sliding with {@code window}. */
    public static GemmaConfig gemma3(int layers, int window, int pattern, int vocab) {
        List<LayerSpec> specs = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            boolean global = (i + 1) % pattern == 0;
            specs.add(new LayerSpec(i, !global, global ? 0 : window, global ? 1e6 : 1e4, 1));
        }
        return new GemmaConfig(GemmaFamily.GEMMA3, "gemma3_text", vocab, 32, 128, layers, 4, 1, 16, 1e-6,
                0.25f, 0, 0, true, true, 8192, 2, List.of(1, 106), 0, specs);
    }
}
