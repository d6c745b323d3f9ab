package dev.gemma4j.gguf;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.weights.Tensor;
import dev.gemma4j.weights.WeightStore;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tensors of a GGUF file under the Hugging Face names the engines use, so that an engine reads a GGUF
 * checkpoint exactly like a safetensors one. Shapes are reported outermost first (GGUF lists dimensions
 * innermost first, so they are reversed): {@code model.embed_tokens.weight} is [vocab, hidden].
 *
 * <p>Names: {@code token_embd} → {@code model.embed_tokens}, {@code output_norm} → {@code model.norm},
 * {@code output} → {@code lm_head}; per block {@code blk.N.*} → {@code model.layers.N.*}: attn_norm →
 * input_layernorm, attn_q/k/v/output → self_attn.q/k/v/o_proj, attn_q_norm/attn_k_norm →
 * self_attn.q_norm/k_norm, ffn_gate/up/down → mlp.gate/up/down_proj. {@code ffn_norm} is the norm in
 * front of the MLP: Hugging Face calls it post_attention_layernorm in Gemma 1 and
 * pre_feedforward_layernorm in Gemma 2/3, whose post_attention_norm / post_ffw_norm map to
 * post_attention_layernorm / post_feedforward_layernorm. Other tensors are left out of {@link #names()}.
 *
 * <p>Norm weights hold {@code 1 + w} ({@link #normsIncludeOne()}).
 */
public final class GgufStore implements WeightStore {
    private static final String BLOCK = "blk.";
    private static final String WEIGHT = ".weight";

    private static final Map<String, String> TOP = Map.of(
            "token_embd", "model.embed_tokens",
            "output_norm", "model.norm",
            "output", "lm_head");

    private static final Map<String, String> COMMON = Map.ofEntries(
            Map.entry("attn_norm", "input_layernorm"),
            Map.entry("attn_q", "self_attn.q_proj"),
            Map.entry("attn_k", "self_attn.k_proj"),
            Map.entry("attn_v", "self_attn.v_proj"),
            Map.entry("attn_output", "self_attn.o_proj"),
            Map.entry("attn_q_norm", "self_attn.q_norm"),
            Map.entry("attn_k_norm", "self_attn.k_norm"),
            Map.entry("ffn_gate", "mlp.gate_proj"),
            Map.entry("ffn_up", "mlp.up_proj"),
            Map.entry("ffn_down", "mlp.down_proj"));

    /** Gemma 1 is pre-norm: its only second norm is the one before the MLP. */
    private static final Map<String, String> GEMMA1 = Map.of("ffn_norm", "post_attention_layernorm");

    private static final Map<String, String> GEMMA2_3 = Map.of(
            "post_attention_norm", "post_attention_layernorm",
            "ffn_norm", "pre_feedforward_layernorm",
            "post_ffw_norm", "post_feedforward_layernorm");

    private final GgufFile file;
    private final Map<String, Tensor> tensors;

    private GgufStore(GgufFile file, Map<String, Tensor> tensors) {
        this.file = file;
        this.tensors = tensors;
    }

    /** Opens and validates a GGUF file; closing the store unmaps it. */
    public static GgufStore open(Path path) {
        GgufFile file = GgufFile.open(path);
        try {
            return of(file);
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    /** A store over an open file; the store takes ownership, and closing it closes {@code file}. */
    public static GgufStore of(GgufFile file) {
        String arch = file.string(GgufConfig.ARCHITECTURE)
                .orElseThrow(() -> new ModelFormatException(file.path(), GgufConfig.ARCHITECTURE, "is missing"));
        Map<String, String> blockNames = switch (arch) {
            case "gemma" -> GEMMA1;
            case "gemma2", "gemma3" -> GEMMA2_3;
            default -> throw new ModelFormatException(file.path(), GgufConfig.ARCHITECTURE,
                    "unsupported architecture \"" + arch + "\" (expected gemma, gemma2 or gemma3)");
        };
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (GgufTensorInfo info : file.tensors()) {
            String canonical = canonicalName(info.name(), blockNames);
            if (canonical == null) {
                continue;
            }
            Tensor t = new Tensor(canonical, info.type(), info.shape(), file.data(info), file.path());
            // The mapping is injective and GGUF names are unique, so this never fires; it guards edits.
            if (byName.putIfAbsent(canonical, t) != null) {
                throw new ModelFormatException(file.path(), info.name(), "maps to " + canonical + " a second time");
            }
        }
        return new GgufStore(file, Collections.unmodifiableMap(byName));
    }

    /** The Hugging Face name of a GGUF tensor, or null when it is not one the engines use. */
    static String canonicalName(String gguf, Map<String, String> blockNames) {
        if (!gguf.endsWith(WEIGHT)) {
            return null;
        }
        String stem = gguf.substring(0, gguf.length() - WEIGHT.length());
        if (!stem.startsWith(BLOCK)) {
            String top = TOP.get(stem);
            return top == null ? null : top + WEIGHT;
        }
        int dot = stem.indexOf('.', BLOCK.length());
        if (dot < 0) {
            return null;
        }
        String number = stem.substring(BLOCK.length(), dot);
        // Canonical decimal only: "blk.01" would otherwise alias "blk.1".
        if (number.isEmpty() || number.length() > 9 || !number.chars().allMatch(c -> c >= '0' && c <= '9')
                || (number.length() > 1 && number.charAt(0) == '0')) {
            return null;
        }
        String part = stem.substring(dot + 1);
        String hf = COMMON.getOrDefault(part, blockNames.get(part));
        return hf == null ? null : "model.layers." + number + "." + hf + WEIGHT;
    }

    /** The underlying file, for its metadata (config, tokenizer). */
    public GgufFile file() {
        return file;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public Optional<Tensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** GGUF stores norm weights as {@code 1 + w}. */
    @Override
    public boolean normsIncludeOne() {
        return true;
    }

    @Override
    public Path location() {
        return file.path();
    }

    /** Unmaps the file; safe to call more than once. */
    @Override
    public void close() {
        file.close();
    }
}
