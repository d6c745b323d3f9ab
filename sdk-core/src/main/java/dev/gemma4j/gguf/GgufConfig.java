package dev.gemma4j.gguf;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.config.GemmaConfig;
import dev.gemma4j.config.GemmaFamily;
import dev.gemma4j.config.LayerSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads a {@link GemmaConfig} from GGUF metadata, the way llama.cpp does for the architectures
 * {@code gemma}, {@code gemma2} and {@code gemma3}, and checks it against the tensor table.
 *
 * <p>Keys ({@code {arch}.} prefix): context_length, embedding_length, block_count, feed_forward_length,
 * attention.head_count, attention.layer_norm_rms_epsilon (required); attention.head_count_kv (default
 * head_count), attention.key_length (default embedding_length / head_count), attention.value_length (default
 * key_length, must equal it), attention.sliding_window (gemma2: default 4096; gemma3: required),
 * attn_logit_softcapping / final_logit_softcapping, rope.freq_base, rope.freq_base_swa,
 * rope.scaling.type / rope.scaling.factor. The vocabulary size is the row count of {@code token_embd}.
 *
 * <p>Which layers slide is not stored in GGUF files; as llama.cpp does, it is the generation's fixed
 * pattern: gemma2 even layers, gemma3 every layer except those with {@code (i + 1) % 6 == 0}.
 */
public final class GgufConfig {
    public static final String ARCHITECTURE = "general.architecture";
    private static final String BOS = "tokenizer.ggml.bos_token_id";
    private static final String EOS = "tokenizer.ggml.eos_token_id";
    private static final String EOT = "tokenizer.ggml.eot_token_id";
    private static final String PAD = "tokenizer.ggml.padding_token_id";
    private static final int GEMMA3_GLOBAL_EVERY = 6;

    private final GgufFile file;
    private final String arch;

    private GgufConfig(GgufFile file, String arch) {
        this.file = file;
        this.arch = arch;
    }

    public static GemmaConfig load(GgufFile file) {
        String arch = file.string(ARCHITECTURE)
                .orElseThrow(() -> new ModelFormatException(file.path(), ARCHITECTURE, "is missing"));
        return new GgufConfig(file, arch).build();
    }

