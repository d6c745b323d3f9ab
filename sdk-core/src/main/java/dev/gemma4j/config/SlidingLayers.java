package dev.gemma4j.config;

import java.util.List;
import java.util.Optional;

/**
 * Decides which layers attend through a sliding window. Newer configs list it in {@code layer_types};
 * older ones leave it to a per-generation rule (Gemma 2: even layers; Gemma 3: every
 * {@code sliding_window_pattern}-th layer is global). Both sources are checked against each other, because
 * a wrong guess here gives plausible but wrong logits once a prompt exceeds the window.
 */
final class SlidingLayers {
    private static final String SLIDING = "sliding_attention";
    private static final String FULL = "full_attention";

    private SlidingLayers() {
    }

    /** Gemma 1 attends globally everywhere; a layer_types list saying otherwise is a contradiction. */
    static boolean[] gemma1(ConfigFields f, int layers) {
        boolean[] sliding = fromLayerTypes(f, layers).orElse(new boolean[layers]);
        for (int i = 0; i < layers; i++) {
            if (sliding[i]) {
                throw f.error("layer_types", "gemma has no sliding-window layers, but layer " + i + " is " + SLIDING);
            }
        }
        return sliding;
    }

    static boolean[] gemma2(ConfigFields f, int layers) {
        return fromLayerTypes(f, layers).orElseGet(() -> {
            boolean[] sliding = new boolean[layers];
            for (int i = 0; i < layers; i++) {
                sliding[i] = i % 2 == 0;
            }
            return sliding;
        });
    }

    static boolean[] gemma3(ConfigFields f, int layers) {
        int pattern = f.positiveInt("sliding_window_pattern", 6);
        boolean[] byPattern = new boolean[layers];
        for (int i = 0; i < layers; i++) {
            byPattern[i] = (i + 1) % pattern != 0;
        }
        Optional<boolean[]> listed = fromLayerTypes(f, layers);
        if (listed.isEmpty()) {
            return byPattern;
        }
        if (f.has("sliding_window_pattern")) {
            for (int i = 0; i < layers; i++) {
                if (listed.get()[i] != byPattern[i]) {
                    throw f.error("layer_types", "layer " + i + " is " + name(listed.get()[i])
                            + " but sliding_window_pattern " + pattern + " makes it " + name(byPattern[i]));
                }
            }
        }
        return listed.get();
    }

    private static Optional<boolean[]> fromLayerTypes(ConfigFields f, int layers) {
        Optional<List<String>> types = f.strings("layer_types");
        if (types.isEmpty()) {
            return Optional.empty();
        }
        List<String> list = types.get();
        if (list.size() != layers) {
            throw f.error("layer_types", "has " + list.size() + " entries but num_hidden_layers is " + layers);
        }
        boolean[] sliding = new boolean[layers];
        for (int i = 0; i < layers; i++) {
            sliding[i] = switch (list.get(i)) {
                case SLIDING -> true;
                case FULL -> false;
                default -> throw f.error("layer_types", "entry " + i + " is \"" + list.get(i)
                        + "\", expected \"" + SLIDING + "\" or \"" + FULL + "\"");
            };
        }
        return Optional.of(sliding);
    }

    private static String name(boolean sliding) {
        return sliding ? SLIDING : FULL;
    }
}
