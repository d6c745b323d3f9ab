package dev.gemma4j.config;

import java.util.List;

/**
 * The immutable, validated shape and numerics of one Gemma text model. Built by {@link ConfigLoader}
 * from {@code config.json} (or, later, GGUF metadata); every engine reads the same derived facts.
 *
 * @param family            Gemma 1, 2 or 3
 * @param modelType         the {@code model_type} the config declared (gemma, gemma2, gemma3_text, gemma3)
 * @param vocabSize         rows of the embedding / LM head
 * @param hiddenSize        model width
 * @param intermediateSize  MLP width
 * @param numLayers         transformer blocks
 * @param numHeads          query heads
 * @param numKvHeads        key/value heads (GQA/MQA when fewer than numHeads)
 * @param headDim           per-head width (not necessarily hiddenSize / numHeads)
 * @param rmsNormEps        RMSNorm epsilon
 * @param queryScale        multiplier of q.k: query_pre_attn_scalar^-0.5 (Gemma 2/3) or head_dim^-0.5 (Gemma 1)
 * @param attnSoftcap       attention-score softcap (tanh(s/c)*c), 0 when none
 * @param finalSoftcap      final-logit softcap, 0 when none
 * @param qkNorm            Gemma 3: RMSNorm (1+w) over head_dim on q and k before RoPE
 * @param postNorms         Gemma 2/3: post-attention and post-feedforward norms (sandwich blocks)
 * @param maxPositions      max_position_embeddings: the longest context the model was trained for
 * @param bosId             beginning-of-sequence token
 * @param eosIds            end tokens from the config (eos_token_id, scalar or list)
 * @param padId             padding token
 * @param layers            per-layer facts, one per block
 */
public record GemmaConfig(
        GemmaFamily family,
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        float queryScale,
        float attnSoftcap,
        float finalSoftcap,
        boolean qkNorm,
        boolean postNorms,
        int maxPositions,
        int bosId,
        List<Integer> eosIds,
        int padId,
        List<LayerSpec> layers) {

    public GemmaConfig {
        eosIds = List.copyOf(eosIds);
        layers = List.copyOf(layers);
    }

    public LayerSpec layer(int i) {
        return layers.get(i);
    }

    /** sqrt(hidden): the embedding multiplier, in full precision (as the reference and llama.cpp use). */
    public float embeddingScale() {
        return (float) Math.sqrt(hiddenSize);
    }

    /** Keys (or values) stored per position per layer: numKvHeads * headDim. */
    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** Query width: numHeads * headDim. */
    public int qDim() {
        return numHeads * headDim;
    }
}