    private GemmaConfig build() {
        GemmaFamily family = switch (arch) {
            case "gemma" -> GemmaFamily.GEMMA1;
            case "gemma2" -> GemmaFamily.GEMMA2;
            case "gemma3" -> GemmaFamily.GEMMA3;
            default -> throw new ModelFormatException(file.path(), ARCHITECTURE,
                    "unsupported architecture \"" + arch + "\" (expected gemma, gemma2 or gemma3)");
        };
        String modelType = switch (family) {
            case GEMMA1 -> "gemma";
            case GEMMA2 -> "gemma2";
            case GEMMA3 -> "gemma3_text";
        };
        int maxPositions = requiredInt("context_length");
        int hidden = requiredInt("embedding_length");
        int layers = requiredInt("block_count");
        int ffn = requiredInt("feed_forward_length");
        int heads = requiredInt("attention.head_count");
        int kvHeads = optionalInt("attention.head_count_kv").orElse(heads);
        if (heads % kvHeads != 0) {
            throw error("attention.head_count_kv", kvHeads + " does not divide attention.head_count " + heads);
        }
        // llama.cpp's default; Gemma files always carry the key, and the attn_q check below catches a bad guess.
        int headDim = optionalInt("attention.key_length").orElse(hidden / heads);
        int valueDim = optionalInt("attention.value_length").orElse(headDim);
        if (valueDim != headDim) {
            throw error("attention.value_length", valueDim + " differs from attention.key_length " + headDim
                    + " (Gemma uses one head_dim for keys and values)");
        }
        Optional<Integer> ropeDims = optionalInt("rope.dimension_count");
        if (ropeDims.isPresent() && ropeDims.get() != headDim) {
            throw error("rope.dimension_count", ropeDims.get() + " differs from attention.key_length " + headDim
                    + " (Gemma rotates the whole head)");
        }
        double eps = positive("attention.layer_norm_rms_epsilon", null);

        int vocab = checkTensors(family, hidden, layers, ffn, heads, kvHeads, headDim);

        float queryScale = (float) (1 / Math.sqrt(queryPreAttnScalar(family, hidden, layers, heads, headDim)));

        List<LayerSpec> specs = new ArrayList<>(layers);
        switch (family) {
            case GEMMA1 -> {
                double base = positive("rope.freq_base", 10_000.0);
                noRopeScaling();
                for (int i = 0; i < layers; i++) {
                    specs.add(new LayerSpec(i, false, 0, base, 1));
                }
            }
            case GEMMA2 -> {
                double base = positive("rope.freq_base", 10_000.0);
                noRopeScaling();
                // llama.cpp's default for gemma2 files from before the key was written.
                int window = optionalInt("attention.sliding_window").orElse(4096);
                for (int i = 0; i < layers; i++) {
                    boolean sliding = i % 2 == 0;
                    specs.add(new LayerSpec(i, sliding, sliding ? window : 0, base, 1));
                }
            }
            case GEMMA3 -> {
                double global = positive("rope.freq_base", 1_000_000.0);
                double local = positive("rope.freq_base_swa", 10_000.0);
                double factor = ropeScalingFactor();
                int window = requiredInt("attention.sliding_window");
                for (int i = 0; i < layers; i++) {
                    boolean sliding = (i + 1) % GEMMA3_GLOBAL_EVERY != 0;
                    specs.add(sliding ? new LayerSpec(i, true, window, local, 1)
                            : new LayerSpec(i, false, 0, global, factor));
                }
            }
        }

        // Gemma 2 always softcaps: llama.cpp (like transformers' Gemma2Config) defaults to 50 / 30 when a
        // file lacks the keys. Gemma 1 has no softcaps; Gemma 3 none unless its file says so.
        float attnSoftcap = family == GemmaFamily.GEMMA1 ? 0
                : softcap("attn_logit_softcapping", family == GemmaFamily.GEMMA2 ? 50 : 0);
        float finalSoftcap = family == GemmaFamily.GEMMA1 ? 0
                : softcap("final_logit_softcapping", family == GemmaFamily.GEMMA2 ? 30 : 0);

        int bos = tokenId(BOS, vocab).orElse(2);
        int pad = tokenId(PAD, vocab).orElse(0);
        Set<Integer> eos = new LinkedHashSet<>();
        eos.add(tokenId(EOS, vocab).orElse(1));
        tokenId(EOT, vocab).ifPresent(eos::add);

        return new GemmaConfig(family, modelType, vocab, hidden, ffn, layers, heads, kvHeads, headDim, eps,
                queryScale, attnSoftcap, finalSoftcap, family == GemmaFamily.GEMMA3, family != GemmaFamily.GEMMA1,
                maxPositions, bos, List.copyOf(eos), pad, specs);
    }

    /**
     * What q.k is scaled by (as its inverse square root). GGUF does not store query_pre_attn_scalar, so,
     * like llama.cpp, it is inferred: head_dim, except on the 27B models of Gemma 2 (46 layers) and Gemma 3
     * (62 layers), which were trained with hidden / heads (4608 / 32 = 144 and 5376 / 32 = 168) instead of
     * their head_dim of 128. Gemma 1 always uses head_dim.
     */
    static double queryPreAttnScalar(GemmaFamily family, int hidden, int layers, int heads, int headDim) {
        boolean is27b = (family == GemmaFamily.GEMMA2 && layers == 46) || (family == GemmaFamily.GEMMA3 && layers == 62);
        return is27b ? hidden / heads : headDim;
    }

