package dev.gemma4j.nativeengine;

/**
 * One transformer block's weights. Norm vectors hold the full multiplier {@code 1 + w} (added once at
 * load time for Hugging Face checkpoints, stored that way in GGUF files). Gemma 1 has no post norms:
 * its {@code post_attention_layernorm} is the pre-MLP norm, kept here as {@code preFfwNorm}.
 */
record LayerWeights(
        float[] inputNorm,
        Matrix q,
        Matrix k,
        Matrix v,
        Matrix o,
        float[] qNorm,
        float[] kNorm,
        float[] postAttnNorm,
        float[] preFfwNorm,
        float[] postFfwNorm,
        Matrix gate,
        Matrix up,
        Matrix down) {

    long bytes() {
        return q.bytes() + k.bytes() + v.bytes() + o.bytes() + gate.bytes() + up.bytes() + down.bytes();
    }
}
