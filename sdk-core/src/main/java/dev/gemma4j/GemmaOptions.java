package dev.gemma4j;

import dev.gemma4j.chat.SystemPromptPolicy;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * How to load and run a model. Every option can be set three ways, highest precedence first: the builder
 * (or a {@link Properties}/{@link Map} passed to {@link #from(Map)}), a JVM system property such as
 * {@code -Dgemma.engine=native}, an environment variable such as {@code GEMMA_ENGINE=native}. Options not
 * set anywhere take their defaults.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>property</th><th>environment</th><th>values</th><th>default</th></tr>
 *   <tr><td>gemma.engine</td><td>GEMMA_ENGINE</td><td>native, pytorch, onnx, auto</td><td>auto</td></tr>
 *   <tr><td>gemma.device</td><td>GEMMA_DEVICE</td><td>cpu, gpu, auto</td><td>auto</td></tr>
 *   <tr><td>gemma.threads</td><td>GEMMA_THREADS</td><td>&gt;= 1</td><td>available processors</td></tr>
 *   <tr><td>gemma.context</td><td>GEMMA_CONTEXT</td><td>&gt;= 1, at most the model's max positions</td>
 *       <td>min(max positions, 8192)</td></tr>
 *   <tr><td>gemma.prefill.chunk</td><td>GEMMA_PREFILL_CHUNK</td><td>&gt;= 1</td><td>128</td></tr>
 *   <tr><td>gemma.chat.system</td><td>GEMMA_CHAT_SYSTEM</td><td>template, fold</td><td>template</td></tr>
 *   <tr><td>gemma.quantize</td><td>GEMMA_QUANTIZE</td><td>none, q8_0, q4_0 (F32/F16/BF16 matrices are
 *       quantized at load time)</td><td>none</td></tr>
 * </table>
 */
public final class GemmaOptions {
    public static final String ENGINE = "gemma.engine";
    public static final String DEVICE = "gemma.device";
    public static final String THREADS = "gemma.threads";
    public static final String CONTEXT = "gemma.context";
    public static final String PREFILL_CHUNK = "gemma.prefill.chunk";
    public static final String CHAT_SYSTEM = "gemma.chat.system";
    public static final String QUANTIZE = "gemma.quantize";

    /** Context used when none is configured, capped by the model's own maximum. */
    public static final int DEFAULT_CONTEXT = 8192;

    private final Map<String, String> explicit;

    private GemmaOptions(Map<String, String> explicit) {
        this.explicit = Map.copyOf(explicit);
        // Validate eagerly so that a bad value fails at configuration time, naming the property.
        engine();
        device();
        threads();
        contextOrZero();
        prefillChunk();
        systemPromptPolicy();
        quantize();
    }

    /** Options from system properties and the environment only. */
    public static GemmaOptions defaults() {
        return new GemmaOptions(Map.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options from a map of {@code gemma.*} keys; unknown {@code gemma.*} keys are rejected. */
    public static GemmaOptions from(Map<?, ?> values) {
        Builder b = builder();
        values.forEach((k, v) -> {
            String key = String.valueOf(k);
            if (key.startsWith("gemma.")) {
                b.set(key, String.valueOf(v));
            }
        });
        return b.build();
    }

    public static GemmaOptions from(Properties properties) {
        return from((Map<?, ?>) properties);
    }

    public String engine() {
        String v = lookup(ENGINE, "auto").toLowerCase(Locale.ROOT);
        if (v.isBlank()) {
            throw invalid(ENGINE, v, "an engine name such as native, pytorch, onnx or auto");
        }
        return v;
    }

    public Device device() {
        String v = lookup(DEVICE, "auto");
        try {
            return Device.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(DEVICE, v, "cpu, gpu or auto");
        }
    }

    public int threads() {
        return positiveInt(THREADS, Runtime.getRuntime().availableProcessors());
    }

    /** The configured context length, or the default capped by the model's {@code maxPositions}. */
    public int context(int maxPositions) {
        int configured = contextOrZero();
        if (configured == 0) {
            return Math.min(maxPositions, DEFAULT_CONTEXT);
        }
        if (configured > maxPositions) {
            throw invalid(CONTEXT, Integer.toString(configured),
                    "at most the model's max_position_embeddings (" + maxPositions + ")");
        }
        return configured;
    }

    public int prefillChunk() {
        return positiveInt(PREFILL_CHUNK, 128);
    }

    public SystemPromptPolicy systemPromptPolicy() {
        String v = lookup(CHAT_SYSTEM, "template");
        try {
            return SystemPromptPolicy.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(CHAT_SYSTEM, v, "template or fold");
        }
    }

    /** Block format that float weight matrices are quantized to at load time, or empty for none. */
    public java.util.Optional<dev.gemma4j.weights.DType> quantize() {
        String v = lookup(QUANTIZE, "none").toLowerCase(Locale.ROOT);
        return switch (v) {
            case "none" -> java.util.Optional.empty();
            case "q8_0" -> java.util.Optional.of(dev.gemma4j.weights.DType.Q8_0);
            case "q4_0" -> java.util.Optional.of(dev.gemma4j.weights.DType.Q4_0);
            default -> throw invalid(QUANTIZE, v, "none, q8_0 or q4_0");
        };
    }

    /** Every effective option, for diagnostics. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(ENGINE, engine());
        m.put(DEVICE, device().name().toLowerCase(Locale.ROOT));
        m.put(THREADS, Integer.toString(threads()));
        m.put(CONTEXT, contextOrZero() == 0 ? "default" : Integer.toString(contextOrZero()));
        m.put(PREFILL_CHUNK, Integer.toString(prefillChunk()));
        m.put(CHAT_SYSTEM, systemPromptPolicy().name().toLowerCase(Locale.ROOT));
        m.put(QUANTIZE, quantize().map(d -> d.name().toLowerCase(Locale.ROOT)).orElse("none"));
        return m;
    }

    @Override
    public String toString() {
        return "GemmaOptions" + describe();
    }

    private int contextOrZero() {
        String v = lookup(CONTEXT, null);
        return v == null ? 0 : parsePositive(CONTEXT, v);
    }

    private int positiveInt(String key, int fallback) {
        String v = lookup(key, null);
        return v == null ? fallback : parsePositive(key, v);
    }

    private static int parsePositive(String key, String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below, which names the property
        }
        throw invalid(key, v, "a positive integer");
    }

    private String lookup(String key, String fallback) {
        String v = explicit.get(key);
        if (v == null) {
            v = System.getProperty(key);
        }
        if (v == null) {
            v = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_'));
        }
        return v == null ? fallback : v.trim();
    }

    private static IllegalArgumentException invalid(String key, String value, String expected) {
        return new IllegalArgumentException(key + " must be " + expected + ", got '" + value + "'");
    }

    /** Where an engine computes. */
    public enum Device {
        CPU,
        GPU,
        AUTO
    }

    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder engine(String engine) {
            return set(ENGINE, engine);
        }

        public Builder device(Device device) {
            return set(DEVICE, device.name());
        }

        public Builder threads(int threads) {
            return set(THREADS, Integer.toString(threads));
        }

        public Builder context(int tokens) {
            return set(CONTEXT, Integer.toString(tokens));
        }

        public Builder prefillChunk(int tokens) {
            return set(PREFILL_CHUNK, Integer.toString(tokens));
        }

        public Builder systemPromptPolicy(SystemPromptPolicy policy) {
            return set(CHAT_SYSTEM, policy.name());
        }

        /** Quantize float weight matrices at load time: {@code none}, {@code q8_0} or {@code q4_0}. */
        public Builder quantize(String format) {
            return set(QUANTIZE, format);
        }

        /** Sets any option by its property name; unknown names are rejected. */
        public Builder set(String key, String value) {
            switch (key) {
                case ENGINE, DEVICE, THREADS, CONTEXT, PREFILL_CHUNK, CHAT_SYSTEM, QUANTIZE -> values.put(key, value);
                default -> throw new IllegalArgumentException("unknown option '" + key + "'; known: "
                        + String.join(", ", ENGINE, DEVICE, THREADS, CONTEXT, PREFILL_CHUNK, CHAT_SYSTEM, QUANTIZE));
            }
            return this;
        }

        public GemmaOptions build() {
            return new GemmaOptions(values);
        }
    }
}