    /**
     * Checks that the tensors the engines need exist with the shapes the metadata implies, and returns the
     * vocabulary size (rows of token_embd). GGUF dims are innermost first: a linear layer [out, in] is [in, out].
     */
    private int checkTensors(GemmaFamily family, int hidden, int layers, int ffn, int heads, int kvHeads, int headDim) {
        GgufTensorInfo embd = tensor("token_embd.weight");
        if (embd.rank() != 2 || embd.dim(0) != hidden) {
            throw error("embedding_length", hidden + " does not match token_embd.weight dims "
                    + java.util.Arrays.toString(embd.dims()) + " (expected [" + hidden + ", vocab])");
        }
        if (embd.dim(1) > Integer.MAX_VALUE) {
            throw new ModelFormatException(file.path(), "token_embd.weight", "vocabulary of " + embd.dim(1)
                    + " rows does not fit an int");
        }
        int vocab = (int) embd.dim(1);
        expect("output_norm.weight", "embedding_length", hidden);
        file.tensor("output.weight").ifPresent(out -> {
            if (out.rank() != 2 || out.dim(0) != hidden || out.dim(1) != vocab) {
                throw new ModelFormatException(file.path(), "output.weight", "dims " + java.util.Arrays.toString(out.dims())
                        + " differ from token_embd.weight " + java.util.Arrays.toString(embd.dims()));
            }
        });

        for (GgufTensorInfo t : file.tensors()) {
            int block = blockOf(t.name());
            if (block >= layers) {
                throw error("block_count", layers + ", but the file has tensor " + t.name());
            }
        }
        int q = heads * headDim;
        int kv = kvHeads * headDim;
        for (int i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            if (file.tensor(p + "attn_q.weight").isEmpty()) {
                throw error("block_count", layers + ", but the file has no " + p + "attn_q.weight");
            }
            expect(p + "attn_norm.weight", "embedding_length", hidden);
            expect(p + "attn_q.weight", "attention.key_length", hidden, q);
            expect(p + "attn_k.weight", "attention.head_count_kv", hidden, kv);
            expect(p + "attn_v.weight", "attention.head_count_kv", hidden, kv);
            expect(p + "attn_output.weight", "attention.key_length", q, hidden);
            expect(p + "ffn_norm.weight", "embedding_length", hidden);
            expect(p + "ffn_gate.weight", "feed_forward_length", hidden, ffn);
            expect(p + "ffn_up.weight", "feed_forward_length", hidden, ffn);
            expect(p + "ffn_down.weight", "feed_forward_length", ffn, hidden);
            if (family != GemmaFamily.GEMMA1) {
                expect(p + "post_attention_norm.weight", "embedding_length", hidden);
                expect(p + "post_ffw_norm.weight", "embedding_length", hidden);
            }
            if (family == GemmaFamily.GEMMA3) {
                expect(p + "attn_q_norm.weight", "attention.key_length", headDim);
                expect(p + "attn_k_norm.weight", "attention.key_length", headDim);
            }
        }
        return vocab;
    }

    /** The block number of a {@code blk.N.*} tensor, or -1. */
    private static int blockOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int dot = name.indexOf('.', 4);
        String n = dot < 0 ? "" : name.substring(4, dot);
        if (n.isEmpty() || n.length() > 9 || !n.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Integer.parseInt(n);
    }

    private GgufTensorInfo tensor(String name) {
        return file.tensor(name).orElseThrow(() -> new ModelFormatException(file.path(), name, "tensor is missing"));
    }

    /** The tensor exists with exactly these GGUF dims; otherwise an error naming {@code key}, the metadata that disagrees. */
    private void expect(String name, String key, long... dims) {
        GgufTensorInfo t = tensor(name);
        if (!java.util.Arrays.equals(t.dims(), dims)) {
            throw error(key, "implies dims " + java.util.Arrays.toString(dims) + " for " + name + ", but the file has "
                    + java.util.Arrays.toString(t.dims()));
        }
    }

