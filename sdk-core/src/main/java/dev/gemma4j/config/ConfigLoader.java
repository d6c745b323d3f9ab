package dev.gemma4j.config;

import dev.gemma4j.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a Hugging Face {@code config.json} ({@code model_type} gemma, gemma2, gemma3_text, or the
 * multimodal gemma3 wrapper whose text model sits in {@code text_config}) into a validated
 * {@link GemmaConfig}, deriving the per-layer facts once.
 *
 * <p>An optional key that is absent takes the default of transformers' config class for that model type,
 * because that is what the checkpoint was published against: Google's Gemma 3 4B/12B/27B configs omit
 * heads, head_dim, vocab_size and more. The sizes of Gemma 1 and 2, whose configs always carry them, are
 * required. Anything missing, out of range or contradictory is a {@link ModelFormatException} naming the
 * key, never a guess.
 */
public final class ConfigLoader {
    /**
     * Every Gemma runs the tanh approximation of GELU. Gemma 1 configs say "gelu", which transformers
     * also runs as the tanh form, so all accepted names mean the same function.
     */
    private static final Set<String> GELU_TANH_NAMES = Set.of("gelu_pytorch_tanh", "gelu_tanh", "gelu");

    /** transformers' head_dim default in GemmaConfig, Gemma2Config and Gemma3TextConfig alike. */
    private static final int DEFAULT_HEAD_DIM = 256;

    private ConfigLoader() {
    }