    /** Linear RoPE scaling factor of gemma3's global layers: 1 when absent or type "none". */
    private double ropeScalingFactor() {
        String type = file.string(key("rope.scaling.type")).orElse("linear");
        OptionalDouble factor = numberKey("rope.scaling.factor");
        OptionalDouble legacy = numberKey("rope.scale_linear");
        if (factor.isPresent() && legacy.isPresent() && factor.getAsDouble() != legacy.getAsDouble()) {
            throw error("rope.scaling.factor", factor.getAsDouble() + " contradicts rope.scale_linear "
                    + legacy.getAsDouble());
        }
        double f = factor.isPresent() ? factor.getAsDouble() : legacy.orElse(0);
        String factorKey = factor.isPresent() || legacy.isEmpty() ? "rope.scaling.factor" : "rope.scale_linear";
        switch (type) {
            case "none" -> {
                return 1;
            }
            case "linear" -> {
                if (f == 0) {
                    return 1; // llama.cpp: 0 or absent means unscaled
                }
                if (!Double.isFinite(f) || f < 1) {
                    throw error(factorKey, f + " is not a linear RoPE scaling factor of at least 1");
                }
                return f;
            }
            default -> throw error("rope.scaling.type", "unsupported RoPE scaling \"" + type + "\" (none or linear)");
        }
    }

    /** Gemma 1 and 2 were never released with RoPE scaling; running it unscaled would be a silent guess. */
    private void noRopeScaling() {
        String type = file.string(key("rope.scaling.type")).orElse("none");
        if (!type.equals("none") && !type.equals("linear")) {
            throw error("rope.scaling.type", "unsupported RoPE scaling \"" + type + "\" (none or linear)");
        }
        for (String k : List.of("rope.scaling.factor", "rope.scale_linear")) {
            OptionalDouble f = numberKey(k);
            if (type.equals("linear") && f.isPresent() && f.getAsDouble() != 0 && f.getAsDouble() != 1) {
                throw error(k, "RoPE scaling is not supported for architecture " + arch);
            }
        }
    }

    private float softcap(String key, double absent) {
        OptionalDouble v = numberKey(key);
        if (v.isEmpty()) {
            return (float) absent;
        }
        double c = v.getAsDouble();
        if (!Double.isFinite(c) || c < 0) {
            throw error(key, c + " is not a softcap (0 for none, else positive)");
        }
        return (float) c;
    }

    private Optional<Integer> tokenId(String key, int vocab) {
        OptionalLong v = file.integer(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        long id = v.getAsLong();
        if (id < 0 || id >= vocab) {
            throw new ModelFormatException(file.path(), key, "token id " + id + " is not in [0, " + vocab + ")");
        }
        return Optional.of((int) id);
    }

    private int requiredInt(String suffix) {
        return optionalInt(suffix).orElseThrow(() -> error(suffix, "is missing"));
    }

    private Optional<Integer> optionalInt(String suffix) {
        OptionalLong v = file.integer(key(suffix));
        if (v.isEmpty()) {
            return Optional.empty();
        }
        long n = v.getAsLong();
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw error(suffix, n + " is not a positive int");
        }
        return Optional.of((int) n);
    }

    /**
     * A positive finite number, or {@code absent} (null: required). An f32 value is widened through its
     * shortest decimal form, so the 1e-6 a converter wrote as f32 reads back as 1e-6, not 9.99999997e-7.
     */
    private double positive(String suffix, Double absent) {
        OptionalDouble v = numberKey(suffix);
        if (v.isEmpty()) {
            if (absent == null) {
                throw error(suffix, "is missing");
            }
            return absent;
        }
        double d = v.getAsDouble();
        if (!Double.isFinite(d) || d <= 0) {
            throw error(suffix, d + " is not a positive finite number");
        }
        return d;
    }

    private OptionalDouble numberKey(String suffix) {
        String key = key(suffix);
        OptionalDouble v = file.number(key);
        if (v.isPresent() && file.type(key).orElseThrow() == GgufValueType.FLOAT32) {
            return OptionalDouble.of(Double.parseDouble(Float.toString((float) v.getAsDouble())));
        }
        return v;
    }

    private String key(String suffix) {
        return arch + "." + suffix;
    }

    private ModelFormatException error(String suffix, String problem) {
        return new ModelFormatException(file.path(), key(suffix), problem);
    }
}