    public static GemmaConfig load(Path configJson) {
        ConfigFields top = ConfigFields.read(configJson);
        String modelType = top.requiredString("model_type");
        GemmaFamily family = switch (modelType) {
            case "gemma" -> GemmaFamily.GEMMA1;
            case "gemma2" -> GemmaFamily.GEMMA2;
            case "gemma3_text", "gemma3" -> GemmaFamily.GEMMA3;
            default -> throw top.error("model_type", "unsupported model type \"" + modelType
                    + "\" (expected gemma, gemma2, gemma3_text or gemma3)");
        };
        ConfigFields text = modelType.equals("gemma3") ? textConfig(top) : top;
        boolean g3 = family == GemmaFamily.GEMMA3;

        checkActivation(text);
        if (text.has("rope_parameters")) {
            // transformers 5 moved rope_theta/rope_scaling here; reading only the old keys would be a guess.
            throw text.error("rope_parameters", "the rope_parameters form is not supported; "
                    + "use rope_theta / rope_local_base_freq / rope_scaling");
        }

        int hidden = text.positiveInt("hidden_size");
        int intermediate = text.positiveInt("intermediate_size");
        int layers = text.positiveInt("num_hidden_layers");
        int vocab = size(text, "vocab_size", g3, 262_208);
        int heads = size(text, "num_attention_heads", g3, 8);
        int kvHeads = size(text, "num_key_value_heads", g3, 4);
        int maxPositions = size(text, "max_position_embeddings", g3, 131_072);
        double eps = g3 ? text.positiveFinite("rms_norm_eps", 1e-6) : text.positiveFinite("rms_norm_eps");
        int headDim = text.positiveInt("head_dim", DEFAULT_HEAD_DIM);
        if (heads % kvHeads != 0) {
            throw text.error("num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
        }

        int bos = specialId(text, top, "bos_token_id", 2, vocab);
        int pad = specialId(text, top, "pad_token_id", 0, vocab);
        List<Integer> eos = eosIds(text, top, vocab);

        // Gemma 1 scales q.k by head_dim^-0.5; later generations by query_pre_attn_scalar^-0.5.
        double queryScalar = g3 || family == GemmaFamily.GEMMA2
                ? text.positiveFinite("query_pre_attn_scalar", 256) : headDim;
        float queryScale = (float) (1 / Math.sqrt(queryScalar));

        List<LayerSpec> specs = switch (family) {
            case GEMMA1 -> {
                noRopeScaling(text, modelType);
                double theta = text.positiveFinite("rope_theta", 10_000);
                yield layerSpecs(SlidingLayers.gemma1(text, layers), 0, theta, theta, 1);
            }
            case GEMMA2 -> {
                noRopeScaling(text, modelType);
                double theta = text.positiveFinite("rope_theta", 10_000);
                yield layerSpecs(SlidingLayers.gemma2(text, layers), text.positiveInt("sliding_window", 4096),
                        theta, theta, 1);
            }
            case GEMMA3 -> layerSpecs(SlidingLayers.gemma3(text, layers), text.positiveInt("sliding_window", 4096),
                    text.positiveFinite("rope_local_base_freq", 10_000),
                    text.positiveFinite("rope_theta", 1_000_000), RopeScaling.globalFactor(text));
        };

        // transformers' Gemma2Config defaults to 50 / 30 when the keys are absent; Gemma 3 to none.
        float attnSoftcap = switch (family) {
            case GEMMA1 -> 0;
            case GEMMA2 -> softcap(text, "attn_logit_softcapping", 50);
            case GEMMA3 -> softcap(text, "attn_logit_softcapping", 0);
        };
        float finalSoftcap = switch (family) {
            case GEMMA1 -> 0;
            case GEMMA2 -> softcap(text, "final_logit_softcapping", 30);
            case GEMMA3 -> softcap(text, "final_logit_softcapping", 0);
        };

        return new GemmaConfig(family, modelType, vocab, hidden, intermediate, layers, heads, kvHeads, headDim,
                eps, queryScale, attnSoftcap, finalSoftcap, g3, family != GemmaFamily.GEMMA1, maxPositions,
                bos, eos, pad, specs);
    }

    /** The text model of a multimodal gemma3 config; its own model_type, when given, must be gemma3_text. */
    private static ConfigFields textConfig(ConfigFields top) {
        ConfigFields text = top.object("text_config");
        Optional<String> type = text.string("model_type");
        if (type.isPresent() && !type.get().equals("gemma3_text")) {
            throw text.error("model_type", "expected gemma3_text inside a gemma3 config, got \"" + type.get() + "\"");
        }
        return text;
    }

    /** Required for Gemma 1/2, whose configs always carry it; Gemma3TextConfig's default otherwise. */
    private static int size(ConfigFields f, String key, boolean gemma3, int gemma3Default) {
        return gemma3 ? f.positiveInt(key, gemma3Default) : f.positiveInt(key);
    }

    private static void checkActivation(ConfigFields f) {
        for (String key : List.of("hidden_act", "hidden_activation")) {
            Optional<String> name = f.string(key);
            if (name.isPresent() && !GELU_TANH_NAMES.contains(name.get())) {
                throw f.error(key, "unsupported activation \"" + name.get()
                        + "\" (Gemma uses GELU, tanh approximation: gelu_pytorch_tanh, gelu_tanh or gelu)");
            }
        }
    }

    private static void noRopeScaling(ConfigFields f, String modelType) {
        if (f.has("rope_scaling")) {
            throw f.error("rope_scaling", "RoPE scaling is not supported for model_type " + modelType);
        }
    }

    /** A null softcap means "none" (0); an absent key means the class default. */
    private static float softcap(ConfigFields f, String key, double absent) {
        return f.isNull(key) ? 0 : (float) f.positiveFinite(key, absent);
    }

    private static List<LayerSpec> layerSpecs(boolean[] sliding, int window, double slidingBase,
            double globalBase, double globalScale) {
        List<LayerSpec> specs = new ArrayList<>(sliding.length);
        for (int i = 0; i < sliding.length; i++) {
            specs.add(sliding[i]
                    ? new LayerSpec(i, true, window, slidingBase, 1)
                    : new LayerSpec(i, false, 0, globalBase, globalScale));
        }
        return specs;
    }

    /**
     * bos or pad: from the text config, else (gemma3 wrapper) from the top level, else the default. The two
     * levels must agree when both are given.
     */
    private static int specialId(ConfigFields text, ConfigFields top, String key, int absent, int vocab) {
        Optional<Integer> inner = singleId(text, key, vocab);
        Optional<Integer> outer = text == top ? Optional.empty() : singleId(top, key, vocab);
        if (inner.isPresent() && outer.isPresent() && !inner.equals(outer)) {
            throw text.error(key, inner.get() + " differs from the top-level " + key + " " + outer.get());
        }
        return inner.or(() -> outer).orElse(absent);
    }

    private static Optional<Integer> singleId(ConfigFields f, String key, int vocab) {
        List<Integer> ids = checkedIds(f, key, vocab);
        if (ids.size() > 1) {
            throw f.error(key, "must be a single token id, got " + ids);
        }
        return ids.stream().findFirst();
    }

    /**
     * The union of the end tokens in the text config, the top level of a gemma3 wrapper and a
     * generation_config.json beside config.json (which is where chat models list {@code <end_of_turn>}).
     */
    private static List<Integer> eosIds(ConfigFields text, ConfigFields top, int vocab) {
        Set<Integer> ids = new LinkedHashSet<>(checkedIds(text, "eos_token_id", vocab));
        if (text != top) {
            ids.addAll(checkedIds(top, "eos_token_id", vocab));
        }
        Path generation = top.file().resolveSibling("generation_config.json");
        if (Files.isRegularFile(generation)) {
            ids.addAll(checkedIds(ConfigFields.read(generation), "eos_token_id", vocab));
        }
        if (ids.isEmpty()) {
            ids.add(1); // transformers' default eos_token_id for every Gemma config class
        }
        return List.copyOf(ids);
    }

    private static List<Integer> checkedIds(ConfigFields f, String key, int vocab) {
        List<Integer> ids = f.tokenIds(key);
        for (int id : ids) {
            if (id >= vocab) {
                throw f.error(key, "token id " + id + " is not below vocab_size " + vocab);
            }
        }
        return ids;
    }
}
